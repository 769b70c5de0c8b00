// Album: cover, tracks with durations; play a track (in the album's context) or queue it.
const $ = (id) => document.getElementById(id);

function trackRow(albumUri, track, position) {
  const title = track.name || "Untitled";
  const uri = "spotify:track:" + track.id;
  return el("li", {},
    el("span", { class: "num" }, String(track.track_number || position + 1)),
    el("div", { class: "grow" },
      el("div", { class: "name", title }, title),
      track.artists && track.artists.length ? el("div", { class: "muted small" }, names(track.artists)) : null),
    el("span", { class: "time" }, duration(track.duration_ms)),
    el("div", { class: "row-actions" },
      button(icon("play"), "Play " + title, (e) =>
        act(e.currentTarget, "start_playback", { context_uri: albumUri, offset: { position } },
          () => say("Playing " + title + "."))),
      button(icon("queue"), "Add " + title + " to queue", (e) =>
        act(e.currentTarget, "add_to_queue", { uri }, () => say(title + " is queued.")))));
}

function renderAlbum(album, _input, message) {
  if (!album) {
    $("title").textContent = "No album to show";
    say(message);
    return;
  }
  const title = album.name || "Untitled";
  $("cover").replaceWith(Object.assign(cover(album.images, title), { id: "cover" }));
  $("title").textContent = title;
  $("artists").textContent = names(album.artists);
  const page = album.tracks || {};
  const tracks = (Array.isArray(page.items) ? page.items : []).filter((t) => t && t.id);
  const total = tracks.reduce((sum, t) => sum + (Number(t.duration_ms) || 0), 0);
  const year = String(album.release_date || "").slice(0, 4);
  $("facts").textContent = [year, (album.total_tracks || tracks.length) + " tracks", duration(total)]
    .filter(Boolean).join(" · ");
  const albumUri = "spotify:album:" + album.id;
  const offset = Number(page.offset) || 0;
  $("tracks").replaceChildren(...tracks.map((t, i) => trackRow(albumUri, t, offset + i)));
  const missing = (Number(page.total) || tracks.length) - tracks.length;
  $("more").textContent = missing > 0 ? missing + " more tracks: ask for the album's tracks to see them." : "";
  $("links").replaceChildren(...[openButton("album", album.id, title)].filter(Boolean));
}

Host.start("album", renderAlbum);
