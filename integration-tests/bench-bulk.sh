#!/bin/bash
# Bulk-body and connect-storm benchmark (issue 8, item 7), run by hand after ./coio build:
#
#   integration-tests/bench-bulk.sh [http|pg|all] [seconds=5] [repeats=3] [warmup=2]
#
# http: Apache HttpCore5's classic server and embedded Tomcat 11 (example.bulk.BulkHttpApp) echo 1 MiB
#       POST bodies to 4 keep-alive connections (example.bulk.BulkLoad, every byte checked), without the
#       agent, under carriers=1 and carriers=2, interleaved, `repeats` times; prints the ops/s of the first 2 s
#       after start (coldOpsPerSec: JIT and agent start-up inside; `warmup` seconds, 2 by default), then of the
#       timed run, and the server's CPU ms per op (from /proc, the server's utime+stime during the timed run), split
#       into its JIT compiler threads' share (jitMsPerOp: the C1/C2 CompilerThreads) and the rest (appMsPerOp).
#       A warm-up of ~15 s measures the steady state (the JIT done); 2 s measures the first seconds after start.
# pg:   a throw-away PostgreSQL with SCRAM-SHA-256 (example.bulk.PgScramServer); 1,000 app threads each
#       connect + query + close at once (example.bulk.PgConnectApp); prints p50/p90/p99 from the common start,
#       wall time, and p50/p99 of each thread's own connect; also with carriers=2,blockedms=10 (the watchdog hands
#       a CPU-busy run off after 10 ms instead of 100 ms).
# The machine is shared: compare ratios of the same round, not absolute figures across runs.
# COIO_AGENT=/path/to/coio-agent.jar measures another build of the agent (an A/B against an earlier commit).
# BENCH_PIN=1 (http only): the server on CPU 0 and the load on CPU 1 (taskset), so that the two do not share a core
# and the ops/s compare what the server does with one core, not its share of two (docs/benchmark.md, "Bulk bodies").
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
WHAT=${1:-all}; SECS=${2:-5}; REPEATS=${3:-3}; WARMUP=${4:-2}
JAVA=${JAVA:-}
if [ -z "$JAVA" ]; then
  for j in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25*; do
    [ -n "$j" ] && [ -x "$j/bin/java" ] && "$j/bin/java" -version 2>&1 | grep -q 'version "2[5-9]' && { JAVA=$j/bin/java; break; }
  done
fi
[ -n "$JAVA" ] || { echo "bench-bulk.sh: no JDK >= 25 found; set JAVA=/path/to/bin/java" >&2; exit 1; }
AGENT=${COIO_AGENT:-$ROOT/agent/target/coio-agent.jar} # COIO_AGENT=another agent jar: A/B runs
[ -f "$AGENT" ] && [ -d "$HERE/target/test-classes/example/bulk" ] || {
  echo "bench-bulk.sh: build first: ./coio build (needs $AGENT and integration-tests' test classes)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/coio-bench-bulk.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
(cd "$HERE" && JAVA_HOME=$(dirname "$(dirname "$JAVA")") mvn -B -q -o dependency:build-classpath \
   -Dmdep.outputFile="$WORK/cp" -Dmdep.includeScope=test -DexcludeGroupIds=io.coio >/dev/null)
CP=$HERE/target/test-classes:$(cat "$WORK/cp")
SERVER_CPU=(); CLIENT_CPU=()
if [ "${BENCH_PIN:-0}" = 1 ]; then SERVER_CPU=(taskset -c 0); CLIENT_CPU=(taskset -c 1); fi
agent_flag() { [ "$1" = none ] && echo "" || echo "-javaagent:$AGENT=$1"; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
jit_ticks() { # CPU ticks of the JVM's JIT compiler threads (C1/C2 CompilerThread<n>)
  local t s=0
  for t in /proc/"$1"/task/*; do
    case $(cat "$t/comm" 2>/dev/null) in "C1 Compiler"*|"C2 Compiler"*) s=$((s + $(awk '{print $14+$15}' "$t/stat" 2>/dev/null || echo 0)));; esac
  done
  echo "$s"
}

per_op() { awk -v d="$1" -v o="$2" -v t="$3" 'BEGIN{printf "%.2f", o ? d*1000/t/o : 0}'; } # ticks, ops, CLK_TCK

http_round() { # http_round <httpcore|tomcat> <none|agent options>
  local log port sp r c0 c1 j0 j1 ops
  log=$(mktemp "$WORK/server.XXXXXX")
  # shellcheck disable=SC2046
  # Compiler threads kept for the JVM's life (not stopped when idle), so that their CPU can be read from /proc.
  "${SERVER_CPU[@]}" "$JAVA" $(agent_flag "$2") -Xmx1g -XX:-UseDynamicNumberOfCompilerThreads -cp "$CP" example.bulk.BulkHttpApp "$1" \
    >"$log" 2>&1 &
  sp=$!; PIDS+=("$sp")
  for _ in $(seq 600); do grep -q '^PORT' "$log" && break; sleep 0.2; done
  port=$(awk '/^PORT/{print $2}' "$log")
  [ -n "$port" ] || { echo "$1 $2: server did not start in 120 s:"; cat "$log"; kill "$sp"; return 0; }
  local cold
  cold=$("${CLIENT_CPU[@]}" "$JAVA" -Xmx1g -cp "$CP" example.bulk.BulkLoad "$port" 4 "$WARMUP" 1048576 | sed 's/.*opsPerSec=\([0-9.]*\).*/\1/') # warm-up (JIT)
  c0=$(cpu_ticks "$sp"); j0=$(jit_ticks "$sp")
  r=$("${CLIENT_CPU[@]}" "$JAVA" -Xmx1g -cp "$CP" example.bulk.BulkLoad "$port" 4 "$SECS" 1048576)
  c1=$(cpu_ticks "$sp"); j1=$(jit_ticks "$sp") # before the stop request: the server exits on it
  "$JAVA" -cp "$CP" example.bulk.BulkLoad "$port" 1 0 8 stop >/dev/null
  for _ in $(seq 100); do kill -0 "$sp" 2>/dev/null || break; sleep 0.1; done
  kill "$sp" 2>/dev/null && echo "(server did not stop on /stop; killed)" >&2
  wait "$sp" 2>/dev/null || true
  ops=$(sed 's/.*ops=\([0-9]*\).*/\1/' <<<"$r")
  local tck; tck=$(getconf CLK_TCK)
  printf '%-9s %-10s coldOpsPerSec=%s %s cpuMsPerOp=%s jitMsPerOp=%s appMsPerOp=%s\n' "$1" "$2" "$cold" \
    "$(sed 's/^BULK //' <<<"$r")" "$(per_op $((c1 - c0)) "$ops" "$tck")" "$(per_op $((j1 - j0)) "$ops" "$tck")" \
    "$(per_op $((c1 - c0 - j1 + j0)) "$ops" "$tck")"
}

if [ "$WHAT" = http ] || [ "$WHAT" = all ]; then
  echo "# 1 MiB echo, 4 connections, ${WARMUP}s warm-up + ${SECS}s per run, $REPEATS rounds${SERVER_CPU:+, server on CPU 0, load on CPU 1} ($(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg))"
  for round in $(seq "$REPEATS"); do
    for server in httpcore tomcat; do
      for mode in none carriers=1 carriers=2; do
        echo "round=$round $(http_round "$server" "$mode")"
      done
    done
  done
fi

if [ "$WHAT" = pg ] || [ "$WHAT" = all ]; then
  mkfifo "$WORK/pgin"
  "$JAVA" -cp "$CP" example.bulk.PgScramServer 1100 <"$WORK/pgin" >"$WORK/pg.log" 2>&1 &
  PIDS+=("$!"); exec 9>"$WORK/pgin"
  for _ in $(seq 600); do grep -q '^URL' "$WORK/pg.log" && break; sleep 0.2; done
  url=$(awk '/^URL/{print $2}' "$WORK/pg.log")
  [ -n "$url" ] || { echo "PostgreSQL did not start:"; cat "$WORK/pg.log"; exit 1; }
  echo "# pgjdbc, 1,000 threads connect (SCRAM-SHA-256) + query + close at once ($(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg))"
  for round in $(seq "$REPEATS"); do
    for mode in none carriers=1 carriers=2 carriers=2,blockedms=10; do
      # shellcheck disable=SC2046
      r=$("$JAVA" $(agent_flag "$mode") -Xmx1g -cp "$CP" example.bulk.PgConnectApp "$url" app s3cret 1000 2>"$WORK/app.err" | grep '^PGCONNECT' || true)
      printf 'round=%s %-10s %s\n' "$round" "$mode" "${r:-FAILED: $(head -3 "$WORK/app.err")}"
    done
  done
  exec 9>&-
  wait
fi
