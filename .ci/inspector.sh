#!/usr/bin/env bash
# Checks the sandbox with a client we did not write: the MCP Inspector CLI must list its 7 tools.
#
# Expects target/debug/krisp-tui (with the `sandbox` subcommand) to be built already; builds
# nothing itself. Installs @modelcontextprotocol/inspector-cli into .ci/node (git-ignored) on
# first use. Set KRISP_TUI to use another binary that takes the same `sandbox` arguments.
# The access token is never printed.
set -euo pipefail

INSPECTOR_VERSION=1.0.3
TOOLS=(date_time get_document get_multiple_documents list_action_items list_activities
       list_upcoming_meetings search_meetings)
REDIRECT=http://127.0.0.1:53682/callback

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_dir="$root/.ci/node"
bin="${KRISP_TUI:-$root/target/debug/krisp-tui}"

fail() { echo "inspector.sh: $*" >&2; exit 1; }

[[ -x "$bin" ]] || fail "$bin not found: build it first (cargo build)"
"$bin" sandbox --help >/dev/null 2>&1 || fail "$bin has no sandbox subcommand"
for tool in curl jq npm npx openssl; do
  command -v "$tool" >/dev/null || fail "$tool is required"
done

# The inspector CLI 1.0.3 must be started from a directory whose parent holds a package.json:
# install into .ci/node and run it from .ci/node/run.
mkdir -p "$node_dir/run"
if [[ ! -x "$node_dir/node_modules/.bin/mcp-inspector-cli" ]]; then
  [[ -f "$node_dir/package.json" ]] || echo '{"private": true}' >"$node_dir/package.json"
  (cd "$node_dir" && npm install --no-audit --no-fund --loglevel=error \
    "@modelcontextprotocol/inspector-cli@$INSPECTOR_VERSION") || fail "npm install failed"
fi

work="$(mktemp -d)"
"$bin" sandbox --addr 127.0.0.1:0 --auto-approve >"$work/stdout" 2>"$work/stderr" &
pid=$!
cleanup() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The first stdout line is the MCP URL alone.
for _ in $(seq 100); do
  [[ -s "$work/stdout" ]] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/stderr" >&2; fail "the sandbox exited"; }
  sleep 0.1
done
url="$(head -n 1 "$work/stdout")"
[[ "$url" == http://127.0.0.1:*/mcp ]] || fail "unexpected first line: $url"
base="${url%/mcp}"

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

registration="$(curl -fsS -H 'content-type: application/json' \
  -d "{\"client_name\": \"inspector.sh\", \"redirect_uris\": [\"$REDIRECT\"]}" \
  "$base/.well-known/oauth-registration")"
client_id="$(jq -r .client_id <<<"$registration")"
client_secret="$(jq -r .client_secret <<<"$registration")"
scope="$(jq -r .scope <<<"$registration")"

verifier="$(openssl rand 32 | b64url)"
challenge="$(printf %s "$verifier" | openssl dgst -binary -sha256 | b64url)"
location="$(curl -sS -o /dev/null -w '%{redirect_url}' -G "$base/platform/v1/oauth2/authorize" \
  --data-urlencode response_type=code --data-urlencode "client_id=$client_id" \
  --data-urlencode "redirect_uri=$REDIRECT" --data-urlencode "code_challenge=$challenge" \
  --data-urlencode code_challenge_method=S256 --data-urlencode "scope=$scope" \
  --data-urlencode state=ci --data-urlencode "resource=$url")"
code="$(sed -n 's/.*[?&]code=\([^&]*\).*/\1/p' <<<"$location")"
[[ -n "$code" ]] || fail "authorize did not redirect with a code"

token="$(curl -fsS -u "$client_id:$client_secret" "$base/platform/v1/oauth2/token" \
  --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" \
  --data-urlencode "redirect_uri=$REDIRECT" --data-urlencode "code_verifier=$verifier" |
  jq -r .access_token)"
[[ -n "$token" && "$token" != null ]] || fail "no access token"

status=0
output="$(cd "$node_dir/run" && npx --no-install mcp-inspector-cli --cli "$url" --transport http \
  --method tools/list --header "Authorization: Bearer $token" 2>&1)" || status=$?
output="${output//$token/<token>}"
echo "$output"
[[ $status -eq 0 ]] || fail "the inspector exited with status $status"

missing=()
for tool in "${TOOLS[@]}"; do
  grep -q "\"$tool\"" <<<"$output" || missing+=("$tool")
done
[[ ${#missing[@]} -eq 0 ]] || fail "tools missing from the inspector's tools/list: ${missing[*]}"
echo "inspector.sh: the MCP Inspector CLI $INSPECTOR_VERSION lists all ${#TOOLS[@]} tools"
