package dev.nucleo.host;

import java.nio.file.Path;

/**
 * Pause, resume, snapshot, restore and clone: the actions that need {@code Vm.pause()},
 * {@code Vm.resume()}, {@code Vm.snapshot(Path)} and {@code Vm.restore(Path, OutputStream)},
 * which are being added to nucleo-vmm on another branch. Until they are merged, each answers
 * HTTP 501 with the reason, never a pretended success; this is the one place to wire them.
 */
final class SnapshotActions {
    private static final String NOT_YET = " is not available in this build: nucleo-vmm has no"
            + " pause/resume/snapshot/restore yet (Vm.%s is coming with the snapshot work)";

    void pause(ManagedVm vm) throws ApiException {
        requireActive(vm);
        throw notImplemented("pause", "pause()");
    }

    void resume(ManagedVm vm) throws ApiException {
        requireActive(vm);
        throw notImplemented("resume", "resume()");
    }

    void snapshot(ManagedVm vm, Path dir) throws ApiException {
        requireActive(vm);
        throw notImplemented("snapshot", "snapshot(Path)");
    }

    /** A new VM called {@code name} from the snapshot in {@code dir}. */
    VmStatus restore(Path dir, String name) throws ApiException {
        throw notImplemented("restore", "restore(Path, OutputStream)");
    }

    /** A new VM called {@code name} from a snapshot of a running one. */
    VmStatus clone(ManagedVm vm, String name) throws ApiException {
        requireActive(vm);
        throw notImplemented("clone", "snapshot(Path) and Vm.restore(Path, OutputStream, VmSpec)");
    }

    private static void requireActive(ManagedVm vm) throws ApiException {
        if (!vm.state().active()) {
            throw ApiException.conflict("VM '" + vm.name() + "' is not running (it is " + vm.state().label() + ")");
        }
    }

    private static ApiException notImplemented(String action, String method) {
        return new ApiException(501, action + String.format(NOT_YET, method));
    }
}
