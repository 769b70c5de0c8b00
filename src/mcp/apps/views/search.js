// Search results: a compact list per kind, with covers where the answer has them; play or
// queue a track, play an album or playlist, open any result in Spotify.
const $ = (id) => document.getElementById(id);
const KINDS = [
  ["tracks", "track", "Tracks"], ["albums", "album", "Albums"], ["artists", "artist", "Artists"],
  ["playlists", "playlist", "Playlists"], ["shows", "show", "Podcasts"],
  ["episodes", "episode", "Episodes"], ["audiobooks", "audiobook", "Audiobooks"],
];

function subtitle(kind, item) {
  if (kind === "track") return [names(item.artists), (item.album || {}).name].filter(Boolean).join(" · ");
  if (kind === "album") return [names(item.artists), String(item.release_date || "").slice(0, 4)].filter(Boolean).join(" · ");
  if (kind === "playlist") return item.owner ? "by " + (item.owner.display_name || item.owner.id) : "";
  if (kind === "audiobook") return names(item.authors);
  return item.publisher || "";
}

function actions(kind, item, title) {
  const uri = "spotify:" + kind + ":" + item.id;
  const buttons = [];
  if (kind === "track" || kind === "episode") {
    buttons.push(button(icon("play"), "Play " + title, (e) =>
      act(e.currentTarget, "start_playback", { uris: [uri] }, () => say("Playing " + title + "."))));
    buttons.push(button(icon("queue"), "Add " + title + " to queue", (e) =>
      act(e.currentTarget, "add_to_queue", { uri }, () => say(title + " is queued."))));
  } else if (kind !== "audiobook") {
    buttons.push(button(icon("play"), "Play " + title, (e) =>
      act(e.currentTarget, "start_playback", { context_uri: uri }, () => say("Playing " + title + "."))));
  }
  return el("div", { class: "row-actions" }, ...buttons);
}

function resultRow(kind, item) {
  const title = item.name || "Untitled";
  const images = item.images || (item.album && item.album.images);
  const open = "https://open.spotify.com/" + kind + "/" + encodeURIComponent(item.id);
  const link = button(icon("open"), "Open " + title + " in Spotify", () => Host.openLink(open), { class: "link" });
  return el("li", {},
    cover(images, title, true),
    el("div", { class: "grow" },
      el("div", { class: "name", title }, title),
      el("div", { class: "muted small" }, subtitle(kind, item))),
    item.duration_ms ? el("span", { class: "time" }, duration(item.duration_ms)) : null,
    actions(kind, item, title),
    link);
}

function renderSearch(answer, input, message) {
  if (!answer) {
    $("results").replaceChildren();
    say(message);
    return;
  }
  $("query").textContent = input && input.q ? "for “" + input.q + "”" : "";
  const sections = [];
  for (const [key, kind, label] of KINDS) {
    const items = ((answer[key] || {}).items || []).filter((i) => i && i.id);
    if (!items.length) continue;
    sections.push(el("section", { "aria-label": label },
      el("h2", {}, label),
      el("ul", { class: "rows" }, ...items.map((item) => resultRow(kind, item)))));
  }
  $("results").replaceChildren(...sections);
  if (!sections.length) $("results").replaceChildren(el("p", { class: "empty" }, "Nothing found."));
}

Host.start("search", renderSearch);
