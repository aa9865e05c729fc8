# Shared by the bench scripts: tools, the jar, and a server on a fresh embedded PostgreSQL.
# After `start_server [ENV=VALUE...] [-- server args]`: $base, $port, $mport, $work (temp dir), $server (pid) of the
# server just started; call it again for another server (all are stopped on exit).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
JAR=${JAR:-backend/target/keysmith.jar}

need() { # command [debian package]
  command -v "$1" >/dev/null || { apt-get update -qq && apt-get install -y -qq "${2:-$1}" >/dev/null; }
}

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("",0));print(s.getsockname()[1])'; }

start_server() {
  [ -f "$JAR" ] || mvn -q -DskipTests package
  work=$(mktemp -d)
  port=$(free_port)
  mport=$(free_port)
  local env=() args=()
  while [ $# -gt 0 ]; do
    if [ "$1" = "--" ]; then shift; args=("$@"); break; fi
    env+=("$1"); shift
  done
  # started in its own directory: Vert.x resolves openapi.yaml in the working directory before the classpath, so an
  # older jar started from this checkout would load today's contract instead of its own (and refuse to start)
  local jar; jar=$(realpath "$JAR")
  (cd "$work" && exec env KEYSMITH_DATA_DIR="$work/data" KEYSMITH_HTTP_PORT="$port" KEYSMITH_MANAGEMENT_PORT="$mport" \
    KEYSMITH_HTTP_HOST=127.0.0.1 "${env[@]}" java ${JAVA_OPTS:-} -jar "$jar" "${args[@]}" >"$work/server.log" 2>&1) &
  server=$!
  # several servers may run at once (one per configuration): stop them all on exit
  _servers="${_servers:-} $server"; _works="${_works:-} $work"
  trap 'kill $_servers 2>/dev/null; wait $_servers 2>/dev/null || true; rm -rf $_works' EXIT
  for _ in $(seq 1 1800); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.1; done  # a loaded machine: up to ~3 min
  base="http://127.0.0.1:$port"
}

# psql as the embedded database's superuser (benchmark set-up only)
bench_psql() {
  PGPASSWORD=$(cat "$work/data/postgres.password") psql -q -h 127.0.0.1 -p "$(cat "$work/data/postgres.port")" -U postgres keysmith "$@"
}

# wrk, with a loud note when some answers were not 2xx (a 429 or 401 is cheaper than the work being measured)
wrk_checked() {
  local out
  out=$(wrk "$@")
  printf '%s\n' "$out"
  if grep -q 'Non-2xx or 3xx responses' <<<"$out"; then
    echo "WARNING: $(grep 'Non-2xx or 3xx responses' <<<"$out" | xargs) of $(awk '/requests in/ {print $1}' <<<"$out") for wrk $*" >&2
  fi
}

# Bytes the server allocated per request (all its threads, JFR jdk.ThreadAllocationStatistics at the start and end
# of a recording around one wrk run), e.g. `allocated_per_request -s script.lua URL`; wrk runs -t2 -c32 for
# ${ALLOC_DURATION:-5s}. JFR's own allocation and the idle server's background work are included (both are small).
allocated_per_request() {
  local jfr="$work/alloc-$RANDOM.jfr" out n
  jcmd "$server" JFR.start name=bench-alloc settings="$PWD/bench/alloc.jfc" filename="$jfr" >/dev/null
  out=$(wrk -t2 -c32 -d"${ALLOC_DURATION:-5s}" "$@")
  jcmd "$server" JFR.stop name=bench-alloc >/dev/null
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  python3 bench/jfr_alloc.py "$jfr" "$n"
}

# p99 (ms) and achieved rate of `hey` holding a fixed rate: fixed_rate RATE_PER_S DURATION [hey args...] URL
# (32 workers, each -q RATE/32; hey, not wrk, because wrk cannot hold a rate)
fixed_rate() {
  local rate=$1 duration=$2; shift 2
  local q=$(( rate / 32 > 0 ? rate / 32 : 1 ))
  hey -z "$duration" -c 32 -q "$q" "$@" | awk '/Requests\/sec/ {r=$2} /99% in/ {p=$3*1000} END {printf "%.2f %.0f\n", p, r}'
}
