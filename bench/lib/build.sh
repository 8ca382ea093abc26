# Sourced by the benches: a private copy of a Nucleo build, so that others rebuilding the tree
# cannot change it between runs, a digest naming it, and the command that runs it.
# build_command needs scripts/jdk.sh and scripts/aot.sh sourced too.

# Copies the build in $1 (nucleo-cli's runnable jar and its lib/, as in nucleo-cli/target or
# an earlier bench's copy) to $2.
copy_build() {
  local from="$1" to="$2" jar
  mkdir -p "$to/lib"
  for jar in "$from"/nucleo-cli-*.jar; do
    case "$jar" in *-sources.jar|*-tests.jar|*-javadoc.jar) continue ;; esac
    cp "$jar" "$to/"
  done
  cp "$from"/lib/*.jar "$to/lib/"
}

# A short digest of the jars of the build in $1.
build_digest() {
  (cd "$1" && sha256sum nucleo-cli-*.jar lib/*.jar) | sha256sum | cut -c1-16
}

# Sets the array BUILD_COMMAND to run the build copied in $1 as ./nucleo runs it: the same
# JVM options and the copy's own AOT cache, made here (untimed) by one training boot of the
# default guest, which it fetches first if absent. Fails if the copy does not run.
build_command() {
  local jar
  jar="$(echo "$1"/nucleo-cli-*.jar)"
  nucleo_jvm_options
  "$JAVA_HOME/bin/java" "${NUCLEO_JVM_OPTS[@]}" -jar "$jar" --version >/dev/null || return 1
  "$JAVA_HOME/bin/java" "${NUCLEO_JVM_OPTS[@]}" -jar "$jar" guest fetch >&2 || return 1
  nucleo_aot_options "$jar" train
  BUILD_COMMAND=("$JAVA_HOME/bin/java" "${NUCLEO_JVM_OPTS[@]}" -jar "$jar")
}
