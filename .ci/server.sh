#!/usr/bin/env bash
# tenet-server lane: the real `tenet serve` on a loopback port, checked by
# schemathesis against its own /openapi.json (no 5xx, responses match the
# schema), the dashboard driven in headless Chromium, and a short soak with
# concurrent reloads (crates/tenet-server/benches/soak.py).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
server_pid=""
cleanup() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
if ! command -v chromium >/dev/null; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; fi
command -v zip >/dev/null || apt-get install -y -qq zip >/dev/null
python3 -m pip install -q schemathesis
(cd "$work" && npm install --silent --no-audit --no-fund playwright-core@1 >/dev/null)

cargo build -q -p tenet-cli
tenet=target/debug/tenet
token=$($tenet token add --file "$work/tokens" --name ci --scopes read,check 2>/dev/null)
$tenet serve --policies policies --data examples/lvyuan --addr 127.0.0.1:0 \
  --tokens "$work/tokens" --log "$work/log" --timeout 10 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/server.err" 2>/dev/null && break; sleep 0.1; done
addr=$(sed -n 's/.*listening on http:\/\/\([^ ]*\).*/\1/p' "$work/server.err" | head -1)
[ -n "$addr" ] || { cat "$work/server.err"; exit 1; }
base="http://$addr"
echo "server.sh: tenet serve on $base"

curl -sf -H "Authorization: Bearer $token" "$base/openapi.json" -o "$work/openapi.json"
# Bounded: a few examples per operation keep the lane under two minutes.
schemathesis run "$work/openapi.json" --url "$base" \
  -H "Authorization: Bearer $token" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  --max-examples 25 --request-timeout 20 --no-color

(cd examples/lvyuan && zip -q "$work/lvyuan.zip" ./*.csv)
# ESM resolves packages next to the script: run it from the install dir.
cp crates/tenet-server/ci/dashboard.mjs "$work/"
(cd "$work" && node dashboard.mjs "$base" "$token" "$work/lvyuan.zip" "${SCREENSHOT:-$work/dashboard.png}")
# A short soak (the multi-minute one is in docs/performance.md): one-teacher
# requests from 8 clients while the policy text changes every 2 s; every
# answered request's decisions in the log exactly once, under its version.
python3 crates/tenet-server/benches/soak.py --tenet "$tenet" --seconds "${SOAK_SECONDS:-30}" \
  --clients 8 --reload-every 2 --rss-mib 96
lines=$(wc -l < "$work/log/decisions.jsonl")
echo "server.sh: $lines decisions logged"
echo "server.sh: 3 passed, 0 failed"
