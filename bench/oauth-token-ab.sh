#!/usr/bin/env bash
# POST /oauth/token (client_secret_basic, one ES256 JWT per request) on two jars side by side, in alternating windows
# (the order of A and B flips per round), so a shared, noisy machine loads both alike: B ÷ A per round, and its median.
#   bench/oauth-token-ab.sh JAR_A JAR_B      # ROUNDS=6 WINDOW=8s CONNECTIONS=32: ~3.5 min
source "$(dirname "$0")/lib.sh"
[ $# -eq 2 ] || { echo "usage: $0 JAR_A JAR_B" >&2; exit 2; }
ROUNDS=${ROUNDS:-6}
WINDOW=${WINDOW:-8s}
CONNECTIONS=${CONNECTIONS:-32}
need wrk
jars=("$(realpath "$1")" "$(realpath "$2")")
declare -a bases works
for i in 0 1; do
  JAR=${jars[$i]} start_server KEYSMITH_PUBLIC_URL=http://keysmith.bench -- --demo
  bases[$i]=$base; works[$i]=$work
  pw=$(cat "$work/data/demo-password")
  python3 - "$base" "$pw" >"$work/basic" <<'PY'
import base64, json, sys, urllib.request
a, pw = sys.argv[1], sys.argv[2]
r = urllib.request.urlopen(urllib.request.Request(a + "/api/v1/session", method="POST",
    data=json.dumps({"email": "owner@demo.keysmith.dev", "password": pw}).encode(),
    headers={"content-type": "application/json"}))
cookie = [v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie" and v.startswith("ks_session")][0]
csrf = json.load(r)["me"]["csrfToken"]
req = urllib.request.Request(a + "/api/v1/api-keys", method="POST", data=json.dumps({"name": "Bench OAuth client",
    "apiType": "PEOPLE", "permissionMode": "INHERIT", "credentialKind": "OAUTH_CLIENT",
    "rateLimitPerMinute": 100000000}).encode(),
    headers={"content-type": "application/json", "Cookie": cookie, "X-CSRF-Token": csrf})
c = json.load(urllib.request.urlopen(req))
print(base64.b64encode(f"{c['key']['clientId']}:{c['secret']}".encode()).decode())
PY
  cat >"$work/token.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic $(cat "$work/basic")"
wrk.body = "grant_type=client_credentials&scope=people%3Aread"
LUA
  curl -sf -XPOST "$base/oauth/token" -H "Authorization: Basic $(cat "$work/basic")" \
    -H 'content-type: application/x-www-form-urlencoded' -d grant_type=client_credentials >/dev/null
done
measure() { # jar-index duration -> tokens/s
  wrk_checked -t2 -c"$CONNECTIONS" -d"$2" -s "${works[$1]}/token.lua" "${bases[$1]}/oauth/token" | awk '/Requests\/sec/ {print $2}'
}
echo "load before: $(cat /proc/loadavg)"
for w in 1 2 3; do for i in 0 1; do measure "$i" 8s >/dev/null; done; done # warm-up (JIT: the first 10-20 s run far slower)
results=$(mktemp)
for r in $(seq 1 "$ROUNDS"); do
  order="0 1"; [ $((r % 2)) = 0 ] && order="1 0"
  for i in $order; do echo "$r $i $(measure "$i" "$WINDOW")" >>"$results"; done
  echo "round $r of $ROUNDS done (load $(cut -d' ' -f1 /proc/loadavg))" >&2
done
echo "load after: $(cat /proc/loadavg)"
echo "A: ${jars[0]}"
echo "B: ${jars[1]}"
echo "$ROUNDS rounds, windows of $WINDOW, wrk -t2 -c$CONNECTIONS on POST /oauth/token; A and B alternate within each round"
python3 - "$results" <<'PY'
import sys, statistics as st
d = {}
for l in open(sys.argv[1]):
    if l.strip():
        r, i, rps = l.split()
        d.setdefault(int(i), {})[int(r)] = float(rps)
for i, name in ((0, "A"), (1, "B")):
    print(f"{name}: tokens/s per round {' '.join(f'{d[i][r]:.0f}' for r in sorted(d[i]))}; median {st.median(d[i].values()):.0f}")
ratios = [d[1][r] / d[0][r] for r in sorted(d[0])]
print(f"B / A tokens/s in the same round: median {st.median(ratios):.2f} (rounds: {' '.join(f'{x:.2f}' for x in ratios)})")
PY
