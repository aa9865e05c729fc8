#!/usr/bin/env bash
# A flood of 1,000,000 distinct well-formed forged keys (valid checksum) through forward-auth, each from a new
# partner address (X-Real-IP from the authenticated gateway), at the chart's default heap, while a set of real keys
# is verified: heap after, whether the real keys' verdicts stayed cached, real-key throughput during ÷ before.
#   bench/keys-flood.sh     # builds the jar if needed; ~5-10 minutes; not part of ./bin/test
# The cache TTL is raised to an hour so that no verdict expires while the bench runs (the chart keeps 300 s).
# Heap: the chart's default memory limit 768Mi x -XX:MaxRAMPercentage=75 = 576 MiB (helm/keysmith/values.yaml).
source "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-10s}
FORGED=${FORGED:-1000000}
REAL=${REAL:-10000}
HEAP=${HEAP:-576m}
GAP=${GAP:-30}                      # seconds of flood alone between two measured windows
FLOOD_TIMEOUT=${FLOOD_TIMEOUT:-900}  # seconds; a slower flood is stopped and reported as partial
need wrk
need psql postgresql-client
secret_b64=$(head -c 32 /dev/urandom | base64)
JAVA_OPTS="-Xmx$HEAP -XX:+ExitOnOutOfMemoryError ${JAVA_OPTS:-}" start_server KEYSMITH_SECRET="v1:$secret_b64" KEYSMITH_KEY_CACHE_TTL_SECONDS=3600
session=$(curl -s -D - -o "$work/me.json" -XPOST "$base/api/v1/signup" -H 'content-type: application/json' \
  -d '{"organizationName":"Flood","firstName":"F","lastName":"Lood","email":"flood@example.com","password":"flood password 123"}' \
  | awk -F'[=;]' 'tolower($0) ~ /^set-cookie: ks_session/ {print $2}')
read -r org owner csrf < <(python3 -c "import json;m=json.load(open('$work/me.json'));print(m['organization']['id'], m['user']['id'], m['csrfToken'])")
gateway=$(curl -s -XPOST "$base/api/v1/api-keys" -H "Cookie: ks_session=$session" -H "X-CSRF-Token: $csrf" \
  -H 'content-type: application/json' -d '{"name":"Gateway","apiType":"VERIFICATION","permissionMode":"INHERIT","rateLimitPerMinute":100000000}' \
  | python3 -c 'import json,sys;print(json.load(sys.stdin)["secret"])')
python3 bench/gen_keys.py "$REAL" "$secret_b64" "$org" "$owner" "$work/rows.tsv" "$work/keys.txt" "$REAL"
bench_psql -c "\\copy api_keys (organization_id, id, owner_user_id, created_by, name, api_type, permission_mode, secret_hash, secret_version, hint, rate_limit_per_minute) FROM '$work/rows.tsv'"
bench_psql -c "ANALYZE api_keys"

metric() { curl -s "http://127.0.0.1:$mport/metrics" | awk -v m="$1" 'index($0, m) == 1 {s += $2} END {printf "%.0f\n", s}'; }
lookups() { echo "$(metric 'keysmith_key_cache_lookups_total{result="hit"') $(metric 'keysmith_key_cache_lookups_total{result="miss"')"; }
live_heap() { jcmd "$server" GC.class_histogram | awk '/^Total/ {printf "%.1f", $3 / 1048576}'; }
# every real key once, nothing else running: the share of real keys whose verdict was still cached
still_cached() {
  local h0 m0 h1 m1
  read -r h0 m0 < <(lookups)
  wrk -t1 -c32 -d3600s -s bench/each-key.lua "$base/api/v1/api-keys/verify" -- "$work/keys.txt" "$gateway" >/dev/null
  read -r h1 m1 < <(lookups)
  # each verify looks up the gateway key and the real key: misses beyond the real keys' are the gateway's
  awk -v m=$((m1 - m0)) -v n="$REAL" 'BEGIN {printf "%.4f", 1 - m / n}'
}
# Hit ratio of the real keys: each verify looks up the gateway key (a hit) and the real key, so real-key lookups are
# half of all lookups and (nearly) every miss is a real key's.
real_run() { # real keys round robin (every key in turn): requests/s and the real keys' hit ratio meanwhile
  local h0 m0 h1 m1 out
  read -r h0 m0 < <(lookups)
  out=$(wrk_checked -t2 -c32 -d"$DURATION" -s bench/zipf.lua "$base/api/v1/api-keys/verify" -- "$work/keys.txt" "$gateway" seq)
  read -r h1 m1 < <(lookups)
  awk -v r="$(awk '/Requests\/sec/ {print $2}' <<<"$out")" -v h=$((h1 - h0)) -v m=$((m1 - m0)) 'BEGIN {printf "%s %.4f\n", r, 1 - m / ((h + m) / 2)}'
}

# warm: every real key once, then the round robin for a while
still_cached >/dev/null
wrk -t2 -c32 -d"${WARMUP:-45s}" -s bench/zipf.lua "$base/api/v1/api-keys/verify" -- "$work/keys.txt" "$gateway" seq >/dev/null
read -r before_rps before_hits < <(real_run)
before_cached=$(still_cached)
heap_before=$(live_heap)

# the flood, in the background; lookups are read just before it starts and just after it ends
read -r fh0 fm0 < <(lookups)
(
  wrk -t1 -c32 -d3600s --timeout 10s -s bench/forge.lua "$base/api/v1/forward-auth" -- "$gateway" "$FORGED" "$work/flood-status.txt" >"$work/flood.out" 2>&1 &
  echo $! >"$work/flood.pid"
  wait
  lookups >"$work/flood-lookups.txt"
) &
flood=$!
flood_start=$(date +%s)
# the real keys stay in use all along (a paced stream, ~100/s per connection), and every GAP seconds a window at
# full speed measures their throughput
wrk -t1 -c4 -d3600s -s bench/paced.lua "$base/api/v1/api-keys/verify" -- "$work/keys.txt" "$gateway" 10 >/dev/null &
paced=$!
during=()
while kill -0 "$flood" 2>/dev/null; do
  if ! kill -0 "$server" 2>/dev/null || [ $(($(date +%s) - flood_start)) -gt "$FLOOD_TIMEOUT" ]; then
    echo "WARNING: server gone or flood over ${FLOOD_TIMEOUT}s: flood stopped early" >&2
    kill "$(cat "$work/flood.pid")" 2>/dev/null; break
  fi
  sleep "$GAP"
  kill -0 "$flood" 2>/dev/null || break
  read -r r h < <(real_run)
  # only windows that ended while the flood still ran count as "during"
  kill -0 "$flood" 2>/dev/null && during+=("$r")
done
wait "$flood"
kill "$paced" 2>/dev/null; wait "$paced" 2>/dev/null || true
flood_seconds=$(($(date +%s) - flood_start))
read -r fh1 fm1 <"$work/flood-lookups.txt" || true
touch "$work/flood-status.txt"
alive=$(curl -sf "$base/health/live" >/dev/null && echo yes || echo "NO (see $work/server.log)")
heap_after=$(live_heap)
after_cached=$(still_cached)
read -r after_rps after_hits < <(real_run)

forged401=$(awk '$1 == "forged" && $2 == 401 {print $3}' "$work/flood-status.txt"); forged401=${forged401:-0}
forged_total=$(awk '$1 == "forged" {s += $3} END {print s + 0}' "$work/flood-status.txt")
during_rps=$(printf '%s\n' "${during[@]:-0}" | awk '{s += $1; n++} END {printf "%.0f", n ? s / n : 0}')
echo
echo "heap -Xmx$HEAP; $REAL real keys verified round robin (wrk -t2 -c32 -d$DURATION windows; during the flood every ${GAP}s, over a paced stream); flood: wrk -t1 -c32 forward-auth"
echo "flood: $forged_total of $FORGED forged keys answered in ${flood_seconds}s (status file every 1,000); by status: $(awk '$1 == "forged" {printf "%s x%s ", $2, $3}' "$work/flood-status.txt")"
echo "server alive after the flood: $alive"
printf 'live heap (after a full GC): %s MiB before the flood, %s MiB after\n' "$heap_before" "$heap_after"
printf 'real keys before: %.0f requests/s, hit ratio %s, still cached %s\n' "$before_rps" "$before_hits" "$before_cached"
printf 'real keys during: %.0f requests/s (mean of %d windows of %s: %s)\n' "$during_rps" "${#during[@]}" "$DURATION" "${during[*]:-}"
# during the flood: a forward-auth call looks up the gateway key (a hit) and, unless throttled (429), its forged key
# (a miss: each is new); what remains are the real keys' lookups (half of them the gateway key's, see real_run)
awk -v h=$((fh1 - fh0)) -v m=$((fm1 - fm0)) -v f="$forged401" -v t="$forged_total" \
  'BEGIN {r = (h + m - t - f) / 2; printf "real keys during: hit ratio %.4f (%d real-key lookups, %d of them misses; %d hits, %d misses in all, %d forged lookups)\n", 1 - (m - f) / r, r, m - f, h, m, f}'
printf 'real keys after:  %.0f requests/s, hit ratio %s, still cached %s\n' "$after_rps" "$after_hits" "$after_cached"
awk -v d="$during_rps" -v b="$before_rps" 'BEGIN {printf "\nratio real-key throughput during flood / before: %.2f\n", d / b}'
echo "heap after flood: $heap_after MiB (live, -Xmx$HEAP)"
echo "real verdicts still cached after the flood: $after_cached (before: $before_cached)"
