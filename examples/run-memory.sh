#!/usr/bin/env bash
# Where the memory of an idle connection goes (what `./coio bench --memory` runs after building):
#
#   run-memory.sh AGENT_JAR EXAMPLES_JAR [--quick] [--servers coio,virtual,netty,platform] [-c N] [--runs R] [--cold] [--classes K]
#
# For each server (the same contestants as run-bench.sh: coio = the unmodified EchoServer under the agent with 2
# carriers, virtual = EchoServer --virtual, platform = EchoServer on OS threads, netty = NettyEchoServer), R fresh
# JVMs (default 3; the run with the median RSS growth is shown) started with -XX:NativeMemoryTracking=summary:
#   1. warm-up: 200 connections x 250 round trips (the echo path), then 2 x N short connections (the code that sets
#      a connection up: accept, thread start, first park) so that it is JIT-compiled, as in a server that has run
#      for a while (--cold skips the second part: the first connections' frames are then interpreted, and a parked
#      coroutine's stack chunk is 2-4x bigger);
#   2. full GC (jcmd GC.run); baseline: VmRSS, GC.heap_info, NMT baseline, GC.class_histogram;
#   3. N idle connections, one verified round trip each (EchoLoad --connect-only), held open;
#   4. full GC; the same figures again; NMT summary.diff.
# Per connection it prints: RSS growth and the part of it that is the Java heap's mapping (/proc/PID/smaps), Java heap live (used after the full GC) and committed growth, native memory
# outside the Java heap (NMT: committed growth of every category but Java Heap and the JIT's), heap stack chunks (the parked
# stacks), coio's own objects (classes io.coio.*, relocated Netty included) and the OS threads; then each server's
# largest classes per connection from the histogram difference (K rows, default 14). N: 5,000 (--quick: 1,000, 1 run).
# SERVER_JAVA_OPTS adds JVM flags to every server (e.g. a GC: the figures are G1's by default).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/common.sh
. "$HERE/scripts/common.sh"

usage() { sed -n '4p' "$0" | sed 's/^# *//' >&2; exit 2; }
[ $# -ge 2 ] || usage
AGENT_JAR=$1 EXAMPLES_JAR=$2; shift 2
SERVERS=coio,virtual,netty,platform N=5000 RUNS=3 COLD=false CLASSES=14
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) N=1000; RUNS=1; shift ;;
    --servers) SERVERS=${2:?}; shift 2 ;;
    -c) N=${2:?}; shift 2 ;;
    --runs) RUNS=${2:?}; shift 2 ;;
    --cold) COLD=true; shift ;;
    --classes) CLASSES=${2:?}; shift 2 ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done

check_java
check_examples_jar
JCMD="$(dirname "$(command -v java)")/jcmd"
[ -x "$JCMD" ] || die "no jcmd next to $(command -v java); run with a full JDK (./coio does)."
for s in ${SERVERS//,/ }; do
  case "$s" in
    coio) check_agent_jar "$AGENT_JAR" "$0 $AGENT_JAR $EXAMPLES_JAR --servers virtual,netty,platform" ;;
    virtual|platform|netty) ;;
    *) die "unknown server '$s' in --servers (known: coio, virtual, netty, platform)" ;;
  esac
done
raise_fd_limit "$N"
started=$SECONDS
WORK=$(mktemp -d "${TMPDIR:-/tmp}/coio-memory.XXXXXX")
trap 'cleanup_servers; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

start_named_server() { # <server> <file tag>
  local opts=(${SERVER_JAVA_OPTS:-} -XX:NativeMemoryTracking=summary)
  case "$1" in
    coio)     start_server "$2" "${opts[@]}" "-javaagent:$AGENT_JAR=carriers=2" -cp "$EXAMPLES_JAR" io.coio.examples.EchoServer 0 ;;
    virtual)  start_server "$2" "${opts[@]}" -cp "$EXAMPLES_JAR" io.coio.examples.EchoServer 0 --virtual ;;
    platform) start_server "$2" "${opts[@]}" -cp "$EXAMPLES_JAR" io.coio.examples.EchoServer 0 ;;
    netty)    start_server "$2" "${opts[@]}" -jar "$EXAMPLES_JAR" netty-echo 0 2 ;;
  esac
}

label() {
  case "$1" in
    coio) echo "EchoServer + coio agent (2 carriers)" ;;
    virtual) echo "EchoServer --virtual (JDK virtual threads)" ;;
    platform) echo "EchoServer (platform threads)" ;;
    netty) echo "NettyEchoServer (epoll, 2 event loops)" ;;
  esac
}

jc() { timeout 60 "$JCMD" "$SERVER_PID" "$@"; }
rss_kib() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$SERVER_PID/status"; }
threads() { sed -n 's/^Threads:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$SERVER_PID/status"; }
# GC.heap_info's first line: "garbage-first heap   total reserved 6172672K, committed 28672K, used 4630K [...": used and
# committed in KiB (G1, Parallel/Serial print one such line per generation; this adds them up to the Metaspace line).
heap_kib() { # heap_kib <heap_info file> used|committed
  awk -v what="$2" '/Metaspace/ { exit }
    { for (i = 1; i <= NF; i++) if ($i == what) { v = $(i + 1); sub(/,$/, "", v); u = substr(v, length(v)); n = substr(v, 1, length(v) - 1);
        if (u == "M") n *= 1024; else if (u == "G") n *= 1048576; sum += n } }
    END { print sum + 0 }' "$1"
}
# The Java heap's resident KiB: the RSS of the mappings inside its reserved range (GC.heap_info's "[0x..., 0x...)"),
# from /proc/PID/smaps. Addresses compare as zero-padded hex strings (awk has no 64-bit hex arithmetic).
heap_rss_kib() { # heap_rss_kib <heap_info file>
  local range; range=$(sed -n 's/.*\[0x\([0-9a-f]*\), 0x\([0-9a-f]*\)).*/\1 \2/p' "$1" | head -n 1)
  [ -n "$range" ] || { echo 0; return; }
  awk -v lo="${range% *}" -v hi="${range#* }" '
    function pad(h) { h = "" h; while (length(h) < 16) h = "0" h; return h }
    BEGIN { lo = pad(lo); hi = pad(hi) }
    /^[0-9a-f]+-[0-9a-f]+ / { split($1, a, "-"); s = pad(a[1]); inside = (s >= lo && s < hi) }
    /^Rss:/ { if (inside) sum += $2 }
    END { print sum + 0 }' "/proc/$SERVER_PID/smaps"
}
# NMT summary.diff: committed growth in KiB of the native categories that can grow with connections: every category
# but the Java heap and the JIT's own memory (Code, Compiler, Arena Chunk: compilation work, which comes and goes with
# what the JIT is doing, not with the connections). Lines read "-   Thread (reserved=..KB +..KB, committed=..KB +..KB)";
# no "+"/"-" part when unchanged.
nmt_native_growth() { # nmt_native_growth <diff file>
  awk '/^-/ && /committed=/ {
      name = $0; sub(/^- */, "", name); sub(/ *\(.*/, "", name)
      if (name == "Java Heap" || name == "Code" || name == "Compiler" || name == "Arena Chunk") next
      if (match($0, /committed=[0-9]+KB [+-][0-9]+KB/)) { m = substr($0, RSTART, RLENGTH); sub(/.* /, "", m); sub(/KB/, "", m); sum += m }
    } END { print sum + 0 }' "$1"
}
# Class histogram difference (bytes), per class: "<bytes delta> <instances delta> <class>", largest first.
histo_diff() { # histo_diff <before> <after>
  awk 'FNR == 1 { file++ } $1 ~ /^[0-9]+:$/ { n[$4] += (file == 1 ? -$2 : $2); b[$4] += (file == 1 ? -$3 : $3) }
       END { for (c in b) print b[c], n[c], c }' "$1" "$2" | sort -k1,1nr
}
per_conn() { awk -v v="$1" -v n="$N" 'BEGIN { printf "%.2f", v / n }'; }

# measure_once <server> <tag>: one fresh server; writes "$WORK/<tag>.row" (key=value) and "$WORK/<tag>.classes".
measure_once() {
  local server=$1 tag=$2
  start_named_server "$server" "$tag" || return 1
  run_load "$WORK/$tag.warm" 60 --port "$SERVER_PORT" -c 200 -r 250 --quiet >/dev/null || true
  if ! $COLD; then
    run_load "$WORK/$tag.warm2" 90 --port "$SERVER_PORT" -c "$N" -r 2 --quiet >/dev/null || true
    run_load "$WORK/$tag.warm3" 90 --port "$SERVER_PORT" -c "$N" -r 2 --quiet >/dev/null || true
  fi
  jc GC.run >/dev/null
  jc VM.native_memory baseline >/dev/null
  jc GC.class_histogram >"$WORK/$tag.histo0"
  jc GC.heap_info >"$WORK/$tag.heap0"
  local rss0 hrss0; rss0=$(rss_kib); hrss0=$(heap_rss_kib "$WORK/$tag.heap0")
  # The load holds its idle connections open; "holding" on its stderr says they are all open and verified.
  : >"$WORK/$tag.load"
  java ${LOAD_JAVA_OPTS:-} -cp "$EXAMPLES_JAR" io.coio.examples.load.EchoLoad --port "$SERVER_PORT" -c "$N" \
    --connect-only --no-warmup --no-jcmd --server-pid "$SERVER_PID" --hold-s 600 --quiet \
    >"$WORK/$tag.load" 2>&1 &
  local load=$! waited=0
  STARTED_PIDS+=("$load")
  while ! grep -q "holding" "$WORK/$tag.load"; do
    if ! kill -0 "$load" 2>/dev/null || [ "$waited" -ge 1200 ]; then
      echo "!! $(label "$server"): the idle connections did not all open; load output:" >&2
      tail -n 15 "$WORK/$tag.load" >&2
      kill_pid "$load"; stop_server
      return 1
    fi
    sleep 0.1; waited=$(( waited + 1 ))
  done
  jc GC.run >/dev/null
  jc GC.class_histogram >"$WORK/$tag.histo1"
  jc GC.heap_info >"$WORK/$tag.heap1"
  jc VM.native_memory summary.diff >"$WORK/$tag.nmt"
  local rss1 hrss1 thr; rss1=$(rss_kib); hrss1=$(heap_rss_kib "$WORK/$tag.heap1"); thr=$(threads)
  kill_pid "$load"
  stop_server
  histo_diff "$WORK/$tag.histo0" "$WORK/$tag.histo1" >"$WORK/$tag.classes"
  local used0 used1 com0 com1 native chunks coio
  used0=$(heap_kib "$WORK/$tag.heap0" used); used1=$(heap_kib "$WORK/$tag.heap1" used)
  com0=$(heap_kib "$WORK/$tag.heap0" committed); com1=$(heap_kib "$WORK/$tag.heap1" committed)
  native=$(nmt_native_growth "$WORK/$tag.nmt")
  chunks=$(awk '$3 == "jdk.internal.vm.StackChunk" { print $1 }' "$WORK/$tag.classes")
  coio=$(awk '$3 ~ /^io\.coio\./ && $3 !~ /^io\.coio\.examples\./ { s += $1 } END { print s + 0 }' "$WORK/$tag.classes")
  {
    echo "rss=$(per_conn $(( (rss1 - rss0) * 1024 )))"
    echo "rss_kib=$(per_conn $(( rss1 - rss0 )))"
    echo "heap_rss_kib=$(per_conn $(( hrss1 - hrss0 )))"
    echo "heap_live_kib=$(per_conn $(( used1 - used0 )))"
    echo "heap_committed_kib=$(per_conn $(( com1 - com0 )))"
    echo "native_kib=$(per_conn "$native")"
    echo "chunks_b=$(per_conn "${chunks:-0}")"
    echo "coio_b=$(per_conn "$coio")"
    echo "threads=$thr"
  } >"$WORK/$tag.row"
}

value() { sed -n "s/^$2=//p" "$WORK/$1.row"; }

echo "coio idle-connection memory: servers $SERVERS; $N idle connections, $RUNS run(s) each$($COLD && echo ', cold (no set-up warm-up)'); java $(java -version 2>&1 | head -1); $(nproc) CPUs"
FAILURES=0
for s in ${SERVERS//,/ }; do
  : >"$WORK/$s.runs"
  for r in $(seq "$RUNS"); do
    if measure_once "$s" "$s-$r"; then
      echo "  $(label "$s") run $r: RSS $(value "$s-$r" rss_kib) KiB/connection (Java heap $(value "$s-$r" heap_rss_kib)), heap live $(value "$s-$r" heap_live_kib), native $(value "$s-$r" native_kib)"
      echo "$(value "$s-$r" rss) $s-$r" >>"$WORK/$s.runs"
    else
      FAILURES=$(( FAILURES + 1 ))
    fi
  done
  # The run with the median RSS growth represents the server (RSS varies most: it is the heap's high-water mark).
  sort -n "$WORK/$s.runs" | awk '{ t[NR] = $2 } END { if (NR) print t[int((NR + 1) / 2)] }' >"$WORK/$s.median"
done

echo
echo "## Memory per idle connection ($N idle connections, after one round trip each; median of $RUNS run(s) by RSS)"
echo
echo "| server | RSS KiB | of it Java heap KiB | Java heap live KiB | Java heap committed KiB | native (NMT, outside the heap) KiB | stack chunks B | coio objects B | OS threads |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for s in ${SERVERS//,/ }; do
  t=$(cat "$WORK/$s.median")
  if [ -z "$t" ]; then echo "| $(label "$s") (failed) | | | | | | | | |"; continue; fi
  echo "| $(label "$s") | $(value "$t" rss_kib) | $(value "$t" heap_rss_kib) | $(value "$t" heap_live_kib) | $(value "$t" heap_committed_kib) | $(value "$t" native_kib) | $(value "$t" chunks_b) | $(value "$t" coio_b) | $(value "$t" threads) |"
done
for s in ${SERVERS//,/ }; do
  t=$(cat "$WORK/$s.median")
  [ -n "$t" ] || continue
  echo
  echo "### $(label "$s"): largest classes per idle connection (live, after a full GC)"
  echo
  echo "| class | bytes / connection | instances / connection |"
  echo "|---|---:|---:|"
  head -n "$CLASSES" "$WORK/$t.classes" | awk -v n="$N" '{ printf "| `%s` | %.0f | %.2f |\n", $3, $1 / n, $2 / n }'
done
echo
echo "Measured in $(( SECONDS - started )) s on $(nproc) CPUs. Heap figures: jcmd GC.heap_info after jcmd GC.run; native: NMT"
echo "summary.diff (committed; all categories but Java Heap, Code, Compiler, Arena Chunk); RSS: /proc/PID/status VmRSS after"
echo "the same full GC. The Java heap's RSS is the heap pages touched: by the allocation while the connections opened (eden) and"
echo "by the full GC that compacted the live objects; G1 keeps them committed unless it shrinks the heap (docs/benchmark.md)."
[ "$FAILURES" -eq 0 ] || die "$FAILURES measurement(s) failed; see the '!!' lines above"
