#!/usr/bin/env bash
# native.sh - builds and tests the native part of coio native-swap. Maven calls it (see pom.xml);
# it also works by hand from any directory:
#
#   native-swap/native.sh lib     [target-dir]  build libcoio_swap.so into target/native and
#                                               target/classes/META-INF/native (jar resource,
#                                               as libcoio_swap_linux_x86_64.so)
#   native-swap/native.sh testlib [target-dir]  build libcoio_swap_test.so (for the Java tests)
#   native-swap/native.sh test    [target-dir]  build and run the C/C++ tests
#   native-swap/native.sh bench   [target-dir]  build and run the C benchmarks
#
# target-dir defaults to native-swap/target. Needs Linux x86-64, gcc and g++.
set -euo pipefail

MODULE=$(cd "$(dirname "$0")" && pwd)
CMD=${1:-}
TARGET=${2:-$MODULE/target}
SRC=$MODULE/src/main/c
TSRC=$MODULE/src/test/c
OUT=$TARGET/native            # the library for C/C++ users: -I src/main/c -L target/native
TOUT=$TARGET/native-test
LIB=libcoio_swap.so

CC=${CC:-gcc}
CXX=${CXX:-g++}
# The flags the library is built with. -fvisibility=hidden: only COIO_API symbols are exported.
CFLAGS="-O2 -g -std=gnu11 -Wall -Wextra -Werror -fvisibility=hidden -fPIC"
LDFLAGS="-shared -Wl,-soname,$LIB -Wl,-z,noexecstack -Wl,-z,relro -Wl,-z,now -Wl,--no-undefined"
TEST_CFLAGS="-O2 -g -Wall -Wextra -Werror -I$SRC -I$TSRC"

die() { echo "native.sh: $*" >&2; exit 1; }

check_platform() {
  local os arch
  os=$(uname -s); arch=$(uname -m)
  [ "$os" = Linux ] && [ "$arch" = x86_64 ] ||
    die "coio native-swap needs Linux x86-64 (the context switch is x86-64 SysV assembly); this is $os $arch."
  command -v "$CC" >/dev/null || die "'$CC' not found: install gcc (Debian: apt-get install gcc)."
}

build_lib() {
  check_platform
  mkdir -p "$OUT" "$TARGET/classes/META-INF/native"
  echo "native.sh: building $OUT/$LIB"
  # shellcheck disable=SC2086
  $CC $CFLAGS $LDFLAGS -o "$OUT/$LIB.tmp" \
    "$SRC/co_routine.c" "$SRC/co_specific.c" "$SRC/coio_stack.c" "$SRC/coio_hook.c" \
    "$SRC/coio_swap_x86_64.S" -lpthread
  mv -f "$OUT/$LIB.tmp" "$OUT/$LIB"
  ln -sf "$LIB" "$OUT/libcolib.so"   # lets libco build lines (-lcolib) link unchanged
  # in the jar the platform is part of the name, as Netty's (NativeLibraryLoader.RESOURCE)
  cp -f "$OUT/$LIB" "$TARGET/classes/META-INF/native/libcoio_swap_linux_x86_64.so"
  rm -f "$TARGET/classes/META-INF/native/$LIB"
}

build_testlib() {
  [ -f "$OUT/$LIB" ] || build_lib
  mkdir -p "$TOUT"
  echo "native.sh: building $TOUT/libcoio_swap_test.so"
  # No rpath: the Java tests load libcoio_swap.so first; this library binds to it by soname.
  # shellcheck disable=SC2086
  $CC $TEST_CFLAGS -fPIC -shared -o "$TOUT/libcoio_swap_test.so" "$TSRC/coio_testlib.c" \
    -L"$OUT" -lcoio_swap
  # A stand-in for an unmodified C client library: plain libc calls, not linked to coio.
  # shellcheck disable=SC2086
  $CC $TEST_CFLAGS -fPIC -shared -Wl,-z,now -o "$TOUT/libcoio_hooktest.so" "$TSRC/hooktest_lib.c"
}

# Each test is one program: C files test_*.c, C++ files test_*.cpp.
run_tests() {
  [ -f "$OUT/$LIB" ] || build_lib
  command -v "$CXX" >/dev/null || die "'$CXX' not found: install g++ (Debian: apt-get install g++)."
  mkdir -p "$TOUT"
  local failed=() t name bin start
  local link=(-L"$OUT" -lcoio_swap -Wl,-rpath,"$OUT" -lpthread)
  shopt -s nullglob
  for t in "$TSRC"/test_*.c "$TSRC"/test_*.cpp; do
    name=$(basename "$t"); name=${name%.*}
    bin=$TOUT/$name
    case "$t" in
      # shellcheck disable=SC2086
      *.c)   $CC $TEST_CFLAGS -std=gnu11 -o "$bin" "$t" "${link[@]}" -lm ;;
      # shellcheck disable=SC2086
      *.cpp) $CXX $TEST_CFLAGS -std=c++11 -o "$bin" "$t" "${link[@]}" ;;
    esac
    start=$(date +%s%N)
    if timeout 120 "$bin" >"$bin.log" 2>&1; then
      echo "native test $name: PASS ($(( ($(date +%s%N) - start) / 1000000 )) ms)"
    else
      echo "native test $name: FAIL (exit $?), output:"; sed 's/^/    /' "$bin.log"
      failed+=("$name")
    fi
  done
  if [ ${#failed[@]} -gt 0 ]; then die "native tests failed: ${failed[*]}"; fi
  check_exports
}

# Only the API may be exported: everything else stays hidden (-fvisibility=hidden).
check_exports() {
  local expected actual
  expected="co_alloc_sharestack co_create co_getspecific co_release co_release_sharestack co_reset co_resume co_self co_setspecific co_yield co_yield_ct coio_call_routine coio_hook_library coio_poll coio_resume coio_state coio_wait_fd coio_yield"
  actual=$(nm -D --defined-only "$OUT/$LIB" | awk '$2 ~ /^[TDBR]$/ {print $3}' | sort | tr '\n' ' ' | sed 's/ $//')
  [ "$actual" = "$expected" ] || die "exported symbols differ: expected [$expected], got [$actual]"
  echo "native test exports: PASS (only the API is exported)"
}

run_bench() {
  [ -f "$OUT/$LIB" ] || build_lib
  mkdir -p "$TARGET/bench"
  # The raw swap is hidden in the library, so the raw benchmark compiles the assembly itself,
  # plus a copy without the MXCSR lines to show what they cost (never shipped: not ABI-correct).
  sed -e '/stmxcsr\|ldmxcsr/d' -e 's/coio_swap\b/coio_swap_nomxcsr/g' \
      -e 's/coio_trampoline\b/coio_trampoline_nomxcsr/g' \
      "$SRC/coio_swap_x86_64.S" >"$TARGET/bench/swap_nomxcsr.S"
  $CC -O2 -Wall -Werror -I"$SRC" -o "$TARGET/bench/swap_bench" "$MODULE/bench/swap_bench.c" \
    "$SRC/coio_swap_x86_64.S" "$TARGET/bench/swap_nomxcsr.S"
  $CXX -O2 -Wall -Werror -I"$SRC" -o "$TARGET/bench/co_api_bench" "$MODULE/bench/co_api_bench.cpp" \
    -L"$OUT" -lcoio_swap -Wl,-rpath,"$OUT"
  "$TARGET/bench/swap_bench"
  "$TARGET/bench/co_api_bench"
}

case "$CMD" in
  lib) build_lib ;;
  testlib) build_testlib ;;
  test) run_tests ;;
  bench) run_bench ;;
  *) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
