#!/usr/bin/env bash
# Webhooks (issue 19): commit-to-receiver latency p50/p99 of single events, deliveries per second from one replica
# (10,000 events committed at once), and kill -9 of the server while it delivers 10,000 events: events lost (must
# be 0) and duplicates delivered (at least once: counted). The receiver is a local Python server on loopback
# (allowed by KEYSMITH_WEBHOOKS_ALLOW_*); events are committed straight into audit_events (the outbox trigger queues
# them exactly as for an API change).
#   bench/webhooks.sh        # builds the jar if needed; ~2 minutes. EVENTS=... SINGLES=... to change the counts.
# Figures are noisy on a shared machine: report them as such.
source "$(dirname "$0")/lib.sh"
EVENTS=${EVENTS:-10000}
SINGLES=${SINGLES:-200}
need psql postgresql-client
WH_ENV=(KEYSMITH_WEBHOOKS_ALLOW_HTTP=true KEYSMITH_WEBHOOKS_ALLOW_PRIVATE=true KEYSMITH_WEBHOOKS_RETRY_BASE_MILLIS=200
        KEYSMITH_WEBHOOKS_RETRY_CAP_MILLIS=1000 KEYSMITH_WEBHOOKS_REQUEST_TIMEOUT_MILLIS=2000)
start_server "${WH_ENV[@]}"
data="$work/data"
rport=$(free_port)
received="$work/received.txt"
python3 bench/webhook_receiver.py "$rport" "$received" &
receiver=$!
trap 'kill $receiver $_servers 2>/dev/null; wait $_servers 2>/dev/null || true; rm -rf $_works' EXIT
cookie_and_csrf() {
  curl -s -D "$work/h" -o "$work/me.json" -XPOST "$base/api/v1/signup" -H 'content-type: application/json' \
    -d '{"organizationName":"Bench","firstName":"Ada","lastName":"Lovelace","email":"bench@example.com","password":"bench password 123"}'
  cookie=$(awk -F'[=;]' 'tolower($0) ~ /^set-cookie: ks_session/ {print $2}' "$work/h")
  csrf=$(python3 -c 'import json,sys;d=json.load(open(sys.argv[1]));print(d.get("me",d)["csrfToken"])' "$work/me.json")
}
cookie_and_csrf
curl -sf -o /dev/null -XPOST "$base/api/v1/webhook-endpoints" -H "Cookie: ks_session=$cookie" -H "X-CSRF-Token: $csrf" \
  -H 'content-type: application/json' \
  -d "{\"url\":\"http://127.0.0.1:$rport/hook\",\"eventTypes\":[\"api-key.created\",\"api-key.updated\"]}"
org=$(bench_psql -At -c "SELECT id FROM organizations WHERE name = 'Bench'")
insert() { # count action
  bench_psql -c "INSERT INTO audit_events (organization_id, actor_label, action, target_type, target_id)
                 SELECT '$org', 'bench', '$2', 'api-key', 'bench-' || g FROM generate_series(1, $1) g" >/dev/null
}
wait_for() { # lines
  for _ in $(seq 1 3000); do [ "$(wc -l <"$received")" -ge "$1" ] && return 0; sleep 0.1; done
  return 1
}

# 1. latency: one event per commit, one at a time; receive time minus the event's timestamp (its commit, within ms)
for i in $(seq 1 "$SINGLES"); do insert 1 api-key.updated; wait_for "$i"; done
python3 - "$received" <<'PY'
import sys, datetime
lat = []
for line in open(sys.argv[1]):
    ms, _id, ts = line.split()
    t = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp() * 1000
    lat.append(float(ms) - t)
lat.sort()
print(f"commit-to-receiver over {len(lat)} single events: p50 {lat[len(lat)//2]:.1f} ms, p99 {lat[int(len(lat)*0.99)-1]:.1f} ms")
PY
: >"$received"

# 2. throughput: EVENTS committed at once, time until the last arrives
t0=$(date +%s.%N)
insert "$EVENTS" api-key.created
wait_for "$EVENTS"
t1=$(date +%s.%N)
python3 -c "print(f'deliveries/s (one replica, {$EVENTS} events): {$EVENTS/($t1-$t0):.0f} in {$t1-$t0:.1f} s')"
: >"$received"

# 3. kill -9 mid-delivery, restart on the same data, count lost and duplicates
insert "$EVENTS" api-key.created
wait_for $((EVENTS / 3))
kill -9 "$server"; wait "$server" 2>/dev/null || true
at_kill=$(wc -l <"$received")
(cd "$work" && exec env KEYSMITH_DATA_DIR="$data" KEYSMITH_HTTP_PORT="$port" KEYSMITH_MANAGEMENT_PORT="$mport" \
  KEYSMITH_HTTP_HOST=127.0.0.1 "${WH_ENV[@]}" java ${JAVA_OPTS:-} -jar "$(realpath "$JAR")" >>"$work/server2.log" 2>&1) &
server=$!; _servers="$_servers $server"
for _ in $(seq 1 1800); do curl -sf "$base/health/ready" >/dev/null && break; sleep 0.1; done
for _ in $(seq 1 1200); do
  [ "$(awk '{print $2}' "$received" | sort -u | wc -l)" -ge "$EVENTS" ] && break; sleep 0.1
done
sleep 2
total=$(wc -l <"$received")
distinct=$(awk '{print $2}' "$received" | sort -u | wc -l)
echo "kill -9 during delivery of $EVENTS events: received $at_kill before the kill; after restart: lost $((EVENTS - distinct)), duplicates $((total - distinct))"
