package dev.nucleo.cpu;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Compiles hot blocks on a thread of its own, so the hart goes on interpreting meanwhile
 * instead of waiting for class generation and loading. The thread exists only while there is
 * work (it ends after a second idle), so a VM that stops leaves nothing behind.
 */
final class BackgroundCompiler {
    private static final System.Logger LOG = System.getLogger(BackgroundCompiler.class.getName());

    private final BlockCompiler compiler = new BlockCompiler();
    private final ThreadPoolExecutor executor;

    BackgroundCompiler(String name) {
        executor = new ThreadPoolExecutor(0, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> Thread.ofPlatform().name(name).daemon().unstarted(r));
    }

    /** Compiles the block and publishes its code in block.compiled (a volatile field). */
    void submit(Block block) {
        executor.execute(() -> {
            if (!block.valid) {
                return;                         // dropped while it waited
            }
            try {
                block.compiled = compiler.compile(block);
            } catch (RuntimeException | LinkageError e) {
                // The block stays interpreted; the interpreter is always correct.
                LOG.log(System.Logger.Level.WARNING, "cannot compile the block at 0x" + Long.toHexString(block.pc), e);
            }
        });
    }

    /** Compiles on the calling thread (tests that want compiled code at once). */
    CompiledBlock compileNow(Block block) {
        return compiler.compile(block);
    }
}
