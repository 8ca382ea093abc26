package dev.nucleo.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Memory sizes as users write them: {@code 268435456}, {@code 256M}, {@code 1G},
 * {@code 512MiB}, {@code 64k}. Units are powers of 1024 (K, M, G, T), with an optional
 * {@code B} or {@code iB}; {@code MB} means MiB, as it does for QEMU's {@code -m}.
 */
final class SizeParser implements CommandLine.ITypeConverter<Long> {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(?:([kmgt])(?:i?b)?|b)?");

    @Override
    public Long convert(String value) {
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    /** The size in bytes; IllegalArgumentException with a user-facing message if malformed. */
    static long parse(String value) {
        String text = value.strip().toLowerCase(Locale.ROOT);
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + value
                    + "' is not a size; write e.g. 256M, 1G, 512MiB or a number of bytes");
        }
        int shift = m.group(2) == null ? 0 : switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 40; // "t"
        };
        long number;
        try {
            number = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is too large");
        }
        if (number == 0) {
            throw new IllegalArgumentException("the size must be more than 0");
        }
        if (number > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("'" + value + "' is too large");
        }
        return number << shift;
    }
}
