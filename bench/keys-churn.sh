#!/usr/bin/env bash
# Cached verification with the key cache warm at 200,000 keys, with and without 100 key changes per second in OTHER
# organizations (one run, alternating: without, with, without, ... ROUNDS times with), and the heap held per cached
# verdict. The cache TTL is raised to an hour so that no verdict expires while the bench runs (the chart keeps 300 s).
#   bench/keys-churn.sh     # builds the jar if needed; ~4-6 minutes on a quiet machine
# The changes are UPDATEs of other organizations' keys made straight in PostgreSQL (as another replica's commits
# would arrive): the table's trigger announces each one through NOTIFY, so every replica's cache hears it.
source "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-15s}
ROUNDS=${ROUNDS:-3}
KEYS=${KEYS:-200000}
CHANGES=${CHANGES:-100}   # per second
OTHERS=${OTHERS:-5}       # other organizations, 20 keys each
need wrk
need psql postgresql-client
secret_b64=$(head -c 32 /dev/urandom | base64)
JAVA_OPTS="-Xmx1g ${JAVA_OPTS:-}" start_server KEYSMITH_SECRET="v1:$secret_b64" KEYSMITH_KEY_CACHE_TTL_SECONDS=3600
signup() { # name email -> "session org owner csrf"
  local s
  s=$(curl -s -D - -o "$work/me.json" -XPOST "$base/api/v1/signup" -H 'content-type: application/json' \
    -d "{\"organizationName\":\"$1\",\"firstName\":\"S\",\"lastName\":\"Cale\",\"email\":\"$2\",\"password\":\"churn password 123\"}" \
    | awk -F'[=;]' 'tolower($0) ~ /^set-cookie: ks_session/ {print $2}')
  echo "$s $(python3 -c "import json;m=json.load(open('$work/me.json'));print(m['organization']['id'], m['user']['id'], m['csrfToken'])")"
}
read -r session org owner csrf < <(signup Churn churn@example.com)
gateway=$(curl -s -XPOST "$base/api/v1/api-keys" -H "Cookie: ks_session=$session" -H "X-CSRF-Token: $csrf" \
  -H 'content-type: application/json' -d '{"name":"Gateway","apiType":"VERIFICATION","permissionMode":"INHERIT","rateLimitPerMinute":100000000}' \
  | python3 -c 'import json,sys;print(json.load(sys.stdin)["secret"])')
copy_rows() { bench_psql -c "\\copy api_keys (organization_id, id, owner_user_id, created_by, name, api_type, permission_mode, secret_hash, secret_version, hint, rate_limit_per_minute) FROM '$1'"; }
: >"$work/other-ids.txt"
for i in $(seq 1 "$OTHERS"); do
  read -r _ o u _ < <(signup "Other $i" "other$i@example.com")
  python3 bench/gen_keys.py 20 "$secret_b64" "$o" "$u" "$work/other.tsv" "$work/other-keys.txt" 0
  copy_rows "$work/other.tsv"
  cut -f2 "$work/other.tsv" >>"$work/other-ids.txt"
done
python3 bench/gen_keys.py "$KEYS" "$secret_b64" "$org" "$owner" "$work/rows.tsv" "$work/keys.txt" "$KEYS"
copy_rows "$work/rows.tsv"
bench_psql -c "ANALYZE api_keys"
metric() { curl -s "http://127.0.0.1:$mport/metrics" | awk -v m="$1" 'index($0, m) == 1 {s += $2} END {printf "%.0f\n", s}'; }
misses() { metric 'keysmith_key_cache_lookups_total{result="miss"'; }
hits() { metric 'keysmith_key_cache_lookups_total{result="hit"'; }
# live heap: GC.class_histogram runs a full GC first; its total line is the bytes of all live objects
histogram() { sleep 6; jcmd "$server" GC.class_histogram >"$1"; awk '/^Total/ {print $3}' "$1"; }
# Hit ratio of the verified keys: each verify looks up the gateway key (a hit) and the verified key, so their lookups
# are half of all lookups and (nearly) every miss is theirs.
run() { # -> requests/s of the Zipf mix over all keys, and the verified keys' hit ratio during it
  local h0 m0 out h1 m1
  h0=$(hits); m0=$(misses)
  out=$(wrk_checked -t2 -c64 -d"$DURATION" -s bench/zipf.lua "$base/api/v1/api-keys/verify" -- "$work/keys.txt" "$gateway")
  h1=$(hits); m1=$(misses)
  awk -v out="$(awk '/Requests\/sec/ {print $2}' <<<"$out")" -v h=$((h1 - h0)) -v m=$((m1 - m0)) \
    'BEGIN {printf "%s %.4f\n", out, 1 - m / ((h + m) / 2)}'
}

curl -sf -XPOST "$base/api/v1/api-keys/verify" -H "Authorization: Bearer $gateway" -H 'content-type: application/json' \
  -d "{\"key\":\"$(head -1 "$work/keys.txt")\"}" | grep -q '"valid":true'
before=$(histogram "$work/histo-before.txt")
m0=$(misses)
# warm: every key once
wrk -t1 -c64 -d3600s -s bench/each-key.lua "$base/api/v1/api-keys/verify" -- "$work/keys.txt" "$gateway" >/dev/null
cached=$(( $(misses) - m0 ))
after=$(histogram "$work/histo-after.txt")
# a short Zipf run so the JIT has seen the mix before the measured runs
wrk -t2 -c64 -d5s -s bench/zipf.lua "$base/api/v1/api-keys/verify" -- "$work/keys.txt" "$gateway" >/dev/null

churn_run() { # run while CHANGES/s other organizations' keys change -> "rps hits N changes in T s"
  python3 - "$work/other-ids.txt" "$CHANGES" "$DURATION" >"$work/churn.sql" <<'PY' &
# UPDATE statements paced at RATE per second for DURATION (+1 s so the whole measured run sees changes)
import sys, time
ids = [l.strip() for l in open(sys.argv[1]) if l.strip()]
rate, seconds = int(sys.argv[2]), float(sys.argv[3].rstrip("s")) + 1
start, n = time.monotonic(), 0
while time.monotonic() - start < seconds:
    print(f"UPDATE api_keys SET name = 'churn-{time.time_ns()}' WHERE id = '{ids[n % len(ids)]}';", flush=True)
    n += 1
    time.sleep(max(0.0, start + n / rate - time.monotonic()))
print(f"\\echo {n} changes in {time.monotonic() - start:.1f} s", flush=True)
PY
  sleep 0.2
  # one psql session, autocommit: one committed change, one NOTIFY per statement
  tail -f "$work/churn.sql" --pid=$! | bench_psql >"$work/churn.out" &
  local churner=$!
  sleep 1
  local out
  out=$(run)
  wait "$churner" 2>/dev/null || true
  echo "$out $(tail -1 "$work/churn.out")"
}
quiet=(); churn=(); lines=()
for i in $(seq 1 "$ROUNDS"); do
  read -r r h < <(run); quiet+=("$r"); lines+=("$(printf '%-52s %10.0f requests/s  real-key hit ratio %s' "verify, no changes" "$r" "$h")")
  read -r r h c < <(churn_run); churn+=("$r")
  lines+=("$(printf '%-52s %10.0f requests/s  real-key hit ratio %s  (%s)' "verify, $CHANGES changes/s in $OTHERS other organizations" "$r" "$h" "$c")")
done
read -r r h < <(run); quiet+=("$r"); lines+=("$(printf '%-52s %10.0f requests/s  real-key hit ratio %s' "verify, no changes" "$r" "$h")")
mean() { printf '%s\n' "$@" | awk '{s += $1; n++} END {printf "%.1f", s / n}'; }

echo
echo "cache warmed with $KEYS keys ($cached misses while warming); Zipf mix over all of them, wrk -t2 -c64 -d$DURATION"
printf '%s\n' "${lines[@]}"
awk -v c="$(mean "${churn[@]}")" -v q="$(mean "${quiet[@]}")" -v n="$ROUNDS" \
  'BEGIN {printf "\nratio churn/no-churn: %.2f (mean of %d runs with changes / mean of the %d runs around them)\n", c / q, n, n + 1}'
awk -v b="$before" -v a="$after" -v n="$cached" \
  'BEGIN {printf "heap held per cached verdict: %.0f bytes (live heap %.1f -> %.1f MiB for %d verdicts, GC.class_histogram after a full GC)\n", (a - b) / n, b / 1048576, a / 1048576, n}'
echo "largest live-heap growth by class while caching (bytes per cached verdict):"
python3 - "$work/histo-before.txt" "$work/histo-after.txt" "$cached" <<'PY'
import sys
def read(p):
    d = {}
    for line in open(p):
        f = line.split()
        if len(f) >= 4 and f[0].endswith(":"):
            d[f[3]] = int(f[2])  # f[4], when present, is the module
    return d
b, a, n = read(sys.argv[1]), read(sys.argv[2]), int(sys.argv[3])
for cls, grow in sorted(((c, a[c] - b.get(c, 0)) for c in a), key=lambda x: -x[1])[:8]:
    print(f"  {grow / n:8.1f}  {cls}")
print(f"  {sum(a.values()) / n - sum(b.values()) / n:8.1f}  (all classes)")
PY
