# The libco comparison (sourced by run-bench.sh, not run): libco's own C client, example_echocli, against
# libco's own C example_echosvr and against coio's servers, rate from the client's own per-second lines.
# libco is not part of this project: its source is taken at run time from LIBCO_SRC (a checkout) or LIBCO_GIT
# (a git directory; default: where this project's `fetch github:Tencent/libco` puts it), built with its own
# Makefile under examples/target/libco-<commit>, and never committed.

LIBCO_GIT=${LIBCO_GIT:-/work/.mirror/Tencent+libco/repo}

# libco_build <target dir>: prints the directory with libco's built example_echosvr and example_echocli, building
# them if needed; prints a reason on stderr and returns 1 if there is no libco source or the build fails.
libco_build() {
  local target=$1 src dir commit
  if [ -n "${LIBCO_SRC:-}" ]; then
    [ -f "$LIBCO_SRC/co_routine.cpp" ] || { echo "LIBCO_SRC=$LIBCO_SRC is not a libco checkout (no co_routine.cpp)" >&2; return 1; }
    src=$LIBCO_SRC
    commit=$(git -C "$LIBCO_SRC" rev-parse --short HEAD 2>/dev/null || echo src)
  elif git --git-dir="$LIBCO_GIT" rev-parse --verify -q HEAD >/dev/null 2>&1; then
    commit=$(git --git-dir="$LIBCO_GIT" rev-parse --short HEAD)
  else
    echo "no libco source: set LIBCO_SRC to a checkout of https://github.com/Tencent/libco (or LIBCO_GIT to its git directory; looked at $LIBCO_GIT)" >&2
    return 1
  fi
  dir="$target/libco-$commit"
  if [ ! -x "$dir/example_echosvr" ] || [ ! -x "$dir/example_echocli" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    if [ -n "${src:-}" ]; then cp -r "$src"/. "$dir"; else git --git-dir="$LIBCO_GIT" archive HEAD | tar -x -C "$dir"; fi
    # colib first: libco's Makefile links the examples against lib/libcolib.a without depending on it.
    if ! { make -C "$dir" colib && make -C "$dir" -j2 example_echosvr example_echocli; } >"$dir/build.log" 2>&1; then
      echo "libco did not build; see $dir/build.log" >&2
      return 1
    fi
  fi
  echo "$dir"
}

# free_port: a loopback TCP port nobody uses now (libco's examples take a fixed port), below the ephemeral range
# (ip_local_port_range) so that no client connection of the load runs can be holding it.
free_port() {
  local p i low
  low=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  for i in $(seq 50); do
    p=$(( 10000 + RANDOM % (low - 10000) ))
    if ! grep -qi ":$(printf '%04X' "$p") " /proc/net/tcp /proc/net/tcp6 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}

# libco_rates <tag> <client dir> <port> <tasks> <seconds> <skip>: runs libco's example_echocli (one process, <tasks>
# connections) against the server listening on <port> for <seconds>, and writes the per-second "Succ Cnt" values
# after the first <skip> seconds (ramp-up) to $WORK/<tag>.rates, and "fail N" (failed round trips) to $WORK/<tag>.fail.
# libco's client forks and its parent exits; it runs in its own session, stopped as a process group.
libco_rates() {
  local tag=$1 libco=$2 port=$3 tasks=$4 seconds=$5 skip=$6 pgid
  # stdbuf: one line per second, also when stdout is a file
  setsid stdbuf -oL "$libco/example_echocli" 127.0.0.1 "$port" "$tasks" 1 >"$WORK/$tag.cli" 2>&1 </dev/null &
  pgid=$!
  STARTED_PGIDS+=("$pgid")
  sleep "$seconds" # the measurement window: the client reports once a second
  kill -- "-$pgid" 2>/dev/null || true
  wait "$pgid" 2>/dev/null || true
  # "time <t> Succ Cnt <n> Fail Cnt <m>": the first line (time 0) is before any round trip.
  awk -v skip="$skip" '/^time [0-9]+ Succ Cnt/ { if (++n > 1 + skip) print $5 }' "$WORK/$tag.cli" >"$WORK/$tag.rates"
  awk '/^time [0-9]+ Succ Cnt/ { f += $8 } END { print "fail", f + 0 }' "$WORK/$tag.cli" >"$WORK/$tag.fail"
  [ -s "$WORK/$tag.rates" ]
}

# median_of <file>: the median of the numbers in a file, one per line; "failed" if it is empty.
median_of() {
  sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR == 0) print "failed"; else if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# libco_measure_all: LIBCO_ROUNDS rounds over LIBCO_SERVERS (libco-c, coio-port, coio1, c-epoll), each server
# fresh, warmed up, then driven by libco's client; appends the rates to $WORK/libco-<server>.rates. Uses the
# caller's LIBCO_DIR, LIBCO_* settings, AGENT_JAR, EXAMPLES_JAR, EPOLL_ECHO and budget_left.
libco_measure_all() {
  local round s port tag
  for round in $(seq "$LIBCO_ROUNDS"); do
    for s in "${LIBCO_SERVERS[@]}"; do
      if [ "$(budget_left)" -lt $(( LIBCO_SECONDS + 10 )) ]; then echo "!! $s round $round skipped: the time budget is used up"; continue; fi
      port=$(free_port) || { echo "!! no free port"; continue; }
      tag="libco-$s-$round"
      case "$s" in
        libco-c)   # libco's server forks its worker and waits: its own session, stopped as a process group
                   LISTEN_PATTERN='^listen [0-9]* [0-9.]*:\([0-9]*\)$' start_command "$tag" \
                     setsid stdbuf -oL "$LIBCO_DIR/example_echosvr" 127.0.0.1 "$port" 1000 1 || continue
                   STARTED_PGIDS+=("$SERVER_PID") ;;
        coio-port) LISTEN_PATTERN='^listen [0-9-]* [0-9.]*:\([0-9]*\)$' start_command "$tag" \
                     java ${SERVER_JAVA_OPTS:-} "-javaagent:$AGENT_JAR=carriers=1" -cp "$EXAMPLES_JAR" \
                     io.coio.examples.libco.Libco example_echosvr 127.0.0.1 "$port" 1000 1 || continue ;;
        coio1)     start_command "$tag" java ${SERVER_JAVA_OPTS:-} "-javaagent:$AGENT_JAR=carriers=1" \
                     -cp "$EXAMPLES_JAR" io.coio.examples.EchoServer "$port" || continue ;;
        c-epoll)   start_command "$tag" "$EPOLL_ECHO" "$port" || continue ;;
      esac
      # The same untimed warm-up as the throughput runs (the JVMs' JIT), for every server alike.
      run_load "$WORK/$tag.warm" 60 --port "$port" -c 200 -r 250 --quiet >/dev/null || echo "!! warm-up against $s failed"
      libco_rates "$tag" "$LIBCO_DIR" "$port" "$LIBCO_TASKS" "$LIBCO_SECONDS" "$LIBCO_SKIP" || echo "!! no rates from libco's client against $s"
      if [ "$s" = libco-c ]; then kill -- "-$SERVER_PID" 2>/dev/null || true; wait_exit "$SERVER_PID" 10 || true; SERVER_PID=""; else stop_server; fi
      echo "$s round $round: per-second round trips $(tr '\n' ' ' <"$WORK/$tag.rates"); $(cat "$WORK/$tag.fail") failed"
      cat "$WORK/$tag.rates" >>"$WORK/libco-$s.rates"
      cat "$WORK/$tag.fail" >>"$WORK/libco-$s.fails"
    done
  done
}

# libco_table: the Markdown table (and BENCH_OUT/libco.csv) of the rates libco_measure_all collected.
libco_table() {
  local base s rate fails ratio name
  echo "| server | round trips/s | x libco's C example_echosvr | failed round trips |"
  echo "|---|---:|---:|---:|"
  echo "server,rt_per_s,ratio_to_libco,failed" >"$BENCH_OUT/libco.csv"
  base=$(median_of "$WORK/libco-libco-c.rates" 2>/dev/null || echo failed)
  for s in "${LIBCO_SERVERS[@]}"; do
    rate=$(median_of "$WORK/libco-$s.rates" 2>/dev/null || echo failed)
    fails=$(awk '{ f += $2 } END { print f + 0 }' "$WORK/libco-$s.fails" 2>/dev/null || echo failed)
    ratio=failed
    [[ "$rate" =~ ^[0-9]+$ ]] && [[ "$base" =~ ^[0-9]+$ ]] && [ "$base" -gt 0 ] && ratio=$(awk -v a="$rate" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
    case "$s" in
      libco-c) name="libco example_echosvr (C, 1 process)" ;;
      coio-port) name="coio example_echosvr port (coio-api, 1 process, carriers=1)" ;;
      coio1) name="EchoServer + coio agent (1 carrier)" ;;
      c-epoll) name="epoll_echo.c (C, 1 thread, no coroutines)" ;;
    esac
    echo "| $name | $rate | $ratio | $fails |"
    echo "$s,$rate,$ratio,$fails" >>"$BENCH_OUT/libco.csv"
    [[ "$rate" =~ ^[0-9]+$ ]] || FAILURES=$(( FAILURES + 1 ))
  done
}
