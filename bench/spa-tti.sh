#!/usr/bin/env bash
# Time to interactive of the API Management page with 1,000 keys: the packaged jar on a fresh embedded PostgreSQL,
# a new organization, 1,000 keys created through the API, then bench/spa-tti.mjs in headless Chromium (median of 5).
#   bench/spa-tti.sh      # needs backend/target/keysmith.jar (built if missing) and frontend/node_modules
source "$(dirname "$0")/lib.sh"
KEYS=${KEYS:-1000}
LOADS=${LOADS:-5}
[ -d frontend/node_modules/playwright-core ] || (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
start_server

session=$(curl -sf -D - -o "$work/me.json" -XPOST "$base/api/v1/signup" -H 'content-type: application/json' \
  -d '{"organizationName":"Bench","firstName":"Bea","lastName":"Nch","email":"bench@example.com","password":"bench password 123"}' |
  awk -F'[=;]' 'tolower($0) ~ /^set-cookie: ks_session=/ {print $2}')
csrf=$(python3 -c "import json;print(json.load(open('$work/me.json'))['csrfToken'])")
[ -n "$session" ] && [ -n "$csrf" ] || { echo "sign-up failed" >&2; exit 1; }

start=$(date +%s.%N)
seq 1 "$KEYS" | xargs -P 4 -I{} curl -sf -o /dev/null -XPOST "$base/api/v1/api-keys" \
  -H "Cookie: ks_session=$session" -H "X-CSRF-Token: $csrf" -H 'content-type: application/json' \
  -d '{"name":"Bench key {}","apiType":"PEOPLE","permissionMode":"INHERIT"}'
count=$(curl -sf "$base/api/v1/organization/api-keys?limit=200" -H "Cookie: ks_session=$session" |
  python3 -c 'import json,sys;print(len(json.load(sys.stdin)["items"]))')
printf 'created %d keys in %.1f s (first page of the list: %d)\n' "$KEYS" "$(echo "$(date +%s.%N) - $start" | bc)" "$count"

# The page's API calls on their own (median of 5, curl): what the page waits for after its script runs.
api_ms() {
  for _ in 1 2 3 4 5; do curl -sf -o /dev/null -w '%{time_total}\n' "$base$1" -H "Cookie: ks_session=$session"; done |
    sort -n | sed -n 3p | awk '{printf "%.1f ms", $1*1000}'
}
echo "API, median of 5: /me $(api_ms /api/v1/me); first page of 50 keys $(api_ms '/api/v1/organization/api-keys?limit=50');" \
  "api-types $(api_ms /api/v1/api-types); partners $(api_ms /api/v1/partners); users $(api_ms '/api/v1/users?limit=200')"

node bench/spa-tti.mjs "$base" "$session" "$LOADS"
