#!/usr/bin/env bash
# Key verification and key-authenticated reads, as ratios to /health/live and to the session, in one run; p99 of
# each at half its own measured maximum (hey -q), and bytes allocated per request (JFR).
#   bench/keys.sh     # builds the jar if needed, starts a server on a fresh embedded PostgreSQL
source "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
need wrk
need hey
start_server -- --demo
pw=$(cat "$work/data/demo-password")
session=$(curl -s -D - -o "$work/me.json" -XPOST "$base/api/v1/session" -H 'content-type: application/json' \
  -d "{\"email\":\"owner@demo.keysmith.dev\",\"password\":\"$pw\"}" | awk -F'[=;]' 'tolower($0) ~ /^set-cookie: ks_session/ {print $2}')
csrf=$(python3 -c "import json;print(json.load(open('$work/me.json'))['me']['csrfToken'])")
mk() { curl -s -XPOST "$base/api/v1/api-keys" -H "Cookie: ks_session=$session" -H "X-CSRF-Token: $csrf" \
  -H 'content-type: application/json' -d "$1" | python3 -c 'import json,sys;print(json.load(sys.stdin)["secret"])'; }
gateway=$(mk '{"name":"Gateway","apiType":"VERIFICATION","permissionMode":"INHERIT","rateLimitPerMinute":100000000}')
partner=$(mk '{"name":"Partner","apiType":"PEOPLE","permissionMode":"INHERIT","rateLimitPerMinute":100000000}')

cat >"$work/verify.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $gateway"
wrk.body = '{"key":"$partner","permissions":["people:read"]}'
LUA
curl -sf -XPOST "$base/api/v1/api-keys/verify" -H "Authorization: Bearer $gateway" -H 'content-type: application/json' \
  -d "{\"key\":\"$partner\"}" | grep -q '"valid":true'

rps() { awk '/Requests\/sec/ {print $2}'; }
p99() { awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub("us","",v); v=v/1000} else if (v ~ /ms$/) {sub("ms","",v)} else if (v ~ /s$/) {sub("s","",v); v=v*1000}; print v}'; }
run() { wrk_checked -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@"; }
people="$base/api/v1/people?limit=50"
# warm-up
wrk -t2 -c"$CONNECTIONS" -d5s "$base/health/live" >/dev/null
wrk -t2 -c"$CONNECTIONS" -d5s -s "$work/verify.lua" "$base/api/v1/api-keys/verify" >/dev/null
wrk -t2 -c32 -d5s -H "Authorization: Bearer $partner" "$people" >/dev/null

live=$(run "$base/health/live"); live_rps=$(rps <<<"$live")
ver=$(run -s "$work/verify.lua" "$base/api/v1/api-keys/verify"); ver_rps=$(rps <<<"$ver")
fa=$(run -H "X-Keysmith-Gateway-Key: $gateway" -H "Authorization: Bearer $partner" -H "X-Forwarded-Method: GET" \
  -H "X-Forwarded-Uri: /api/v1/people?limit=50" "$base/api/v1/forward-auth"); fa_rps=$(rps <<<"$fa")
pk=$(wrk_checked -t2 -c32 -d"$DURATION" -H "Authorization: Bearer $partner" "$people" | rps)
ps=$(wrk_checked -t2 -c32 -d"$DURATION" -H "Cookie: ks_session=$session" "$people" | rps)
# p99 at half of each one's measured maximum (hey holds the rate; it shares the 2 cores with the server)
read -r live_p99 live_at < <(fixed_rate "$(awk -v r="$live_rps" 'BEGIN {printf "%d", r/2}')" "$DURATION" "$base/health/live")
read -r ver_fixed ver_at < <(fixed_rate "$(awk -v r="$ver_rps" 'BEGIN {printf "%d", r/2}')" "$DURATION" -m POST \
  -T application/json -H "Authorization: Bearer $gateway" -d "{\"key\":\"$partner\",\"permissions\":[\"people:read\"]}" \
  "$base/api/v1/api-keys/verify")
read -r fa_fixed fa_at < <(fixed_rate "$(awk -v r="$fa_rps" 'BEGIN {printf "%d", r/2}')" "$DURATION" \
  -H "X-Keysmith-Gateway-Key: $gateway" -H "Authorization: Bearer $partner" -H "X-Forwarded-Uri: /api/v1/people" \
  "$base/api/v1/forward-auth")
# bytes allocated per request, whole server (JFR per-thread allocation totals around one wrk run of each)
live_alloc=$(allocated_per_request "$base/health/live")
ver_alloc=$(allocated_per_request -s "$work/verify.lua" "$base/api/v1/api-keys/verify")
fa_alloc=$(allocated_per_request -H "X-Keysmith-Gateway-Key: $gateway" -H "Authorization: Bearer $partner" \
  -H "X-Forwarded-Method: GET" -H "X-Forwarded-Uri: /api/v1/people?limit=50" "$base/api/v1/forward-auth")

echo
printf '%-44s %10.0f requests/s  p99 %s ms\n' "GET /health/live (wrk -c$CONNECTIONS)" "$live_rps" "$(p99 <<<"$live")"
printf '%-44s %10.0f requests/s  p99 %s ms\n' "POST /api/v1/api-keys/verify, cached (wrk -c$CONNECTIONS)" "$ver_rps" "$(p99 <<<"$ver")"
printf '%-44s %s ms (at %s/s)\n' "GET /health/live p99 at half its maximum" "$live_p99" "$live_at"
printf '%-44s %s ms (at %s/s)\n' "POST /api/v1/api-keys/verify p99 at half its maximum" "$ver_fixed" "$ver_at"
printf '%-44s %10.0f requests/s  p99 %s ms\n' "GET /api/v1/forward-auth, cached (wrk -c$CONNECTIONS)" "$fa_rps" "$(p99 <<<"$fa")"
printf '%-44s %s ms (at %s/s)\n' "GET /api/v1/forward-auth p99 at half its maximum" "$fa_fixed" "$fa_at"
printf '%-44s %10.0f requests/s\n' "GET /api/v1/people?limit=50 with a key" "$pk"
printf '%-44s %10.0f requests/s\n' "GET /api/v1/people?limit=50 with a session" "$ps"
awk -v a="$ver_rps" -v b="$live_rps" 'BEGIN {printf "\nratio cached verification / health/live: %.2f\n", a/b}'
awk -v a="$fa_rps" -v b="$live_rps" 'BEGIN {printf "ratio forward-auth / health/live:          %.2f\n", a/b}'
awk -v a="$pk" -v b="$ps" 'BEGIN {printf "ratio people page via key / via session:  %.2f\n", a/b}'
awk -v a="$ver_fixed" -v b="$live_p99" 'BEGIN {printf "p99 at half maximum, cached verification / health/live ratio: %.2f\n", a/b}'
awk -v a="$fa_fixed" -v b="$live_p99" 'BEGIN {printf "p99 at half maximum, forward-auth / health/live ratio:        %.2f\n", a/b}'
echo "bytes allocated per request (JFR jdk.ThreadAllocationStatistics, all server threads, wrk -c32):"
echo "alloc cached verification: $ver_alloc bytes/request"
echo "alloc forward-auth:        $fa_alloc bytes/request"
echo "alloc health/live:         $live_alloc bytes/request"
