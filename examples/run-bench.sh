#!/usr/bin/env bash
# The echo benchmark (what `./coio bench` runs after building):
#
#   run-bench.sh AGENT_JAR EXAMPLES_JAR [--quick] [--skip-agent] [--libco] [--servers LIST] [--sections LIST] [--client-processes N]
#   run-bench.sh AGENT_JAR EXAMPLES_JAR --memory [...]   (run-memory.sh: where an idle connection's memory goes)
#   run-bench.sh AGENT_JAR EXAMPLES_JAR --fairness [run-fairness.sh options]   (the fairness benchmark instead)
#
# Servers (--servers, default all), each a fresh process per measurement:
#   coio      the unmodified EchoServer under -javaagent:AGENT_JAR=carriers=2
#   coio1     the same with carriers=1 (the load tool shares the machine's 2 cores)
#   virtual   the same EchoServer with --virtual (JDK virtual threads, no agent)
#   platform  the same EchoServer, one OS thread per connection (no agent)
#   netty     NettyEchoServer, hand-written async Netty epoll with 2 event loops
#   c-epoll   src/main/c/epoll_echo.c: single-threaded C epoll echo, the anchor from outside the JVM (built with gcc)
# Sections (--sections, default all; --libco = --sections libco):
#   throughput  verified 128-byte round trips, all connections open at once, after an untimed warm-up:
#               full 1,000 x 200 and 10,000 x 50, 3 runs per server (median kept); quick 500 x 50 and 2,000 x 20, 1 run.
#               Round trips/s, p99, server CPU µs per round trip, server OS threads, the load tool's own CPU per round trip.
#   syscalls    one short separate run per server and load under `perf stat` on the syscall tracepoints (strace -c -f
#               where perf cannot), counting exactly the timed round trips: syscalls per round trip and the main kinds
#               (full: 1,000 x 50 and 10,000 x 10; quick: 500 x 50). Platform threads only at 1,000.
#   memory      idle connections (full 5,000, quick 1,000): server RSS, heap after full GC and native memory (NMT) growth
#               per connection.
#   startup     time from launching the JVM to "listening" and to the first answer, EchoServer and HttpServer, with and
#               without the agent (median of 5, quick 2).
#   libco       libco's own C example_echocli (200 connections, one process) against libco's C example_echosvr, coio's
#               example_echosvr port (carriers=1), EchoServer under coio (carriers=1) and the C anchor, each warmed up
#               first (EchoLoad 200 x 250): the per-second rates' median and the ratio to libco's server. Needs libco's source (LIBCO_SRC or LIBCO_GIT, see
#               scripts/libco.sh); built under examples/target, never committed. Skipped, said so, without it.
# Client: io.coio.examples.load.EchoLoad (NIO, no agent); --client-processes N (BENCH_CLIENT_PROCESSES) splits the
# connections over N load-tool JVMs of one selector thread each, run in lock step (N=1: one JVM, 2 threads).
# Prints Markdown tables, writes them as CSV to BENCH_OUT (default examples/target/bench), and draws throughput, p99,
# server CPU and syscalls per round trip as a PNG (BENCH_PLOT, default docs/benchmark.png, with --quick
# BENCH_OUT/benchmark.png; BenchPlot).
# Time-bounded: every load has a deadline and the whole run a budget (BENCH_BUDGET_S, default 720 s); measurements
# that no longer fit are reported as skipped. BENCH_RUNS overrides the throughput runs per server.
# SERVER_JAVA_OPTS / LOAD_JAVA_OPTS add JVM flags to every server / load-tool JVM.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/common.sh
. "$HERE/scripts/common.sh"
# shellcheck source=scripts/syscalls.sh
. "$HERE/scripts/syscalls.sh"
# shellcheck source=scripts/libco.sh
. "$HERE/scripts/libco.sh"

usage() { sed -n '4,6p' "$0" | sed 's/^# *//' >&2; exit 2; }
[ $# -ge 2 ] || usage
AGENT_JAR=$1 EXAMPLES_JAR=$2; shift 2
# --memory: where the memory of an idle connection goes, per server (run-memory.sh takes the other options).
if [ "${1:-}" = --memory ]; then shift; exec "$HERE/run-memory.sh" "$AGENT_JAR" "$EXAMPLES_JAR" "$@"; fi
QUICK=false SERVERS=coio,coio1,virtual,platform,netty,c-epoll SECTIONS=throughput,syscalls,memory,startup,libco
CLIENT_PROCESSES=${BENCH_CLIENT_PROCESSES:-1} SKIP_AGENT=false
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=true; shift ;;
    --skip-agent) SKIP_AGENT=true; SERVERS=virtual,platform,netty,c-epoll; shift ;;
    --libco) SECTIONS=libco; shift ;;
    --servers) SERVERS=${2:?}; shift 2 ;;
    --sections) SECTIONS=${2:?}; shift 2 ;;
    --client-processes) CLIENT_PROCESSES=${2:?}; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    # The fairness benchmark instead (light HTTP load beside CPU-bound requests): run-fairness.sh, its own script.
    --fairness) shift; exec "$HERE/run-fairness.sh" "$AGENT_JAR" "$EXAMPLES_JAR" "$@" ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
has_section() { [[ ",$SECTIONS," == *",$1,"* ]]; }

if $QUICK; then
  LOADS=("500 50" "2000 20"); IDLE_CONNECTIONS=1000; LOAD_TIMEOUT_S=60; RUNS=${BENCH_RUNS:-1}
  SYS_LOADS=("500 50"); STARTUP_REPEATS=2; LIBCO_SECONDS=5; LIBCO_SKIP=1; LIBCO_ROUNDS=1
else
  LOADS=("1000 200" "10000 50"); IDLE_CONNECTIONS=5000; LOAD_TIMEOUT_S=90; RUNS=${BENCH_RUNS:-3}
  SYS_LOADS=("1000 50" "10000 10"); STARTUP_REPEATS=5; LIBCO_SECONDS=8; LIBCO_SKIP=2; LIBCO_ROUNDS=2
fi
LIBCO_TASKS=${LIBCO_TASKS:-200}
BENCH_BUDGET_S=${BENCH_BUDGET_S:-720}
BENCH_OUT=${BENCH_OUT:-$HERE/target/bench}
MAX_CONNECTIONS=$IDLE_CONNECTIONS
for load in "${LOADS[@]}" "${SYS_LOADS[@]}"; do set -- $load; [ "$1" -gt "$MAX_CONNECTIONS" ] && MAX_CONNECTIONS=$1; done
if [ "$CLIENT_PROCESSES" -gt 1 ]; then CLIENT_ARGS=(--processes "$CLIENT_PROCESSES" --threads 1); else CLIENT_ARGS=(--threads 2); fi
CLIENT_NOTE=$([ "$CLIENT_PROCESSES" -gt 1 ] && echo "$CLIENT_PROCESSES load-tool JVMs x 1 selector thread" || echo "1 load-tool JVM x 2 selector threads")

check_java
check_examples_jar
for s in ${SERVERS//,/ }; do
  case "$s" in
    coio|coio1) check_agent_jar "$AGENT_JAR" "$0 $AGENT_JAR $EXAMPLES_JAR --skip-agent" ;;
    virtual|platform|netty|c-epoll) ;;
    *) die "unknown server '$s' in --servers (known: coio, coio1, virtual, platform, netty, c-epoll)" ;;
  esac
done
for s in ${SECTIONS//,/ }; do
  case "$s" in throughput|syscalls|memory|startup|libco) ;; *) die "unknown section '$s' (known: throughput, syscalls, memory, startup, libco)" ;; esac
done
raise_fd_limit "$MAX_CONNECTIONS"
started=$SECONDS
WORK=$(mktemp -d "${TMPDIR:-/tmp}/coio-bench.XXXXXX")
trap 'cleanup_servers; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$BENCH_OUT"

# The C anchor server, built for this run (gcc -O2; ./coio installs gcc if missing).
EPOLL_ECHO="$HERE/target/native/epoll_echo"
if [[ ",$SERVERS," == *",c-epoll,"* ]] || has_section libco; then
  mkdir -p "$HERE/target/native"
  command -v gcc >/dev/null 2>&1 || die "gcc is needed to build the C anchor server (apt-get install gcc), or leave out c-epoll: --servers ..."
  gcc -O2 -Wall -o "$EPOLL_ECHO" "$HERE/src/main/c/epoll_echo.c" || die "could not build $HERE/src/main/c/epoll_echo.c"
fi

# server_cmd <server> [JVM options...]: sets SERVER_CMD to the command line of a contestant.
server_cmd() {
  local s=$1; shift
  local opts=(${SERVER_JAVA_OPTS:-} "$@")
  case "$s" in
    coio)     SERVER_CMD=(java "${opts[@]}" "-javaagent:$AGENT_JAR=carriers=2" -cp "$EXAMPLES_JAR" io.coio.examples.EchoServer 0) ;;
    coio1)    SERVER_CMD=(java "${opts[@]}" "-javaagent:$AGENT_JAR=carriers=1" -cp "$EXAMPLES_JAR" io.coio.examples.EchoServer 0) ;;
    virtual)  SERVER_CMD=(java "${opts[@]}" -cp "$EXAMPLES_JAR" io.coio.examples.EchoServer 0 --virtual) ;;
    platform) SERVER_CMD=(java "${opts[@]}" -cp "$EXAMPLES_JAR" io.coio.examples.EchoServer 0) ;;
    # -jar so the manifest's Enable-Native-Access applies (no JNI warning on JDK 24+).
    netty)    SERVER_CMD=(java "${opts[@]}" -jar "$EXAMPLES_JAR" netty-echo 0 2) ;;
    c-epoll)  SERVER_CMD=("$EPOLL_ECHO" 0) ;;
  esac
}
is_jvm() { [ "$1" != c-epoll ]; }

label() {
  case "$1" in
    coio) echo "EchoServer + coio agent (2 carriers)" ;;
    coio1) echo "EchoServer + coio agent (1 carrier)" ;;
    virtual) echo "EchoServer --virtual (JDK virtual threads)" ;;
    platform) echo "EchoServer (platform threads)" ;;
    netty) echo "NettyEchoServer (epoll, 2 event loops)" ;;
    c-epoll) echo "epoll_echo.c (C, 1 thread, no JVM)" ;;
  esac
}

budget_left() { echo $(( BENCH_BUDGET_S - (SECONDS - started) - 30 )); }

FAILURES=0
# measure <server> <tag> <runs> <EchoLoad args...>: one fresh server, <runs> loads against it, the
# run with the median round trips/s kept as $WORK/<tag>.load (a failed run wins, so errors show).
# Never aborts the bench; respects the time budget. MEASURE_JAVA_OPTS: extra server JVM flags.
measure() {
  local server=$1 tag=$2 runs=$3; shift 3
  echo
  echo "== $(label "$server"): $* ($runs run$([ "$runs" = 1 ] || echo "s, median kept")) =="
  if [ "$(budget_left)" -lt 20 ]; then
    echo "!! skipped: the ${BENCH_BUDGET_S} s time budget is used up"
    FAILURES=$(( FAILURES + 1 ))
    echo "summary: skipped=1" >"$WORK/$tag.load"
    return 0
  fi
  server_cmd "$server" ${MEASURE_JAVA_OPTS:-}
  if ! start_command "$tag" "${SERVER_CMD[@]}"; then
    FAILURES=$(( FAILURES + 1 ))
    echo "summary: failed_to_start=1" >"$WORK/$tag.load"
    return 0
  fi
  local r rc left limit failed=""
  for r in $(seq "$runs"); do
    # Each load gets its normal deadline, cut to what is left of the budget (minus slack for start/stop).
    left=$(budget_left)
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

MODE=$($QUICK && echo quick || echo full)
echo "coio echo benchmark ($MODE): servers ${SERVERS}; sections ${SECTIONS}; client: $CLIENT_NOTE;" \
  "java $(java -version 2>&1 | head -1); $(nproc) CPUs"

# ---- measurements ----
if has_section throughput; then
  for s in ${SERVERS//,/ }; do
    for load in "${LOADS[@]}"; do
      set -- $load
      measure "$s" "$s-$1" "$RUNS" -c "$1" -r "$2" --warmup "${CLIENT_ARGS[@]}"
    done
  done
fi

SYSCALL_TOOL=""
if has_section syscalls; then
  SYSCALL_TOOL=$(syscall_tool)
  [ -n "$SYSCALL_TOOL" ] || echo "!! syscall counts skipped: neither perf (with syscall tracepoints) nor strace is usable here"
  for s in ${SERVERS//,/ }; do
    [ -n "$SYSCALL_TOOL" ] || break
    for load in "${SYS_LOADS[@]}"; do
      set -- $load
      if [ "$s" = platform ] && [ "$1" -gt 2000 ]; then continue; fi # perf keeps counters per thread: 10,000 threads is too many
      echo
      echo "== syscalls ($SYSCALL_TOOL): $(label "$s"), $1 connections x $2 round trips =="
      if [ "$(budget_left)" -lt 30 ]; then echo "!! skipped: the time budget is used up"; FAILURES=$(( FAILURES + 1 )); continue; fi
      server_cmd "$s"
      if count_syscalls "$s-sys-$1" "$SYSCALL_TOOL" "$LOAD_TIMEOUT_S" -c "$1" -r "$2" --warmup "${CLIENT_ARGS[@]}" -- "${SERVER_CMD[@]}"; then
        echo "$(syscall_row "$s-sys-$1") (total read write epoll_wait epoll_ctl futex other, per round trip)"
      else
        FAILURES=$(( FAILURES + 1 ))
      fi
    done
  done
fi

if has_section memory; then
  for s in ${SERVERS//,/ }; do
    if is_jvm "$s"; then
      MEASURE_JAVA_OPTS=-XX:NativeMemoryTracking=summary measure "$s" "$s-idle" 1 -c "$IDLE_CONNECTIONS" --connect-only --nmt
    else
      measure "$s" "$s-idle" 1 -c "$IDLE_CONNECTIONS" --connect-only --no-jcmd
    fi
  done
fi

STARTUP_ROWS=()
if has_section startup; then
  for app in echo http; do
    for agent in none coio; do
      [ "$agent" = coio ] && $SKIP_AGENT && continue
      class=$([ "$app" = echo ] && echo io.coio.examples.EchoServer || echo io.coio.examples.HttpServer)
      tag="startup-$app-$agent"
      echo
      echo "== start-up: $class $([ "$agent" = coio ] && echo "with -javaagent (carriers=2)" || echo "without the agent"), $STARTUP_REPEATS launches =="
      if [ "$(budget_left)" -lt 20 ]; then echo "!! skipped: the time budget is used up"; FAILURES=$(( FAILURES + 1 )); continue; fi
      cmd=(java ${SERVER_JAVA_OPTS:-})
      [ "$agent" = coio ] && cmd+=("-javaagent:$AGENT_JAR=carriers=2")
      cmd+=(-cp "$EXAMPLES_JAR" "$class" 0)
      if ! timeout 300 java -cp "$EXAMPLES_JAR" io.coio.examples.load.StartupTime --repeats "$STARTUP_REPEATS" \
          $([ "$app" = http ] && echo --http) -- "${cmd[@]}" | tee "$WORK/$tag.txt"; then
        FAILURES=$(( FAILURES + 1 ))
      fi
    done
  done
fi
startup_field() { # startup_field <tag> <key>
  local v; v=$(sed -n 's/^startup: //p' "$WORK/$1.txt" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p")
  echo "${v:-failed}"
}

LIBCO_NOTE=""
if has_section libco; then
  echo
  echo "== libco: libco's example_echocli ($LIBCO_TASKS connections, 1 process) against each server, $LIBCO_ROUNDS x $LIBCO_SECONDS s =="
  if ! LIBCO_DIR=$(libco_build "$HERE/target" 2>"$WORK/libco-build.err"); then
    LIBCO_NOTE="skipped: $(cat "$WORK/libco-build.err")"
    echo "!! libco comparison $LIBCO_NOTE"
  else
    echo "libco built in $LIBCO_DIR"
    LIBCO_SERVERS=(libco-c coio-port coio1 c-epoll)
    $SKIP_AGENT && LIBCO_SERVERS=(libco-c c-epoll)
    libco_measure_all
  fi
fi

# ---- tables (Markdown on stdout, CSV in BENCH_OUT) ----
if has_section throughput; then
  echo
  echo "## Echo throughput ($MODE run, 128-byte round trips, all connections concurrent; client: $CLIENT_NOTE)"
  echo
  echo "| server | connections | round trips/s | p99 ms | server CPU µs / round trip | server OS threads (max) | client CPU µs / round trip |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  echo "server,connections,rt_per_s,p99_ms,server_cpu_us_per_rt,server_threads_max,client_cpu_us_per_rt,errors" >"$BENCH_OUT/throughput.csv"
  for s in ${SERVERS//,/ }; do
    for load in "${LOADS[@]}"; do
      set -- $load
      echo "| $(label "$s")$(errors_note "$s-$1") | $1 | $(field "$s-$1" rt_per_s) | $(field "$s-$1" p99_ms) | $(field "$s-$1" server_cpu_us_per_rt) | $(field "$s-$1" server_threads_max) | $(field "$s-$1" client_cpu_us_per_rt) |"
      echo "$s,$1,$(field "$s-$1" rt_per_s),$(field "$s-$1" p99_ms),$(field "$s-$1" server_cpu_us_per_rt),$(field "$s-$1" server_threads_max),$(field "$s-$1" client_cpu_us_per_rt),$(field "$s-$1" errors)" >>"$BENCH_OUT/throughput.csv"
    done
  done
fi

if has_section syscalls && [ -n "$SYSCALL_TOOL" ]; then
  echo
  echo "## Syscalls per round trip (counted with $SYSCALL_TOOL over the timed round trips only; reads = read+readv+recvfrom+recvmsg, writes likewise, epoll_wait incl. epoll_pwait)"
  echo
  echo "| server | connections | syscalls / round trip | read | write | epoll_wait | epoll_ctl | futex | other | largest of other |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  {
    printf 'server,connections,round_trips,total_per_rt'
    for e in "${SYSCALL_EVENTS[@]}"; do printf ',%s_per_rt' "$e"; done
    echo
  } >"$BENCH_OUT/syscalls.csv"
  for s in ${SERVERS//,/ }; do
    for load in "${SYS_LOADS[@]}"; do
      set -- $load
      [ "$s" = platform ] && [ "$1" -gt 2000 ] && continue
      read -r total rd wr ew ec fx other <<<"$(syscall_row "$s-sys-$1")"
      echo "| $(label "$s") | $1 | $total | $rd | $wr | $ew | $ec | $fx | $other | $(syscall_other_top "$s-sys-$1") |"
      if [ -s "$WORK/$s-sys-$1.sys" ]; then
        awk -v s="$s" -v c="$1" -v events="${SYSCALL_EVENTS[*]}" '{ n[$1] = $2 }
          END { rt = n["round_trips"]; printf "%s,%s,%d,%.4f", s, c, rt, n["total"] / rt
                k = split(events, e, " "); for (i = 1; i <= k; i++) printf ",%.4f", n[e[i]] / rt; print "" }' \
          "$WORK/$s-sys-$1.sys" >>"$BENCH_OUT/syscalls.csv"
      fi
    done
  done
fi

if has_section memory; then
  echo
  echo "## Memory per idle connection ($IDLE_CONNECTIONS idle connections, after one round trip each)"
  echo
  echo "| server | RSS KiB / connection | heap KiB / connection (after full GC) | native KiB / connection (NMT, outside the heap) | server OS threads |"
  echo "|---|---:|---:|---:|---:|"
  echo "server,connections,rss_kib_per_conn,heap_kib_per_conn,native_kib_per_conn,server_threads" >"$BENCH_OUT/memory.csv"
  for s in ${SERVERS//,/ }; do
    native=$(field "$s-idle" native_kib_per_conn); is_jvm "$s" || native="n/a (no JVM)"
    heap=$(field "$s-idle" heap_kib_per_conn); is_jvm "$s" || heap="n/a (no JVM)"
    echo "| $(label "$s")$(errors_note "$s-idle") | $(field "$s-idle" rss_kib_per_conn) | $heap | $native | $(field "$s-idle" server_threads_final) |"
    echo "$s,$IDLE_CONNECTIONS,$(field "$s-idle" rss_kib_per_conn),${heap%% *},${native%% *},$(field "$s-idle" server_threads_final)" >>"$BENCH_OUT/memory.csv"
  done
fi

if has_section startup; then
  echo
  echo "## Start-up (median of $STARTUP_REPEATS launches: ms from launching the JVM to 'listening on' / to the first answer)"
  echo
  echo "| server | without agent | with coio agent | agent adds (first answer) |"
  echo "|---|---:|---:|---:|"
  echo "server,listening_ms_without,first_answer_ms_without,listening_ms_with_agent,first_answer_ms_with_agent" >"$BENCH_OUT/startup.csv"
  for app in echo http; do
    a=$(startup_field "startup-$app-none" listening_ms) b=$(startup_field "startup-$app-none" first_response_ms)
    c=$(startup_field "startup-$app-coio" listening_ms) d=$(startup_field "startup-$app-coio" first_response_ms)
    $SKIP_AGENT && c="n/a" d="n/a"
    adds=failed
    if [[ "$b" =~ ^[0-9]+$ ]] && [[ "$d" =~ ^[0-9]+$ ]]; then adds="$(( d - b )) ms"; fi
    $SKIP_AGENT && adds="n/a (--skip-agent)"
    name=$([ "$app" = echo ] && echo "EchoServer (first echo)" || echo "HttpServer (first GET /hello)")
    echo "| $name | $a / $b ms | $c / $d ms | $adds |"
    echo "$app,$a,$b,$c,$d" >>"$BENCH_OUT/startup.csv"
  done
fi

if has_section libco; then
  echo
  echo "## Under libco's own example_echocli ($LIBCO_TASKS connections, 1 process, 8-byte round trips; median of the per-second rates after ${LIBCO_SKIP} s of ramp-up, $LIBCO_ROUNDS x $LIBCO_SECONDS s)"
  echo
  if [ -n "$LIBCO_NOTE" ]; then
    echo "$LIBCO_NOTE"
  else
    libco_table
  fi
fi
echo
echo "Measured in $(( SECONDS - started )) s on $(nproc) CPUs; client: io.coio.examples.load.EchoLoad (NIO, no agent, $CLIENT_NOTE). CSV: $BENCH_OUT"

# The plot beside the tables: throughput, p99, server CPU and syscalls per round trip per server and connection
# count, drawn in Java (headless). Syscalls are shown at the throughput load with the same connection count.
if has_section throughput; then
  # A quick run is a smoke test: its plot goes next to its CSV, not over the documented one.
  PLOT=${BENCH_PLOT:-$($QUICK && echo "$BENCH_OUT/benchmark.png" || echo "$HERE/../docs/benchmark.png")}
  : >"$WORK/plot.tsv"
  for s in ${SERVERS//,/ }; do
    for load in "${LOADS[@]}"; do
      set -- $load
      sys=skipped
      [ -s "$WORK/$s-sys-$1.sys" ] && sys=$(syscall_row "$s-sys-$1" | cut -d' ' -f1)
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(label "$s")" "$1" "$(field "$s-$1" rt_per_s)" "$(field "$s-$1" p99_ms)" \
        "$(field "$s-$1" server_cpu_us_per_rt)" "$sys" >>"$WORK/plot.tsv"
    done
  done
  cp "$WORK/plot.tsv" "$BENCH_OUT/plot.tsv"
  if ! java -Djava.awt.headless=true -cp "$EXAMPLES_JAR" io.coio.examples.load.BenchPlot "$WORK/plot.tsv" "$PLOT" \
      "coio echo benchmark ($MODE run, $(date -u +%F), $(nproc) CPUs, 128-byte round trips, client: $CLIENT_NOTE)"; then
    echo "!! could not draw the plot $PLOT"
    FAILURES=$(( FAILURES + 1 ))
  fi
fi
[ "$FAILURES" -eq 0 ] || die "$FAILURES measurement(s) failed or were skipped; see the '!!' lines above"
