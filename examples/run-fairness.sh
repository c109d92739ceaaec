#!/usr/bin/env bash
# The fairness benchmark (what `./coio bench --fairness` runs after the echo tables):
#
#   run-fairness.sh AGENT_JAR EXAMPLES_JAR [--quick] [--servers tomcat,jdkhttp] [--modes none,coio1,...]
#
# A light HTTP load (wrk -t1 -c20 on GET /hello) against an unmodified server while two clients loop CPU-bound
# requests (GET /cpu?ms=300: 300 ms of computation each, one at a time per client); first the light load alone,
# then with the CPU load. Servers: embedded Tomcat 11 (NIO connector, 200 workers) and the JDK's HttpServer on a
# fixed pool of 200 threads. Modes, each a fresh server JVM:
#   none           no agent
#   coio1 / coio2  -javaagent=carriers=1 / carriers=2 (defaults: 20 ms busy time slice, work stealing on)
#   coio1-old      carriers=1,slicems=0: busy runs moved after blockedms (100 ms) as before the time slice
#   coio2-nosteal  carriers=2,steal=false
# Prints a Markdown table: light-load requests/s alone, requests/s and p99 with the CPU load, CPU requests done.
# The machine is shared: compare ratios of one run. FAIR_SECONDS sets the seconds per wrk run (default 8, quick 3).
# SERVER_JAVA_OPTS adds JVM flags to every server.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/common.sh
. "$HERE/scripts/common.sh"

usage() { sed -n '4p' "$0" | sed 's/^# *//' >&2; exit 2; }
[ $# -ge 2 ] || usage
AGENT_JAR=$1 EXAMPLES_JAR=$2; shift 2
QUICK=false SERVERS=tomcat,jdkhttp MODES=none,coio1,coio2,coio1-old,coio2-nosteal
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=true; shift ;;
    --servers) SERVERS=${2:?}; shift 2 ;;
    --modes) MODES=${2:?}; shift 2 ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
SECS=${FAIR_SECONDS:-$($QUICK && echo 3 || echo 8)}
CPU_MS=300 CPU_CLIENTS=2 LIGHT_CONNECTIONS=20

check_java
check_examples_jar
check_agent_jar "$AGENT_JAR" "$0 $AGENT_JAR $EXAMPLES_JAR --modes none"
if ! command -v wrk >/dev/null 2>&1; then
  echo "wrk is missing; installing Debian package 'wrk'" >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq wrk >/dev/null; fi
  command -v wrk >/dev/null 2>&1 || die "could not install wrk; install it by hand and re-run."
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/coio-fair.XXXXXX")
trap 'cleanup_servers; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

agent_opts() {
  case "$1" in
    none) ;;
    coio1) echo "-javaagent:$AGENT_JAR=carriers=1,stats=true" ;;
    coio2) echo "-javaagent:$AGENT_JAR=carriers=2,stats=true" ;;
    coio1-old) echo "-javaagent:$AGENT_JAR=carriers=1,stats=true,slicems=0" ;;
    coio2-nosteal) echo "-javaagent:$AGENT_JAR=carriers=2,stats=true,steal=false" ;;
    *) die "unknown mode '$1' (known: none, coio1, coio2, coio1-old, coio2-nosteal)" ;;
  esac
}
main_class() {
  case "$1" in
    tomcat) echo io.coio.examples.fair.TomcatServer ;;
    jdkhttp) echo io.coio.examples.fair.JdkHttpServer ;;
    *) die "unknown server '$1' (known: tomcat, jdkhttp)" ;;
  esac
}

# wrk_run <file> <seconds>: the light load; wrk's output (with --latency percentiles) saved.
wrk_run() {
  timeout --kill-after=5 $(( $2 + 30 )) wrk -t1 -c"$LIGHT_CONNECTIONS" -d"$2"s --timeout 10s --latency \
    "http://127.0.0.1:$SERVER_PORT/hello" >"$1" 2>&1 || true
}
rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$1" | head -1 | awk '{ printf "%d", $1 }'; }
p99_ms() { # wrk prints "99%  12.34ms" (or us / s)
  sed -n 's/^ *99% *\([0-9.]*\)\([a-z]*\).*/\1 \2/p' "$1" | head -1 \
    | awk '{ v = $1; if ($2 == "us") v /= 1000; else if ($2 == "s") v *= 1000; else if ($2 == "m") v *= 60000; printf "%.1f", v }'
}
errors_of() { sed -n 's/^ *Socket errors: *\(.*\)/\1/p' "$1" | head -1; }

echo "coio fairness benchmark ($($QUICK && echo quick || echo full)): servers $SERVERS, modes $MODES, ${SECS} s per load;" \
  "java $(java -version 2>&1 | head -1); $(nproc) CPUs; $(date -u '+%F %H:%M UTC')"
ROWS=()
for server in ${SERVERS//,/ }; do
  for mode in ${MODES//,/ }; do
    tag="$server-$mode"
    echo "== $tag"
    # shellcheck disable=SC2046
    if ! start_server "$tag" ${SERVER_JAVA_OPTS:-} $(agent_opts "$mode") -cp "$EXAMPLES_JAR" "$(main_class "$server")" 0; then
      ROWS+=("| $server | $mode | failed to start | | | | |")
      continue
    fi
    wrk_run "$WORK/$tag.warm" 2
    wrk_run "$WORK/$tag.alone" "$SECS"
    timeout $(( SECS + 90 )) java -cp "$EXAMPLES_JAR" io.coio.examples.fair.CpuRequests "$SERVER_PORT" "$CPU_CLIENTS" \
      "$CPU_MS" $(( SECS + 2 )) >"$WORK/$tag.cpu" 2>&1 &
    cpu_pid=$!
    sleep 1 # both CPU requests in flight before the light load starts
    wrk_run "$WORK/$tag.mixed" "$SECS"
    wait "$cpu_pid" || true
    stop_server
    cpu_done=$(sed -n 's/^cpu_requests=\([0-9]*\).*/\1/p' "$WORK/$tag.cpu" | head -1)
    stats=$( (grep -h '^coio stats:' "$WORK/$tag.err" 2>/dev/null || true) \
      | sed -n 's/.*busyHandOffs=\([0-9]*\).*stolen=\([0-9]*\).*/\1 \2/p' \
      | awk '{ b += $1; s += $2 } END { if (NR) printf "busy hand-offs %d, stolen %d", b, s }')
    err=$(errors_of "$WORK/$tag.mixed")
    ROWS+=("| $server | $mode | $(rps "$WORK/$tag.alone") | $(rps "$WORK/$tag.mixed") | $(p99_ms "$WORK/$tag.mixed") | ${cpu_done:-failed} | ${stats:-}${err:+; wrk socket errors: $err} |")
    echo "${ROWS[-1]}"
  done
done

echo
echo "## Fairness: light HTTP load while two clients loop ${CPU_MS} ms CPU-bound requests"
echo
echo "| server | mode | light req/s alone | light req/s with CPU load | light p99 ms with CPU load | CPU requests done | coio counters |"
echo "|---|---|---:|---:|---:|---:|---|"
printf '%s\n' "${ROWS[@]}"
echo
echo "wrk -t1 -c$LIGHT_CONNECTIONS -d${SECS}s on GET /hello; $CPU_CLIENTS keep-alive clients looping GET /cpu?ms=$CPU_MS" \
  "(io.coio.examples.fair.CpuRequests); one fresh server JVM per row."
