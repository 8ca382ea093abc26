package dev.nucleo.cli;

import dev.nucleo.vmm.NicSpec;
import picocli.CommandLine;

/** {@code --net stream=listen:PATH|stream=connect:PATH|tap=IFNAME[,mac=MAC]}: a virtio-net card. */
final class NetOption implements CommandLine.ITypeConverter<NicSpec> {
    @Override
    public NicSpec convert(String value) {
        try {
            return NicSpec.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
