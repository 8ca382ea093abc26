package dev.nucleo.vmm.isa;

import java.util.List;

/** Helpers for reading and reporting console output of the ISA test programs. */
final class Outputs {
    private Outputs() {
    }

    static List<String> lines(String output) {
        return output.lines().toList();
    }

    /** Lines reporting a failed self-check or an unexpected trap. */
    static List<String> failures(String output) {
        return output.lines()
                .filter(l -> l.contains("FAIL") || l.startsWith("UNEXPECTED TRAP"))
                .toList();
    }

    /** The last {@code n} lines, for failure messages. */
    static String tail(String output, int n) {
        List<String> lines = lines(output);
        List<String> last = lines.subList(Math.max(0, lines.size() - n), lines.size());
        String prefix = lines.size() > n ? "... (" + (lines.size() - n) + " lines before)\n" : "";
        return prefix + String.join("\n", last);
    }

    /** A failure report: failed checks first, then the end of the output. */
    static String report(String output) {
        List<String> failed = failures(output);
        StringBuilder sb = new StringBuilder();
        if (!failed.isEmpty()) {
            sb.append("failed checks (").append(failed.size()).append("):\n");
            failed.stream().limit(40).forEach(l -> sb.append("  ").append(l).append('\n'));
        }
        sb.append("output tail:\n").append(tail(output, 25));
        return sb.toString();
    }

    /**
     * Where two outputs first differ, with a little context; null when they are equal.
     */
    static String firstDifference(String expected, String actual) {
        if (expected.equals(actual)) {
            return null;
        }
        List<String> e = lines(expected);
        List<String> a = lines(actual);
        int i = 0;
        while (i < e.size() && i < a.size() && e.get(i).equals(a.get(i))) {
            i++;
        }
        StringBuilder sb = new StringBuilder();
        sb.append("outputs differ at line ").append(i + 1)
                .append(" (QEMU has ").append(e.size()).append(" lines, Nucleo ").append(a.size()).append(")\n");
        for (int k = Math.max(0, i - 3); k < i; k++) {
            sb.append("   both:   ").append(e.get(k)).append('\n');
        }
        sb.append("   QEMU:   ").append(i < e.size() ? e.get(i) : "<end of output>").append('\n');
        sb.append("   Nucleo: ").append(i < a.size() ? a.get(i) : "<end of output>").append('\n');
        long differing = 0;
        for (int k = 0; k < Math.min(e.size(), a.size()); k++) {
            if (!e.get(k).equals(a.get(k))) {
                differing++;
            }
        }
        sb.append("   (").append(differing).append(" of the common lines differ)");
        if (i == Math.min(e.size(), a.size()) && e.size() == a.size()) {
            sb.append("\n   (lines are equal; the difference is in line endings or a trailing newline)");
        }
        return sb.toString();
    }
}
