#!/usr/bin/env bash
# One-teacher requests on loopback with wrk at 1, 16 and 64 clients, without
# and with the decision log: requests/s, p50, p99 as Markdown table rows.
#   cargo build --release -p tenet-cli && crates/tenet-server/benches/load.sh [SECONDS]
# Needs wrk (Debian: apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/../../.."
secs=${1:-5}
tenet=${TENET:-target/release/tenet}
work=$(mktemp -d)
pid=""
cleanup() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT
cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body   = '{"as_of":"2024-01-01"}'
wrk.headers["Content-Type"] = "application/json"
LUA
ms() { awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); v/=1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v) } else if (v ~ /s$/) { sub(/s$/,"",v); v*=1000 } printf "%.2f ms", v }'; }
for log in off on; do
  extra=()
  if [ "$log" = on ]; then extra=(--log "$work/log"); fi
  "$tenet" serve --policies policies --data examples/lvyuan --addr 127.0.0.1:0 "${extra[@]}" 2>"$work/err" &
  pid=$!
  for _ in $(seq 100); do grep -q "listening on" "$work/err" 2>/dev/null && break; sleep 0.1; done
  addr=$(sed -n 's/.*listening on http:\/\/\([^ ]*\).*/\1/p' "$work/err" | head -1)
  url="http://$addr/v1/subjects/person/lv-t05/evaluate"
  wrk -t1 -c4 -d1s -s "$work/post.lua" "$url" >/dev/null  # warm up
  for c in 1 16 64; do
    t=2; [ "$c" = 1 ] && t=1
    out=$(wrk -t$t -c$c -d${secs}s --latency -s "$work/post.lua" "$url")
    rps=$(awk '/Requests\/sec/ { printf "%d", $2 }' <<<"$out")
    p50=$(awk '$1=="50%" { print $2 }' <<<"$out" | ms)
    p99=$(awk '$1=="99%" { print $2 }' <<<"$out" | ms)
    errs=$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr -s ' ' | paste -sd' ' || true)
    echo "| $c | $log | $rps | $p50 | $p99 | load $(cut -d' ' -f1 /proc/loadavg)${errs:+; $errs} |"
  done
  if [ "$log" = on ]; then echo "decision lines: $(cat "$work"/log/*.jsonl | wc -l)" >&2; fi
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
