#!/usr/bin/env bash
# Two jars back to back in one run, for the ratios of issue 12 item 5 (a noisy machine moves absolute figures between
# runs minutes apart; compare ratios, each taken within one run of one jar).
#   bench/compare.sh JAR_BEFORE JAR_AFTER          # interleaved.sh, keys.sh, gateway-nginx.sh: ~17 min (quiet)
#   FULL=1 bench/compare.sh JAR_BEFORE JAR_AFTER   # + keys-churn.sh and keys-scale.sh, smaller: ~+15 min
# interleaved.sh first (both servers at once, alternating 5 s windows: the least noisy ratios), then each script
# once per jar, order A B, then B A (and A B again with FULL), so a drift of the machine does not favour one jar. Every script's
# full output is kept in $OUT (default a new temp directory); the summary prints the ratio and allocation lines.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: $0 JAR_BEFORE JAR_AFTER" >&2; exit 2; }
before=$(realpath "$1"); after=$(realpath "$2")
OUT=${OUT:-$(mktemp -d /tmp/keysmith-compare.XXXX)}; mkdir -p "$OUT"
start=$(date +%s)
run() { # label jar script [ENV=VALUE...]
  local label=$1 jar=$2 script=$3; shift 3
  echo "== $(date -u +%H:%M:%S) $script with $label (load $(cut -d' ' -f1 /proc/loadavg))" >&2
  env JAR="$jar" "$@" "bench/$script" >"$OUT/$label.$script.txt" 2>&1 || echo "WARNING: $script with $label failed" >&2
}
echo "== $(date -u +%H:%M:%S) interleaved.sh (load $(cut -d' ' -f1 /proc/loadavg))" >&2
bench/interleaved.sh "$before" "$after" >"$OUT/interleaved.txt" 2>&1 || echo "WARNING: interleaved.sh failed" >&2
run before "$before" keys.sh
run after "$after" keys.sh
run after "$after" gateway-nginx.sh
run before "$before" gateway-nginx.sh
if [ "${FULL:-0}" = 1 ]; then
  run before "$before" keys-churn.sh KEYS="${CHURN_KEYS:-50000}"
  run after "$after" keys-churn.sh KEYS="${CHURN_KEYS:-50000}"
  run after "$after" keys-scale.sh STORED="${SCALE_STORED:-200000}" DISTINCT="${SCALE_DISTINCT:-20000}" WARMUP=30s
  run before "$before" keys-scale.sh STORED="${SCALE_STORED:-200000}" DISTINCT="${SCALE_DISTINCT:-20000}" WARMUP=30s
fi
echo
echo "before: $before"
echo "after:  $after"
echo "outputs in $OUT; $(( ($(date +%s) - start) / 60 )) min"
echo
echo "-- interleaved.sh (A = before, B = after)"
grep -E '^(A|B|[0-9]+ rounds)|WARNING' "$OUT/interleaved.txt" || true
for script in keys.sh gateway-nginx.sh keys-churn.sh keys-scale.sh; do
  for label in before after; do
    f="$OUT/$label.$script.txt"
    [ -f "$f" ] || continue
    echo
    echo "-- $script, $label"
    grep -E '^(ratio|alloc|p99 at half|heap held|GET /health/live |POST /api/v1/api-keys/verify, cached|GET /api/v1/forward-auth, cached|partner GET|verify, |[0-9,]+ keys stored)|WARNING' "$f" || true
  done
done
