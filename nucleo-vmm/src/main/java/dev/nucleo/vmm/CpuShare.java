package dev.nucleo.vmm;

/**
 * A VM's share of the host's CPU when it runs on a {@link dev.nucleo.vmm.sched.CpuScheduler}
 * (checked by {@link SpecCheck}; without a scheduler it has no effect).
 *
 * @param weight its share among busy VMs, relative to theirs (1..10000, default 100): two
 *               CPU-bound VMs with weights 200 and 100 on a busy host get CPU time 2:1
 * @param limit  a cap in host cores for all its harts together (e.g. 0.25), at most its
 *               number of harts; 0 means none
 */
public record CpuShare(int weight, double limit) {
    public static final CpuShare DEFAULT = new CpuShare(100, 0);
}
