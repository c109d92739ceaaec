#!/usr/bin/env bash
# The echo benchmark (what `./coio bench` runs after building):
#
#   run-bench.sh AGENT_JAR EXAMPLES_JAR [--quick] [--skip-agent] [--servers coio,coio1,virtual,platform,netty]
#   run-bench.sh AGENT_JAR EXAMPLES_JAR --fairness [run-fairness.sh options]   (the fairness benchmark instead)
#
# Servers, each a fresh JVM per measurement:
#   coio      the unmodified EchoServer under -javaagent:AGENT_JAR=carriers=2
#   coio1     the same with carriers=1 (the load tool shares the machine's 2 cores)
#   virtual   the same EchoServer with --virtual (JDK virtual threads, no agent)
#   platform  the same EchoServer, one OS thread per connection (no agent)
#   netty     NettyEchoServer, hand-written async Netty epoll with 2 event loops
# Loads (verified round trips of 128 bytes, all connections open at once, after an untimed warm-up):
#   full:  1,000 connections x 200 round trips, 10,000 x 50, 3 runs per server (median kept);
#          idle memory with 5,000 connections
#   quick:   500 connections x  50 round trips,  2,000 x 20, 1 run; idle memory with 1,000 connections
# (Round-trip counts are chosen so each timed run lasts seconds, not one JIT-dominated second;
# BENCH_RUNS overrides the number of runs.)
# Prints Markdown tables: throughput / p99 / server CPU per round trip / server OS threads, and memory per idle connection
# (server RSS and heap-after-GC growth divided by the number of connections), and draws throughput and p99 per
# server and connection count as a PNG (BENCH_PLOT, default docs/benchmark.png; io.coio.examples.load.BenchPlot).
# Time-bounded: every load has a deadline and the whole run a budget (BENCH_BUDGET_S, default 840 s);
# measurements that no longer fit are reported as skipped. A full run takes ~4 minutes on 2 idle cores.
# SERVER_JAVA_OPTS / LOAD_JAVA_OPTS add JVM flags to every server / load-tool JVM.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/common.sh
. "$HERE/scripts/common.sh"

usage() { sed -n '4,5p' "$0" | sed 's/^# *//' >&2; exit 2; }
[ $# -ge 2 ] || usage
AGENT_JAR=$1 EXAMPLES_JAR=$2; shift 2
QUICK=false SERVERS=coio,coio1,virtual,platform,netty
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=true; shift ;;
    --skip-agent) SERVERS=virtual,platform,netty; shift ;;
    --servers) SERVERS=${2:?}; shift 2 ;;
    # The fairness benchmark instead (light HTTP load beside CPU-bound requests): run-fairness.sh, its own script.
    --fairness) shift; exec "$HERE/run-fairness.sh" "$AGENT_JAR" "$EXAMPLES_JAR" "$@" ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done

if $QUICK; then
  LOADS=("500 50" "2000 20"); IDLE_CONNECTIONS=1000; LOAD_TIMEOUT_S=60; RUNS=${BENCH_RUNS:-1}
else
  LOADS=("1000 200" "10000 50"); IDLE_CONNECTIONS=5000; LOAD_TIMEOUT_S=90; RUNS=${BENCH_RUNS:-3}
fi
BENCH_BUDGET_S=${BENCH_BUDGET_S:-840}
MAX_CONNECTIONS=$IDLE_CONNECTIONS
for load in "${LOADS[@]}"; do set -- $load; [ "$1" -gt "$MAX_CONNECTIONS" ] && MAX_CONNECTIONS=$1; done

check_java
check_examples_jar
for s in ${SERVERS//,/ }; do
  case "$s" in
    coio|coio1) check_agent_jar "$AGENT_JAR" "$0 $AGENT_JAR $EXAMPLES_JAR --skip-agent" ;;
    virtual|platform|netty) ;;
    *) die "unknown server '$s' in --servers (known: coio, coio1, virtual, platform, netty)" ;;
  esac
done
raise_fd_limit "$MAX_CONNECTIONS"
started=$SECONDS
WORK=$(mktemp -d "${TMPDIR:-/tmp}/coio-bench.XXXXXX")
trap 'cleanup_servers; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

# start_named_server <server> <file tag>: the JVM command line of each contestant.
start_named_server() {
  local opts=(${SERVER_JAVA_OPTS:-})
  case "$1" in
    coio)     start_server "$2" "${opts[@]}" "-javaagent:$AGENT_JAR=carriers=2" -cp "$EXAMPLES_JAR" io.coio.examples.EchoServer 0 ;;
    coio1)    start_server "$2" "${opts[@]}" "-javaagent:$AGENT_JAR=carriers=1" -cp "$EXAMPLES_JAR" io.coio.examples.EchoServer 0 ;;
    virtual)  start_server "$2" "${opts[@]}" -cp "$EXAMPLES_JAR" io.coio.examples.EchoServer 0 --virtual ;;
    platform) start_server "$2" "${opts[@]}" -cp "$EXAMPLES_JAR" io.coio.examples.EchoServer 0 ;;
    # -jar so the manifest's Enable-Native-Access applies (no JNI warning on JDK 24+).
    netty)    start_server "$2" "${opts[@]}" -jar "$EXAMPLES_JAR" netty-echo 0 2 ;;
  esac
}

label() {
  case "$1" in
    coio) echo "EchoServer + coio agent (2 carriers)" ;;
    coio1) echo "EchoServer + coio agent (1 carrier)" ;;
    virtual) echo "EchoServer --virtual (JDK virtual threads)" ;;
    platform) echo "EchoServer (platform threads)" ;;
    netty) echo "NettyEchoServer (epoll, 2 event loops)" ;;
  esac
}

FAILURES=0
# measure <server> <tag> <runs> <EchoLoad args...>: one fresh server, <runs> loads against it, the
# run with the median round trips/s kept as $WORK/<tag>.load (a failed run wins, so errors show).
# Never aborts the bench; respects the time budget.
measure() {
  local server=$1 tag=$2 runs=$3; shift 3
  echo
  echo "== $(label "$server"): $* ($runs run$([ "$runs" = 1 ] || echo "s, median kept")) =="
  if ! start_named_server "$server" "$tag"; then
    FAILURES=$(( FAILURES + 1 ))
    echo "summary: failed_to_start=1" >"$WORK/$tag.load"
    return 0
  fi
  local r rc left limit failed=""
  for r in $(seq "$runs"); do
    # Each load gets its normal deadline, cut to what is left of the budget (minus slack for start/stop).
    left=$(( BENCH_BUDGET_S - (SECONDS - started) - 30 ))
    if [ "$left" -lt 20 ]; then
      echo "!! run $r skipped: the ${BENCH_BUDGET_S} s time budget is used up"
      break
    fi
    limit=$(( left < LOAD_TIMEOUT_S ? left : LOAD_TIMEOUT_S ))
    rc=0
    run_load "$WORK/$tag.run$r.load" "$limit" --port "$SERVER_PORT" --server-pid "$SERVER_PID" --quiet "$@" || rc=$?
    if [ "$rc" -ne 0 ]; then
      failed="$WORK/$tag.run$r.load"
      echo "!! $(label "$server") failed run $r (exit $rc); server stderr, last lines:"
      tail -n 10 "$WORK/$tag.err"
      break
    fi
  done
  stop_server
  if [ -n "$failed" ]; then
    FAILURES=$(( FAILURES + 1 ))
    cp "$failed" "$WORK/$tag.load"
  elif ! ls "$WORK/$tag".run*.load >/dev/null 2>&1; then
    FAILURES=$(( FAILURES + 1 ))
    echo "summary: skipped=1" >"$WORK/$tag.load"
  else
    local f median
    median=$(for f in "$WORK/$tag".run*.load; do echo "$(summary_field "$f" rt_per_s) $f"; done \
      | sort -n | awk '{ file[NR] = $2 } END { print file[int((NR + 1) / 2)] }')
    cp "$median" "$WORK/$tag.load"
  fi
}

echo "coio echo benchmark ($($QUICK && echo quick || echo full)): servers ${SERVERS}; java $(java -version 2>&1 | head -1); $(nproc) CPUs"
for s in ${SERVERS//,/ }; do
  for load in "${LOADS[@]}"; do
    set -- $load
    measure "$s" "$s-$1" "$RUNS" -c "$1" -r "$2" --warmup
  done
  measure "$s" "$s-idle" 1 -c "$IDLE_CONNECTIONS" --connect-only
done

field() { # field <tag> <key>; "skipped" / "failed" when that load did not run / complete
  local v
  v=$(summary_field "$WORK/$1.load" "$2" 2>/dev/null || true)
  if [ -z "$v" ] && [ "$(summary_field "$WORK/$1.load" skipped 2>/dev/null)" = 1 ]; then v=skipped; fi
  echo "${v:-failed}"
}
errors_note() { # marks a row whose load reported errors
  local e; e=$(field "$1" errors)
  case "$e" in 0|skipped) echo "" ;; failed) echo " (failed, see above)" ;; *) echo " (errors: $e)" ;; esac
}

echo
echo "## Echo throughput ($($QUICK && echo quick || echo full) run, 128-byte round trips, all connections concurrent)"
echo
echo "| server | connections | round trips/s | p99 ms | server CPU µs / round trip | server OS threads (max) |"
echo "|---|---:|---:|---:|---:|---:|"
for s in ${SERVERS//,/ }; do
  for load in "${LOADS[@]}"; do
    set -- $load
    echo "| $(label "$s")$(errors_note "$s-$1") | $1 | $(field "$s-$1" rt_per_s) | $(field "$s-$1" p99_ms) | $(field "$s-$1" server_cpu_us_per_rt) | $(field "$s-$1" server_threads_max) |"
  done
done
echo
echo "## Memory per idle connection ($IDLE_CONNECTIONS idle connections, after one round trip each)"
echo
echo "| server | RSS KiB / connection | heap KiB / connection (after full GC) | server OS threads |"
echo "|---|---:|---:|---:|"
for s in ${SERVERS//,/ }; do
  echo "| $(label "$s")$(errors_note "$s-idle") | $(field "$s-idle" rss_kib_per_conn) | $(field "$s-idle" heap_kib_per_conn) | $(field "$s-idle" server_threads_final) |"
done
echo
echo "Measured in $(( SECONDS - started )) s on $(nproc) CPUs; client: io.coio.examples.load.EchoLoad (NIO, 2 threads, no agent)."

# The plot beside the tables: throughput and p99 per server and connection count, drawn in Java (headless).
PLOT=${BENCH_PLOT:-$HERE/../docs/benchmark.png}
: >"$WORK/plot.tsv"
for s in ${SERVERS//,/ }; do
  for load in "${LOADS[@]}"; do
    set -- $load
    printf '%s\t%s\t%s\t%s\n' "$(label "$s")" "$1" "$(field "$s-$1" rt_per_s)" "$(field "$s-$1" p99_ms)" >>"$WORK/plot.tsv"
  done
done
if ! java -Djava.awt.headless=true -cp "$EXAMPLES_JAR" io.coio.examples.load.BenchPlot "$WORK/plot.tsv" "$PLOT" \
    "coio echo benchmark ($($QUICK && echo quick || echo full) run, $(date -u +%F), $(nproc) CPUs, 128-byte round trips)"; then
  echo "!! could not draw the plot $PLOT"
  FAILURES=$(( FAILURES + 1 ))
fi
[ "$FAILURES" -eq 0 ] || die "$FAILURES load(s) failed; see the '!!' lines above"
