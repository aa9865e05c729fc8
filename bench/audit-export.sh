#!/usr/bin/env bash
# GET /api/v1/audit-events/export (streamed CSV) of 100,000 events: wall time and the server's peak heap in use,
# once read at full speed and once by a client limited to 2 MB/s (backpressure: the cursor pauses, the heap stays
# flat). The server runs with a small heap (JAVA_OPTS, default -Xmx128m) so that buffering the whole result would show.
#   bench/audit-export.sh    # builds the jar if needed; ~1 minute. EVENTS=... to change the count.
# Figures are noisy on a shared machine: report them as such.
source "$(dirname "$0")/lib.sh"
EVENTS=${EVENTS:-100000}
export JAVA_OPTS=${JAVA_OPTS:--Xmx128m}
need psql postgresql-client
start_server
cookie=$(curl -s -D - -o /dev/null -XPOST "$base/api/v1/signup" -H 'content-type: application/json' \
  -d '{"organizationName":"Bench","firstName":"Ada","lastName":"Lovelace","email":"bench@example.com","password":"bench password 123"}' \
  | awk -F'[=;]' 'tolower($0) ~ /^set-cookie: ks_session/ {print $2}')
sql() { bench_psql -c "$1" >/dev/null; }
sql "INSERT INTO audit_events (organization_id, occurred_at, actor_user_id, action, target_type, target_id,
                               source_address, details)
     SELECT o.id, now() - make_interval(secs => $EVENTS - g), u.id, 'api-key.updated', 'api-key', u.id::text,
            '203.0.113.' || (g % 250), '{\"change\":{\"fields\":[\"description\",\"name\"]}}'::jsonb
       FROM organizations o JOIN users u ON u.organization_id = o.id, generate_series(1, $EVENTS) g
      WHERE o.name = 'Bench'"
sql "ANALYZE audit_events"
url="$base/api/v1/audit-events/export?action=api-key.updated"

# heap in use (KB: survivor + eden + old), sampled every 50 ms while $1 runs; prints the peak
peak_heap() {
  local samples="$work/jstat-$RANDOM"
  jstat -gc "$server" 50 >"$samples" &
  local sampler=$!
  "$@"
  kill "$sampler"; wait "$sampler" 2>/dev/null || true
  awk 'NR > 1 && $1 ~ /^[0-9.]+$/ {u = $3 + $4 + $6 + $8; if (u > m) m = u} END {printf "%.1f", m / 1024}' "$samples"
}
export_once() { # curl args...
  curl -sf -o "$work/out.csv" -w '%{time_total}' -H "Cookie: ks_session=$cookie" "$@" "$url" >"$work/time"
}
jcmd "$server" GC.run >/dev/null
idle=$(jstat -gc "$server" | awk 'NR == 2 {printf "%.1f", ($3 + $4 + $6 + $8) / 1024}')
export_once >/dev/null  # warm-up (JIT, plans)
jcmd "$server" GC.run >/dev/null
fast_peak=$(peak_heap export_once); fast_time=$(cat "$work/time")
rows=$(($(wc -l <"$work/out.csv") - 1)); bytes=$(wc -c <"$work/out.csv")
[ "$rows" -eq "$EVENTS" ] || { echo "expected $EVENTS rows, got $rows" >&2; exit 1; }
jcmd "$server" GC.run >/dev/null
slow_peak=$(peak_heap export_once --limit-rate 2M); slow_time=$(cat "$work/time")
echo
printf 'audit CSV export of %s events (%s bytes), server %s, noisy shared machine\n' "$EVENTS" "$bytes" "$JAVA_OPTS"
printf '  heap in use, idle after GC:            %8s MiB\n' "$idle"
printf '  full speed:        %6.2f s   peak heap in use %8s MiB\n' "$fast_time" "$fast_peak"
printf '  client at 2 MB/s:  %6.2f s   peak heap in use %8s MiB\n' "$slow_time" "$slow_peak"
