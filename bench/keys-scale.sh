#!/usr/bin/env bash
# Cached verification with 1,000,000 keys stored and 100,000 distinct keys verified in a Zipf-like mix, as a ratio
# to the same mix with 1,000 keys stored (one run), and the key cache's memory per cached key.
#   bench/keys-scale.sh     # builds the jar if needed; takes a few minutes (generates and loads 1M keys)
source "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-15s}
STORED=${STORED:-1000000}
DISTINCT=${DISTINCT:-100000}
need wrk
need psql postgresql-client
secret_b64=$(head -c 32 /dev/urandom | base64)
JAVA_OPTS="-Xmx1g ${JAVA_OPTS:-}" start_server KEYSMITH_SECRET="v1:$secret_b64"
session=$(curl -s -D - -o "$work/me.json" -XPOST "$base/api/v1/signup" -H 'content-type: application/json' \
  -d '{"organizationName":"Scale","firstName":"S","lastName":"Cale","email":"scale@example.com","password":"scale password 123"}' \
  | awk -F'[=;]' 'tolower($0) ~ /^set-cookie: ks_session/ {print $2}')
read -r org owner csrf < <(python3 -c "import json;m=json.load(open('$work/me.json'));print(m['organization']['id'], m['user']['id'], m['csrfToken'])")
gateway=$(curl -s -XPOST "$base/api/v1/api-keys" -H "Cookie: ks_session=$session" -H "X-CSRF-Token: $csrf" \
  -H 'content-type: application/json' -d '{"name":"Gateway","apiType":"VERIFICATION","permissionMode":"INHERIT","rateLimitPerMinute":100000000}' \
  | python3 -c 'import json,sys;print(json.load(sys.stdin)["secret"])')
psqlk() { bench_psql "$@"; }
load() { # n keep
  python3 bench/gen_keys.py "$1" "$secret_b64" "$org" "$owner" "$work/rows.tsv" "$work/keys.txt" "$2"
  psqlk -c "\\copy api_keys (organization_id, id, owner_user_id, created_by, name, api_type, permission_mode, secret_hash, secret_version, hint, rate_limit_per_minute) FROM '$work/rows.tsv'"
  psqlk -c "ANALYZE api_keys"
}
heap() { jcmd "$server" GC.run >/dev/null; sleep 1; jcmd "$server" GC.heap_info | awk '/used/ {for (i=1;i<=NF;i++) if ($i ~ /used/) {gsub("K","",$(i+1)); print $(i+1); exit}}'; }
run() { wrk_checked -t2 -c64 -d"$DURATION" -s bench/zipf.lua "$base/api/v1/api-keys/verify" -- "$work/keys.txt" "$gateway" | awk '/Requests\/sec/ {print $2}'; }

load 1000 1000
wrk -t2 -c64 -d5s -s bench/zipf.lua "$base/api/v1/api-keys/verify" -- "$work/keys.txt" "$gateway" >/dev/null
small=$(run)
echo "1,000 keys stored, mix over 1,000: $small requests/s"

load $((STORED - 1000)) "$DISTINCT"
before=$(heap)
# warm the cache: every one of the distinct keys once (sequentially), then the mix for a while
wrk -t2 -c64 -d"${WARMUP:-60s}" -s bench/zipf.lua "$base/api/v1/api-keys/verify" -- "$work/keys.txt" "$gateway" seq >/dev/null
wrk -t2 -c64 -d10s -s bench/zipf.lua "$base/api/v1/api-keys/verify" -- "$work/keys.txt" "$gateway" >/dev/null
after=$(heap)
cached=$(curl -s "http://127.0.0.1:$mport/metrics" | awk '/^keysmith_key_cache_lookups_total\{result="miss"/ {print $2}')
large=$(run)
echo "$STORED keys stored, mix over $DISTINCT: $large requests/s"
awk -v a="$large" -v b="$small" 'BEGIN {printf "\nratio 1M stored (100k distinct, Zipf) / 1,000 stored: %.2f\n", a/b}'
awk -v b="$before" -v a="$after" -v n="$cached" 'BEGIN {printf "heap growth while caching: %.0f KiB for ~%d cached verdicts: ~%.0f bytes per cached key\n", a-b, n, (a-b)*1024/n}'
