#!/usr/bin/env bash
# The agent start-up benchmark (what `./coio bench --startup` runs after building):
#
#   run-startup.sh AGENT_JAR EXAMPLES_JAR [--runs N] [--apps hello,echo,http,jdk-http] [--modes none,off,coroutine,detect] [--baseline JAR] [--raw FILE] [--tomcat]
#
# Launches a fresh JVM per measurement and takes the wall-clock time from the launch to the app's main() (hello),
# to a server's "listening on" line and to the answer of its first request (echo: EchoServer; http: HttpServer;
# jdk-http: the JDK's com.sun.net.httpserver on a 16-thread pool), without the agent, with mode=off, in coroutine
# mode and in detect mode, interleaved; prints medians with their spread, and the CPU time the JVM had used by then
# (robust on a loaded machine) (io.coio.examples.startup.StartupBench). --baseline JAR runs each agent mode again with
# another agent jar (an older build), interleaved, for before/after figures.
# --tomcat adds embedded Tomcat 11 from the integration tests' peers (needs integration-tests built with its test
# classes: ./coio build, then mvn -pl integration-tests test-compile; the class path comes from Maven, offline).
# STARTUP_RUNS (default 20) sets the runs; SERVER_JAVA_OPTS adds JVM flags to every measured JVM.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/common.sh
. "$HERE/scripts/common.sh"

[ $# -ge 2 ] || { sed -n '4p' "$0" | sed 's/^# *//' >&2; exit 2; }
AGENT_JAR=$1 EXAMPLES_JAR=$2; shift 2
ARGS=(--agent "$AGENT_JAR" --runs "${STARTUP_RUNS:-20}")
while [ $# -gt 0 ]; do
  case "$1" in
    --runs|--apps|--modes|--baseline|--raw) ARGS+=("$1" "${2:?}"); shift 2 ;;
    --tomcat)
      ROOT=$(cd "$HERE/.." && pwd)
      CP_FILE=$(mktemp)
      (cd "$ROOT" && mvn -B -q -o -pl integration-tests dependency:build-classpath -Dmdep.outputFile="$CP_FILE" >/dev/null) \
        || die "could not get integration-tests' class path from Maven (build the project first: ./coio build)"
      [ -d "$ROOT/integration-tests/target/test-classes/example/peers" ] \
        || die "integration-tests' test classes are not compiled: mvn -pl integration-tests test-compile"
      ARGS+=(--app tomcat "$ROOT/integration-tests/target/test-classes:$(cat "$CP_FILE")" example.peers.TomcatServletApp /hello)
      rm -f "$CP_FILE"; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
for opt in ${SERVER_JAVA_OPTS:-}; do ARGS+=(--jvm-opt "$opt"); done
check_java
check_examples_jar
check_agent_jar "$AGENT_JAR" "$0 $AGENT_JAR $EXAMPLES_JAR --modes none"
exec java -cp "$EXAMPLES_JAR" io.coio.examples.startup.StartupBench "${ARGS[@]}"
