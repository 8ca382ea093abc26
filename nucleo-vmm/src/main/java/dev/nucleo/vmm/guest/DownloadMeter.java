package dev.nucleo.vmm.guest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Reports download progress while apt runs, by watching the bytes that appear in its
 * download directories (apt prints no progress when its output is not a terminal).
 */
final class DownloadMeter implements AutoCloseable {
    private static final long INTERVAL_MILLIS = 2000;

    private final Thread thread;
    private volatile boolean done;

    DownloadMeter(List<Path> dirs, long expectedBytes, Consumer<String> progress) {
        thread = Thread.ofVirtual().name("nucleo-download-meter").start(() -> {
            long last = -1;
            while (!done) {
                try {
                    Thread.sleep(INTERVAL_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                long now = bytesIn(dirs);
                if (!done && now != last && now > 0) {
                    progress.accept("downloaded " + mib(now) + " of " + mib(expectedBytes));
                    last = now;
                }
            }
        });
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    private static long bytesIn(List<Path> dirs) {
        long total = 0;
        for (Path dir : dirs) {
            try (Stream<Path> files = Files.walk(dir)) {
                total += files.filter(Files::isRegularFile).mapToLong(DownloadMeter::sizeOrZero).sum();
            } catch (IOException | UncheckedIOException e) {
                // A file apt renamed under us; the next sample will see it.
            }
        }
        return total;
    }

    private static long sizeOrZero(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        done = true;
        thread.interrupt();
    }
}
