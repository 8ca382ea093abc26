package dev.nucleo.vmm;

import dev.nucleo.virtio.net.MacAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A virtio network card and the host link behind it, written on the command line as
 * {@code stream=listen:PATH}, {@code stream=connect:PATH} or {@code tap=IFNAME}, each
 * optionally followed by {@code ,mac=52:54:00:xx:xx:xx}.
 *
 * @param backend where the card's frames go
 * @param mac     the card's address; by default derived from the backend, so it is the same every run
 */
public record NicSpec(Backend backend, MacAddress mac) implements DeviceSpec {
    public static final String SYNTAX = "stream=listen:PATH, stream=connect:PATH or tap=IFNAME, optionally ,mac=XX:XX:XX:XX:XX:XX";
    private static final String MAC_OPTION = "mac=";

    public NicSpec {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(mac, "mac");
    }

    /** A card on {@code backend} with the address derived from it. */
    public NicSpec(Backend backend) {
        this(backend, MacAddress.derivedFrom(backend.spec()));
    }

    /** The host side of a card. */
    public sealed interface Backend permits StreamListen, StreamConnect, Tap {
        /** The backend as written on the command line. */
        String spec();
    }

    /** Listens on a Unix socket for the peer VM (or QEMU's {@code -netdev stream} client). */
    public record StreamListen(Path path) implements Backend {
        @Override
        public String spec() {
            return "stream=listen:" + path;
        }
    }

    /** Connects to a peer listening on a Unix socket. */
    public record StreamConnect(Path path) implements Backend {
        @Override
        public String spec() {
            return "stream=connect:" + path;
        }
    }

    /** A host TAP interface. */
    public record Tap(String ifname) implements Backend {
        @Override
        public String spec() {
            return "tap=" + ifname;
        }
    }

    /**
     * Parses the command-line form.
     *
     * @throws IllegalArgumentException with a message for the user
     */
    public static NicSpec parse(String text) {
        String backendText = text;
        MacAddress mac = null;
        int comma = text.indexOf(',');
        if (comma >= 0) {
            backendText = text.substring(0, comma);
            for (String option : text.substring(comma + 1).split(",", -1)) {
                if (!option.startsWith(MAC_OPTION)) {
                    throw new IllegalArgumentException("'" + text + "': unknown net option '" + option
                            + "' (the only one is mac=XX:XX:XX:XX:XX:XX)");
                }
                if (mac != null) {
                    throw new IllegalArgumentException("'" + text + "': mac given twice");
                }
                mac = MacAddress.parse(option.substring(MAC_OPTION.length()));
            }
        }
        Backend backend = parseBackend(text, backendText);
        return mac == null ? new NicSpec(backend) : new NicSpec(backend, mac);
    }

    private static Backend parseBackend(String text, String backend) {
        if (backend.startsWith("stream=listen:")) {
            return new StreamListen(path(text, backend.substring("stream=listen:".length())));
        }
        if (backend.startsWith("stream=connect:")) {
            return new StreamConnect(path(text, backend.substring("stream=connect:".length())));
        }
        if (backend.startsWith("tap=")) {
            String name = backend.substring("tap=".length());
            if (name.isEmpty() || name.length() > 15 || !name.matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("'" + text + "': a TAP interface name has 1..15 characters"
                        + " (letters, digits, '_', '.', '-')");
            }
            return new Tap(name);
        }
        throw new IllegalArgumentException("'" + text + "' is not a network backend; use " + SYNTAX);
    }

    private static Path path(String text, String path) {
        if (path.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "': the socket path is empty");
        }
        return Path.of(path);
    }

    @Override
    public String toString() {
        return backend.spec() + ",mac=" + mac;
    }
}
