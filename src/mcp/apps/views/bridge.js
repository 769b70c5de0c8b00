"use strict";
// The host bridge of MCP Apps (SEP-1865): JSON-RPC 2.0 over postMessage with the host, which
// sends the tool's input and result and carries tools/call to the server. Text reaches the page
// only through textContent and attributes set as properties: no data is ever parsed as HTML.
const Host = (() => {
  const REQUEST_TIMEOUT_MS = 30000;
  const pending = new Map();
  const handlers = {};
  let nextId = 1;
  let canCallTools = true;
  let input = {};

  const post = (message) => window.parent.postMessage(message, "*");
  const reply = (id, result) => post({ jsonrpc: "2.0", id, result });

  window.addEventListener("message", (event) => {
    if (event.source !== window.parent) return;
    const m = event.data;
    if (!m || m.jsonrpc !== "2.0") return;
    if (m.method === undefined && pending.has(m.id)) {
      const waiter = pending.get(m.id);
      pending.delete(m.id);
      if (m.error) waiter.reject(new Refusal(String(m.error.message || "refused")));
      else waiter.resolve(m.result || {});
      return;
    }
    if (m.method === "ping" || m.method === "ui/resource-teardown") {
      if (m.id !== undefined) reply(m.id, {});
      return;
    }
    const handler = handlers[m.method];
    if (handler) handler(m.params || {});
  });

  // The host said no (or never answered): the view becomes a static card.
  class Refusal extends Error {}

  function request(method, params) {
    const id = nextId++;
    post({ jsonrpc: "2.0", id, method, params });
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      setTimeout(() => {
        if (pending.delete(id)) reject(new Refusal("the host did not answer"));
      }, REQUEST_TIMEOUT_MS);
    });
  }

  function applyContext(context) {
    const root = document.documentElement;
    if (context.theme === "light" || context.theme === "dark") root.dataset.theme = context.theme;
    const variables = (context.styles && context.styles.variables) || {};
    for (const [name, value] of Object.entries(variables)) {
      if (name.startsWith("--") && typeof value === "string") root.style.setProperty(name, value);
    }
  }

  function reportSize() {
    const box = document.documentElement.getBoundingClientRect();
    post({
      jsonrpc: "2.0",
      method: "ui/notifications/size-changed",
      params: { width: Math.ceil(box.width), height: Math.ceil(box.height) },
    });
  }

  // Starts the handshake; `render` gets each tool result's structuredContent and the input.
  async function start(name, render) {
    handlers["ui/notifications/tool-input"] = (params) => { input = params.arguments || {}; };
    handlers["ui/notifications/host-context-changed"] = applyContext;
    handlers["ui/notifications/tool-result"] = (result) => {
      if (result.isError || !result.structuredContent) render(null, input, textOf(result));
      else render(result.structuredContent, input, "");
    };
    handlers["ui/notifications/tool-cancelled"] = () => render(null, input, "The call was cancelled.");
    try {
      const answer = await request("ui/initialize", {
        protocolVersion: "2026-01-26",
        appInfo: { name: "spotify-mcp " + name, version: "1" },
        appCapabilities: { availableDisplayModes: ["inline"] },
      });
      applyContext(answer.hostContext || {});
      canCallTools = !!(answer.hostCapabilities && answer.hostCapabilities.serverTools);
      if (!canCallTools) goStatic("This host shows the card without its controls.");
    } catch (error) {
      goStatic("This host shows the card without its controls.");
    }
    post({ jsonrpc: "2.0", method: "ui/notifications/initialized", params: {} });
    if (typeof ResizeObserver === "function") new ResizeObserver(reportSize).observe(document.body);
  }

  function textOf(result) {
    const block = (result.content || []).find((c) => c && c.type === "text");
    return block ? String(block.text) : "";
  }

  // Calls a server tool through the host. A tool error is shown; a refusal makes the card static.
  async function callTool(name, args) {
    if (!canCallTools) throw new Refusal("this host does not carry tool calls");
    let result;
    try {
      result = await request("tools/call", { name, arguments: args });
    } catch (error) {
      goStatic("The host refused the call (" + error.message + "): controls are off.");
      throw error;
    }
    if (result.isError) {
      say(textOf(result) || name + " failed.");
      throw new Error(textOf(result));
    }
    return result;
  }

  function openLink(url) {
    request("ui/open-link", { url }).catch(() => say("The host would not open " + url));
  }

  function goStatic(reason) {
    canCallTools = false;
    document.body.classList.add("static");
    for (const b of document.querySelectorAll(".controls button, .row-actions button, .controls input")) {
      b.disabled = true;
    }
    say(reason);
  }

  return { start, callTool, openLink, say: (text) => say(text), input: () => input };
})();

function say(text) {
  const status = document.getElementById("status");
  if (status) status.textContent = text;
}

// An element with properties and children (strings become text nodes).
function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === "class") node.className = value;
    else if (key.startsWith("aria-") || key === "role") node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function duration(ms) {
  const total = Math.max(0, Math.round((Number(ms) || 0) / 1000));
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h ? h + ":" + String(m).padStart(2, "0") + ":" + ss : m + ":" + ss;
}

// Names of a list of artists, whether objects or (in playlist entries) plain strings.
function names(list) {
  return (Array.isArray(list) ? list : [])
    .map((a) => (typeof a === "string" ? a : a && (a.name || a.display_name)) || "")
    .filter(Boolean)
    .join(", ");
}

// A cover from Spotify's images, or the initial of `title` when there is none (or it fails).
function cover(images, title, thumb) {
  const placeholder = () =>
    el("div", { class: "cover" + (thumb ? " thumb" : ""), "aria-hidden": "true" },
      String(title || "?").trim().charAt(0).toUpperCase() || "?");
  const image = Array.isArray(images) ? images.find((i) => i && typeof i.url === "string") : null;
  const url = image ? image.url : "";
  if (!/^(https:\/\/|data:image\/)/.test(url)) return placeholder();
  const img = el("img", { class: "cover" + (thumb ? " thumb" : ""), alt: "", src: url });
  img.addEventListener("error", () => img.replaceWith(placeholder()));
  return img;
}

// An icon from the page's template (markup of ours, never data).
function icon(name) {
  return document.getElementById("icons").content.querySelector('[data-icon="' + name + '"]').cloneNode(true);
}

function button(label, ariaLabel, onPress, extra) {
  const b = el("button", Object.assign({ type: "button", "aria-label": ariaLabel }, extra || {}), label);
  b.addEventListener("click", onPress);
  return b;
}

// Runs a tool from a button: busy while it runs, the outcome in the status line.
async function act(source, tool, args, done) {
  source.disabled = true;
  try {
    const result = await Host.callTool(tool, args);
    if (done) done(result);
    return result;
  } catch (error) {
    return null;
  } finally {
    if (!document.body.classList.contains("static")) source.disabled = false;
  }
}

function openButton(kind, id, title) {
  if (!id) return null;
  const url = "https://open.spotify.com/" + kind + "/" + encodeURIComponent(id);
  return button(el("span", {}, icon("open"), " Open in Spotify"), "Open " + title + " in Spotify",
    () => Host.openLink(url));
}

// The id in a Spotify id, URI or open.spotify.com link.
function bareId(value) {
  const text = String(value || "");
  const match = text.match(/([A-Za-z0-9]+)(?:\?.*)?$/);
  return match ? match[1] : text;
}
