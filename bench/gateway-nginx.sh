#!/usr/bin/env bash
# Debian's nginx (auth_request, 2 worker processes) in front of a trivial upstream (nginx itself answering 200 on
# another port): partner requests/s with Keysmith's forward-auth as the auth location ÷ with an auth location that
# answers 200 at once; same nginx, same run (no-op, forward-auth, no-op again).
#   bench/gateway-nginx.sh     # builds the jar if needed; ~2 minutes
# KEEPALIVE=0 proxies to Keysmith without upstream keep-alive (a new connection per subrequest, like the README's
# plain snippet); the default keeps connections to both upstreams open, the same for both auth locations.
source "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
KEEPALIVE=${KEEPALIVE:-1}
need wrk
need nginx
start_server -- --demo
pw=$(cat "$work/data/demo-password")
session=$(curl -s -D - -o "$work/me.json" -XPOST "$base/api/v1/session" -H 'content-type: application/json' \
  -d "{\"email\":\"owner@demo.keysmith.dev\",\"password\":\"$pw\"}" | awk -F'[=;]' 'tolower($0) ~ /^set-cookie: ks_session/ {print $2}')
csrf=$(python3 -c "import json;print(json.load(open('$work/me.json'))['me']['csrfToken'])")
mk() { curl -s -XPOST "$base/api/v1/api-keys" -H "Cookie: ks_session=$session" -H "X-CSRF-Token: $csrf" \
  -H 'content-type: application/json' -d "$1" | python3 -c 'import json,sys;print(json.load(sys.stdin)["secret"])'; }
gateway=$(mk '{"name":"Gateway","apiType":"VERIFICATION","permissionMode":"INHERIT","rateLimitPerMinute":100000000}')
partner=$(mk '{"name":"Partner","apiType":"PEOPLE","permissionMode":"INHERIT","rateLimitPerMinute":100000000}')

upstream=$(free_port); protected=$(free_port); noop=$(free_port)
mkdir -p "$work/nginx/logs"
if [ "$KEEPALIVE" = 1 ]; then
  keysmith_pass="http://keysmith/api/v1/forward-auth"; upstream_pass="http://partner"
  keep='proxy_http_version 1.1; proxy_set_header Connection "";'
else
  keysmith_pass="http://127.0.0.1:$port/api/v1/forward-auth"; upstream_pass="http://127.0.0.1:$upstream"; keep=""
fi
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  upstream keysmith { server 127.0.0.1:$port; keepalive 64; }
  upstream partner { server 127.0.0.1:$upstream; keepalive 64; }
  # the trivial protected upstream, the same for both auth locations
  server {
    listen 127.0.0.1:$upstream;
    location / { return 200 "ok\n"; }
  }
  # Keysmith's forward-auth: the auth location of docs/gateway/nginx-keysmith.conf (plus keep-alive when KEEPALIVE=1);
  # the protected location keeps one auth_request_set and no error_page mapping, the same as the no-op server below
  server {
    listen 127.0.0.1:$protected;
    location = /_keysmith {
      internal;
      proxy_pass              $keysmith_pass;
      $keep
      proxy_pass_request_body off;
      proxy_set_header        Content-Length "";
      proxy_set_header        Authorization \$http_authorization;
      proxy_set_header        X-Original-Method \$request_method;
      proxy_set_header        X-Original-URI \$request_uri;
      proxy_set_header        X-Real-IP \$remote_addr;
      proxy_set_header        X-Keysmith-Gateway-Key "$gateway";
      proxy_set_header        X-Keysmith-Gateway-Mode auth-request;
    }
    location / {
      auth_request            /_keysmith;
      auth_request_set        \$keysmith_org \$upstream_http_x_keysmith_organization_id;
      proxy_set_header        X-Organization-Id \$keysmith_org;
      proxy_pass              $upstream_pass;
      $keep
    }
  }
  # an auth location that answers 200 at once
  server {
    listen 127.0.0.1:$noop;
    location = /_noop { internal; return 200; }
    location / {
      auth_request            /_noop;
      auth_request_set        \$keysmith_org \$upstream_http_x_keysmith_organization_id;
      proxy_set_header        X-Organization-Id \$keysmith_org;
      proxy_pass              $upstream_pass;
      $keep
    }
  }
}
CONF
nginx -t -q -c "$work/nginx/nginx.conf" -p "$work/nginx"
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx"
trap 'kill $(cat "$work/nginx/nginx.pid" 2>/dev/null) 2>/dev/null; kill $_servers 2>/dev/null; wait $_servers 2>/dev/null || true; rm -rf $_works' EXIT
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$noop/" && break; sleep 0.1; done

uri="/api/v1/people?limit=50"
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[ "$(status -H "Authorization: Bearer $partner" "http://127.0.0.1:$protected$uri")" = 200 ] \
  || { echo "the partner key does not pass Keysmith's forward-auth through nginx" >&2; exit 1; }
[ "$(status "http://127.0.0.1:$protected$uri")" = 401 ] || { echo "a request without a key is not refused" >&2; exit 1; }
rps() { awk '/Requests\/sec/ {print $2}'; }
run() { wrk_checked -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $partner" "http://127.0.0.1:$1$uri"; }
wrk -t2 -c"$CONNECTIONS" -d5s -H "Authorization: Bearer $partner" "http://127.0.0.1:$noop$uri" >/dev/null
wrk -t2 -c"$CONNECTIONS" -d"${WARMUP:-20s}" -H "Authorization: Bearer $partner" "http://127.0.0.1:$protected$uri" >/dev/null
noop1=$(run "$noop" | rps)
fa=$(run "$protected" | rps)
noop2=$(run "$noop" | rps)

echo
echo "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), 2 worker processes, keep-alive to the upstreams: $KEEPALIVE; wrk -t2 -c$CONNECTIONS -d$DURATION"
printf '%-52s %10.0f requests/s\n' "partner GET via nginx, auth location answers 200" "$noop1"
printf '%-52s %10.0f requests/s\n' "partner GET via nginx, Keysmith forward-auth" "$fa"
printf '%-52s %10.0f requests/s\n' "partner GET via nginx, auth location answers 200 (again)" "$noop2"
awk -v a="$fa" -v b="$noop1" -v c="$noop2" 'BEGIN {printf "\nratio nginx forward-auth/noop-auth: %.2f (no-op = mean of the runs before and after)\n", a / ((b + c) / 2)}'
