#!/usr/bin/env bash
# Issue 18: a GitHub secret-scanning report of 1,000 real Keysmith secrets answers within 2 s. Per jar: a fresh server
# (its own embedded PostgreSQL, a GitHub key file of a key pair made here), one warm-up report, then ROUNDS reports of
# 1,000 fresh keys each, interleaved between the jars (loaded by COPY, so every report revokes 1,000 keys), signed as GitHub signs (ECDSA P-256,
# SHA-256); prints each report's time with the load average beside it, the median, and the ratio after/before.
#   bench/leak-batch.sh [JAR_BEFORE] JAR_AFTER    # one jar: only its figures; ~1-2 min per jar
source "$(dirname "$0")/lib.sh"
ROUNDS=${ROUNDS:-7}
need psql postgresql-client
need openssl
[ $# -ge 1 ] || set -- "$JAR"
keydir=$(mktemp -d)
openssl ecparam -name prime256v1 -genkey -noout -out "$keydir/github.pem" 2>/dev/null
openssl ec -in "$keydir/github.pem" -pubout -out "$keydir/github.pub" 2>/dev/null
python3 -c "import json;print(json.dumps({'public_keys':[{'key_identifier':'bench','key':open('$keydir/github.pub').read(),'is_current':True}]}))" \
  >"$keydir/keys.json"

report() { # n -> seconds, after checking every answer is a true positive and every key revoked
  python3 bench/gen_keys.py "$1" "$secret_b64" "$org" "$owner" "$work/rows.tsv" "$work/keys.txt" "$1"
  bench_psql -c "\\copy api_keys (organization_id, id, owner_user_id, created_by, name, api_type, permission_mode, secret_hash, secret_version, hint, rate_limit_per_minute) FROM '$work/rows.tsv'"
  python3 -c "import json,sys;print(json.dumps([{'token':k.strip(),'type':'keysmith_api_key','url':'https://github.com/o/r/blob/1/.env','source':'content'} for k in open('$work/keys.txt')]),end='')" \
    >"$work/report.json"
  local sig t
  sig=$(openssl dgst -sha256 -sign "$keydir/github.pem" "$work/report.json" | base64 -w0)
  t=$(curl -s -o "$work/feedback.json" -w '%{http_code} %{time_total}' -XPOST "$base/api/v1/secret-scanning/github" \
    -H 'content-type: application/json' -H 'Github-Public-Key-Identifier: bench' -H "Github-Public-Key-Signature: $sig" \
    --data-binary @"$work/report.json")
  [ "${t%% *}" = 200 ] || { echo "answered ${t%% *}: $(head -c 300 "$work/feedback.json")" >&2; exit 1; }
  local positives
  positives=$(python3 -c "import json;print(sum(1 for f in json.load(open('$work/feedback.json')) if f['label']=='true_positive'))")
  [ "$positives" = "$1" ] || { echo "only $positives of $1 true positives" >&2; exit 1; }
  echo "${t#* }"
}

# every jar's server is started first, then the reports alternate between them (order swapped each round), so a
# drift of the shared machine's load does not favour one jar
n=$#
declare -a bases works orgs owners secrets
jars=("$@")
i=0
for jar in "$@"; do
  secret_b64=$(head -c 32 /dev/urandom | base64)
  JAR=$jar start_server KEYSMITH_SECRET="v1:$secret_b64" KEYSMITH_LEAKS_GITHUB_KEYS_FILE="$keydir/keys.json"
  curl -s -o "$work/me.json" -XPOST "$base/api/v1/signup" -H 'content-type: application/json' \
    -d "{\"organizationName\":\"Leaks\",\"firstName\":\"L\",\"lastName\":\"Eak\",\"email\":\"leak$i@example.com\",\"password\":\"leak password 123\"}"
  read -r org owner < <(python3 -c "import json;m=json.load(open('$work/me.json'));print(m['organization']['id'], m['user']['id'])")
  bases[$i]=$base; works[$i]=$work; orgs[$i]=$org; owners[$i]=$owner; secrets[$i]=$secret_b64
  i=$((i + 1))
done
use() { base=${bases[$1]}; work=${works[$1]}; org=${orgs[$1]}; owner=${owners[$1]}; secret_b64=${secrets[$1]}; }
declare -A times
for i in $(seq 0 $((n - 1))); do use "$i"; echo "warm-up, jar $((i + 1)): $(report 1000) s (load $(cut -d' ' -f1-3 /proc/loadavg))"; done
for round in $(seq 1 "$ROUNDS"); do
  order=$(seq 0 $((n - 1))); [ $((round % 2)) = 0 ] && order=$(seq $((n - 1)) -1 0)
  for i in $order; do
    use "$i"
    s=$(report 1000)
    times[$i]="${times[$i]:-} $s"
    echo "round $round, jar $((i + 1)) (${jars[$i]}): 1,000 real secrets answered in $s s (load $(cut -d' ' -f1-3 /proc/loadavg))"
  done
done
declare -a median
for i in $(seq 0 $((n - 1))); do
  use "$i"
  revoked=$(bench_psql -tAc "SELECT count(*) FROM api_keys WHERE status = 'REVOKED'")
  events=$(bench_psql -tAc "SELECT count(*) FROM audit_events WHERE action = 'key.leaked'")
  median[$i]=$(tr ' ' '\n' <<<"${times[$i]}" | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "jar $((i + 1)) (${jars[$i]}): median of $ROUNDS ${median[$i]} s; revoked keys $revoked, key.leaked events $events (expected $((1000 * (ROUNDS + 1))) each)"
done
rm -rf "$keydir"
if [ "$n" -eq 2 ]; then
  echo "ratio after/before (median): $(awk -v a="${median[1]}" -v b="${median[0]}" 'BEGIN {printf "%.2f", a/b}') (load $(uptime | sed 's/.*average: //'))"
fi
