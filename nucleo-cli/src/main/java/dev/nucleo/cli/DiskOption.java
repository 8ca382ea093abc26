package dev.nucleo.cli;

import dev.nucleo.vmm.DiskSpec;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import picocli.CommandLine;

/**
 * {@code --disk FILE[,readonly][,iops=N][,bps=SIZE]}: a raw disk image, optionally read-only for
 * the guest, optionally limited to N requests and SIZE bytes (e.g. 10M) per second. Options
 * follow the file name in any order, each at most once.
 */
final class DiskOption implements CommandLine.ITypeConverter<DiskSpec> {
    static final String READONLY = "readonly";
    static final String IOPS = "iops=";
    static final String BPS = "bps=";
    private static final String KNOWN = READONLY + ", " + IOPS + "N and " + BPS + "SIZE";

    @Override
    public DiskSpec convert(String value) {
        String file = value;
        boolean readOnly = false;
        long iops = 0;
        long bps = 0;
        Set<String> seen = new HashSet<>();
        for (int comma = file.lastIndexOf(','); comma >= 0; comma = file.lastIndexOf(',')) {
            String option = file.substring(comma + 1);
            String name = option.contains("=") ? option.substring(0, option.indexOf('=') + 1) : option;
            if (!seen.add(name)) {
                throw new CommandLine.TypeConversionException("'" + value + "': disk option '" + name
                        + "' is given twice");
            }
            if (option.equals(READONLY)) {
                readOnly = true;
            } else if (option.startsWith(IOPS)) {
                iops = iops(value, option.substring(IOPS.length()));
            } else if (option.startsWith(BPS)) {
                bps = bytesPerSecond(value, option.substring(BPS.length()));
            } else {
                throw new CommandLine.TypeConversionException(
                        "'" + value + "': unknown disk option '" + option + "' (known: " + KNOWN + ")");
            }
            file = file.substring(0, comma);
        }
        if (file.isEmpty()) {
            throw new CommandLine.TypeConversionException("--disk needs a file name");
        }
        return new DiskSpec(Path.of(file), readOnly, iops, bps);
    }

    private static long iops(String value, String number) {
        try {
            long iops = Long.parseLong(number);
            if (iops > 0) {
                return iops;
            }
        } catch (NumberFormatException e) {
            // the message below says what is wanted
        }
        throw new CommandLine.TypeConversionException("'" + value + "': iops must be a whole number of"
                + " requests per second, 1 or more, not '" + number + "'");
    }

    private static long bytesPerSecond(String value, String size) {
        try {
            return SizeParser.parse(size);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException("'" + value + "': bps (bytes per second): "
                    + e.getMessage());
        }
    }
}
