#!/usr/bin/env bash
# GET /api/v1/people (a page of 50 of 100,000 records) with row-level security on, as a ratio to the same endpoint
# with RLS disabled on the tables the request reads (a benchmark-only setting), taken in one run.
#   bench/people-rls.sh     # builds the jar if needed, starts a server on a fresh embedded PostgreSQL
source "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-10s}
need wrk
need psql postgresql-client
start_server
cookie=$(curl -s -D - -o /dev/null -XPOST "$base/api/v1/signup" -H 'content-type: application/json' \
  -d '{"organizationName":"Bench","firstName":"B","lastName":"Ench","email":"bench@example.com","password":"bench password 123"}' \
  | awk -F'[=;]' 'tolower($0) ~ /^set-cookie: ks_session/ {print $2}')
sql() { bench_psql -c "$1" >/dev/null; }
# 100,000 people in the benchmark organization, 1,000 in another (so the filter has something to skip)
sql "INSERT INTO people (organization_id, first_name, last_name, department, salary)
     SELECT o.id, 'First' || g, 'Last' || lpad(g::text, 6, '0'), 'Dept' || (g % 20), 50000 + g
       FROM organizations o, generate_series(1, 100000) g WHERE o.name = 'Bench'"
sql "SELECT ks_create_organization('Other')"
sql "INSERT INTO people (organization_id, first_name, last_name) SELECT o.id, 'Other', 'Person' || g FROM organizations o, generate_series(1, 1000) g WHERE o.name = 'Other'"
sql "ANALYZE"
url="$base/api/v1/people?limit=50"
curl -sf -H "Cookie: ks_session=$cookie" "$url" | python3 -c 'import json,sys; assert len(json.load(sys.stdin)["items"]) == 50'

run() { wrk -t2 -c32 -d"$DURATION" -H "Cookie: ks_session=$cookie" "$url" | awk '/Requests\/sec/ {print $2}'; }
tables="people users sessions access_levels organizations"
wrk -t2 -c32 -d5s -H "Cookie: ks_session=$cookie" "$url" >/dev/null   # warm-up
on=$(run)
for t in $tables; do sql "ALTER TABLE $t NO FORCE ROW LEVEL SECURITY; ALTER TABLE $t DISABLE ROW LEVEL SECURITY"; done
off=$(run)
for t in $tables; do sql "ALTER TABLE $t ENABLE ROW LEVEL SECURITY; ALTER TABLE $t FORCE ROW LEVEL SECURITY"; done
on2=$(run)
echo
printf 'GET /api/v1/people?limit=50 (of 100,000), wrk -c32 %s\n' "$DURATION"
printf '  RLS on:            %8.0f requests/s\n' "$on"
printf '  RLS off:           %8.0f requests/s\n' "$off"
printf '  RLS on (again):    %8.0f requests/s\n' "$on2"
awk -v a="$on" -v b="$on2" -v c="$off" 'BEGIN {printf "ratio RLS on / off: %.2f (mean of the two RLS-on runs)\n", (a+b)/2/c}'
