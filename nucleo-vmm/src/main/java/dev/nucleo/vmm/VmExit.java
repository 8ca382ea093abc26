package dev.nucleo.vmm;

/** Why a VM stopped running. */
public sealed interface VmExit {
    /** The guest powered off (finisher 0x5555 or SBI shutdown). */
    record PowerOff() implements VmExit {
    }

    /** The guest asked for a reset (finisher 0x7777). */
    record Reset() implements VmExit {
    }

    /** The guest reported failure with a code (finisher 0x3333 | code << 16). */
    record GuestFailure(int code) implements VmExit {
    }

    /** The guest can make no progress (e.g. it traps while fetching its own trap handler). */
    record GuestCrash(String reason) implements VmExit {
    }

    /** Nucleo itself failed while running the guest (a bug, or the host ran out of something). */
    record VmmError(String reason) implements VmExit {
    }

    /** The VM was stopped from the host. */
    record Stopped() implements VmExit {
    }
}
