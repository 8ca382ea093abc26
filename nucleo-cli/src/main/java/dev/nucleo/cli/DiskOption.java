package dev.nucleo.cli;

import dev.nucleo.vmm.DiskSpec;
import java.nio.file.Path;
import picocli.CommandLine;

/** {@code --disk FILE[,readonly]}: a raw disk image, optionally read-only for the guest. */
final class DiskOption implements CommandLine.ITypeConverter<DiskSpec> {
    static final String READONLY = "readonly";

    @Override
    public DiskSpec convert(String value) {
        int comma = value.lastIndexOf(',');
        if (comma < 0) {
            return disk(value, false);
        }
        String flag = value.substring(comma + 1);
        if (!flag.equals(READONLY)) {
            throw new CommandLine.TypeConversionException(
                    "'" + value + "': unknown disk option '" + flag + "' (the only one is " + READONLY + ")");
        }
        return disk(value.substring(0, comma), true);
    }

    private static DiskSpec disk(String file, boolean readOnly) {
        if (file.isEmpty()) {
            throw new CommandLine.TypeConversionException("--disk needs a file name");
        }
        return new DiskSpec(Path.of(file), readOnly);
    }
}
