#!/usr/bin/env bash
# The official MCP conformance suite's authorization-server scenarios
# (`authorization-server-metadata-endpoint`, `authorization-code-grant`) against
# `spotify-mcp serve --transport http --multi-user`, with the fake Spotify as Spotify.
#
# Needs Node 20+ and npm (the suite is installed outside the repository, in
# $CONFORMANCE_DIR, on first use), cargo and curl. Everything listens on 127.0.0.1 and is
# stopped on exit. The suite's results land in $CONFORMANCE_RESULTS (default
# target/conformance-auth/<mode>/…/checks.json). Exits non-zero when a scenario fails.
#
#   scripts/conformance-auth.sh            # both ways a client can be known: dcr and cimd
#   MODES=dcr scripts/conformance-auth.sh  # Dynamic Client Registration only
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/conformance/common.sh

results=${CONFORMANCE_RESULTS:-$PWD/target/conformance-auth}

echo "== building spotify-mcp and the fake Spotify"
cargo build --locked --quiet -p spotify-mcp --bin spotify-mcp -p fake-spotify --bin spotify-mcp-fake

# Waits (at most 30 s) for a line of $1 matching $2 and prints it.
wait_for_line() {
  for _ in $(seq 1 300); do
    if line=$(grep -m1 -- "$2" "$1" 2>/dev/null); then
      echo "$line"
      return 0
    fi
    sleep 0.1
  done
  echo "timed out waiting for '$2' in $1:" >&2
  cat "$1" >&2
  return 1
}

echo "== the fake Spotify"
"$target/debug/spotify-mcp-fake" --addr 127.0.0.1:0 >"$work/fake.log" 2>&1 &
pids+=($!)
fake_addr=$(wait_for_line "$work/fake.log" '^listening on ' | sed 's/^listening on //')
fake="http://$fake_addr"
echo "$fake"

echo "== spotify-mcp serve --multi-user"
port=$(free_port)
issuer="http://127.0.0.1:$port"
key=$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))')
# A clean environment: nothing of the operator's own Spotify set-up leaks in.
env -i PATH="$PATH" HOME="$work" \
  SPOTIFY_CLIENT_ID=conformance-app \
  SPOTIFY_API_BASE_URL="$fake/v1" \
  SPOTIFY_ACCOUNTS_BASE_URL="$fake" \
  SPOTIFY_MCP_ENCRYPTION_KEY="$key" \
  SPOTIFY_MCP_LOG="${SPOTIFY_MCP_LOG:-info}" \
  "$target/debug/spotify-mcp" serve --transport http --bind "127.0.0.1:$port" \
  --multi-user --public-url "$issuer" --database-url "sqlite://$work/store.db" \
  --allow-private-client-metadata >"$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do
  curl -fsS "$issuer/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
if ! curl -fsS "$issuer/healthz" >/dev/null; then
  echo "the server did not come up:" >&2
  cat "$work/server.log" >&2
  exit 1
fi
echo "$issuer"

echo "== the suite's authorization-server scenarios"
status=0
ISSUER="$issuer" FAKE_URL="$fake" SUITE="$suite" RESULTS="$results" \
  SHIM="$PWD/scripts/conformance/node20-fs-globsync.mjs" MODES="${MODES:-dcr cimd}" \
  node scripts/conformance/sign-in.mjs || status=$?
if [ "$status" != 0 ]; then
  echo "== server log" >&2
  cat "$work/server.log" >&2
fi
exit "$status"
