package dev.nucleo.vmm;

import java.util.concurrent.CompletableFuture;

/**
 * Runs a VM on a thread of its own. A VM's run blocks for its whole life, so it must not sit
 * in the common fork-join pool, where it could keep other tasks (or other VMs) from starting.
 */
public final class Background {
    private Background() {
    }

    public static CompletableFuture<VmExit> run(Vm vm) {
        return CompletableFuture.supplyAsync(vm::run, task -> Thread.ofPlatform().name("vm-run").daemon().start(task));
    }
}
