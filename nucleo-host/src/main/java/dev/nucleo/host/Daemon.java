package dev.nucleo.host;

import java.io.IOException;

/** A running daemon: the VMs of a state directory, served by the API. Closing stops both. */
public final class Daemon implements AutoCloseable {
    private final VmHost host;
    private final ApiServer server;

    private Daemon(VmHost host, ApiServer server) {
        this.host = host;
        this.server = server;
    }

    public static Daemon start(DaemonConfig config) throws Exception {
        VmHost host = new VmHost(config.stateDir(), config.memoryOvercommit(), ConsoleLog.DEFAULT_CAPACITY, Json.mapper());
        try {
            return new Daemon(host, ApiServer.start(host, config));
        } catch (Exception e) {
            host.close();
            throw e;
        }
    }

    public VmHost host() {
        return host;
    }

    public ApiServer server() {
        return server;
    }

    /** Stops serving, then stops every running VM; definitions stay on disk. */
    @Override
    public void close() throws IOException {
        try {
            server.close();
        } catch (Exception e) {
            throw new IOException("stopping the API server: " + e.getMessage(), e);
        } finally {
            host.close();
        }
    }
}
