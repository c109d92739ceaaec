#!/usr/bin/env bash
# The coio quick start (what `./coio demo` runs after building):
#
#   run-demo.sh AGENT_JAR EXAMPLES_JAR [-c CONNECTIONS] [-r ROUND_TRIPS] [--skip-agent]
#
# 1. starts the unmodified thread-per-connection EchoServer under the agent
#    (java -javaagent:AGENT_JAR=carriers=2), loads it with 2,000 connections x 20 verified round trips,
#    and reports the server's OS thread count;
# 2. for contrast runs the same server without the agent under the same load;
# 3. prints both side by side.
# --skip-agent runs only step 2 (for when the agent is not built). Servers are killed on exit; every
# step is bounded in time. Uses the `java` on PATH (JDK >= 25; ./coio puts one there).
# SERVER_JAVA_OPTS adds JVM flags to the server under the agent, e.g. a JFR recording:
#   SERVER_JAVA_OPTS=-XX:StartFlightRecording:filename=/tmp/demo.jfr ./coio demo
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/common.sh
. "$HERE/scripts/common.sh"

usage() { sed -n '4p' "$0" | sed 's/^# *//' >&2; exit 2; }
[ $# -ge 2 ] || usage
AGENT_JAR=$1 EXAMPLES_JAR=$2; shift 2
CONNECTIONS=2000 ROUND_TRIPS=20 SKIP_AGENT=false
while [ $# -gt 0 ]; do
  case "$1" in
    -c|--connections) CONNECTIONS=${2:?}; shift 2 ;;
    -r|--round-trips) ROUND_TRIPS=${2:?}; shift 2 ;;
    --skip-agent) SKIP_AGENT=true; shift ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
LOAD_TIMEOUT_S=120

check_java
check_examples_jar
$SKIP_AGENT || check_agent_jar "$AGENT_JAR" "$0 $AGENT_JAR $EXAMPLES_JAR --skip-agent"
raise_fd_limit "$CONNECTIONS"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/coio-demo.XXXXXX")
trap 'cleanup_servers; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

# demo_run <label> <file tag> <java args for the server...>
demo_run() {
  local label=$1 tag=$2; shift 2
  echo
  echo "== $label =="
  local opts=()
  if [ "$tag" = coio ]; then
    read -r -a opts <<<"${SERVER_JAVA_OPTS:-}"
  fi
  start_server "$tag" "${opts[@]}" "$@" -cp "$EXAMPLES_JAR" io.coio.examples.EchoServer 0 \
    || die "the server for '$label' did not start"
  echo "server pid $SERVER_PID listening on port $SERVER_PORT; load: $CONNECTIONS connections x $ROUND_TRIPS round trips"
  local rc=0
  run_load "$WORK/$tag.load" "$LOAD_TIMEOUT_S" --port "$SERVER_PORT" -c "$CONNECTIONS" -r "$ROUND_TRIPS" \
    --server-pid "$SERVER_PID" || rc=$?
  stop_server
  if [ "$rc" -ne 0 ]; then
    echo "--- server stderr (last lines):" >&2
    tail -n 20 "$WORK/$tag.err" >&2
    die "the load against '$label' failed (exit $rc); see its summary above"
  fi
}

echo "coio demo: the same unmodified EchoServer (thread per connection, blocking streams),"
echo "$CONNECTIONS concurrent connections x $ROUND_TRIPS verified round trips, with and without the agent. java: $(command -v java)"

if ! $SKIP_AGENT; then
  demo_run "EchoServer under coio (-javaagent:$(basename "$AGENT_JAR")=carriers=2)" coio "-javaagent:$AGENT_JAR=carriers=2"
fi
demo_run "the same EchoServer without the agent (one OS thread per connection)" plain

# A thread count near the connection count under the agent means the conversion did not happen;
# say so next to the numbers instead of letting the table speak for itself.
if ! $SKIP_AGENT; then
  coio_threads=$(summary_field "$WORK/coio.load" server_threads_max)
  if [ "${coio_threads:-0}" -gt $(( CONNECTIONS / 2 )) ]; then
    echo
    echo "note: under the agent the server still had $coio_threads OS threads for $CONNECTIONS connections,"
    echo "      so the agent did not turn its threads into coroutines. The server's stderr began with:"
    head -n 20 "$WORK/coio.err" | sed 's/^/      /'
  fi
fi

row() { # row <label> <load output file>
  printf '%-32s %14s %10s %26s\n' "$1" "$(summary_field "$2" rt_per_s)" "$(summary_field "$2" p99_ms)" \
    "$(summary_field "$2" server_threads_max)"
}
echo
echo "== side by side: $CONNECTIONS connections =="
printf '%-32s %14s %10s %26s\n' "server" "round trips/s" "p99 ms" "server OS threads (max)"
$SKIP_AGENT || row "EchoServer + coio agent" "$WORK/coio.load"
row "EchoServer, no agent" "$WORK/plain.load"
$SKIP_AGENT && echo "(agent run skipped: --skip-agent)"
exit 0
