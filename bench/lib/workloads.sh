# The workloads of bench/workloads, in POSIX sh, for busybox sh in the guest and for a shell
# on the host (the native reference). bench/workloads prepends the settings:
#   BENCH_DIR        scratch directory (in the guest a tmpfs mounted here; on the host /dev/shm)
#   BENCH_WORKLOADS  the workloads to run: shell sha256 gzip gzip-warm smp idle (boot needs no script)
#   BENCH_GUEST      1 in the guest: mount the tmpfs, and run smp only with 2 processors, the
#                    others only with 1 (one initramfs serves the 1-hart and the 2-hart boots)
#   BENCH_SHELL_N, BENCH_SMP_N, BENCH_IDLE_S, BENCH_SHA_MIB, BENCH_GZIP_LINES, BENCH_GZIP_COPIES
# Every timed part sits between two console lines, "nucleo-bench: begin NAME UPTIME" and
# "nucleo-bench: end NAME UPTIME" (UPTIME from /proc/uptime, for a cross-check); the host
# timestamps their arrival. Inputs are made before "begin", results checked after "end"
# ("nucleo-bench: check NAME ok|FAIL ..."). "nucleo-bench: done" ends the script.

mark() { echo "nucleo-bench: $1 $2 $(cut -d' ' -f1 /proc/uptime)"; }
check() { # NAME CONDITION-STATUS DETAIL
  if [ "$2" = 0 ]; then echo "nucleo-bench: check $1 ok $3"; else echo "nucleo-bench: check $1 FAIL $3"; fi
}
wants() { case " $BENCH_WORKLOADS " in *" $1 "*) return 0 ;; esac; return 1; }
cpus=$(grep -c '^processor' /proc/cpuinfo)
echo "nucleo-bench: cpus $cpus"

if [ "$BENCH_GUEST" = 1 ]; then
  mkdir -p "$BENCH_DIR" && mount -t tmpfs -o size=160m tmpfs "$BENCH_DIR" || echo "nucleo-bench: check tmpfs FAIL mount"
fi
single=1 multi=1
if [ "$BENCH_GUEST" = 1 ]; then
  if [ "$cpus" -ge 2 ]; then single=0; else multi=0; fi
fi

# One CPU-bound job: the integer shell loop, its count written to a file to be checked.
job() { # ITERATIONS NAME
  i=0; while [ $i -lt $1 ]; do i=$((i+1)); done; echo "$i" > "$BENCH_DIR/job-$2"
}

if [ $single = 1 ] && wants shell; then
  mark begin shell
  i=0; while [ $i -lt $BENCH_SHELL_N ]; do i=$((i+1)); done
  mark end shell
  [ "$i" = "$BENCH_SHELL_N" ]; check shell $? "i=$i"
fi

if [ $single = 1 ] && wants sha256; then
  # BENCH_SHA_MIB MiB: 4 MiB of random bytes repeated, made before the timed part.
  dd if=/dev/urandom of="$BENCH_DIR/r4" bs=1048576 count=4 2>/dev/null
  : > "$BENCH_DIR/sha-in"
  n=0; while [ $n -lt $((BENCH_SHA_MIB / 4)) ]; do cat "$BENCH_DIR/r4" >> "$BENCH_DIR/sha-in"; n=$((n+1)); done
  rm -f "$BENCH_DIR/r4"
  mark begin sha256
  sum=$(sha256sum "$BENCH_DIR/sha-in")
  mark end sha256
  size=$(wc -c < "$BENCH_DIR/sha-in")
  [ "$size" = $((BENCH_SHA_MIB * 1048576)) ] && [ ${#sum} -gt 64 ]; check sha256 $? "bytes=$size sum=${sum%% *}"
  rm -f "$BENCH_DIR/sha-in"
fi

# Compressible text for gzip: the numbers 1..BENCH_GZIP_LINES, one a line, BENCH_GZIP_COPIES
# times (each copy is far longer than gzip's 32 KiB window, so the copies do not help it).
gzip_text() {
  seq 1 "$BENCH_GZIP_LINES" > "$BENCH_DIR/lines"
  : > "$BENCH_DIR/text"
  n=0; while [ $n -lt "$BENCH_GZIP_COPIES" ]; do cat "$BENCH_DIR/lines" >> "$BENCH_DIR/text"; n=$((n+1)); done
  rm -f "$BENCH_DIR/lines"
}
gzip_round_trip() {
  gzip -c "$BENCH_DIR/text" > "$BENCH_DIR/text.gz"
  gunzip -c "$BENCH_DIR/text.gz" > "$BENCH_DIR/text.out"
}
gzip_check() { # NAME
  cmp -s "$BENCH_DIR/text" "$BENCH_DIR/text.out"
  check "$1" $? "bytes=$(wc -c < "$BENCH_DIR/text") gz=$(wc -c < "$BENCH_DIR/text.gz")"
  rm -f "$BENCH_DIR/text" "$BENCH_DIR/text.gz" "$BENCH_DIR/text.out"
}

if [ $single = 1 ] && wants gzip; then
  gzip_text
  mark begin gzip
  gzip_round_trip
  mark end gzip
  gzip_check gzip
fi

if [ $single = 1 ] && wants gzip-warm; then
  # The same round trip three times, the third timed: the steady state, after the first two
  # have had their code translated and compiled.
  gzip_text
  gzip_round_trip
  gzip_round_trip
  mark begin gzip-warm
  gzip_round_trip
  mark end gzip-warm
  gzip_check gzip-warm
fi

if [ $multi = 1 ] && wants smp; then
  # Two CPU-bound jobs one after the other, then the same two at once.
  rm -f "$BENCH_DIR"/job-*
  mark begin smp-serial
  (job "$BENCH_SMP_N" a); (job "$BENCH_SMP_N" b)
  mark end smp-serial
  [ "$(cat "$BENCH_DIR/job-a" "$BENCH_DIR/job-b")" = "$(printf '%s\n%s' "$BENCH_SMP_N" "$BENCH_SMP_N")" ]
  check smp-serial $? "jobs=$(cat "$BENCH_DIR"/job-* | tr '\n' ' ')"
  rm -f "$BENCH_DIR"/job-*
  mark begin smp-parallel
  job "$BENCH_SMP_N" a & job "$BENCH_SMP_N" b & wait
  mark end smp-parallel
  [ "$(cat "$BENCH_DIR/job-a" "$BENCH_DIR/job-b")" = "$(printf '%s\n%s' "$BENCH_SMP_N" "$BENCH_SMP_N")" ]
  check smp-parallel $? "jobs=$(cat "$BENCH_DIR"/job-* | tr '\n' ' ')"
  rm -f "$BENCH_DIR"/job-*
fi

if [ "$BENCH_GUEST" = 1 ] && wants idle; then
  # Nothing runs: the host measures the VM's CPU time between the two lines, after a few
  # seconds for the VMM to finish work left from the workloads (compiling, say).
  sleep 4
  mark begin idle
  sleep "$BENCH_IDLE_S"
  mark end idle
fi

echo "nucleo-bench: done"
