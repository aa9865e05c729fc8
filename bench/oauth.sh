#!/usr/bin/env bash
# OAuth clients (issue 16), in one run on two replicas (two processes) on one PostgreSQL: the people page with an
# access token ÷ with a key (goal ≥ 0.9); access tokens issued per second by POST /oauth/token (client_secret_basic;
# goal ≥ 2,000/s); a revoked client's token refused on the other replica (goal < 1 s, p99 over 50 tries).
#   bench/oauth.sh     # needs backend/target/keysmith.jar (mvn -o -q -B -pl backend -am package -DskipTests -DskipITs)
source "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
TRIES=${TRIES:-50}
need wrk
secret_b64=$(head -c 32 /dev/urandom | base64)
# every revocation try ends in a 401 from 127.0.0.1: without a large failure budget replica B throttles the address
# (429) after a few dozen tries, valid tokens included
common=(KEYSMITH_SECRET="v1:$secret_b64" KEYSMITH_PUBLIC_URL=http://keysmith.bench KEYSMITH_INSTANCES=1
  KEYSMITH_KEY_FAILURES_PER_MINUTE=1000000)
# replica A: the embedded PostgreSQL; replica B: the same database (one set of signing keys, one deny-list)
start_server "${common[@]}" -- --demo
a=$base; a_work=$work
pg="postgresql://postgres:$(cat "$a_work/data/postgres.password")@127.0.0.1:$(cat "$a_work/data/postgres.port")/keysmith"
start_server "${common[@]}" KEYSMITH_DATABASE_URL="$pg"
b=$base
pw=$(cat "$a_work/data/demo-password")
echo "load before: $(uptime)"

python3 - "$a" "$pw" >"$a_work/creds.sh" <<'PY'
import json, sys, urllib.request
a, pw = sys.argv[1], sys.argv[2]
r = urllib.request.urlopen(urllib.request.Request(a + "/api/v1/session", method="POST",
    data=json.dumps({"email": "owner@demo.keysmith.dev", "password": pw}).encode(),
    headers={"content-type": "application/json"}))
cookie = [v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie" and v.startswith("ks_session")][0]
csrf = json.load(r)["me"]["csrfToken"]
def mk(body):
    req = urllib.request.Request(a + "/api/v1/api-keys", method="POST", data=json.dumps(body).encode(),
        headers={"content-type": "application/json", "Cookie": cookie, "X-CSRF-Token": csrf})
    return json.load(urllib.request.urlopen(req))
base = {"apiType": "PEOPLE", "permissionMode": "INHERIT", "rateLimitPerMinute": 100000000}
key = mk(dict(base, name="Bench key"))
client = mk(dict(base, name="Bench OAuth client", credentialKind="OAUTH_CLIENT"))
print(f"cookie='{cookie}'; csrf='{csrf}'; key='{key['secret']}'")
print(f"client_id='{client['key']['clientId']}'; client_secret='{client['secret']}'")
PY
source "$a_work/creds.sh"
basic=$(printf '%s:%s' "$client_id" "$client_secret" | base64 -w0)
token=$(curl -sf -XPOST "$a/oauth/token" -H "Authorization: Basic $basic" \
  -H 'content-type: application/x-www-form-urlencoded' -d grant_type=client_credentials \
  | python3 -c 'import json,sys;print(json.load(sys.stdin)["access_token"])')
cat >"$a_work/token.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic $basic"
wrk.body = "grant_type=client_credentials&scope=people%3Aread"
LUA

rps() { awk '/Requests\/sec/ {print $2}'; }
people="$a/api/v1/people?limit=50"
# warm-up (JIT, caches)
wrk -t2 -c"$CONNECTIONS" -d5s -H "Authorization: Bearer $key" "$people" >/dev/null
wrk -t2 -c"$CONNECTIONS" -d5s -H "Authorization: Bearer $token" "$people" >/dev/null
# the token endpoint warms longer: ES256 on Bouncy Castle (pure Java) runs far slower for its first 10-20 s
wrk -t2 -c"$CONNECTIONS" -d20s -s "$a_work/token.lua" "$a/oauth/token" >/dev/null
# interleaved, twice each: the machine's load moves under a single pair
k1=$(wrk_checked -t2 -c"$CONNECTIONS" -d"$DURATION" -H "Authorization: Bearer $key" "$people" | rps)
t1=$(wrk_checked -t2 -c"$CONNECTIONS" -d"$DURATION" -H "Authorization: Bearer $token" "$people" | rps)
t2=$(wrk_checked -t2 -c"$CONNECTIONS" -d"$DURATION" -H "Authorization: Bearer $token" "$people" | rps)
k2=$(wrk_checked -t2 -c"$CONNECTIONS" -d"$DURATION" -H "Authorization: Bearer $key" "$people" | rps)
load_people=$(uptime | sed 's/.*load average: //')
issued=$(wrk_checked -t2 -c"$CONNECTIONS" -d"$DURATION" -s "$a_work/token.lua" "$a/oauth/token" | rps)
load_token=$(uptime | sed 's/.*load average: //')

# a revoked client's token on the other replica: per try a new client, a token from A, served from B's cache,
# the client revoked on A, B polled every 5 ms until it answers 401
python3 - "$a" "$b" "$cookie" "$csrf" "$TRIES" >"$a_work/revocation.txt" <<'PY' || true
import base64, json, math, sys, time, urllib.error, urllib.request
a, b, cookie, csrf, tries = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
def call(url, method="GET", body=None, headers=None):
    req = urllib.request.Request(url, method=method, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
def session(path, body=None):
    s, out = call(a + path, "POST", json.dumps(body or {}).encode(),
                  {"content-type": "application/json", "Cookie": cookie, "X-CSRF-Token": csrf})
    assert s in (200, 201), (s, out)
    return json.loads(out)
ms = []
for i in range(tries):
    c = session("/api/v1/api-keys", {"name": f"Revoked across replicas {i}", "apiType": "PEOPLE",
                                     "permissionMode": "INHERIT", "credentialKind": "OAUTH_CLIENT"})
    basic = base64.b64encode(f"{c['key']['clientId']}:{c['secret']}".encode()).decode()
    s, out = call(a + "/oauth/token", "POST", b"grant_type=client_credentials",
                  {"Authorization": "Basic " + basic, "content-type": "application/x-www-form-urlencoded"})
    assert s == 200, (s, out)
    bearer = {"Authorization": "Bearer " + json.loads(out)["access_token"]}
    for _ in range(2):
        s, out = call(b + "/api/v1/people?limit=1", headers=bearer)
        assert s == 200, (s, out[:300])
    t0 = time.monotonic()
    session(f"/api/v1/api-keys/{c['key']['id']}/revoke")
    while True:
        status = call(b + "/api/v1/people?limit=1", headers=bearer)[0]
        if status == 401:
            break
        assert status == 200 and time.monotonic() - t0 < 10, status
        time.sleep(0.005)
    ms.append((time.monotonic() - t0) * 1000)
ms.sort()
p = lambda q: ms[max(0, math.ceil(q * len(ms)) - 1)]
print(f"{len(ms)} {p(0.5):.0f} {p(0.99):.0f} {ms[-1]:.0f} {sum(1 for m in ms if m >= 1000)}")
PY
[ -s "$a_work/revocation.txt" ] || echo "0 - - - -" >"$a_work/revocation.txt"
read -r n p50 p99 max over <"$a_work/revocation.txt"
load_revocation=$(uptime | sed 's/.*load average: //')

echo
printf '%-58s %8.0f requests/s (runs %s, %s; load %s)\n' "GET /api/v1/people?limit=50 with a key (wrk -c$CONNECTIONS)" \
  "$(awk -v x="$k1" -v y="$k2" 'BEGIN {print (x+y)/2}')" "$k1" "$k2" "$load_people"
printf '%-58s %8.0f requests/s (runs %s, %s)\n' "GET /api/v1/people?limit=50 with an access token" \
  "$(awk -v x="$t1" -v y="$t2" 'BEGIN {print (x+y)/2}')" "$t1" "$t2"
printf '%-58s %8.0f tokens/s (load %s)\n' "POST /oauth/token, client_secret_basic (wrk -c$CONNECTIONS)" "$issued" "$load_token"
printf '%-58s p50 %s ms, p99 %s ms, max %s ms over %s tries; %s at or over 1 s (load %s)\n' \
  "revoked client's token refused on the other replica" "$p50" "$p99" "$max" "$n" "$over" "$load_revocation"
awk -v t="$t1" -v u="$t2" -v k="$k1" -v l="$k2" 'BEGIN {printf "\nratio people page via access token / via key: %.2f (goal >= 0.9)\n", (t+u)/(k+l)}'
awk -v x="$issued" 'BEGIN {printf "ratio tokens issued per second / goal 2,000:  %.2f\n", x/2000}'
[ "$n" = 0 ] || awk -v x="$p99" 'BEGIN {printf "ratio revocation p99 / goal 1,000 ms:         %.2f (goal < 1)\n", x/1000}'
echo "measured under load (other helpers and CI share this 2-core machine): $(uptime)"
