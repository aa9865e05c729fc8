#!/usr/bin/env bash
# Throughput and latency of contract-routed endpoints, as ratios to /health/live taken in one run (the machine is
# shared and noisy: compare ratios, not absolute numbers).
#   bench/run.sh            # builds the jar if needed, starts a server on a fresh embedded PostgreSQL
# Env: DURATION (default 10s), CONNECTIONS (default 64), JAR (default backend/target/keysmith.jar)
source "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
need wrk
need hey
start_server

# warm up the JIT on both routes
wrk -t2 -c"$CONNECTIONS" -d5s "$base/health/live" >/dev/null
wrk -t2 -c"$CONNECTIONS" -d5s -s bench/post-key-format.lua "$base/api/v1/key-format/check" >/dev/null

max() { # url [script] -> "rps p99ms"
  local out
  if [ -n "${2:-}" ]; then out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$2" "$1"); else out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$1"); fi
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub("us","",v); v=v/1000} else if (v ~ /ms$/) {sub("ms","",v)} else if (v ~ /s$/) {sub("s","",v); v=v*1000}; print v}' <<<"$out")
  echo "$rps $p99"
}
fixed() { # url rate [post] -> p99 ms at a fixed total rate
  local workers=32 q
  q=$(awk -v r="$2" -v w=$workers 'BEGIN {printf "%d", (r / w) < 1 ? 1 : r / w}')
  local args=(-z "$DURATION" -c $workers -q "$q")
  if [ -n "${3:-}" ]; then args+=(-m POST -T application/json -d '{"key":"ksk_example000000000000000000000000000000000"}'); fi
  hey "${args[@]}" "$1" | awk '/99% in/ {printf "%.2f", $3*1000}'
}

read -r live_rps live_p99 < <(max "$base/health/live")
read -r post_rps post_p99 < <(max "$base/api/v1/key-format/check" bench/post-key-format.lua)
live_half=$(awk -v r="$live_rps" 'BEGIN {printf "%d", r/2}')
post_half=$(awk -v r="$post_rps" 'BEGIN {printf "%d", r/2}')
live_fixed_p99=$(fixed "$base/health/live" "$live_half")
post_fixed_p99=$(fixed "$base/api/v1/key-format/check" "$post_half" post)

printf '\n%-34s %12s %10s %22s\n' "endpoint (wrk -c$CONNECTIONS, $DURATION)" "requests/s" "p99 ms" "p99 ms at half rate"
printf '%-34s %12.0f %10s %22s\n' "GET /health/live" "$live_rps" "$live_p99" "$live_fixed_p99 (@$live_half/s)"
printf '%-34s %12.0f %10s %22s\n' "POST /api/v1/key-format/check" "$post_rps" "$post_p99" "$post_fixed_p99 (@$post_half/s)"
awk -v a="$post_rps" -v b="$live_rps" 'BEGIN {printf "\nratio validated POST / health/live: %.2f\n", a/b}'
