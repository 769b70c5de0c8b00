// Node 20 has no fs.globSync (Node 22 added it), and the conformance suite imports it by name
// from 'fs', so on Node 20 it fails before it starts. `node --import THIS_FILE …` registers a
// module hook that hands the suite Node's fs plus a small globSync; on Node 22+ it does nothing.
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';
import fs from 'node:fs';

const SHIM_URL = 'spotify-mcp-shim:fs';

// Enough for the suite's one use (`**/checks.json` under a results directory).
const SHIM_SOURCE = `
import fs from 'node:fs';
import path from 'node:path';
export * from 'node:fs';
export default fs;
export function globSync(pattern, options = {}) {
  const cwd = options.cwd ?? process.cwd();
  if (!pattern.startsWith('**/')) {
    return fs.existsSync(path.join(cwd, pattern)) ? [pattern] : [];
  }
  const name = pattern.slice(3);
  if (/[*?[\\]{}]/.test(name)) throw new Error('globSync shim: unsupported pattern ' + pattern);
  return fs.readdirSync(cwd, { recursive: true })
    .map(String)
    .filter((entry) => path.basename(entry) === name);
}
`;

export async function resolve(specifier, context, next) {
  if ((specifier === 'fs' || specifier === 'node:fs') && context.parentURL !== SHIM_URL) {
    return { url: SHIM_URL, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (url === SHIM_URL) {
    return { format: 'module', source: SHIM_SOURCE, shortCircuit: true };
  }
  return next(url, context);
}

// The hooks run on a thread of their own, which loads this file again: register only once.
if (isMainThread && typeof fs.globSync !== 'function') {
  register(import.meta.url);
}
