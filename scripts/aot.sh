# Sourced by ./nucleo and the benches, after scripts/jdk.sh: JDK 25's AOT cache for Nucleo.
#
# An AOT cache (JEP 483, 514) holds the JDK's and Nucleo's classes already loaded and linked,
# as one training run of this exact build left them. A boot spends a good part of its first
# seconds loading, linking and profiling the JDK's class-file API and Nucleo's own engine
# before the translator is up to speed; with the cache it starts from there
# (docs/benchmarks.md, "The JDK's AOT cache"). The cache is only valid for the JDK, the jars
# (paths, sizes, times) and the options it was made with, so its file name is a hash of all
# three and a rebuild trains a new one. NUCLEO_AOT=0 turns all of this off.

# The cache directory, as the Java side finds it (NUCLEO_CACHE, XDG_CACHE_HOME, ~/.cache).
nucleo_cache_dir() {
  if [ -n "${NUCLEO_CACHE:-}" ]; then echo "$NUCLEO_CACHE"
  elif [ -n "${XDG_CACHE_HOME:-}" ]; then echo "$XDG_CACHE_HOME/nucleo"
  else echo "$HOME/.cache/nucleo"; fi
}

# The cache file for the runnable jar $1 (and the lib/ jars its manifest names), this JDK and
# NUCLEO_JVM_OPTS.
nucleo_aot_file() {
  local jar="$1" key
  key="$( {
    echo "$JAVA_HOME"
    cat "$JAVA_HOME/release" 2>/dev/null
    echo "${NUCLEO_JVM_OPTS[*]}"
    stat -c '%n %s %Y' "$jar" "$(dirname "$jar")"/lib/*.jar 2>/dev/null || true
  } | sha256sum | cut -c1-16)"
  echo "$(nucleo_cache_dir)/aot/nucleo-$key.aot"
}

# Adds -XX:AOTCache to NUCLEO_JVM_OPTS for the jar $1 if its cache exists. With "train" as $2,
# makes the cache first if there is none yet (once per build; a failed training is not retried
# for the same build). Never fails: without a cache Nucleo only starts slower.
nucleo_aot_options() {
  local jar="$1" mode="${2:-}" file
  [ "${NUCLEO_AOT:-1}" != 0 ] || return 0
  file="$(nucleo_aot_file "$jar")"
  if [ ! -s "$file" ] && [ "$mode" = train ] && [ ! -e "$file.failed" ]; then
    nucleo_aot_train "$jar" "$file" || true
  fi
  if [ -s "$file" ]; then
    NUCLEO_JVM_OPTS+=("-XX:AOTCache=$file")
  fi
}

# Trains the cache $2 for the jar $1: the default guest boots to its banner and powers off
# (about half a minute; with the translator, whatever NUCLEO_ENGINE says), the JVM writes the
# cache as it exits; then it is renamed into place, so a concurrent run never reads half a
# file. Old caches beyond the three newest are removed. A training that failed is marked so
# that the same build does not try again; one interrupted by a signal (Ctrl-C) is not.
nucleo_aot_train() {
  local jar="$1" file="$2" dir work log status=0
  dir="$(dirname "$file")"
  mkdir -p "$dir" && work="$(mktemp -d "$dir/training.XXXXXX")" || return 1
  log="$dir/training.log"
  echo "nucleo: making the JVM's AOT cache for this build: one guest boot, about half a minute" \
    "(once per build; NUCLEO_AOT=0 skips it)" >&2
  : >"$work/init.sh"
  "$JAVA_HOME/bin/java" "${NUCLEO_JVM_OPTS[@]}" -jar "$jar" guest initramfs \
      --init-script "$work/init.sh" -o "$work/training.cpio.gz" >"$log" 2>&1 &&
    NUCLEO_ENGINE=translator timeout 600 "$JAVA_HOME/bin/java" "${NUCLEO_JVM_OPTS[@]}" \
      "-XX:AOTCacheOutput=$work/nucleo.aot" -jar "$jar" run --initrd "$work/training.cpio.gz" \
      --cmdline "console=ttyS0 quiet" </dev/null >>"$log" 2>&1 || status=$?
  if [ "$status" = 0 ] && [ -s "$work/nucleo.aot" ] && mv -f "$work/nucleo.aot" "$file"; then
    rm -rf "$work"
    ls -t "$dir"/nucleo-*.aot 2>/dev/null | tail -n +4 | xargs -r rm -f
    return 0
  fi
  rm -rf "$work"
  echo "nucleo: could not make the AOT cache (see $log); running without it" >&2
  if [ "$status" -le 128 ] || [ "$status" = 137 ]; then
    : >"$file.failed"       # 137: killed by timeout's KILL or the OOM killer; other signals: try again next time
  fi
  return 1
}
