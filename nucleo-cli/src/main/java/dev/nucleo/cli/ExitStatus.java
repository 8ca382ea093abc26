package dev.nucleo.cli;

import dev.nucleo.vmm.VmConfigException;
import dev.nucleo.vmm.VmExit;

/**
 * The exit statuses of {@code nucleo}, after BSD sysexits where one fits. They are part of
 * the command's contract: scripts and outside checks rely on them.
 */
public final class ExitStatus {
    /** The guest powered off. */
    public static final int POWER_OFF = 0;
    /** Bad command line: unknown option, bad size, impossible combination. */
    public static final int USAGE = 64;
    /** A firmware, kernel or initrd that is corrupt, truncated or for another architecture. */
    public static final int BAD_IMAGE = 65;
    /** A file named on the command line does not exist or cannot be read. */
    public static final int MISSING_INPUT = 66;
    /** The default guest could not be fetched (apt, dpkg or the network failed). */
    public static final int FETCH_FAILED = 69;
    /** A fault in Nucleo itself. */
    public static final int INTERNAL_ERROR = 70;
    /** The guest crashed: it can make no progress. */
    public static final int GUEST_CRASH = 71;
    /** The guest asked for a reset. */
    public static final int GUEST_RESET = 72;
    /** The daemon refused a request (daemon commands: create, start, ...); its reason is on stderr. */
    public static final int REFUSED = 1;
    /** The daemon cannot be reached (daemon commands). */
    public static final int DAEMON_UNAVAILABLE = 69;
    /** Stopped by the user (Ctrl-A x on the console, or SIGINT). */
    public static final int STOPPED = 130;

    /** The lines {@code nucleo run --help} lists, as picocli's "status:description". */
    static final String[] HELP_LIST = {
        "  0:the guest powered off",
        "1-255:the guest reported failure with this code (its low 8 bits; 1 if those are 0)",
        " 64:usage error (bad option or value)",
        " 65:bad image: corrupt, truncated or wrong-architecture file",
        " 66:an input file is missing or unreadable",
        " 69:the default guest could not be fetched",
        " 70:internal error in Nucleo",
        " 71:the guest crashed (can make no progress)",
        " 72:the guest requested a reset",
        "130:stopped by the user (Ctrl-A x, or SIGINT)",
    };

    private ExitStatus() {
    }

    /** The status for how the VM ended. */
    public static int of(VmExit exit) {
        return switch (exit) {
            case VmExit.PowerOff p -> POWER_OFF;
            case VmExit.GuestFailure f -> (f.code() & 0xff) == 0 ? 1 : f.code() & 0xff;
            case VmExit.GuestCrash c -> GUEST_CRASH;
            case VmExit.Reset r -> GUEST_RESET;
            case VmExit.VmmError e -> INTERNAL_ERROR;
            case VmExit.Stopped s -> STOPPED;
        };
    }

    /** The status for a user mistake the VM refused. */
    public static int of(VmConfigException.Kind kind) {
        return switch (kind) {
            case USAGE -> USAGE;
            case MISSING_FILE -> MISSING_INPUT;
            case BAD_IMAGE -> BAD_IMAGE;
        };
    }

    /** A one-line note for stderr about how the VM ended, or null when there is nothing to say. */
    static String describe(VmExit exit) {
        return switch (exit) {
            case VmExit.PowerOff p -> null;
            case VmExit.GuestFailure f -> "guest reported failure (code " + f.code() + ")";
            case VmExit.GuestCrash c -> "guest crashed: " + c.reason();
            case VmExit.Reset r -> "guest requested a reset";
            case VmExit.VmmError e -> "internal error: " + e.reason();
            case VmExit.Stopped s -> "stopped";
        };
    }
}
