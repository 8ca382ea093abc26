package dev.nucleo.cli;

import java.io.PrintStream;
import java.util.List;

/** Left-aligned columns three spaces apart, the first row being the header (as docker prints). */
final class Table {
    private Table() {
    }

    static void print(List<String[]> rows, PrintStream out) {
        int columns = rows.getFirst().length;
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                line.append(row[c]);
                if (c + 1 < columns) {
                    line.append(" ".repeat(width[c] - row[c].length() + 3));
                }
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
