package dev.nucleo.cpu;

/**
 * The JVM options every forked benchmark JVM needs, as constants for {@code @Fork}: the same
 * as {@code scripts/jdk.sh} gives the launcher (FFM for off-heap guest RAM; hot translated
 * code reaches RAM through jdk.internal.misc.Unsafe, see HotMemory).
 */
final class BenchJvm {
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    static final String EXPORT_UNSAFE = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";

    private BenchJvm() {
    }
}
