package dev.nucleo.cli;

import dev.nucleo.host.DaemonClient;
import dev.nucleo.host.DaemonConfig;
import dev.nucleo.host.DaemonUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/**
 * What every command that talks to the daemon shares: where the daemon is ({@code --host},
 * else {@code $NUCLEO_HOST}, else its default socket), the bearer token for TCP, the output
 * format, and turning the daemon's refusals into one line on stderr.
 */
abstract class DaemonClientCommand implements Callable<Integer> {
    final Stdio stdio;

    @Option(names = "--host", paramLabel = "unix:PATH|https://HOST:PORT",
            description = "The daemon (default: $NUCLEO_HOST, else unix:$XDG_RUNTIME_DIR/nucleo/nucleo.sock"
                    + " or unix:/run/nucleo/nucleo.sock).")
    String host;

    @Option(names = "--token-file", paramLabel = "FILE", description = "The bearer token for a daemon on TCP.")
    Path tokenFile;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Trust this PEM certificate (the daemon's, or its CA's) for https instead of the JDK's CAs.")
    Path tlsCert;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "table (default) or json.")
    Output output = Output.table;

    enum Output { table, json }

    DaemonClientCommand(Stdio stdio) {
        this.stdio = stdio;
    }

    @Override
    public final Integer call() throws CliException {
        try (DaemonClient client = DaemonClient.connect(address(), token(), Optional.ofNullable(tlsCert))) {
            return run(client);
        } catch (DaemonUnavailableException e) {
            throw new CliException(ExitStatus.DAEMON_UNAVAILABLE, e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitStatus.USAGE, "--host " + e.getMessage(), e);
        } catch (IOException e) {
            throw new CliException(ExitStatus.DAEMON_UNAVAILABLE, "talking to the daemon: " + e.getMessage(), e);
        }
    }

    abstract int run(DaemonClient client) throws CliException, IOException;

    private String address() {
        if (host != null) {
            return host;
        }
        String env = System.getenv("NUCLEO_HOST");
        if (env != null && !env.isBlank()) {
            return env;
        }
        return "unix:" + DaemonConfig.defaultSocket(System.getenv());
    }

    private Optional<String> token() throws CliException {
        if (tokenFile == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(tokenFile, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            throw new CliException(ExitStatus.MISSING_INPUT, "cannot read --token-file " + tokenFile + ": " + e.getMessage(), e);
        }
    }

    /** The reply, or a CliException with the daemon's reason. */
    static DaemonClient.Reply check(DaemonClient client, DaemonClient.Reply reply) throws CliException {
        if (!reply.ok()) {
            throw new CliException(ExitStatus.REFUSED, client.reason(reply) + " (HTTP " + reply.status() + ")");
        }
        return reply;
    }

    /** Prints a JSON reply as it came (pretty), for -o json. */
    void printJson(DaemonClient client, DaemonClient.Reply reply) throws IOException {
        stdio.out().println(client.json().writerWithDefaultPrettyPrinter()
                .writeValueAsString(client.json().readTree(reply.body())));
    }

    static String path(String name) {
        return "/v1/vms/" + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
