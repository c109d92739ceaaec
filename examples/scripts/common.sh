# Shared by run-demo.sh and run-bench.sh (sourced, not run): start an example server, wait for its
# "listening on <port>" line, run the load tool against it, stop it; every step bounded in time.
# Callers set EXAMPLES_JAR and WORK (a scratch directory) before using these functions.

SERVER_START_TIMEOUT_S=${SERVER_START_TIMEOUT_S:-30}
STARTED_PIDS=()
STARTED_PGIDS=() # process groups of programs that fork and leave (libco's examples), stopped as a group

die() { echo "$(basename "$0"): $*" >&2; exit 1; }

# Fails unless the java on PATH is 21 or newer (the jars are compiled for 21).
check_java() {
  command -v java >/dev/null 2>&1 || die "no 'java' on PATH; put a JDK >= 21 first on PATH (./coio does this)."
  local v
  v=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -1)
  [ -n "$v" ] && [ "$v" -ge 21 ] || die "the java on PATH is version ${v:-unknown}; coio's examples need 21 or newer (./coio finds one)."
}

check_examples_jar() {
  [ -f "$EXAMPLES_JAR" ] || die "examples jar not found at $EXAMPLES_JAR; build it with 'mvn -pl examples install' (or ./coio build)."
}

# The agent is built by another module; say precisely what is missing and how to get past it.
check_agent_jar() { # check_agent_jar <path> <how to skip>
  [ -f "$1" ] || die "coio agent jar not found at $1.
  Build it first: ./coio build (the agent module produces agent/target/coio-agent.jar).
  To run only the servers that need no agent: $2"
}

# 10,000 connections need ~10,000 descriptors in each process; raise the soft limit to the hard one.
raise_fd_limit() { # raise_fd_limit <connections>
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  local limit; limit=$(ulimit -n)
  if [ "$limit" != unlimited ] && [ "$limit" -lt $(( $1 + 500 )) ]; then
    die "open-file limit is $limit, too low for $1 connections; raise it (ulimit -n $(( $1 + 500 )))."
  fi
}

# start_server <name> <java args...>: starts java in the background, waits for "listening on <port>",
# sets SERVER_PID and SERVER_PORT. The server's stdout/stderr go to $WORK/<name>.out / .err.
# Returns 1 (after showing the server's stderr) if it exits or stays silent too long.
start_server() {
  local name=$1; shift
  start_command "$name" java "$@"
}

# start_command <name> <command...>: start_server for any command (the C anchor server, a JVM under
# `perf stat`); the command must print "listening on <port>" (or LISTEN_PATTERN, a sed regex whose
# group 1 is the port) on stdout once it accepts.
start_command() {
  local name=$1; shift
  local out="$WORK/$name.out" err="$WORK/$name.err"
  local pattern=${LISTEN_PATTERN:-'^listening on \([0-9][0-9]*\)$'}
  : >"$out"; : >"$err" # exist before the background job opens them: the loop below reads at once
  "$@" >"$out" 2>"$err" &
  SERVER_PID=$!
  STARTED_PIDS+=("$SERVER_PID")
  local waited=0
  SERVER_PORT=""
  while [ -z "$SERVER_PORT" ]; do
    SERVER_PORT=$(sed -n "s/$pattern/\1/p" "$out" | head -1)
    [ -n "$SERVER_PORT" ] && break
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "!! server '$name' exited before listening ($*); its stderr:" >&2
      tail -n 30 "$err" >&2
      SERVER_PID=""
      return 1
    fi
    if [ "$waited" -ge $(( SERVER_START_TIMEOUT_S * 10 )) ]; then
      echo "!! server '$name' did not print 'listening on <port>' within ${SERVER_START_TIMEOUT_S} s; its stderr:" >&2
      tail -n 30 "$err" >&2
      stop_server
      return 1
    fi
    sleep 0.1
    waited=$(( waited + 1 ))
  done
}

# wait_exit <pid> <seconds>: waits for a process of ours to end by itself; 1 if it is still running.
wait_exit() {
  local pid=$1 i
  for i in $(seq $(( $2 * 10 ))); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  return 1
}

# Stops the server started last (TERM, then KILL after 5 s).
stop_server() {
  [ -n "${SERVER_PID:-}" ] || return 0
  kill_pid "$SERVER_PID"
  SERVER_PID=""
}

kill_pid() {
  local pid=$1 i
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 50); do
    # `wait` reports the server's exit status (143 after TERM): expected here, not a failure.
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Trap handler: no server outlives the script, whatever way it ends.
cleanup_servers() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null && kill_pid "$pid"
  done
  for pid in "${STARTED_PGIDS[@]}"; do
    kill -- "-$pid" 2>/dev/null || true
  done
  return 0
}

# run_load <output file> <timeout s> <EchoLoad args...>: runs the load tool (no agent), its summary
# shown and saved; the progress line goes to stderr. Returns the tool's exit code.
run_load() {
  local out=$1 limit=$2; shift 2
  # The tool has its own deadline (--timeout-s); `timeout` is the backstop if the JVM itself hangs.
  timeout --kill-after=10 $(( limit + 60 )) \
    java ${LOAD_JAVA_OPTS:-} -cp "$EXAMPLES_JAR" io.coio.examples.load.EchoLoad --timeout-s "$limit" "$@" | tee "$out"
  return "${PIPESTATUS[0]}"
}

# summary_field <load output file> <key>: a value from the tool's "summary: key=value ..." line.
summary_field() {
  sed -n 's/^summary: //p' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1
}
