package dev.nucleo.virtio.net;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * The Linux TUN/TAP driver through the FFM API: {@code open("/dev/net/tun")} and
 * {@code ioctl(TUNSETIFF, IFF_TAP | IFF_NO_PI)} give a file descriptor on which each
 * read or write is one Ethernet frame. The descriptor is non-blocking; readers wait in
 * {@link #awaitReadable}.
 */
final class LinuxTap implements AutoCloseable {
    static final String TUN_DEVICE = "/dev/net/tun";
    /** IFNAMSIZ minus the terminating NUL. */
    static final int MAX_NAME = 15;

    private static final long TUNSETIFF = 0x400454caL; // _IOW('T', 202, int)
    private static final short IFF_TAP = 0x0002;
    private static final short IFF_NO_PI = 0x1000;
    private static final int IFREQ_SIZE = 40;
    private static final int IFREQ_FLAGS = 16;
    private static final int O_RDWR = 2;
    private static final int O_NONBLOCK = 0x800;
    private static final int O_CLOEXEC = 0x80000;
    private static final short POLLIN = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int ENODEV = 19;
    static final int EPERM = 1;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");
    private static final ValueLayout.OfLong SIZE_T = ValueLayout.JAVA_LONG;

    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle IOCTL = downcall("ioctl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(SIZE_T, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, SIZE_T));
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(SIZE_T, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, SIZE_T));
    private static final MethodHandle POLL = downcall("poll",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private final String name;
    private final int fd;

    private LinuxTap(String name, int fd) {
        this.name = name;
        this.fd = fd;
    }

    private static MethodHandle downcall(String function, FunctionDescriptor descriptor, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = ERRNO_OPTION;
        System.arraycopy(extra, 0, options, 1, extra.length);
        MemorySegment symbol = LIBC.find(function)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + function));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** Opens (creating if needed) the TAP interface {@code name}. */
    static LinuxTap open(String name) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length == 0 || nameBytes.length > MAX_NAME) {
            throw new IOException("TAP interface name '" + name + "' must have 1.." + MAX_NAME + " characters");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(CAPTURE);
            int fd = (int) OPEN.invokeExact(errno, arena.allocateFrom(TUN_DEVICE), O_RDWR | O_NONBLOCK | O_CLOEXEC);
            if (fd < 0) {
                int err = errno(errno);
                throw new IOException(switch (err) {
                    case ENOENT, ENODEV -> TUN_DEVICE + " is missing: this host has no TUN/TAP support"
                            + " (load the tun module, or give the container the device)";
                    case EACCES, EPERM -> "permission denied opening " + TUN_DEVICE
                            + " (TAP devices need root or CAP_NET_ADMIN)";
                    default -> "cannot open " + TUN_DEVICE + ": errno " + err;
                });
            }
            MemorySegment ifreq = arena.allocate(IFREQ_SIZE);
            ifreq.copyFrom(MemorySegment.ofArray(nameBytes));
            ifreq.set(ValueLayout.JAVA_SHORT, IFREQ_FLAGS, (short) (IFF_TAP | IFF_NO_PI));
            int rc = (int) IOCTL.invokeExact(errno, fd, TUNSETIFF, ifreq);
            if (rc < 0) {
                int err = errno(errno);
                closeFd(fd);
                throw new IOException(switch (err) {
                    case EPERM, EACCES -> "permission denied creating or attaching TAP device " + name
                            + " (needs root or CAP_NET_ADMIN, or a device owned by this user)";
                    case EBUSY -> "TAP device " + name + " is in use by another process";
                    default -> "cannot attach TAP device " + name + ": errno " + err
                            + " (is it a TUN device rather than a TAP?)";
                });
            }
            return new LinuxTap(name, fd);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("calling libc for " + TUN_DEVICE + " failed: " + t, t);
        }
    }

    String name() {
        return name;
    }

    /** Waits up to {@code millis} for a frame; true when one can be read. */
    boolean awaitReadable(Arena arena, int millis) throws IOException {
        MemorySegment errno = arena.allocate(CAPTURE);
        MemorySegment pollfd = arena.allocate(8, 4);
        pollfd.set(ValueLayout.JAVA_INT, 0, fd);
        pollfd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
        int rc;
        try {
            rc = (int) POLL.invokeExact(errno, pollfd, 1L, millis);
        } catch (Throwable t) {
            throw new IOException("poll failed: " + t, t);
        }
        if (rc < 0) {
            int err = errno(errno);
            if (err == EINTR) {
                return false;
            }
            throw new IOException("poll on TAP " + name + ": errno " + err);
        }
        return rc > 0;
    }

    /** Reads one frame into {@code buffer}; its length, or 0 when none was waiting. */
    int read(Arena arena, MemorySegment buffer) throws IOException {
        MemorySegment errno = arena.allocate(CAPTURE);
        long n;
        try {
            n = (long) READ.invokeExact(errno, fd, buffer, buffer.byteSize());
        } catch (Throwable t) {
            throw new IOException("read failed: " + t, t);
        }
        if (n < 0) {
            int err = errno(errno);
            if (err == EAGAIN || err == EINTR) {
                return 0;
            }
            throw new IOException("read from TAP " + name + ": errno " + err);
        }
        return (int) n;
    }

    /** Writes one frame from {@code frame}; false if the device's queue was full (frame dropped). */
    boolean write(Arena arena, MemorySegment frame) throws IOException {
        MemorySegment errno = arena.allocate(CAPTURE);
        long n;
        try {
            n = (long) WRITE.invokeExact(errno, fd, frame, frame.byteSize());
        } catch (Throwable t) {
            throw new IOException("write failed: " + t, t);
        }
        if (n < 0) {
            int err = errno(errno);
            if (err == EAGAIN || err == EINTR) {
                return false;
            }
            throw new IOException("write to TAP " + name + ": errno " + err);
        }
        return true;
    }

    @Override
    public void close() {
        closeFd(fd);
    }

    private static void closeFd(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(arena.allocate(CAPTURE), fd);
        } catch (Throwable t) {
            // nothing else can be done about a failed close
        }
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }
}
