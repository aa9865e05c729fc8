#!/usr/bin/env bash
# Two jars side by side, measured in alternating short windows, so that a shared, noisy machine loads both alike
# (bench/keys.sh run once per jar minutes apart measures mostly the machine's drift: issue 12 item 5).
#   bench/interleaved.sh JAR_A JAR_B     # ROUNDS=8 WINDOW=5s: ~5 min
# Both servers run at once (the idle one costs nothing); every round measures /health/live, cached verify and
# forward-auth on A and B back to back (the order of A and B alternates per round). Ratios are the median over
# rounds of each round's endpoint ÷ that round's /health/live of the same jar, as keys.sh's `ratio` lines.
source "$(dirname "$0")/lib.sh"
[ $# -eq 2 ] || { echo "usage: $0 JAR_A JAR_B" >&2; exit 2; }
ROUNDS=${ROUNDS:-8}
WINDOW=${WINDOW:-5s}
need wrk
jars=("$(realpath "$1")" "$(realpath "$2")")
declare -a bases works gateways partners
for i in 0 1; do
  JAR=${jars[$i]} start_server -- --demo
  bases[$i]=$base; works[$i]=$work
  pw=$(cat "$work/data/demo-password")
  session=$(curl -s -D - -o "$work/me.json" -XPOST "$base/api/v1/session" -H 'content-type: application/json' \
    -d "{\"email\":\"owner@demo.keysmith.dev\",\"password\":\"$pw\"}" | awk -F'[=;]' 'tolower($0) ~ /^set-cookie: ks_session/ {print $2}')
  csrf=$(python3 -c "import json;print(json.load(open('$work/me.json'))['me']['csrfToken'])")
  mk() { curl -s -XPOST "$base/api/v1/api-keys" -H "Cookie: ks_session=$session" -H "X-CSRF-Token: $csrf" \
    -H 'content-type: application/json' -d "$1" | python3 -c 'import json,sys;print(json.load(sys.stdin)["secret"])'; }
  gateways[$i]=$(mk '{"name":"Gateway","apiType":"VERIFICATION","permissionMode":"INHERIT","rateLimitPerMinute":100000000}')
  partners[$i]=$(mk '{"name":"Partner","apiType":"PEOPLE","permissionMode":"INHERIT","rateLimitPerMinute":100000000}')
  cat >"$work/verify.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer ${gateways[$i]}"
wrk.body = '{"key":"${partners[$i]}","permissions":["people:read"]}'
LUA
done
measure() { # jar-index endpoint duration -> requests/s
  local i=$1 ep=$2 d=$3 b=${bases[$1]}
  case $ep in
    live) wrk_checked -t2 -c64 -d"$d" "$b/health/live" ;;
    verify) wrk_checked -t2 -c64 -d"$d" -s "${works[$i]}/verify.lua" "$b/api/v1/api-keys/verify" ;;
    fa) wrk_checked -t2 -c64 -d"$d" -H "X-Keysmith-Gateway-Key: ${gateways[$i]}" -H "Authorization: Bearer ${partners[$i]}" \
      -H "X-Forwarded-Method: GET" -H "X-Forwarded-Uri: /api/v1/people?limit=50" "$b/api/v1/forward-auth" ;;
  esac | awk '/Requests\/sec/ {print $2}'
}
for ep in live verify fa live verify fa; do for i in 0 1; do measure "$i" "$ep" 5s >/dev/null; done; done # warm-up
results=$(mktemp)
for r in $(seq 1 "$ROUNDS"); do
  order="0 1"; [ $((r % 2)) = 0 ] && order="1 0"
  for ep in live verify fa; do
    for i in $order; do echo "$r $i $ep $(measure "$i" "$ep" "$WINDOW")" >>"$results"; done
  done
  echo "round $r of $ROUNDS done (load $(cut -d' ' -f1 /proc/loadavg))" >&2
done
echo "A: ${jars[0]}"
echo "B: ${jars[1]}"
echo "$ROUNDS rounds, windows of $WINDOW, wrk -t2 -c64; A and B alternate within each round"
python3 - "$results" <<'PY'
import sys, statistics as st
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
d = {}
for r, i, ep, rps in rows:
    d.setdefault((int(i), ep), {})[int(r)] = float(rps)
for i, name in ((0, "A"), (1, "B")):
    live, ver, fa = d[(i, "live")], d[(i, "verify")], d[(i, "fa")]
    rv = [ver[r] / live[r] for r in live]; rf = [fa[r] / live[r] for r in live]
    print(f"{name}: median requests/s live {st.median(live.values()):.0f}, verify {st.median(ver.values()):.0f}, forward-auth {st.median(fa.values()):.0f}")
    print(f"{name}: ratio cached verification / health/live: {st.median(rv):.2f} (rounds: {' '.join(f'{x:.2f}' for x in rv)})")
    print(f"{name}: ratio forward-auth / health/live:          {st.median(rf):.2f} (rounds: {' '.join(f'{x:.2f}' for x in rf)})")
for ep, label in (("verify", "cached verify"), ("fa", "forward-auth"), ("live", "health/live")):
    b_over_a = [d[(1, ep)][r] / d[(0, ep)][r] for r in d[(0, ep)]]
    print(f"B / A, {label} requests/s in the same round: median {st.median(b_over_a):.2f}")
PY
