package dev.nucleo.host;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * How the daemon is reached and where it keeps its state.
 *
 * @param socket           the Unix socket (always served; owner-only)
 * @param tcp              host:port to also serve on TCP, if any
 * @param token            the bearer token TCP clients must send (required with tcp)
 * @param tlsKeystore      a PKCS12 keystore: TCP is then served with TLS
 * @param tlsPassword      the keystore's password
 * @param stateDir         where VM definitions are kept
 * @param memoryOvercommit how many times the host's memory the running VMs may be given
 */
public record DaemonConfig(Path socket, Optional<Tcp> tcp, Optional<byte[]> token, Optional<Path> tlsKeystore,
        String tlsPassword, Path stateDir, double memoryOvercommit) {

    /** A TCP address; port 0 picks a free one. */
    public record Tcp(String host, int port) {
    }

    /** {@code $XDG_RUNTIME_DIR/nucleo/nucleo.sock}, else {@code /run/nucleo/nucleo.sock}. */
    public static Path defaultSocket(Map<String, String> env) {
        String runtime = env.get("XDG_RUNTIME_DIR");
        Path dir = runtime != null && !runtime.isBlank() ? Path.of(runtime, "nucleo") : Path.of("/run/nucleo");
        return dir.resolve("nucleo.sock");
    }

    /** {@code $XDG_STATE_HOME/nucleo}, else {@code ~/.local/state/nucleo}. */
    public static Path defaultStateDir(Map<String, String> env, String userHome) {
        String state = env.get("XDG_STATE_HOME");
        if (state != null && !state.isBlank()) {
            return Path.of(state, "nucleo");
        }
        return Path.of(userHome, ".local", "state", "nucleo");
    }
}
