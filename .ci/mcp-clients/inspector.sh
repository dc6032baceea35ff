#!/usr/bin/env bash
# `krisp-tui mcp` checked by the MCP Inspector CLI over stdio: it lists the five tools, and its
# `search` call finds the rare word's meeting at the right turn time.
# Usage: inspector.sh SERVER_URL DATA_DIR (a store synced by store.sh). Installs
# @modelcontextprotocol/inspector-cli into .ci/node like .ci/inspector.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
node_dir="$here/../node"
bin="${KRISP_TUI:-$here/../../target/debug/krisp-tui}"
url=$1 data=$2
fail() { echo "mcp-clients/inspector.sh: $*" >&2; exit 1; }
mkdir -p "$node_dir/run"
if [[ ! -x "$node_dir/node_modules/.bin/mcp-inspector-cli" ]]; then
  [[ -f "$node_dir/package.json" ]] || echo '{"private": true}' >"$node_dir/package.json"
  (cd "$node_dir" && npm install --no-audit --no-fund --loglevel=error \
    "@modelcontextprotocol/inspector-cli@1.0.3") || fail "npm install failed"
fi
# The inspector reads --server itself: the store's server and directory go by environment.
inspect() {
  (cd "$node_dir/run" && npx --no-install mcp-inspector-cli --cli \
    -e "KRISP_TUI_SERVER=$url" -e "KRISP_TUI_DATA_DIR=$data" "$bin" mcp --offline "$@")
}
tools="$(inspect --method tools/list)" || fail "tools/list failed"
for tool in search list_meetings get_meeting get_transcript list_action_items; do
  grep -q "\"name\": \"$tool\"" <<<"$tools" || fail "tools/list lacks $tool"
done
found="$(inspect --method tools/call --tool-name search --tool-arg query=halcyon)" \
  || fail "tools/call search failed"
grep -q '"id": "64ddb420ca7356bfa579811c7a71f56a"' <<<"$found" || fail "search missed the meeting: $found"
grep -q '"time": "05:24"' <<<"$found" || fail "search missed the turn time: $found"
echo "mcp-clients/inspector.sh: the MCP Inspector CLI lists the 5 tools and its search finds halcyon at 05:24"
