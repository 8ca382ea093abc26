import dev.nucleo.vmm.Vm;
import dev.nucleo.vmm.VmExit;
import dev.nucleo.vmm.VmSpec;
import dev.nucleo.vmm.guest.GuestAssets;
import dev.nucleo.vmm.guest.GuestCache;
import dev.nucleo.vmm.guest.InitramfsBuilder;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Snapshot benchmark (run by bench/snapshot): boots the default guest to its shell, snapshots
 * it, then measures (1) the time from Vm.restore() to the restored console answering a command,
 * and (2) host memory of N clones of that snapshot against N times a fresh boot's resident RAM,
 * from /proc/self/smaps (the guest-RAM mappings: Rss, Pss, Private_Dirty) and smaps_rollup.
 */
public class SnapshotBench {
    static final long RAM = VmSpec.DEFAULT_MEMORY;

    public static void main(String[] args) throws Exception {
        int status = 0;
        try {
            measure(args);
        } catch (Throwable t) {
            t.printStackTrace();
            status = 1;
        }
        System.out.flush();
        Runtime.getRuntime().halt(status); // VMs still running after a failure must not keep the JVM up
    }

    static void measure(String[] args) throws Exception {
        int clones = Integer.parseInt(args[0]);
        int restores = Integer.parseInt(args[1]);
        Path work = Path.of(args[2]);
        GuestAssets guest = GuestAssets.locate(GuestCache.fromEnvironment());
        VmSpec spec = new VmSpec(Optional.of(guest.firmware()), Optional.of(guest.kernel()),
                Optional.of(guest.defaultInitrd()), "console=ttyS0", RAM, 1);

        Rollup baseline = rollup();
        Transcript console = new Transcript();
        Vm fresh = Vm.create(spec, console);
        Thread freshRun = Thread.ofPlatform().daemon().start(fresh::run);
        console.await(InitramfsBuilder.READY_BANNER);
        console.await("# ");
        answer(fresh, console, "boot");
        Thread.sleep(2000); // let the shell settle in WFI
        long freshResident = fresh.residentMemoryBytes();
        Rollup booted = rollup();
        System.out.printf("fresh boot: guest RAM resident %.1f MiB (mincore, all of it private);"
                + " whole process Pss %.1f -> %.1f MiB (+%.1f MiB, JVM JIT/heap included)%n",
                mib(freshResident), mib(baseline.pss), mib(booted.pss), mib(booted.pss - baseline.pss));
        Path snapshot = work.resolve("booted");
        long t0 = System.nanoTime();
        fresh.pause();
        long t1 = System.nanoTime();
        fresh.snapshot(snapshot);
        long t2 = System.nanoTime();
        fresh.close();
        freshRun.join();
        long data = du(snapshot.resolve("memory.raw"));
        System.out.printf("pause %.1f ms, snapshot %.1f ms; memory file %.1f MiB of data for %d MiB of RAM%n",
                ms(t1 - t0), ms(t2 - t1), mib(data), RAM >> 20);

        // (1) restore latency, one VM at a time
        long[] total = new long[restores];
        for (int i = 0; i < restores; i++) {
            Transcript c = new Transcript();
            long start = System.nanoTime();
            Vm vm = Vm.restore(snapshot, c);
            long restored = System.nanoTime();
            Thread run = Thread.ofPlatform().daemon().start(vm::run);
            answer(vm, c, "r" + i);
            long answered = System.nanoTime();
            total[i] = answered - start;
            System.out.printf("restore %d: restore() %.1f ms, run() to answer %.1f ms, total %.1f ms%n",
                    i, ms(restored - start), ms(answered - restored), ms(answered - start));
            vm.close();
            run.join();
        }
        Arrays.sort(total);
        System.out.printf("restore to answer: median %.1f ms, min %.1f ms, max %.1f ms (%d runs)%n",
                ms(total[restores / 2]), ms(total[0]), ms(total[restores - 1]), restores);

        // (2) memory of N clones, each answering a command, all alive at once
        Rollup before = rollup();
        List<Vm> vms = new ArrayList<>();
        List<Thread> runs = new ArrayList<>();
        for (int i = 0; i < clones; i++) {
            Transcript c = new Transcript();
            Vm vm = Vm.restore(snapshot, c);
            vms.add(vm);
            runs.add(Thread.ofPlatform().daemon().start(vm::run));
            answer(vm, c, "clone" + i);
        }
        Thread.sleep(2000);
        Rollup after = rollup();
        List<Mapping> cloneRam = ramMappings(snapshot.resolve("memory.raw").toString());
        long rss = 0, pss = 0, dirty = 0;
        for (Mapping m : cloneRam) {
            rss += m.rss;
            pss += m.pss;
            dirty += m.privateDirty;
        }
        System.out.printf("%d clones: guest-RAM mappings Rss sum %.1f MiB, Pss sum %.1f MiB, Private_Dirty sum %.1f MiB"
                + " (%d mappings)%n", clones, mib(rss), mib(pss), mib(dirty), cloneRam.size());
        System.out.printf("%d x fresh boot resident RAM: %.1f MiB; clones' Pss is %.1f%% of it%n",
                clones, mib(clones * freshResident), 100.0 * pss / (clones * freshResident));
        System.out.printf("whole process smaps_rollup: Rss %.1f -> %.1f MiB, Pss %.1f -> %.1f MiB (+%.1f MiB for %d clones,"
                + " JVM heap and code included)%n", mib(before.rss), mib(after.rss), mib(before.pss), mib(after.pss),
                mib(after.pss - before.pss), clones);
        for (Vm vm : vms) {
            vm.close();
        }
        for (Thread t : runs) {
            t.join();
        }
    }

    static void answer(Vm vm, Transcript console, String tag) throws InterruptedException {
        vm.sendConsoleInput(("echo " + tag + "-$((6*7))\n").getBytes(StandardCharsets.US_ASCII));
        console.await(tag + "-42\r\n");
    }

    record Mapping(String name, long size, long rss, long pss, long privateDirty) {
    }

    /** Guest-RAM mappings of this process: RAM-sized mappings of the given (memory) file. */
    static List<Mapping> ramMappings(String file) throws Exception {
        List<Mapping> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        for (int i = 0; i < lines.size(); i++) {
            String[] head = lines.get(i).split("\\s+", 6);
            if (!head[0].matches("[0-9a-f]+-[0-9a-f]+")) {
                continue;
            }
            String[] range = head[0].split("-");
            long size = Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16);
            String name = head.length > 5 ? head[5].trim() : "";
            boolean match = name.equals(file);
            if (size != RAM || !match) {
                continue;
            }
            long rss = 0, pss = 0, dirty = 0;
            for (int j = i + 1; j < lines.size() && !lines.get(j).matches("^[0-9a-f]+-.*"); j++) {
                String l = lines.get(j);
                if (l.startsWith("Rss:")) rss = kb(l);
                if (l.startsWith("Pss:")) pss = kb(l);
                if (l.startsWith("Private_Dirty:")) dirty = kb(l);
            }
            out.add(new Mapping(name, size, rss, pss, dirty));
        }
        return out;
    }

    record Rollup(long rss, long pss) {
    }

    static Rollup rollup() throws Exception {
        long rss = 0, pss = 0;
        for (String l : Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) {
            if (l.startsWith("Rss:")) rss = kb(l);
            if (l.startsWith("Pss:")) pss = kb(l);
        }
        return new Rollup(rss, pss);
    }

    static long kb(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
    }

    /** Bytes the file really occupies on disk (holes excluded), as du counts them. */
    static long du(Path file) throws Exception {
        Process p = new ProcessBuilder("du", "-B1", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        return Long.parseLong(out.split("\\s+")[0]);
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    static double mib(long bytes) {
        return bytes / (double) (1 << 20);
    }

    /** Console output collected for awaiting a string. */
    static final class Transcript extends OutputStream {
        private final StringBuilder text = new StringBuilder();
        private int from;

        @Override
        public synchronized void write(int b) {
            text.append((char) (b & 0xff));
            notifyAll();
        }

        synchronized void await(String needle) throws InterruptedException {
            long deadline = System.nanoTime() + 300_000_000_000L;
            int at;
            while ((at = text.indexOf(needle, from)) < 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out waiting for " + needle + ":\n" + text);
                }
                wait(100);
            }
            from = at + needle.length();
        }
    }
}
