# Sourced by scripts/conformance-*.sh (after `cd` to the repository): installs the official MCP
# conformance suite once, outside the repository, and sets up what both runs share.
#   $suite   the suite's entry point      $target  the cargo target directory
#   $work    a scratch directory           pids+=(PID)  processes stopped on exit
#   free_port  prints a free 127.0.0.1 port

version=${CONFORMANCE_VERSION:-0.2.0-alpha.12}
suite_dir=${CONFORMANCE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/spotify-mcp/conformance-$version}
target=${CARGO_TARGET_DIR:-$PWD/target}

suite="$suite_dir/node_modules/@modelcontextprotocol/conformance/dist/index.js"
if [ ! -f "$suite" ]; then
  echo "== installing @modelcontextprotocol/conformance@$version in $suite_dir"
  mkdir -p "$suite_dir"
  npm install --prefix "$suite_dir" --no-audit --no-fund --loglevel=error \
    "@modelcontextprotocol/conformance@$version" >/dev/null
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
