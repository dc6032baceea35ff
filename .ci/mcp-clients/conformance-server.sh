#!/usr/bin/env bash
# The conformance suite's server mode against `krisp-tui mcp --http` on a synced store, through
# auth-proxy.mjs (the suite sends no Authorization header of its own). Scenarios that need the
# suite's own test fixtures are listed with the reason in conformance-server-baseline.yml.
# Usage: conformance-server.sh NODE SUITE SERVER_URL DATA_DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${KRISP_TUI:-$here/../../target/debug/krisp-tui}"
node=$1 suite=$2 url=$3 data=$4
work="$(mktemp -d)"
"$bin" --server "$url" --data-dir "$data" --offline mcp --http 127.0.0.1:0 >"$work/server" 2>/dev/null &
server=$!
proxy=""
cleanup() {
  [[ -n "$proxy" ]] && kill "$proxy" 2>/dev/null || true
  kill "$server" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 100); do
  [[ $(wc -l <"$work/server") -ge 2 ]] && break
  kill -0 "$server" 2>/dev/null || { echo "krisp-tui mcp --http exited" >&2; exit 1; }
  sleep 0.1
done
mcp_url="$(sed -n 1p "$work/server")"
token="$(sed -n 2p "$work/server")"
"$node" "$here/auth-proxy.mjs" "$mcp_url" "$token" >"$work/proxy" &
proxy=$!
for _ in $(seq 100); do
  [[ -s "$work/proxy" ]] && break
  sleep 0.1
done
"$node" "$suite" server --url "$(head -n 1 "$work/proxy")" \
  --expected-failures "$here/conformance-server-baseline.yml"
