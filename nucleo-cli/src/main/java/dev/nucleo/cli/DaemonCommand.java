package dev.nucleo.cli;

import dev.nucleo.host.Daemon;
import dev.nucleo.host.DaemonConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nucleo daemon}: hosts VMs in this process behind the REST API until SIGINT/SIGTERM. */
@Command(name = "daemon", mixinStandardHelpOptions = true,
        description = {"Host many VMs in this process, served by a REST/JSON API (docs/api/openapi.yaml)",
            "on a Unix socket only this user may use, and optionally on TCP with a bearer token and TLS.",
            "VM definitions persist in the state directory; running VMs stop when the daemon does."})
final class DaemonCommand implements Callable<Integer> {
    private final Stdio stdio;

    @Option(names = "--socket", paramLabel = "PATH",
            description = "The Unix socket (default: $XDG_RUNTIME_DIR/nucleo/nucleo.sock, else /run/nucleo/nucleo.sock).")
    Path socket;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where VM definitions are kept (default: $XDG_STATE_HOME/nucleo, else ~/.local/state/nucleo).")
    Path stateDir;

    @Option(names = "--listen", paramLabel = "tcp:HOST:PORT", description = "Also serve on TCP (needs --token-file).")
    String listen;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "The bearer token TCP clients must send; the file must be readable by its owner only.")
    Path tokenFile;

    @Option(names = "--tls-keystore", paramLabel = "FILE", description = "A PKCS12 keystore: TCP is served with TLS.")
    Path tlsKeystore;

    @Option(names = "--tls-password-file", paramLabel = "FILE", description = "The keystore's password.")
    Path tlsPasswordFile;

    @Option(names = "--memory-overcommit", paramLabel = "RATIO",
            description = "Start VMs only while their RAM stays within host memory x RATIO (default: 1.0).")
    double overcommit = 1.0;

    DaemonCommand(Stdio stdio) {
        this.stdio = stdio;
    }

    @Override
    public Integer call() throws CliException {
        DaemonConfig config = config();
        Daemon daemon;
        try {
            daemon = Daemon.start(config);
        } catch (Exception e) {
            throw new CliException(ExitStatus.INTERNAL_ERROR, "cannot start the daemon: " + e.getMessage(), e);
        }
        daemon.host().loadProblems().forEach(p -> stdio.err().println("nucleo: skipped a VM definition: " + p));
        stdio.err().println("nucleo: daemon serving unix:" + config.socket()
                + (config.tcp().isPresent() ? " and " + (config.tlsKeystore().isPresent() ? "https" : "http") + "://"
                + config.tcp().get().host() + ":" + daemon.server().tcpPort() : "")
                + ", " + daemon.host().list().size() + " VM(s) defined in " + config.stateDir());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                daemon.close();
            } catch (IOException e) {
                stdio.err().println("nucleo: " + e.getMessage());
            }
            stopped.countDown();
        }, "nucleo-daemon-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    DaemonConfig config() throws CliException {
        if (!(overcommit > 0) || overcommit > 100) {
            throw new CliException(ExitStatus.USAGE, "--memory-overcommit must be more than 0 and at most 100, not " + overcommit);
        }
        Optional<DaemonConfig.Tcp> tcp = Optional.empty();
        if (listen != null) {
            tcp = Optional.of(parseListen(listen));
            if (tokenFile == null) {
                throw new CliException(ExitStatus.USAGE, "--listen needs --token-file: TCP clients must authenticate");
            }
        }
        if (tlsKeystore != null && listen == null) {
            throw new CliException(ExitStatus.USAGE, "--tls-keystore needs --listen tcp:HOST:PORT");
        }
        Optional<byte[]> token = tokenFile == null ? Optional.empty() : Optional.of(readSecret(tokenFile, "--token-file"));
        String password = tlsPasswordFile == null ? "" : new String(readSecret(tlsPasswordFile, "--tls-password-file"),
                StandardCharsets.UTF_8);
        if (tlsKeystore != null && !Files.isReadable(tlsKeystore)) {
            throw new CliException(ExitStatus.MISSING_INPUT, "--tls-keystore " + tlsKeystore + ": no such readable file");
        }
        Path socketPath = socket != null ? socket : DaemonConfig.defaultSocket(System.getenv());
        Path state = stateDir != null ? stateDir : DaemonConfig.defaultStateDir(System.getenv(), System.getProperty("user.home"));
        return new DaemonConfig(socketPath.toAbsolutePath(), tcp, token, Optional.ofNullable(tlsKeystore), password,
                state.toAbsolutePath(), overcommit);
    }

    static DaemonConfig.Tcp parseListen(String text) throws CliException {
        String usage = "--listen '" + text + "': write tcp:HOST:PORT, e.g. tcp:127.0.0.1:8443";
        if (!text.startsWith("tcp:")) {
            throw new CliException(ExitStatus.USAGE, usage);
        }
        String rest = text.substring(4);
        int colon = rest.lastIndexOf(':');
        if (colon <= 0) {
            throw new CliException(ExitStatus.USAGE, usage);
        }
        try {
            int port = Integer.parseInt(rest.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new CliException(ExitStatus.USAGE, usage + " (port 0..65535)");
            }
            String host = rest.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return new DaemonConfig.Tcp(host, port);
        } catch (NumberFormatException e) {
            throw new CliException(ExitStatus.USAGE, usage);
        }
    }

    /** A secret's bytes; the file must exist, not be empty, and be hidden from other users. */
    private static byte[] readSecret(Path file, String option) throws CliException {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (mode.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                throw new CliException(ExitStatus.USAGE, option + " " + file + " may be read by other users;"
                        + " chmod 600 it");
            }
            byte[] secret = Files.readString(file, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
            if (secret.length == 0) {
                throw new CliException(ExitStatus.USAGE, option + " " + file + " is empty");
            }
            return secret;
        } catch (IOException e) {
            throw new CliException(ExitStatus.MISSING_INPUT, "cannot read " + option + " " + file + ": " + e.getMessage(), e);
        }
    }
}
