#!/usr/bin/env bash
# Cost of usage metering and of rate limiting on cached verification, as ratios in one run: four servers (all on,
# metering off, rate limiting off, and all on again as an A/A control), each on its own fresh embedded PostgreSQL, measured in alternating rounds so the
# shared machine's noise falls on all of them alike. Also: database writes per 1,000 verifications with metering on.
#   bench/usage.sh          # ROUNDS=3 DURATION=8s CONNECTIONS=64
source "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-8s}
CONNECTIONS=${CONNECTIONS:-64}
ROUNDS=${ROUNDS:-3}
need wrk

setup() { # name -> writes $work/verify.lua for the server just started
  local pw session csrf gateway partner
  pw=$(cat "$work/data/demo-password")
  session=$(curl -s -D - -o "$work/me.json" -XPOST "$base/api/v1/session" -H 'content-type: application/json' \
    -d "{\"email\":\"owner@demo.keysmith.dev\",\"password\":\"$pw\"}" | awk -F'[=;]' 'tolower($0) ~ /^set-cookie: ks_session/ {print $2}')
  csrf=$(python3 -c "import json;print(json.load(open('$work/me.json'))['me']['csrfToken'])")
  mk() { curl -s -XPOST "$base/api/v1/api-keys" -H "Cookie: ks_session=$session" -H "X-CSRF-Token: $csrf" \
    -H 'content-type: application/json' -d "$1" | python3 -c 'import json,sys;print(json.load(sys.stdin)["secret"])'; }
  gateway=$(mk '{"name":"Gateway","apiType":"VERIFICATION","permissionMode":"INHERIT","rateLimitPerMinute":100000000}')
  # a limit far above the load: the limiter decides every request, none is refused
  partner=$(mk '{"name":"Partner","apiType":"PEOPLE","permissionMode":"INHERIT","rateLimitPerMinute":100000000}')
  cat >"$work/verify.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $gateway"
wrk.body = '{"key":"$partner","permissions":["people:read"]}'
LUA
  curl -sf -XPOST "$base/api/v1/api-keys/verify" -H "Authorization: Bearer $gateway" -H 'content-type: application/json' \
    -d "{\"key\":\"$partner\"}" | grep -q '"valid":true'
}

start_server KEYSMITH_USAGE_METERING_ENABLED=false -- --demo; setup; nometer_base=$base; nometer_work=$work
start_server KEYSMITH_RATE_LIMITS_ENABLED=false -- --demo; setup; nolimit_base=$base; nolimit_work=$work
start_server -- --demo; setup; on_base=$base; on_work=$work
# an identical second "on" server: the A/A ratio shows how much two servers differ by placement and JIT alone
start_server -- --demo; setup; control_base=$base; control_work=$work

rps() { awk '/Requests\/sec/ {print $2}'; }
bench() { wrk_checked -t2 -c"$CONNECTIONS" -d"$1" -s "$2/verify.lua" "$3/api/v1/api-keys/verify"; }
for cfg in on nometer nolimit control; do b=${cfg}_base; w=${cfg}_work; bench 5s "${!w}" "${!b}" >/dev/null; done # warm-up

# writes while the metered server answers: transactions and rows written, from PostgreSQL's own statistics
stats() {
  work=$on_work bench_psql -At -c "SELECT pg_stat_force_next_flush()" >/dev/null 2>&1 || true
  work=$on_work bench_psql -At -c "SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()),
    (SELECT coalesce(sum(n_tup_ins + n_tup_upd), 0) FROM pg_stat_user_tables)"
}
declare -A runs
verified_on=0
configs=(on nometer nolimit control)
for round in $(seq 1 "$ROUNDS"); do
  # the order rotates each round and every run is followed by the same pause, so neither position nor rest favours one
  r0=$(( (round - 1) % 4 ))
  for cfg in "${configs[@]:$r0}" "${configs[@]:0:$r0}"; do
    b=${cfg}_base; w=${cfg}_work
    if [ "$cfg" = on ]; then before=$(stats); fi
    out=$(bench "$DURATION" "${!w}" "${!b}")
    r=$(rps <<<"$out")
    runs[$cfg]="${runs[$cfg]:-} $r"
    sleep 6 # after every run; for the metered one, a usage flush (5 s) so its writes are counted
    if [ "$cfg" = on ]; then
      after=$(stats)
      n=$(awk '/requests in/ {print $1}' <<<"$out")
      verified_on=$((verified_on + n))
      tx=$((${tx:-0} + ${after%%|*} - ${before%%|*}))
      rows=$((${rows:-0} + ${after##*|} - ${before##*|}))
    fi
    echo "round $round $cfg: $r requests/s"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
on=$(median <<<"${runs[on]}"); nometer=$(median <<<"${runs[nometer]}"); nolimit=$(median <<<"${runs[nolimit]}")
control=$(median <<<"${runs[control]}")
echo
printf '%-52s %10.0f requests/s (median of %d)\n' "cached verification, metering and rate limits on" "$on" "$ROUNDS"
printf '%-52s %10.0f requests/s\n' "cached verification, metering off" "$nometer"
printf '%-52s %10.0f requests/s\n' "cached verification, rate limiting off" "$nolimit"
awk -v a="$on" -v b="$nometer" 'BEGIN {printf "\nratio metering on / off:            %.2f (target >= 0.95)\n", a/b}'
awk -v a="$on" -v b="$nolimit" 'BEGIN {printf "ratio rate limiting on / off:       %.2f (target >= 0.95)\n", a/b}'
awk -v a="$on" -v b="$control" 'BEGIN {printf "ratio on / identical on (A/A):      %.2f (the method\x27s resolution)\n", a/b}'
awk -v t="$tx" -v r="$rows" -v n="$verified_on" 'BEGIN {
  printf "database transactions per 1,000 verifications (all of them, reads included): %.3f (target <= 10)\n", t*1000/n
  printf "rows written per 1,000 verifications: %.3f  (%d verifications, %d transactions, %d rows)\n", r*1000/n, n, t, r }'
