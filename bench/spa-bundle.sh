#!/usr/bin/env bash
# Size of the admin SPA's initial load: index.html plus the JS and CSS it loads before any lazy route (the entry
# script, its modulepreloads and stylesheets), each gzip -9, against a 250 KB budget. Lazy chunks are listed apart.
#   bench/spa-bundle.sh            # npm ci if needed, then builds the SPA (types, tsc, vite build)
#   SKIP_BUILD=1 bench/spa-bundle.sh   # measure the last build
set -euo pipefail
cd "$(dirname "$0")/../frontend"
BUDGET_KB=${BUDGET_KB:-250}
if [ -z "${SKIP_BUILD:-}" ]; then
  [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
  npm run build >/dev/null 2>&1 || npm run build
fi
web=target/classes/webroot
[ -f "$web/index.html" ] || { echo "no build in $web" >&2; exit 1; }

gz() { gzip -9 -c "$1" | wc -c; }
# Every asset index.html names: <script src>, <link rel=modulepreload|stylesheet href>.
mapfile -t initial < <(grep -oE '(src|href)="/assets/[^"]+\.(js|css)"' "$web/index.html" | sed -E 's/^(src|href)="\/?//; s/"$//' | sort -u)

total=$(gz "$web/index.html")
printf '%-48s %10s %10s\n' "initial load" "raw B" "gzip B"
printf '%-48s %10d %10d\n' "index.html" "$(wc -c <"$web/index.html")" "$total"
for f in "${initial[@]}"; do
  g=$(gz "$web/$f")
  total=$((total + g))
  printf '%-48s %10d %10d\n' "$f" "$(wc -c <"$web/$f")" "$g"
done
printf '%-48s %10s %10d  (%.1f KB; budget %d KB)\n' "TOTAL initial" "" "$total" "$(echo "$total/1024" | bc -l)" "$BUDGET_KB"

echo
echo "lazy (loaded on first visit of a route):"
lazy=0
for f in "$web"/assets/*.js "$web"/assets/*.css; do
  rel=${f#"$web/"}
  printf '%s\n' "${initial[@]}" | grep -qxF "$rel" && continue
  g=$(gz "$f"); lazy=$((lazy + g))
  printf '  %-46s %10d %10d\n' "$rel" "$(wc -c <"$f")" "$g"
done
printf '  %-46s %10s %10d\n' "total lazy" "" "$lazy"

if [ "$total" -gt $((BUDGET_KB * 1024)) ]; then
  echo "OVER BUDGET: ${total} B > ${BUDGET_KB} KB" >&2
  exit 1
fi
