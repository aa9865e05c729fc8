#!/usr/bin/env bash
# Cost of named rate limits (ADR 0021) on cached verification, as a ratio in one run: one server, two partner keys
# verified in alternating rounds, one with only its per-minute limit (1 limit) and one with three named limits beside
# it (burst per second, per minute, per hour: 4 limits decided and spent together). Limits far above the load, so
# every request is decided and none is refused.
#   bench/ratelimits.sh     # ROUNDS=3 DURATION=8s CONNECTIONS=64
source "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-8s}
CONNECTIONS=${CONNECTIONS:-64}
ROUNDS=${ROUNDS:-3}
need wrk

start_server -- --demo
pw=$(cat "$work/data/demo-password")
session=$(curl -s -D - -o "$work/me.json" -XPOST "$base/api/v1/session" -H 'content-type: application/json' \
  -d "{\"email\":\"owner@demo.keysmith.dev\",\"password\":\"$pw\"}" | awk -F'[=;]' 'tolower($0) ~ /^set-cookie: ks_session/ {print $2}')
csrf=$(python3 -c "import json;print(json.load(open('$work/me.json'))['me']['csrfToken'])")
mk() { curl -s -XPOST "$base/api/v1/api-keys" -H "Cookie: ks_session=$session" -H "X-CSRF-Token: $csrf" \
  -H 'content-type: application/json' -d "$1" | python3 -c 'import json,sys;print(json.load(sys.stdin)["secret"])'; }
gateway=$(mk '{"name":"Gateway","apiType":"VERIFICATION","permissionMode":"INHERIT","rateLimitPerMinute":100000000}')
# bench/quota.sh sets these and sources this script: the same comparison with other keys and labels
ONE_BODY=${ONE_BODY:-'{"name":"One limit","apiType":"PEOPLE","permissionMode":"INHERIT","rateLimitPerMinute":100000000}'}
NAMED_BODY=${NAMED_BODY:-'{"name":"Named limits","apiType":"PEOPLE","permissionMode":"INHERIT","rateLimitPerMinute":100000000,
  "rateLimits":[{"name":"burst","limit":1000000,"windowSeconds":1},{"name":"minute","limit":1000000,"windowSeconds":60},
  {"name":"hourly","limit":1000000,"windowSeconds":3600}]}'}
NAMED_CHECK=${NAMED_CHECK:-'"rateLimits":\[{"name":"key"'}
ONE_LABEL=${ONE_LABEL:-"cached verification, per-minute limit only (1 limit)"}
NAMED_LABEL=${NAMED_LABEL:-"cached verification, 3 named limits + per-minute (4 limits)"}
RATIO_LABEL=${RATIO_LABEL:-"ratio 3 named limits / 1 limit:"}
one=$(mk "$ONE_BODY")
named=$(mk "$NAMED_BODY")
for k in one named; do
  cat >"$work/$k.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $gateway"
wrk.body = '{"key":"${!k}","permissions":["people:read"]}'
LUA
done
curl -sf -XPOST "$base/api/v1/api-keys/verify" -H "Authorization: Bearer $gateway" -H 'content-type: application/json' \
  -d "{\"key\":\"$named\"}" | grep -q "$NAMED_CHECK"

rps() { awk '/Requests\/sec/ {print $2}'; }
bench() { wrk_checked -t2 -c"$CONNECTIONS" -d"$1" -s "$work/$2.lua" "$base/api/v1/api-keys/verify"; }
for k in one named; do bench 5s "$k" >/dev/null; done # warm-up
declare -A runs
for round in $(seq 1 "$ROUNDS"); do
  order=(one named); [ $((round % 2)) = 0 ] && order=(named one) # alternate which goes first
  for k in "${order[@]}"; do
    r=$(bench "$DURATION" "$k" | rps)
    runs[$k]="${runs[$k]:-} $r"
    echo "round $round $k: $r requests/s"
    sleep 2
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
one_rps=$(median <<<"${runs[one]}"); named_rps=$(median <<<"${runs[named]}")
echo
printf '%-60s %10.0f requests/s (median of %d)\n' "$ONE_LABEL" "$one_rps" "$ROUNDS"
printf '%-60s %10.0f requests/s\n' "$NAMED_LABEL" "$named_rps"
awk -v a="$named_rps" -v b="$one_rps" -v l="$RATIO_LABEL" 'BEGIN {printf "\n%s     %.2f\n", l, a/b}'
