#!/usr/bin/env bash
# Where the time and the allocation go on the hot key routes: JFR (profile settings) while wrk drives cached verify,
# then forward-auth; top frames of the event-loop threads by bench/jfr_top.py.
#   bench/profile.sh            # JAR=... for another jar
source "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-15s}
need wrk
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
fa=(-H "X-Keysmith-Gateway-Key: $gateway" -H "Authorization: Bearer $partner" -H "X-Forwarded-Method: GET"
  -H "X-Forwarded-Uri: /api/v1/people?limit=50" "$base/api/v1/forward-auth")
wrk -t2 -c64 -d10s "$base/health/live" >/dev/null
wrk -t2 -c64 -d10s -s "$work/verify.lua" "$base/api/v1/api-keys/verify" >/dev/null
wrk -t2 -c64 -d10s "${fa[@]}" >/dev/null
out=${OUT:-/tmp/keysmith-profile}; mkdir -p "$out"
for what in verify forward-auth; do
  jcmd "$server" JFR.start name=prof settings=profile filename="$out/$what.jfr" >/dev/null
  if [ "$what" = verify ]; then
    wrk -t2 -c64 -d"$DURATION" -s "$work/verify.lua" "$base/api/v1/api-keys/verify" | grep Requests/sec
  else
    wrk -t2 -c64 -d"$DURATION" "${fa[@]}" | grep Requests/sec
  fi
  jcmd "$server" JFR.stop name=prof >/dev/null
  echo "== $what ($out/$what.jfr)"; python3 bench/jfr_top.py "$out/$what.jfr" "${TOP:-25}"
done
