#!/usr/bin/env bash
# run.sh - the libpq demo and benchmark (what `./coio native-demo` / `./coio native-bench` run after
# building). Starts a throw-away PostgreSQL (pg.sh), runs the demo JVM, stops the server on any exit.
#
#   run.sh demo  DEMO_JAR [PqDemo options]   coio mode, 1,000 coroutines on 2 carriers (default)
#   run.sh bench DEMO_JAR [--tasks N] [--queries Q] [--runs R]
#                                            coio vs virtual threads vs platform threads, one table
# Uses the `java` on PATH (JDK >= 22; ./coio puts one there).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
die() { echo "run.sh: $*" >&2; exit 1; }

[ $# -ge 2 ] || { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
CMD=$1 JAR=$2; shift 2
[ -f "$JAR" ] || die "no demo jar at $JAR: build first (./coio build)"
ulimit -n 20000 2>/dev/null || true
JVM_FLAGS=(--enable-native-access=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED --add-exports java.base/jdk.internal.vm=ALL-UNNAMED)

PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/coio-pg.XXXXXX")
trap '"$HERE/pg.sh" stop "$PGDIR"' EXIT
trap 'exit 130' INT TERM
"$HERE/pg.sh" start "$PGDIR" >/dev/null
PORT=$(cat "$PGDIR/port")
echo "PostgreSQL $("/usr/lib/postgresql/15/bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (data in $PGDIR, removed on exit)"

run_demo() {
  timeout 900 java "${JVM_FLAGS[@]}" -jar "$JAR" --port "$PORT" "$@"
}

case "$CMD" in
  demo)
    echo "libpq PQexec(\"SELECT pg_sleep(0.05), <id>\") from coio coroutines (libpq's socket calls hooked):"
    run_demo --mode coio "$@"
    ;;
  bench)
    TASKS=1000 QUERIES=3 RUNS=1
    while [ $# -gt 0 ]; do
      case "$1" in
        --tasks) TASKS=$2; shift 2 ;;
        --queries) QUERIES=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        *) die "unknown option $1" ;;
      esac
    done
    echo "workload: $TASKS tasks x (connect + $QUERIES x PQexec(\"SELECT pg_sleep(0.05), <id>\")), 2 carriers for coio and virtual threads"
    echo "connect_s: all tasks connecting; the other figures: the query phase, which starts once all are connected"
    printf '| %-9s | %6s | %10s | %11s | %10s | %8s | %8s | %14s | %6s |\n' mode tasks connect_s queries/s os_threads p50_ms p99_ms client_cpu_us/q errors
    printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' ----------- -------: -----------: ------------: -----------: ---------: ---------: ---------------: -------:
    for run in $(seq 1 "$RUNS"); do
      for mode in coio virtual platform; do
        line=$(run_demo --mode "$mode" --tasks "$TASKS" --queries "$QUERIES" | tail -1) || true
        get() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $line"; }
        printf '| %-9s | %6s | %10s | %11s | %10s | %8s | %8s | %14s | %6s |\n' "$mode" "$TASKS" "$(get connect_seconds)" "$(get queries_per_s)" \
          "$(get os_threads)" "$(get p50_ms)" "$(get p99_ms)" "$(get client_cpu_us_per_query)" "$(get errors)"
        echo "$line" >&2
      done
    done
    ;;
  *) die "unknown command $CMD (demo or bench)" ;;
esac
