package dev.nucleo.vmm;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;

/**
 * A throw-away network namespace for tests that need a TAP device: made with
 * {@code ip netns add}, so addresses given in it never route anywhere else, and deleted on
 * close. {@link #call} runs code on a thread that has entered the namespace, so a TAP
 * device it creates lives there (a network namespace is a per-thread property on Linux).
 */
final class NetNamespace implements AutoCloseable {
    private static final int CLONE_NEWNET = 0x4000_0000;
    private static final int O_RDONLY = 0;

    final String name;

    private NetNamespace(String name) {
        this.name = name;
    }

    /** Creates the namespace, or skips the test (fails it under CI) when this host cannot. */
    static NetNamespace createOrSkip(String prefix) throws IOException, InterruptedException {
        String why = null;
        if (!"0".equals(run(List.of("id", "-u")).trim())) {
            why = "not running as root";
        } else if (!Files.exists(Path.of("/dev/net/tun"))) {
            why = "/dev/net/tun is missing";
        }
        if (why != null) {
            if (System.getenv("CI") != null) {
                fail("the TAP test must run under CI, but " + why);
            }
            Assumptions.abort("TAP test skipped: " + why);
        }
        String name = prefix + "-" + ProcessHandle.current().pid();
        run(List.of("ip", "netns", "add", name));
        NetNamespace ns = new NetNamespace(name);
        ns.exec("ip", "link", "set", "lo", "up");
        return ns;
    }

    /** Runs a command inside the namespace; its output, or an exception if it failed. */
    String exec(String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return run(full);
    }

    /** Runs {@code work} on a platform thread that entered this namespace first. */
    <T> T call(Callable<T> work) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> error = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("in netns " + name).start(() -> {
            try {
                enter();
                result.set(work.call());
            } catch (Exception e) {
                error.set(e);
            } catch (Throwable failure) {
                error.set(new IOException("entering network namespace " + name + " failed", failure));
            }
        });
        t.join();
        if (error.get() != null) {
            throw error.get();
        }
        return result.get();
    }

    private void enter() throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle open = linker.downcallHandle(linker.defaultLookup().find("open").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        MethodHandle setns = linker.downcallHandle(linker.defaultLookup().find("setns").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        MethodHandle close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom("/var/run/netns/" + name);
            int fd = (int) open.invokeExact(path, O_RDONLY);
            if (fd < 0) {
                throw new IOException("cannot open /var/run/netns/" + name);
            }
            int rc = (int) setns.invokeExact(fd, CLONE_NEWNET);
            int ignored = (int) close.invokeExact(fd);
            if (rc != 0) {
                throw new IOException("setns into " + name + " failed");
            }
        }
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run(List.of("ip", "netns", "del", name));
    }
}
