package dev.nucleo.host;

import java.nio.file.Path;
import java.util.Optional;

/** A daemon in this JVM on a socket and state directory under a test's temporary directory. */
final class TestDaemon implements AutoCloseable {
    final Daemon daemon;
    final DaemonClient client;
    final Path socket;

    private TestDaemon(Daemon daemon, DaemonClient client, Path socket) {
        this.daemon = daemon;
        this.client = client;
        this.socket = socket;
    }

    static TestDaemon start(Path dir) throws Exception {
        return start(dir, 1.0, Optional.empty(), Optional.empty());
    }

    static TestDaemon start(Path dir, double overcommit, Optional<DaemonConfig.Tcp> tcp, Optional<byte[]> token)
            throws Exception {
        Path socket = dir.resolve("run").resolve("nucleo.sock");
        DaemonConfig config = new DaemonConfig(socket, tcp, token, Optional.empty(), "", dir.resolve("state"), overcommit);
        Daemon daemon = Daemon.start(config);
        return new TestDaemon(daemon, DaemonClient.connect("unix:" + socket, Optional.empty()), socket);
    }

    @Override
    public void close() throws Exception {
        client.close();
        daemon.close();
    }
}
