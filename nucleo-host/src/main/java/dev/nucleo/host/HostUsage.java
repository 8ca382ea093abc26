package dev.nucleo.host;

/**
 * The host's capacity and what the VMs use of it ({@code GET /v1/host}).
 *
 * @param committedMemoryBytes guest RAM of the running and paused VMs (what admission control counts)
 * @param memoryLimitBytes     host memory times the overcommit ratio
 * @param residentMemoryBytes  guest RAM the host actually holds for the running VMs
 * @param processCpuSeconds    CPU time the daemon's process has used (all VMs' harts and the daemon)
 */
public record HostUsage(
        int hostCpus,
        long hostMemoryBytes,
        double memoryOvercommitRatio,
        long memoryLimitBytes,
        long committedMemoryBytes,
        long residentMemoryBytes,
        int vms,
        int runningVms,
        int committedCpus,
        double processCpuSeconds) {
}
