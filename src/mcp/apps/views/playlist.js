// Playlist: items, total duration, owner; play from an item, or remove one through
// remove_playlist_items, so whatever confirmation the server asks for applies.
const $ = (id) => document.getElementById(id);
const list = { id: "", page: null };

function itemRow(entry, position) {
  const item = entry.item || entry.track || {};
  const title = item.name || "Untitled";
  const kind = item.type === "episode" ? "episode" : "track";
  const uri = "spotify:" + kind + ":" + item.id;
  const context = "spotify:playlist:" + list.id;
  const row = el("li", {},
    el("span", { class: "num" }, String(position + 1)),
    el("div", { class: "grow" },
      el("div", { class: "name", title }, title),
      el("div", { class: "muted small" },
        [names(item.artists), typeof item.album === "string" ? item.album : (item.album || {}).name]
          .filter(Boolean).join(" · "))),
    el("span", { class: "time" }, duration(item.duration_ms)),
    el("div", { class: "row-actions" },
      button(icon("play"), "Play from " + title, (e) =>
        act(e.currentTarget, "start_playback", { context_uri: context, offset: { position } },
          () => say("Playing from " + title + "."))),
      button(icon("remove"), "Remove " + title + " from the playlist", (e) =>
        act(e.currentTarget, "remove_playlist_items", { playlist_id: list.id, items: [{ uri }] },
          (result) => removed(row, title, result)))));
  return row;
}

// Spotify answers a removal with the playlist's new snapshot; anything else (a confirmation
// the server asks for first, say) is shown as the tool worded it, and the row stays.
function removed(row, title, result) {
  if (result.structuredContent && result.structuredContent.snapshot_id) {
    row.remove();
    say(title + " was removed.");
  } else {
    const block = (result.content || []).find((c) => c && c.type === "text");
    say(block ? String(block.text) : "The removal was not confirmed.");
  }
}

function renderPlaylist(result, input, message) {
  if (!result) {
    $("title").textContent = "No playlist to show";
    say(message);
    return;
  }
  // get_playlist answers the playlist; get_playlist_items only a page of its items.
  const page = result.items && !Array.isArray(result.items) ? result.items : result;
  list.id = bareId(result.id || (input && input.playlist_id));
  const title = result.name || "Playlist";
  $("cover").replaceWith(Object.assign(cover(result.images, title), { id: "cover" }));
  $("title").textContent = title;
  const owner = result.owner || {};
  $("owner").textContent = owner.display_name || owner.id ? "by " + (owner.display_name || owner.id) : "";
  const entries = (Array.isArray(page.items) ? page.items : []).filter((e) => e && (e.item || e.track));
  const total = entries.reduce((sum, e) => sum + (Number((e.item || e.track).duration_ms) || 0), 0);
  const count = Number(page.total) || entries.length;
  const shown = entries.length < count ? " (of the " + entries.length + " shown)" : "";
  $("facts").textContent = count + " items · " + duration(total) + shown;
  const offset = Number(page.offset) || 0;
  $("items").replaceChildren(...entries.map((e, i) => itemRow(e, offset + i)));
  $("more").textContent = entries.length < count ? (count - entries.length) + " more items: ask for the next page to see them." : "";
  $("links").replaceChildren(...[openButton("playlist", list.id, title)].filter(Boolean));
}

Host.start("playlist", renderPlaylist);
