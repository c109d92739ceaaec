# Syscalls per round trip (sourced by run-bench.sh, not run): counts every syscall a server makes during
# exactly the timed round trips of one load, with `perf stat` on the kernel's syscall tracepoints, or, where
# those cannot be used, with `strace -c -f` attached to the server for the same window.
#
# perf: the server runs under `perf stat -D -1 --control fifo:...` (counters inherited by every thread it
# starts, switched off until told); the load tool's --phase-cmd switches them on just before the first timed
# round trip and off after the last, so start-up, warm-up, connects and shutdown are not counted.
# Tracepoint counting costs the server almost nothing, so its batching (events per epoll_wait) is as in the
# throughput runs. strace stops the server at every syscall and slows it many times; the counts it gives are
# the same kinds, but the shares that depend on timing (reads that find no data, events per epoll_wait) are not.
#
# Callers set WORK; the functions use start_command / stop_server from common.sh.

# The syscalls broken out per round trip; everything else is summed under "other" (the total comes from
# raw_syscalls:sys_enter, every syscall entry).
SYSCALL_EVENTS=(read readv recvfrom recvmsg write writev sendto sendmsg epoll_wait epoll_pwait epoll_pwait2
  epoll_ctl futex poll ppoll select pselect6 accept accept4 close sched_yield nanosleep clock_nanosleep
  mprotect madvise mmap munmap ioctl io_uring_enter getsockopt setsockopt fcntl clone clone3 rseq
  set_robust_list sigaltstack prctl gettid sched_getaffinity rt_sigprocmask exit)

# syscall_tool: prints "perf" if perf can count syscall tracepoints here, else "strace" if strace exists,
# else nothing. BENCH_SYSCALL_TOOL=perf|strace forces one.
syscall_tool() {
  if [ -n "${BENCH_SYSCALL_TOOL:-}" ]; then echo "$BENCH_SYSCALL_TOOL"; return; fi
  if command -v perf >/dev/null 2>&1 && perf stat -x, -e raw_syscalls:sys_enter,syscalls:sys_enter_epoll_ctl true >/dev/null 2>&1; then
    echo perf
  elif command -v strace >/dev/null 2>&1; then
    echo strace
  fi
}

# perf_events: the -e list for perf stat (only tracepoints this kernel has).
perf_events() {
  local have e list=raw_syscalls:sys_enter
  have=$(perf list 2>/dev/null | sed -n 's/^ *syscalls:sys_enter_\([a-z0-9_]*\) .*/\1/p')
  for e in "${SYSCALL_EVENTS[@]}"; do
    grep -qx "$e" <<<"$have" && list+=",syscalls:sys_enter_$e"
  done
  echo "$list"
}

# write_phase_cmd <dir> <tool>: the --phase-cmd helper: `<dir>/phase.sh start|stop` switches the count on/off.
write_phase_cmd() {
  local dir=$1 tool=$2
  cat >"$dir/phase.sh" <<PHASE
#!/usr/bin/env bash
# Written by run-bench.sh: switches the syscall count of one server on (start) and off (stop).
set -u
dir='$dir'
if [ '$tool' = perf ]; then
  exec 3<>"\$dir/ctl" 4<>"\$dir/ack"
  [ "\$1" = start ] && echo enable >&3 || echo disable >&3
  read -r -t 20 answer <&4 || { echo "phase.sh: perf did not acknowledge '\$1'" >&2; exit 1; }
else
  if [ "\$1" = start ]; then
    strace -c -f -qq -o "\$dir/strace.txt" -p "\$(cat "\$dir/server.pid")" >/dev/null 2>"\$dir/strace.err" &
    echo \$! >"\$dir/strace.pid"
    sleep 2 # strace attaches to each thread in turn; give it time before the round trips start
  else
    pid=\$(cat "\$dir/strace.pid"); kill -INT "\$pid"
    for i in \$(seq 100); do kill -0 "\$pid" 2>/dev/null || exit 0; sleep 0.1; done
    echo "phase.sh: strace \$pid did not stop" >&2; exit 1
  fi
fi
PHASE
  chmod +x "$dir/phase.sh"
}

# count_syscalls <tag> <tool> <load timeout s> <load args...> -- <server command...>
# Starts the server (under perf if tool=perf), runs the load with --phase-cmd, stops the server, and writes
# $WORK/<tag>.sys ("name count" lines, "total N", "round_trips N") and $WORK/<tag>.load. Returns 1 on failure.
count_syscalls() {
  local tag=$1 tool=$2 limit=$3; shift 3
  local load=() dir="$WORK/$tag.sysdir" rc=0 server_pid
  while [ "$1" != -- ]; do load+=("$1"); shift; done
  shift
  mkdir -p "$dir"
  write_phase_cmd "$dir" "$tool"
  if [ "$tool" = perf ]; then
    mkfifo "$dir/ctl" "$dir/ack"
    start_command "$tag" perf stat -D -1 --control "fifo:$dir/ctl,$dir/ack" -x, -o "$dir/perf.csv" \
      -e "$(perf_events)" -- "$@" || return 1
    server_pid=$(pgrep -P "$SERVER_PID" | head -1) # the server itself: perf's child
  else
    start_command "$tag" "$@" || return 1
    server_pid=$SERVER_PID
  fi
  echo "$server_pid" >"$dir/server.pid"
  run_load "$WORK/$tag.load" "$limit" --port "$SERVER_PORT" --server-pid "$server_pid" --quiet \
    --phase-cmd "$dir/phase.sh" "${load[@]}" >/dev/null || rc=$?
  if [ "$tool" = perf ]; then
    kill_pid "$server_pid"                      # perf writes its counts when its child exits
    wait_exit "$SERVER_PID" 20 || stop_server
    SERVER_PID=""
  else
    stop_server
  fi
  [ "$rc" -eq 0 ] || { echo "!! the load of the syscall count '$tag' failed (exit $rc)"; tail -n 5 "$WORK/$tag.load"; return 1; }
  {
    if [ "$tool" = perf ]; then
      # CSV lines: count,unit,event,...; "<not counted>" when an event never ran.
      awk -F, '$3 == "raw_syscalls:sys_enter" { print "total", ($1 ~ /^[0-9]+$/ ? $1 : 0) }
               $3 ~ /^syscalls:sys_enter_/ { sub("syscalls:sys_enter_", "", $3); print $3, ($1 ~ /^[0-9]+$/ ? $1 : 0) }' "$dir/perf.csv"
    else
      # strace -c: "% time seconds usecs/call calls [errors] syscall"; the last line is the total.
      awk '$NF ~ /^[a-z_0-9]+$/ && $4 ~ /^[0-9]+$/ { print ($NF == "total" ? "total" : $NF), $4 }' "$dir/strace.txt"
    fi
    echo "round_trips $(summary_field "$WORK/$tag.load" round_trips)"
  } >"$WORK/$tag.sys"
  grep -q '^total [1-9]' "$WORK/$tag.sys" || { echo "!! no syscall count for '$tag' (see $dir)"; return 1; }
}

# syscall_row <tag>: "total read write epoll_wait epoll_ctl futex other" per round trip, one decimal each,
# reads/writes/waits summed over their variants (read+readv+recvfrom+recvmsg, write+writev+sendto+sendmsg,
# epoll_wait+epoll_pwait+epoll_pwait2). "failed" fields if there is no count.
syscall_row() {
  [ -s "$WORK/$1.sys" ] || { echo "failed failed failed failed failed failed failed"; return; }
  awk '{ n[$1] = $2 }
       END {
         rt = n["round_trips"]; if (rt <= 0) { print "failed failed failed failed failed failed failed"; exit }
         r = n["read"] + n["readv"] + n["recvfrom"] + n["recvmsg"]
         w = n["write"] + n["writev"] + n["sendto"] + n["sendmsg"]
         ew = n["epoll_wait"] + n["epoll_pwait"] + n["epoll_pwait2"]
         other = n["total"] - r - w - ew - n["epoll_ctl"] - n["futex"]
         printf "%.2f %.2f %.2f %.2f %.2f %.2f %.2f\n", n["total"] / rt, r / rt, w / rt, ew / rt, n["epoll_ctl"] / rt, n["futex"] / rt, other / rt
       }' "$WORK/$1.sys"
}

# syscall_other_top <tag>: the three most frequent broken-out syscalls inside "other", per round trip.
syscall_other_top() {
  [ -s "$WORK/$1.sys" ] || { echo ""; return; }
  awk '{ n[$1] = $2 }
       END {
         rt = n["round_trips"]; if (rt <= 0) exit
         split("total round_trips read readv recvfrom recvmsg write writev sendto sendmsg epoll_wait epoll_pwait epoll_pwait2 epoll_ctl futex", skip, " ")
         for (i in skip) delete n[skip[i]]
         for (k in n) if (n[k] / rt >= 0.001) printf "%s %.3f\n", k, n[k] / rt
       }' "$WORK/$1.sys" | sort -k2,2 -rn | head -3 | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }'
}
