package dev.nucleo.host;

/**
 * A VM the daemon keeps across restarts: its id, when it was created (ISO-8601 UTC), and its
 * configuration.
 */
public record VmDefinition(String id, String created, VmConfig config) {
    public String name() {
        return config.name();
    }
}
