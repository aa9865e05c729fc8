#!/usr/bin/env bash
# Sign-in cost (the Argon2id password hash) and whether 20 concurrent sign-ins stall other requests.
#   bench/signin.sh     # builds the jar if needed, starts a server on a fresh embedded PostgreSQL
source "$(dirname "$0")/lib.sh"
need hey
start_server
curl -sf -o /dev/null -XPOST "$base/api/v1/signup" -H 'content-type: application/json' \
  -d '{"organizationName":"Bench","firstName":"B","lastName":"Ench","email":"bench@example.com","password":"bench password 123"}'
body='{"email":"bench@example.com","password":"bench password 123"}'

# warm-up, then sequential sign-ins: the latency is the password hash plus a few queries
hey -n 10 -c 1 -m POST -T application/json -d "$body" "$base/api/v1/session" >/dev/null
seq_out=$(hey -n 40 -c 1 -m POST -T application/json -d "$body" "$base/api/v1/session")
p50=$(awk '/50% in/ {printf "%.1f", $3*1000}' <<<"$seq_out")

# /health/live at a fixed 500 requests/s, alone and then during 20 concurrent sign-ins
quiet=$(hey -z 8s -c 10 -q 50 "$base/health/live" | awk '/99% in/ {printf "%.2f", $3*1000}')
hey -z 10s -c 20 -m POST -T application/json -d "$body" "$base/api/v1/session" >"$work/burst.txt" &
burst=$!
sleep 1
busy=$(hey -z 8s -c 10 -q 50 "$base/health/live" | awk '/99% in/ {printf "%.2f", $3*1000}')
wait $burst
burst_p50=$(awk '/50% in/ {printf "%.1f", $3*1000}' "$work/burst.txt")
burst_rps=$(awk '/Requests\/sec/ {printf "%.1f", $2}' "$work/burst.txt")

echo
echo "sign-in p50, one at a time:                 ${p50} ms"
echo "sign-in under 20 concurrent: p50 ${burst_p50} ms, ${burst_rps}/s (hashing pool: KEYSMITH_PASSWORD_HASHING_THREADS)"
echo "/health/live p99 at 500/s, quiet:           ${quiet} ms"
echo "/health/live p99 at 500/s, during sign-ins: ${busy} ms"
