package dev.nucleo.virtio.net;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A 48-bit Ethernet address. */
public record MacAddress(byte[] bytes) {
    public static final int LENGTH = 6;

    public MacAddress {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, got " + bytes.length);
        }
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff}; rejects multicast addresses, which no card may own. */
    public static MacAddress parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != LENGTH) {
            throw new IllegalArgumentException("'" + text + "' is not a MAC address (six hex pairs like 52:54:00:12:34:56)");
        }
        byte[] b = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            if (parts[i].length() != 2 || !parts[i].matches("[0-9a-fA-F]{2}")) {
                throw new IllegalArgumentException("'" + text + "' is not a MAC address (six hex pairs like 52:54:00:12:34:56)");
            }
            b[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        if ((b[0] & 1) != 0) {
            throw new IllegalArgumentException("'" + text + "' is a multicast address; a card needs a unicast one");
        }
        return new MacAddress(b);
    }

    /**
     * A stable address for {@code seed}: QEMU's locally used prefix 52:54:00 and three bytes of
     * the seed's SHA-256, so the same backend spec gives the same address on every run.
     */
    public static MacAddress derivedFrom(String seed) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
            return new MacAddress(new byte[] {0x52, 0x54, 0x00, hash[0], hash[1], hash[2]});
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress m && java.util.Arrays.equals(bytes, m.bytes);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(bytes);
    }
}
