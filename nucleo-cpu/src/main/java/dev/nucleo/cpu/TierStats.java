package dev.nucleo.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Counts a hart's guest instructions by how they ran: interpreted from a cold block, in warm
 * (C1) or hot (C2) compiled code, or one at a time; and which blocks ran most of them. For
 * tuning the translator's tiers, off by default: {@code -Dnucleo.translator.stats=FILE}
 * appends a report per hart to FILE when the hart stops.
 *
 * <p>A compiled block's count includes the blocks it ran chained, so a chain's instructions
 * all count for the block it was entered at; the hot/warm split follows that entry block.
 */
final class TierStats {
    /** Where the reports go, or null: no statistics (the default). */
    static final String FILE = System.getProperty("nucleo.translator.stats");
    private static final System.Logger LOG = System.getLogger(TierStats.class.getName());
    /** How many of the blocks that ran the most the report lists ({@code -Dnucleo.translator.stats.top=N}). */
    private static final int TOP_BLOCKS = Integer.getInteger("nucleo.translator.stats.top", 30);
    private static final int COLD = 0;
    private static final int WARM = 1;
    private static final int HOT = 2;

    private final long[] instructions = new long[3];
    private final long[] entries = new long[3];
    private long oneAtATime;
    /** Per entry pc: instructions cold, warm, hot. */
    private final Map<Long, long[]> byPc = new HashMap<>();

    /** A new counter when statistics are on, else null (the translator then counts nothing). */
    static TierStats ifEnabled() {
        return FILE == null ? null : new TierStats();
    }

    void cold(long pc, int n) {
        count(COLD, pc, n);
    }

    void compiled(long pc, long n, ChainedBlock block) {
        count(BlockCompiler.isHot(block) ? HOT : WARM, pc, n);
    }

    void oneAtATime() {
        oneAtATime++;
    }

    long coldInstructions() {
        return instructions[COLD];
    }

    long warmInstructions() {
        return instructions[WARM];
    }

    long hotInstructions() {
        return instructions[HOT];
    }

    long oneAtATimeInstructions() {
        return oneAtATime;
    }

    private void count(int tier, long pc, long n) {
        instructions[tier] += n;
        entries[tier]++;
        byPc.computeIfAbsent(pc, k -> new long[3])[tier] += n;
    }

    /** The report: totals per tier, then the blocks that ran the most instructions. */
    String report(String hart) {
        long total = sum(instructions) + oneAtATime;
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%s: %.1f M guest instructions: cold %s, warm %s, hot %s, one at a time %.1f M%n",
                hart, total / 1e6, tier(COLD, total, "runs"), tier(WARM, total, "entries"), tier(HOT, total, "entries"),
                oneAtATime / 1e6));
        out.append("  blocks that ran the most (entry pc: M instructions cold / warm / hot)\n");
        byPc.entrySet().stream()
                .sorted((a, b) -> Long.compare(sum(b.getValue()), sum(a.getValue())))
                .limit(TOP_BLOCKS)
                .forEach(e -> out.append(String.format(Locale.ROOT, "  %016x  %.1f / %.1f / %.1f%n", e.getKey(),
                        e.getValue()[COLD] / 1e6, e.getValue()[WARM] / 1e6, e.getValue()[HOT] / 1e6)));
        return out.toString();
    }

    /** Appends the report to {@link #FILE} (harts may stop at once: one write at a time). */
    void write(String hart) {
        synchronized (TierStats.class) {
            try {
                Files.writeString(Path.of(FILE), report(hart), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException | InvalidPathException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot write translator statistics to " + FILE + ": " + e);
            }
        }
    }

    private String tier(int tier, long total, String what) {
        return String.format(Locale.ROOT, "%.1f M (%.1f %%, %.1f M %s)", instructions[tier] / 1e6,
                total == 0 ? 0.0 : 100.0 * instructions[tier] / total, entries[tier] / 1e6, what);
    }

    /** Cold, warm and hot together (of the totals, or of one block's counts). */
    private static long sum(long[] counts) {
        return counts[COLD] + counts[WARM] + counts[HOT];
    }
}
