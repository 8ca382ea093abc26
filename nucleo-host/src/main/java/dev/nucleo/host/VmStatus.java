package dev.nucleo.host;

import com.fasterxml.jackson.annotation.JsonInclude;

/** What the API tells about one VM (list, inspect, and the answer to every action). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmStatus(
        String id,
        String name,
        String state,
        String exitReason,
        String created,
        String started,
        Long uptimeSeconds,
        Long residentMemoryBytes,
        double cpuSeconds,
        long consoleBytes,
        VmConfig config) {
}
