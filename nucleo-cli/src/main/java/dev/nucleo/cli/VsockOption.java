package dev.nucleo.cli;

import dev.nucleo.vmm.VsockSpec;
import java.nio.file.Path;
import picocli.CommandLine;

/** {@code --vsock cid=N,socket=PATH}: a virtio-vsock device with its host side on Unix sockets. */
final class VsockOption implements CommandLine.ITypeConverter<VsockSpec> {
    @Override
    public VsockSpec convert(String value) {
        Long cid = null;
        String socket = null;
        for (String part : value.split(",", -1)) {
            int eq = part.indexOf('=');
            String key = eq < 0 ? part : part.substring(0, eq);
            String v = eq < 0 ? "" : part.substring(eq + 1);
            switch (key) {
                case "cid" -> cid = cid(v);
                case "socket" -> socket = v;
                default -> throw bad(value, "unknown key '" + key + "' (expected cid=N,socket=PATH)");
            }
        }
        if (cid == null || socket == null || socket.isEmpty()) {
            throw bad(value, "expected cid=N,socket=PATH");
        }
        return new VsockSpec(cid, Path.of(socket));
    }

    private static long cid(String v) {
        try {
            long cid = Long.parseLong(v);
            if (cid < 3 || cid > 0xffff_fffeL) {
                throw new CommandLine.TypeConversionException("vsock cid must be in 3..4294967294, got " + v);
            }
            return cid;
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("vsock cid must be a number, got '" + v + "'");
        }
    }

    private static CommandLine.TypeConversionException bad(String value, String why) {
        return new CommandLine.TypeConversionException("'" + value + "': " + why);
    }
}
