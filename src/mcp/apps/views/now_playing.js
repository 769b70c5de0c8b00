// Now playing: renders get_playback_state and drives the player tools through the host.
const player = { state: null, timer: null };
const $ = (id) => document.getElementById(id);

function showPlaying(isPlaying) {
  const b = $("play-pause");
  b.replaceChildren(icon(isPlaying ? "pause" : "play"));
  b.setAttribute("aria-label", isPlaying ? "Pause" : "Play");
  b.dataset.tool = isPlaying ? "pause_playback" : "start_playback";
}

function showProgress() {
  const s = player.state;
  const total = (s.item && s.item.duration_ms) || 0;
  const at = Math.min(s.progress_ms || 0, total);
  $("progress").max = Math.max(total, 1);
  $("progress").value = at;
  $("elapsed").textContent = duration(at);
  $("length").textContent = duration(total);
}

// Progress moves on its own while playing; it stops at the end of the item.
function tick() {
  clearInterval(player.timer);
  const s = player.state;
  if (!s || !s.is_playing || !s.item) return;
  player.timer = setInterval(() => {
    s.progress_ms = Math.min((s.progress_ms || 0) + 1000, s.item.duration_ms || 0);
    showProgress();
    if (s.progress_ms >= (s.item.duration_ms || 0)) clearInterval(player.timer);
  }, 1000);
}

function renderPlayer(state, _input, message) {
  if (!state || !state.item) {
    $("title").textContent = "Nothing is playing";
    say(message || "Start Spotify on a device, then ask again.");
    if (state) player.state = state;
    return;
  }
  player.state = state;
  const item = state.item;
  const album = item.album || {};
  const images = album.images || item.images || (item.show && item.show.images);
  $("cover").replaceWith(Object.assign(cover(images, item.name), { id: "cover" }));
  $("title").textContent = item.name || "Untitled";
  $("artists").textContent = names(item.artists) || (item.show && item.show.name) || "";
  $("album").textContent = typeof album === "string" ? album : album.name || "";
  const device = state.device || {};
  $("device").textContent = device.name ? "on " + device.name : "";
  showPlaying(!!state.is_playing);
  showProgress();
  $("shuffle").setAttribute("aria-pressed", String(!!state.shuffle_state));
  $("volume").value = device.volume_percent == null ? 50 : device.volume_percent;
  $("volume").disabled = device.supports_volume === false || document.body.classList.contains("static");
  const kind = item.type === "episode" ? "episode" : "track";
  $("links").replaceChildren(...[openButton(kind, item.id, item.name)].filter(Boolean));
  tick();
}

// After a skip, what plays now.
async function refresh() {
  const result = await Host.callTool("get_playback_state", {}).catch(() => null);
  if (result && result.structuredContent) renderPlayer(result.structuredContent, {}, "");
}

$("play-pause").addEventListener("click", (event) => {
  const playing = !!(player.state && player.state.is_playing);
  act(event.currentTarget, playing ? "pause_playback" : "start_playback", {}, () => {
    if (player.state) player.state.is_playing = !playing;
    showPlaying(!playing);
    tick();
    say(playing ? "Paused." : "Playing.");
  });
});
$("previous").addEventListener("click", (e) => act(e.currentTarget, "skip_to_previous", {}, refresh));
$("next").addEventListener("click", (e) => act(e.currentTarget, "skip_to_next", {}, refresh));
$("shuffle").addEventListener("click", (event) => {
  const on = event.currentTarget.getAttribute("aria-pressed") !== "true";
  act(event.currentTarget, "set_shuffle", { state: on }, () => {
    $("shuffle").setAttribute("aria-pressed", String(on));
    say(on ? "Shuffle on." : "Shuffle off.");
  });
});
$("volume").addEventListener("change", (event) => {
  const volume = Number(event.currentTarget.value);
  act(event.currentTarget, "set_volume", { volume_percent: volume }, () => say("Volume " + volume + "%."));
});

for (const [id, name] of [["previous", "previous"], ["next", "next"], ["shuffle", "shuffle"]]) {
  $(id).replaceChildren(icon(name));
}
showPlaying(false);
Host.start("now playing", renderPlayer);
