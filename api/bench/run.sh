#!/usr/bin/env bash
# api/bench/run.sh - the resume->yield table of api/README.md: coio's explicit coroutines against a raw
# JDK continuation and a virtual-thread hand-off (ResumeYieldBench.java), then native-swap's C
# co_resume/co_yield_ct (native-swap's own benchmark). Not a test. Usage: api/bench/run.sh [pairs]
# Build first (./coio build). Needs a JDK >= 21 (JAVA_HOME or ./coio's choice).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
CP_FILE=$ROOT/api/target/bench.classpath
(cd "$ROOT" && mvn -B -q -o -pl runtime dependency:build-classpath -Dmdep.outputFile="$CP_FILE" >/dev/null)
CP=$ROOT/api/target/classes:$ROOT/runtime/target/classes:$(cat "$CP_FILE")
echo "== JVM: $("$JAVA" -version 2>&1 | head -1)"
"$JAVA" -Djdk.virtualThreadScheduler.parallelism=1 \
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
  --add-exports java.base/jdk.internal.vm=ALL-UNNAMED --enable-native-access=ALL-UNNAMED \
  -cp "$CP" "$ROOT/api/bench/ResumeYieldBench.java" "$@"
echo "== native-swap (C, libco's API): co_resume + co_yield_ct"
"$ROOT/native-swap/native.sh" bench "$ROOT/native-swap/target" 2>&1 | grep -i -E "co_resume|co_yield|libco|swap" || true
