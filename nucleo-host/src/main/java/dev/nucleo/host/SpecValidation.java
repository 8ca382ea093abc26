package dev.nucleo.host;

import dev.nucleo.vmm.DiskCheck;
import dev.nucleo.vmm.SpecCheck;
import dev.nucleo.vmm.VmConfigException;
import dev.nucleo.vmm.VmSpec;
import java.util.regex.Pattern;

/**
 * Checks a definition before the daemon accepts it: a usable name, a possible machine, and
 * files that exist and look like what they are given as. Whether the images fit in RAM is
 * checked again when the VM is built (at start).
 */
final class SpecValidation {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

    private SpecValidation() {
    }

    static VmSpec validate(VmConfig config) throws ApiException {
        checkName(config.name());
        VmSpec spec = config.toSpec();
        if (spec.initrd().isPresent() && spec.kernel().isEmpty()) {
            throw ApiException.unprocessable("initrd needs a kernel to hand it to");
        }
        try {
            SpecCheck.checkMachine(spec.memoryBytes(), spec.cpus());
            SpecCheck.checkCpuShare(spec.cpuShare(), spec.cpus());
            SpecCheck.checkImages(spec.firmware(), spec.kernel(), spec.initrd());
            DiskCheck.check(spec.disks());
        } catch (VmConfigException e) {
            throw rejected(e);
        }
        return spec;
    }

    static void checkName(String name) throws ApiException {
        if (name == null) {
            throw ApiException.unprocessable("name is required");
        }
        if (!NAME.matcher(name).matches()) {
            throw ApiException.unprocessable("name '" + name + "' is not valid: 1 to 63 letters, digits, '_', '.'"
                    + " or '-', starting with a letter or digit");
        }
    }

    /** The checks speak in command-line options; the API's fields have other names. */
    static ApiException rejected(VmConfigException e) {
        String reason = e.getMessage().replace("--memory", "memoryBytes").replace("--cpus", "cpus")
                .replace("--initrd", "initrd").replace("--kernel", "kernel").replace("--firmware", "firmware")
                .replace("(--disk)", "").replace("--disk", "disks");
        return ApiException.unprocessable(reason);
    }
}
