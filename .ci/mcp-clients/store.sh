#!/usr/bin/env bash
# Fills a krisp-tui store from the sandbox for the MCP client checks, then stops the sandbox.
# Usage: store.sh DIR  ->  prints the sandbox's MCP URL (the store's key) on stdout.
# Expects target/debug/krisp-tui (or $KRISP_TUI) to be built already.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="${KRISP_TUI:-$root/target/debug/krisp-tui}"
dir=$1
mkdir -p "$dir"
"$bin" sandbox --addr 127.0.0.1:0 --auto-approve >"$dir/sandbox.out" 2>"$dir/sandbox.err" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  [[ -s "$dir/sandbox.out" ]] && break
  kill -0 "$pid" 2>/dev/null || { cat "$dir/sandbox.err" >&2; exit 1; }
  sleep 0.1
done
url="$(head -n 1 "$dir/sandbox.out")"
# The stand-in browser follows the authorization redirect, as a logged-in browser would.
printf '#!/bin/sh\nexec curl -fsSL --max-redirs 5 -o /dev/null "$1"\n' >"$dir/browser.sh"
chmod +x "$dir/browser.sh"
run() {
  BROWSER="$dir/browser.sh" "$bin" --server "$url" --token-store file --redirect-port 0 \
    --config-dir "$dir/config" --data-dir "$dir/data" "$@" </dev/null
}
run login >/dev/null 2>&1
run sync --json >&2
echo "$url"
