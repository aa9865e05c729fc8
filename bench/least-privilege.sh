#!/usr/bin/env bash
# Issue 20's figure: time to compute the least-privilege report for an organization with 1,000 keys and 30 days of
# usage. One demo server; 1,000 SCOPED People keys (4 permissions each, cloned in SQL from one key made through the
# API); usage shaped as the server keeps it: the last 47 hours by minute (every 10 minutes, 1-3 operations per key),
# older days rolled up into hours and days (what ks_roll_up_usage writes). Then the organization report and one key's
# report through the API (median of RUNS), and, for comparison, the same aggregation read from hours instead of days.
#   bench/least-privilege.sh          # KEYS=1000 DAYS=30 RUNS=5
source "$(dirname "$0")/lib.sh"
KEYS=${KEYS:-1000}
DAYS=${DAYS:-30}
RUNS=${RUNS:-5}
need psql postgresql-client

start_server -- --demo
pw=$(cat "$work/data/demo-password")
session=$(curl -s -D - -o "$work/me.json" -XPOST "$base/api/v1/session" -H 'content-type: application/json' \
  -d "{\"email\":\"owner@demo.keysmith.dev\",\"password\":\"$pw\"}" | awk -F'[=;]' 'tolower($0) ~ /^set-cookie: ks_session/ {print $2}')
csrf=$(python3 -c "import json;print(json.load(open('$work/me.json'))['me']['csrfToken'])")
template=$(curl -s -XPOST "$base/api/v1/api-keys" -H "Cookie: ks_session=$session" -H "X-CSRF-Token: $csrf" \
  -H 'content-type: application/json' \
  -d '{"name":"Bench template","apiType":"PEOPLE","permissionMode":"SCOPED","permissions":["people:read","people:create","people:update","people:delete"]}' \
  | python3 -c 'import json,sys;print(json.load(sys.stdin)["key"]["id"])')

t0=$(date +%s.%N)
bench_psql -v ON_ERROR_STOP=1 <<SQL
-- KEYS-1 clones of the template (unique hash and name), then usage: key i uses listPeople always, getPerson when
-- i % 2 = 0, updatePerson when i % 3 = 0 (so people:create and people:delete, and for some people:update, go unused)
INSERT INTO api_keys
SELECT (jsonb_populate_record(k, jsonb_build_object(
          'id', gen_random_uuid(), 'name', 'Bench key ' || i,
          'secret_hash', '\\x' || encode(sha256(convert_to('bench-' || i, 'UTF8')), 'hex'),
          'hint', 'ksk_b' || i))).*
  FROM api_keys k, generate_series(2, $KEYS) i WHERE k.id = '$template';
CREATE TEMP TABLE bench_keys AS
  SELECT id, organization_id, row_number() OVER (ORDER BY created_at, id) AS i FROM api_keys
   WHERE id = '$template' OR name LIKE 'Bench key %';
CREATE TEMP TABLE bench_ops (op text, every int);
INSERT INTO bench_ops VALUES ('listPeople', 1), ('getPerson', 2), ('updatePerson', 3);
-- the last 47 hours by minute, one row per 10 minutes and operation (one replica)
INSERT INTO key_usage_minutes (organization_id, key_id, minute, operation, outcome, replica_id, count)
SELECT k.organization_id, k.id, m, o.op, 'ALLOWED', '00000000-0000-4000-8000-000000000001', 1 + (k.i % 5)
  FROM bench_keys k JOIN bench_ops o ON k.i % o.every = 0,
       generate_series(date_trunc('minute', now()) - interval '47 hours', now(), interval '10 minutes') m;
-- older usage as the roll-up leaves it: hours, and the same counts by day
INSERT INTO key_usage_hours (organization_id, key_id, hour, operation, outcome, count)
SELECT k.organization_id, k.id, h, o.op, 'ALLOWED', 6 * (1 + (k.i % 5))
  FROM bench_keys k JOIN bench_ops o ON k.i % o.every = 0,
       generate_series(date_trunc('hour', now()) - interval '$DAYS days', date_trunc('hour', now()) - interval '48 hours',
                       interval '1 hour') h;
INSERT INTO key_usage_days (organization_id, key_id, day, operation, outcome, count, last_at)
SELECT organization_id, key_id, (hour AT TIME ZONE 'UTC')::date, operation, outcome, sum(count), max(hour)
  FROM key_usage_hours WHERE key_id IN (SELECT id FROM bench_keys) GROUP BY 1, 2, 3, 4, 5;
VACUUM ANALYZE api_keys;
VACUUM ANALYZE key_usage_minutes;
VACUUM ANALYZE key_usage_hours;
VACUUM ANALYZE key_usage_days;
SQL
t1=$(date +%s.%N)
rows() { bench_psql -At -c "SELECT count(*) FROM $1"; }
echo "set-up: $KEYS keys, $(rows key_usage_minutes) minute rows, $(rows key_usage_hours) hour rows, $(rows key_usage_days) day rows in $(python3 -c "print(round($t1-$t0,1))") s"

timed() { # path -> median seconds of RUNS GETs (after one warm-up), and the last body in $work/body.json
  local path=$1 times=()
  curl -sf -o "$work/body.json" "$base$path" -H "Cookie: ks_session=$session" || { echo "GET $path failed" >&2; exit 1; }
  for _ in $(seq 1 "$RUNS"); do
    times+=("$(curl -sf -o "$work/body.json" -w '%{time_total}' "$base$path" -H "Cookie: ks_session=$session")")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
org=$(timed "/api/v1/least-privilege?days=$DAYS&limit=1000")
python3 - "$work/body.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"organization report: {r['keysAnalysed']} keys analysed, {r['keysWithUnusedPermissions']} with unused permissions, "
      f"{r['unusedPermissions']} unused permissions, {len(r['keys'])} listed")
PY
one=$(timed "/api/v1/api-keys/$template/least-privilege?days=$DAYS")
echo "organization report (GET /api/v1/least-privilege, $KEYS keys, $DAYS days): median ${org} s of $RUNS"
echo "one key's report (GET /api/v1/api-keys/{id}/least-privilege): median ${one} s of $RUNS"

# the usage aggregation alone, as the report runs it (minutes + days) and as it would without the day roll-up
org_id=$(bench_psql -At -c "SELECT organization_id FROM api_keys WHERE id = '$template'")
agg() { # table, time column filtered, time column reported
  bench_psql -At <<SQL | awk '/Execution Time/ {print $3}'
EXPLAIN (ANALYZE, FORMAT TEXT) SELECT key_id, operation, sum(count), max(at) FROM (
  SELECT key_id, operation, count, minute AS at FROM key_usage_minutes WHERE organization_id = '$org_id'
     AND minute >= now() - interval '$DAYS days' AND outcome IN ('ALLOWED', 'RATE_LIMITED') AND count > 0
  UNION ALL SELECT key_id, operation, count, $3 FROM $1 WHERE organization_id = '$org_id'
     AND $2 >= (now() - interval '$DAYS days')::date AND outcome IN ('ALLOWED', 'RATE_LIMITED')) u GROUP BY 1, 2;
SQL
}
echo "usage aggregation in PostgreSQL: minutes + days $(agg key_usage_days day last_at) ms; minutes + hours (no day roll-up) $(agg key_usage_hours hour hour) ms"
