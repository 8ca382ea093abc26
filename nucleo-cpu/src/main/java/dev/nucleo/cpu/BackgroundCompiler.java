package dev.nucleo.cpu;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Compiles hot blocks on a thread of its own, so the hart goes on interpreting meanwhile
 * instead of waiting for class generation and loading. The thread exists only while there is
 * work (it ends after a second idle), so a VM that stops leaves nothing behind.
 */
final class BackgroundCompiler {
    private static final System.Logger LOG = System.getLogger(BackgroundCompiler.class.getName());

    private final BlockCompiler compiler;
    private final ThreadPoolExecutor executor;

    BackgroundCompiler(String name, Hart hart) {
        compiler = new BlockCompiler(hart);
        executor = new ThreadPoolExecutor(0, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> Thread.ofPlatform().name(name).daemon().unstarted(r));
    }

    /**
     * Compiles the block's first code ({@link BlockCompiler#compileFirst}) and publishes it in
     * block.compiled (a volatile field).
     */
    void submitFirst(Block block, int runsToPromotion) {
        submit(block, () -> compiler.compileFirst(block, runsToPromotion), () -> { });
    }

    /**
     * Compiles a hot region (its first block and others it may jump to, see
     * {@link BlockCompiler#compileHot(List)}), publishes it in the first block's compiled, then
     * runs published.
     */
    void submitHot(List<Block> region, Runnable published) {
        Block block = region.getFirst();
        submit(block, () -> compiler.compileHot(region), published);
    }

    private void submit(Block block, Supplier<ChainedBlock> compile, Runnable published) {
        executor.execute(() -> {
            if (!block.valid) {
                return;                         // dropped while it waited
            }
            try {
                block.compiled = compile.get();
                published.run();
            } catch (RuntimeException | LinkageError e) {
                // The block stays as it was (interpreted or warm); both are always correct.
                LOG.log(System.Logger.Level.WARNING, "cannot compile the block at 0x" + Long.toHexString(block.pc), e);
            }
        });
    }

    /** The compiler itself, for compiling on the calling thread (tests that want compiled code at once). */
    BlockCompiler compiler() {
        return compiler;
    }
}
