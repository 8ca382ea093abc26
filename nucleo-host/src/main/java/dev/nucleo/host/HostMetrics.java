package dev.nucleo.host;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Supplier;

/**
 * The daemon's Prometheus metrics: counters it bumps as things happen, and gauges read from
 * the VMs at scrape time. A registry of its own, so two daemons in one JVM (tests) do not mix.
 */
final class HostMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter requests;
    private final Counter starts;
    private final Counter crashes;

    HostMetrics() {
        requests = Counter.builder().name("nucleo_api_requests").help("API requests answered, by method and status")
                .labelNames("method", "status").register(registry);
        starts = Counter.builder().name("nucleo_vm_starts").help("VM starts, reboots included").register(registry);
        crashes = Counter.builder().name("nucleo_vm_crashes").help("VMs that ended crashed").register(registry);
    }

    /** The gauges read from the host's VMs at each scrape. */
    void watch(Supplier<Iterable<VmStatus>> vms, Supplier<HostUsage> usage) {
        GaugeWithCallback.builder().name("nucleo_vm_up").help("1 for each VM in the state named by the label")
                .labelNames("vm", "id", "state")
                .callback(cb -> vms.get().forEach(vm -> cb.call(1, vm.name(), vm.id(), vm.state())))
                .register(registry);
        GaugeWithCallback.builder().name("nucleo_vm_memory_configured_bytes").help("Guest RAM each VM is defined with")
                .labelNames("vm")
                .callback(cb -> vms.get().forEach(vm -> cb.call(vm.config().memoryBytes(), vm.name())))
                .register(registry);
        GaugeWithCallback.builder().name("nucleo_vm_memory_resident_bytes")
                .help("Guest RAM the host holds for each running VM").labelNames("vm")
                .callback(cb -> vms.get().forEach(vm -> {
                    if (vm.residentMemoryBytes() != null) {
                        cb.call(vm.residentMemoryBytes(), vm.name());
                    }
                }))
                .register(registry);
        GaugeWithCallback.builder().name("nucleo_vm_cpu_seconds").help("CPU time of each VM's harts since the daemon started")
                .labelNames("vm")
                .callback(cb -> vms.get().forEach(vm -> cb.call(vm.cpuSeconds(), vm.name())))
                .register(registry);
        GaugeWithCallback.builder().name("nucleo_vm_cpus").help("Harts each VM is defined with").labelNames("vm")
                .callback(cb -> vms.get().forEach(vm -> cb.call(vm.config().cpus(), vm.name())))
                .register(registry);
        GaugeWithCallback.builder().name("nucleo_vm_console_bytes").help("Serial console output of each VM")
                .labelNames("vm")
                .callback(cb -> vms.get().forEach(vm -> cb.call(vm.consoleBytes(), vm.name())))
                .register(registry);
        GaugeWithCallback.builder().name("nucleo_host_memory_bytes").help("The host's physical memory")
                .callback(cb -> cb.call(usage.get().hostMemoryBytes())).register(registry);
        GaugeWithCallback.builder().name("nucleo_host_memory_committed_bytes")
                .help("Guest RAM of the running VMs, what admission control counts")
                .callback(cb -> cb.call(usage.get().committedMemoryBytes())).register(registry);
        GaugeWithCallback.builder().name("nucleo_host_memory_limit_bytes")
                .help("Host memory times the overcommit ratio: the most the running VMs may be given")
                .callback(cb -> cb.call(usage.get().memoryLimitBytes())).register(registry);
        GaugeWithCallback.builder().name("nucleo_process_cpu_seconds").help("CPU time of the daemon's process")
                .callback(cb -> cb.call(usage.get().processCpuSeconds())).register(registry);
    }

    void request(String method, int status) {
        requests.labelValues(method, Integer.toString(status)).inc();
    }

    void vmStarted() {
        starts.inc();
    }

    void vmCrashed() {
        crashes.inc();
    }

    String contentType() {
        return writer.getContentType();
    }

    void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape(), io.prometheus.metrics.config.EscapingScheme.UNDERSCORE_ESCAPING);
    }
}
