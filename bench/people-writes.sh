#!/usr/bin/env bash
# People writes (issue 15): POST /api/v1/people with a key ÷ with a session (goal >= 0.95), and an Idempotency-Key
# replay ÷ the first request with a fresh key (goal >= 2: a replay does no work), ratios taken in one run on one
# server. NOISY on a shared machine: quote the load average printed beside the figures.
#   bench/people-writes.sh     # builds the jar if needed, starts a server on a fresh embedded PostgreSQL
source "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-10s}
need wrk
start_server
signup=$(curl -s -D "$work/h" -XPOST "$base/api/v1/signup" -H 'content-type: application/json' \
  -d '{"organizationName":"Bench Writes","firstName":"B","lastName":"Ench","email":"bench-writes@example.com","password":"bench password 123"}')
cookie=$(awk -F'[=;]' 'tolower($0) ~ /^set-cookie: ks_session/ {print $2}' "$work/h")
csrf=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["csrfToken"])' "$signup")
key=$(curl -sf -XPOST "$base/api/v1/api-keys" -H 'content-type: application/json' -H "Cookie: ks_session=$cookie" \
  -H "X-CSRF-Token: $csrf" -d '{"name":"bench writer","apiType":"PEOPLE","permissionMode":"SCOPED",
  "permissions":["people:read","people:create"],"rateLimitPerMinute":100000000,
  "fieldRights":{"firstName":"EDIT","lastName":"EDIT","jobTitle":"EDIT"}}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
lua="$PWD/bench/people-writes.lua"
url="$base/api/v1/people"
# each configuration answers 201 once before it is measured (a 401/403 is cheaper than the work)
check() { local s; s=$(curl -s -o /dev/null -w '%{http_code}' -XPOST "$url" -H 'content-type: application/json' "$@" \
  -d '{"firstName":"Bench","lastName":"Writer","jobTitle":"Load"}'); [ "$s" = 201 ] || { echo "got $s for $*" >&2; exit 1; }; }
check -H "Authorization: Bearer $key"
check -H "Cookie: ks_session=$cookie" -H "X-CSRF-Token: $csrf"
check -H "Authorization: Bearer $key" -H "Idempotency-Key: bench-replay"
rps() { env "$@" wrk -t2 -c16 -d"$DURATION" -s "$lua" "$url" | tee -a "$work/wrk.log" | awk '/Requests\/sec/ {print $2}'; }
# warm-up of every path (JIT), then A B B A orders so a drift of the machine's load cancels out
warm() { env "$@" wrk -t2 -c16 -d"${WARMUP:-5s}" -s "$lua" "$url" >/dev/null; }
warm AUTH="Bearer $key"; warm COOKIE="$cookie" CSRF="$csrf"; warm AUTH="Bearer $key" IDEM=unique
warm AUTH="Bearer $key" IDEM=fixed
load=$(cut -d' ' -f1-3 /proc/loadavg)
k1=$(rps AUTH="Bearer $key"); s1=$(rps COOKIE="$cookie" CSRF="$csrf")
s2=$(rps COOKIE="$cookie" CSRF="$csrf"); k2=$(rps AUTH="Bearer $key")
first=$(rps AUTH="Bearer $key" IDEM=unique); replay=$(rps AUTH="Bearer $key" IDEM=fixed)
replay2=$(rps AUTH="Bearer $key" IDEM=fixed); first2=$(rps AUTH="Bearer $key" IDEM=unique)
if grep -q 'Non-2xx' "$work/wrk.log"; then echo "WARNING: some answers were not 2xx:"; grep 'Non-2xx' "$work/wrk.log"; fi
echo
printf 'POST /api/v1/people, wrk -t2 -c16 %s each, A B B A after a warm-up; load average before: %s (NOISY: shared cores)\n' "$DURATION" "$load"
printf '  key (Bearer):                       %8.0f %8.0f requests/s\n' "$k1" "$k2"
printf '  session (cookie + CSRF):            %8.0f %8.0f requests/s\n' "$s1" "$s2"
printf '  key + fresh Idempotency-Key:        %8.0f %8.0f requests/s\n' "$first" "$first2"
printf '  key + replayed Idempotency-Key:     %8.0f %8.0f requests/s\n' "$replay" "$replay2"
awk -v k="$k1" -v K="$k2" -v s="$s1" -v S="$s2" 'BEGIN {printf "ratio key / session:            %.2f (goal >= 0.95)\n", (k+K)/(s+S)}'
awk -v f="$first" -v F="$first2" -v r="$replay" -v R="$replay2" 'BEGIN {printf "ratio replay / first request:   %.2f (goal >= 2)\n", (r+R)/(f+F)}'
