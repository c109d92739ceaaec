#!/usr/bin/env bash
# bench/run.sh - the switch-cost table of native-swap/README.md: C benchmarks (raw swap,
# libco's API) and the JVM side (continuation, virtual/platform thread handoff, FFM).
# Not a test: numbers depend on the machine. Usage: native-swap/bench/run.sh
# Needs Linux x86-64, gcc/g++ and a JDK >= 22 (JAVA_HOME or the newest under /usr/lib/jvm).
set -euo pipefail
MODULE=$(cd "$(dirname "$0")/.." && pwd)
TARGET=$MODULE/target

java_ok() { [ -x "$1/bin/javac" ] && "$1/bin/java" -version 2>&1 | grep -qE 'version "(2[2-9]|[3-9][0-9])'; }
if [ -z "${JAVA_HOME:-}" ] || ! java_ok "$JAVA_HOME"; then
  for j in $(ls -d /usr/lib/jvm/* 2>/dev/null | sort -rV); do java_ok "$j" && { JAVA_HOME=$j; break; }; done
fi
java_ok "${JAVA_HOME:-}" || { echo "run.sh: need a JDK >= 22 (set JAVA_HOME)" >&2; exit 1; }

echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(uname -sr)"
echo "== C (gcc $(gcc -dumpfullversion), -O2)"
"$MODULE/native.sh" bench "$TARGET"
"$MODULE/native.sh" testlib "$TARGET" >/dev/null

echo "== JVM ($("$JAVA_HOME/bin/java" -version 2>&1 | head -1))"
CLASSES=$TARGET/bench/classes
rm -rf "$CLASSES" && mkdir -p "$CLASSES/META-INF/native"
"$JAVA_HOME/bin/javac" -nowarn --release 22 -d "$CLASSES" $(find "$MODULE/src/main/java" -name '*.java')
cp "$TARGET/native/libcoio_swap.so" "$CLASSES/META-INF/native/"
# One carrier for virtual threads: the handoff then measures the switch, not cross-core wakeups.
"$JAVA_HOME/bin/java" -Djdk.virtualThreadScheduler.parallelism=1 \
  --add-exports java.base/jdk.internal.vm=ALL-UNNAMED --enable-native-access=ALL-UNNAMED \
  -Dcoio.nativeswap.testlib="$TARGET/native-test/libcoio_swap_test.so" \
  -cp "$CLASSES" "$MODULE/bench/JvmSwitchBench.java" "$@"
