#!/usr/bin/env bash
# Property-based test of the HTTP API against its own OpenAPI document (schemathesis), with a signed-in session, on
# a throw-away demo database (the stateful phase changes data). Passes only with no server error and every answer
# conforming to the document: status codes, content types and bodies.
#   Tests/api/schemathesis.sh JIUZHU_BINARY OUT_DIR
set -euo pipefail
BIN=${1:?jiuzhu binary}
OUT=${2:-/tmp/schemathesis}
PORT=${SCHEMATHESIS_PORT:-8093}
EXAMPLES=${SCHEMATHESIS_EXAMPLES:-30}
mkdir -p "$OUT"
WORK=$(mktemp -d)
BASE="http://127.0.0.1:$PORT"
"$BIN" demo --database "$WORK/api.sqlite" --port "$PORT" --households 300 > "$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 300); do curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break; sleep 1; done
curl -fsS "$BASE/healthz" >/dev/null

# Sign in as the district reviewer (a business role: no second factor by default) through the login form.
JAR="$WORK/cookies"
token() { grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//'; }
LOGIN_TOKEN=$(curl -fsS -c "$JAR" -b "$JAR" "$BASE/login" | token)
curl -fsS -o /dev/null -c "$JAR" -b "$JAR" --data-urlencode "_csrf=$LOGIN_TOKEN" --data-urlencode "username=reviewer" \
     --data-urlencode "password=jiuzhu-demo-2026" "$BASE/login"
SESSION_TOKEN=$(curl -fsS -c "$JAR" -b "$JAR" "$BASE/account/password" | token)
# HttpOnly cookies are written as "#HttpOnly_host …" lines.
COOKIE=$(sed 's/^#HttpOnly_//' "$JAR" | awk '!/^#/ && NF >= 7 { printf "%s%s=%s", sep, $6, $7; sep="; " }')
test -n "$SESSION_TOKEN"

schemathesis run "$BASE/api/openapi.json" \
    --header "Cookie: $COOKIE" --header "X-CSRF-Token: $SESSION_TOKEN" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$EXAMPLES" --request-timeout 30 \
    --report junit --report-junit-path "$OUT/schemathesis.xml" 2>&1 | tee "$OUT/schemathesis.txt"
