# Sourced by ./nucleo, the benches and .ci/run: finds a JDK 25 and exports JAVA_HOME, or explains
# what is missing; nucleo_jvm_options gives the JVM flags Nucleo runs with.
# Order: $JAVA_HOME if it is a JDK 25, then the system's JVM folder (/usr/lib/jvm/*).

jdk_major() { # prints the feature version of the java binary in $1, or nothing
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1
}

find_jdk25() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(jdk_major "$JAVA_HOME")" = 25 ]; then
    return 0
  fi
  for candidate in /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    if [ -x "$candidate/bin/javac" ] && [ "$(jdk_major "$candidate")" = 25 ]; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  done
  echo "nucleo: JDK 25 not found." >&2
  echo "  Looked at JAVA_HOME (${JAVA_HOME:-unset}) and /usr/lib/jvm/*." >&2
  echo "  Install a JDK 25 (e.g. Temurin 25) there, or point JAVA_HOME at one." >&2
  return 1
}

# The JVM flags of every Nucleo run (the launcher and the benches, so they measure the same),
# in the array NUCLEO_JVM_OPTS. FFM needs native access (mmap'd guest RAM, TAP); hot translated
# code reaches RAM through jdk.internal.misc.Unsafe (see HotMemory); translated code recurses
# deeply. Transparent huge pages for the heap and the code cache, when the host offers
# them (madvise or always): a boot, which compiles tens of thousands of small classes, ran about
# 5-10 % faster with them (docs/benchmarks.md; fewer TLB misses, presumably: these hosts have no
# counters to check). Without them the flag would only print a warning.
#
# The translator's own code (the JDK's class-file API and BlockCompiler, which make a class for
# every block) reaches C2 later than other code (at 8 times HotSpot's thresholds): nearly half
# of C2's time in a boot went to it, on the core C1 needs for the guest's blocks. With this,
# C2 took about 2.5 s less in a boot, the class-making thread about 0.4 s more, and 2-hart
# boots were faster in 5 of 5 rounds (docs/benchmarks.md). "quiet" keeps HotSpot from echoing
# the commands on stdout.
nucleo_jvm_options() {
  NUCLEO_JVM_OPTS=(--enable-native-access=ALL-UNNAMED --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -Xss16m)
  local later=8.0 pattern
  NUCLEO_JVM_OPTS+=(-XX:CompileCommand=quiet)
  for pattern in 'jdk/internal/classfile/impl/*.*' 'java/lang/classfile/*.*' 'dev/nucleo/cpu/BlockCompiler*.*'; do
    NUCLEO_JVM_OPTS+=("-XX:CompileCommand=CompileThresholdScaling,$pattern,$later")
  done
  if grep -qE '\[(madvise|always)\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null; then
    NUCLEO_JVM_OPTS+=(-XX:+UseTransparentHugePages)
  fi
}
