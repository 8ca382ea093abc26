# Sourced by the benches: a private copy of a Nucleo build, so that others rebuilding the tree
# cannot change it between runs, and a digest naming it.

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
