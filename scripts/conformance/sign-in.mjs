// Runs the conformance suite's `authorization` command against a running spotify-mcp in
// multi-user mode, once per way a client can be known (Dynamic Client Registration, and a
// Client ID Metadata Document), and plays the person in the browser: the suite prints an
// authorization URL and waits for a browser to come back to its callback; this follows the
// redirects, lets the fake Spotify approve, submits the consent page's form, and hands the
// final redirect to the suite. Exits non-zero when any run fails.
//
// Environment: ISSUER (the server's --public-url), FAKE_URL (the fake Spotify's accounts
// base URL), SUITE (the suite's dist/index.js), SHIM (node20-fs-globsync.mjs), RESULTS (a
// directory for the suite's checks.json files), MODES (default "dcr cimd").
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import readline from 'node:readline';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const ISSUER = env('ISSUER').replace(/\/$/, '');
const FAKE_URL = env('FAKE_URL').replace(/\/$/, '');
const SUITE = env('SUITE');
const SHIM = env('SHIM');
const RESULTS = env('RESULTS');
const MODES = env('MODES', 'dcr cimd').split(/\s+/).filter(Boolean);
/** The fake Spotify's default user: who the person signs in as. */
const SPOTIFY_USER = 'fakelistener';
const MAX_HOPS = 12;
const REQUEST_TIMEOUT_MS = 10_000;

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function getJson(url, init = {}) {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

function clientMetadata(clientId, redirectUri) {
  return {
    ...(clientId ? { client_id: clientId } : {}),
    client_name: 'MCP conformance suite',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };
}

/** A client registered through the server's registration endpoint (RFC 7591). */
async function registerDynamically(redirectUri) {
  const metadata = await getJson(`${ISSUER}/.well-known/oauth-authorization-server`);
  if (!metadata?.registration_endpoint) throw new Error('the metadata has no registration_endpoint');
  const client = await getJson(metadata.registration_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(clientMetadata(null, redirectUri)),
  });
  return { clientId: client.client_id, close: () => {} };
}

/** A client whose id is the URL of its metadata document, served here on 127.0.0.1 (the
 * server must run with --allow-private-client-metadata to fetch it). */
async function serveMetadataDocument(redirectUri) {
  const port = await freePort();
  const clientId = `http://127.0.0.1:${port}/conformance-client.json`;
  const document = JSON.stringify(clientMetadata(clientId, redirectUri));
  const server = http.createServer((req, res) => {
    const found = req.url === '/conformance-client.json';
    res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
    res.end(found ? document : '{}');
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { clientId, close: () => server.close() };
}

/** A browser's cookie jar, enough for one host (cookies ignore ports, as browsers do). */
class Jar {
  constructor() {
    this.cookies = new Map();
  }
  take(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

const decode = (text) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#0*39;|&#x0*27;|&apos;/gi, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

const attribute = (tag, name) => {
  const match = tag.match(new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i'));
  return match ? decode(match[1] ?? match[2] ?? match[3]) : undefined;
};

const APPROVE = /allow|approve|agree|authori[sz]e|continue/i;

/** The consent page's approving form as a POST: its hidden fields and the approving button. */
function approvingForm(html, pageUrl) {
  const forms = [...html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)].map((m) => m[0]);
  const form = forms
    .filter((f) => (attribute(f.match(/<form\b[^>]*>/i)[0], 'method') ?? 'get').toLowerCase() === 'post')
    .find((f) => APPROVE.test(f.replace(/<[^>]*>/g, ' ')) || APPROVE.test(f));
  if (!form) return null;
  const fields = new URLSearchParams();
  for (const [input] of form.matchAll(/<input\b[^>]*>/gi)) {
    const name = attribute(input, 'name');
    const type = (attribute(input, 'type') ?? 'text').toLowerCase();
    if (name && ['hidden', 'text'].includes(type)) fields.append(name, attribute(input, 'value') ?? '');
    if (name && type === 'checkbox' && /\schecked/i.test(input)) fields.append(name, attribute(input, 'value') ?? 'on');
  }
  const buttons = [...form.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)];
  const approve = buttons.find(([, attrs, label]) => APPROVE.test(label) || APPROVE.test(attribute(` ${attrs}`, 'value') ?? ''));
  if (approve) {
    const name = attribute(` ${approve[1]}`, 'name');
    if (name) fields.append(name, attribute(` ${approve[1]}`, 'value') ?? '');
  }
  const action = new URL(attribute(form.match(/<form\b[^>]*>/i)[0], 'action') ?? pageUrl, pageUrl);
  return { action: action.href, body: fields.toString() };
}

/** What a person does in the browser from `authorizationUrl` until the redirect back to
 * `callback` (returned, undelivered). */
async function signIn(authorizationUrl, callback) {
  await getJson(`${FAKE_URL}/__fake/authorize/next`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: SPOTIFY_USER }),
  });
  const jar = new Jar();
  let request = { url: authorizationUrl, init: { method: 'GET' } };
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const headers = { cookie: jar.header(), ...(request.init.headers ?? {}) };
    const res = await fetch(request.url, {
      ...request.init,
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    jar.take(res);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      const next = new URL(location, request.url).href;
      console.error(`[person] ${res.status} → ${next.split('?')[0]}`);
      if (next.startsWith(callback)) return next;
      request = { url: next, init: { method: 'GET' } };
      continue;
    }
    const html = await res.text();
    const form = res.ok ? approvingForm(html, request.url) : null;
    if (!form) {
      throw new Error(`stuck at ${request.url.split('?')[0]} (${res.status}): ${html.replace(/\s+/g, ' ').slice(0, 400)}`);
    }
    console.error(`[person] ${res.status} page with a form: POST ${form.action}`);
    const origin = new URL(request.url).origin;
    request = {
      url: form.action,
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin, referer: request.url },
        body: form.body,
      },
    };
  }
  throw new Error(`no redirect back to the client after ${MAX_HOPS} requests`);
}

/** One run of the suite's `authorization` command for a client id; resolves to its exit code. */
async function runSuite(mode, port, client) {
  const callback = `http://127.0.0.1:${port}/callback`;
  const args = [
    '--import', SHIM, SUITE, 'authorization',
    '--url', ISSUER,
    '--client-id', client.clientId,
    '--resource', `${ISSUER}/mcp`,
    '--port', String(port),
    '--output-dir', `${RESULTS}/${mode}`,
  ];
  console.log(`\n### ${mode}: client id ${client.clientId}`);
  const suite = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let listening;
  const callbackReady = new Promise((resolve) => (listening = resolve));
  let expectUrl = false;
  let person = Promise.resolve();
  for await (const line of readline.createInterface({ input: suite.stdout })) {
    console.log(`[suite] ${line}`);
    if (line.startsWith('Callback server started')) listening();
    if (line.startsWith('Access the following URL')) expectUrl = true;
    else if (expectUrl && /^https?:\/\//.test(line.trim())) {
      expectUrl = false;
      const url = line.trim();
      person = signIn(url, callback)
        .then(async (back) => {
          await callbackReady;
          await fetch(back, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        })
        .catch((error) => {
          console.error(`[person] ${error.message}`);
          suite.kill('SIGTERM');
        });
    }
  }
  await person;
  return new Promise((resolve) => {
    if (suite.exitCode !== null) resolve(suite.exitCode);
    else suite.on('exit', (code) => resolve(code ?? 1));
  });
}

let failed = 0;
for (const mode of MODES) {
  const port = await freePort();
  const redirectUri = `http://127.0.0.1:${port}/callback`;
  let client;
  try {
    client = mode === 'cimd' ? await serveMetadataDocument(redirectUri) : await registerDynamically(redirectUri);
  } catch (error) {
    console.error(`### ${mode}: cannot get a client id: ${error.message}`);
    failed++;
    continue;
  }
  try {
    const code = await runSuite(mode, port, client);
    console.log(`### ${mode}: ${code === 0 ? 'passed' : `FAILED (exit ${code})`}`);
    if (code !== 0) failed++;
  } finally {
    client.close();
  }
}
process.exit(failed ? 1 : 0);
