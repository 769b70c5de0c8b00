#!/usr/bin/env bash
# The official MCP conformance suite's *server* scenarios that apply to this server, against
# `spotify-mcp serve --demo --transport http` (the fake Spotify in the same process), on
# 127.0.0.1 only: the frozen requirement sets of 2025-11-25 and 2026-07-28. Scenarios built
# around the suite's own fixtures (tools, resources and prompts named `test_…` / `test://…`)
# cannot apply; scripts/conformance/server-baseline-<revision>.yaml lists them with why. The
# tasks extension's scenarios run too, against scripts/conformance/server-baseline-tasks.yaml.
#
# Needs Node 20+ and npm (the suite is installed outside the repository, in $CONFORMANCE_DIR, on
# first use), cargo and curl. Results land in $CONFORMANCE_RESULTS (default
# target/conformance-server/<revision>/…/checks.json). Exits non-zero when a scenario fails.
#
#   scripts/conformance-server.sh                         # both revisions
#   REVISIONS=2026-07-28 scripts/conformance-server.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/conformance/common.sh

results=${CONFORMANCE_RESULTS:-$PWD/target/conformance-server}
shim="$PWD/scripts/conformance/node20-fs-globsync.mjs"

# Each revision's frozen requirement set, less the checks that call the suite's own fixtures
# (listed, with why, in scripts/conformance/server-baseline-<revision>.yaml). A baseline entry
# that starts to pass fails the run too, so the lists stay honest.
revisions=${REVISIONS:-2025-11-25 2026-07-28}

echo "== building spotify-mcp"
cargo build --locked --quiet -p spotify-mcp --bin spotify-mcp

port=$(free_port)
url="http://127.0.0.1:$port/mcp"
echo "== spotify-mcp serve --demo at $url"
# A clean environment: nothing of the operator's own Spotify set-up leaks in.
env -i PATH="$PATH" HOME="$work" SPOTIFY_MCP_LOG="${SPOTIFY_MCP_LOG:-info}" \
  "$target/debug/spotify-mcp" serve --demo --transport http --bind "127.0.0.1:$port" \
  --now-playing-poll-secs 1 >"$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
if ! curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null; then
  echo "the server did not come up:" >&2
  cat "$work/server.log" >&2
  exit 1
fi

failed=()
for revision in $revisions; do
  echo "== the $revision requirement set"
  if node --import "$shim" "$suite" server --url "$url" --requirements "$revision" \
    --expected-failures "$PWD/scripts/conformance/server-baseline-$revision.yaml" \
    -o "$results/$revision" >"$work/$revision.log" 2>&1; then
    grep -a -E '^(✓|✗)' "$work/$revision.log" | sort -u | sed 's/^/  /' || true
    echo "ok      $revision"
  else
    cat "$work/$revision.log"
    echo "FAILED  $revision"
    failed+=("$revision")
  fi
done
# The tasks extension (SEP-2663) is optional, so the requirement sets run its scenarios unscored.
# This server declares it (for `all_pages` calls), so each check that applies must pass; the ones
# that call the suite's own fixtures (`slow_compute`, `greet`, …) are listed, with why, in
# scripts/conformance/server-baseline-tasks.yaml.
tasks_scenarios="tasks-capability-negotiation tasks-dispatch-and-envelope tasks-lifecycle
  tasks-mrtr-composition tasks-mrtr-input tasks-request-headers tasks-request-state-removal
  tasks-required-task-error tasks-status-notifications tasks-wire-fields"
echo "== the tasks extension (io.modelcontextprotocol/tasks)"
for scenario in $tasks_scenarios; do
  if node --import "$shim" "$suite" server --url "$url" --scenario "$scenario" \
    --expected-failures "$PWD/scripts/conformance/server-baseline-tasks.yaml" \
    -o "$results/tasks" >"$work/$scenario.log" 2>&1; then
    echo "ok      $scenario"
  else
    cat "$work/$scenario.log"
    echo "FAILED  $scenario"
    failed+=("$scenario")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "== failed: ${failed[*]}" >&2
  echo "== server log" >&2
  tail -50 "$work/server.log" >&2
  exit 1
fi
echo "== every applicable scenario passed"
