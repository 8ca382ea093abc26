package dev.nucleo.host;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The operations of the API (docs/api/openapi.yaml describes each; a test checks that this
 * list and the document agree).
 */
final class ApiRoutes {
    static final String TEXT = "text/plain; charset=utf-8";

    /** Body of POST /v1/vms/{name}/snapshot. */
    record SnapshotRequest(String path) {
    }

    /** Body of POST /v1/vms/{name}/clone. */
    record CloneRequest(String name) {
    }

    /** Body of POST /v1/restore. */
    record RestoreRequest(String path, String name) {
    }

    /** Body of PATCH /v1/vms/{name}/cpu: either field may be left out. */
    record CpuShareRequest(Integer weight, Double limit) {
    }

    /** Body of PUT /v1/vms/{name}/balloon. */
    record BalloonRequest(Long targetBytes) {
    }

    private final VmHost host;

    ApiRoutes(VmHost host) {
        this.host = host;
    }

    List<Route> routes() {
        return List.of(
                new Route("GET", "/v1/vms", ex -> ex.json(200, host.list())),
                new Route("POST", "/v1/vms", ex -> ex.json(201, host.create(ex.body(VmConfig.class)))),
                new Route("GET", "/v1/vms/{name}", ex -> ex.json(200, host.inspect(ex.variable("name")))),
                new Route("DELETE", "/v1/vms/{name}", ex -> {
                    host.remove(ex.variable("name"), ex.flag("force"));
                    ex.noContent();
                }),
                new Route("POST", "/v1/vms/{name}/start", ex -> ex.json(200, host.start(ex.variable("name")))),
                new Route("POST", "/v1/vms/{name}/stop", ex -> ex.json(200, host.stop(ex.variable("name")))),
                new Route("POST", "/v1/vms/{name}/reboot", ex -> ex.json(200, host.reboot(ex.variable("name")))),
                new Route("POST", "/v1/vms/{name}/pause", ex -> ex.json(200, host.pause(ex.variable("name")))),
                new Route("POST", "/v1/vms/{name}/resume", ex -> ex.json(200, host.resume(ex.variable("name")))),
                new Route("POST", "/v1/vms/{name}/snapshot", ex -> {
                    host.snapshot(ex.variable("name"), path(ex.body(SnapshotRequest.class).path()));
                    ex.noContent();
                }),
                new Route("POST", "/v1/vms/{name}/clone", ex ->
                        ex.json(201, host.cloneVm(ex.variable("name"), ex.body(CloneRequest.class).name()))),
                new Route("POST", "/v1/restore", ex -> {
                    RestoreRequest restore = ex.body(RestoreRequest.class);
                    ex.json(201, host.restore(path(restore.path()), restore.name()));
                }),
                new Route("PATCH", "/v1/vms/{name}/cpu", ex -> {
                    CpuShareRequest share = ex.body(CpuShareRequest.class);
                    ex.json(200, host.setCpuShare(ex.variable("name"), share.weight(), share.limit()));
                }),
                new Route("PUT", "/v1/vms/{name}/balloon", ex -> {
                    BalloonRequest balloon = ex.body(BalloonRequest.class);
                    if (balloon.targetBytes() == null) {
                        throw ApiException.unprocessable("targetBytes is required");
                    }
                    ex.json(200, host.setBalloonTarget(ex.variable("name"), balloon.targetBytes()));
                }),
                new Route("GET", "/v1/vms/{name}/logs", this::logs),
                new Route("GET", "/v1/vms/{name}/console", ex -> {
                    host.get(ex.variable("name"));
                    throw ApiException.badRequest("the console is a WebSocket: send GET with 'Upgrade: websocket'");
                }),
                new Route("GET", "/v1/host", ex -> ex.json(200, host.usage())),
                new Route("GET", "/metrics", ex -> {
                    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                    host.metrics().write(out);
                    ex.send(200, host.metrics().contentType(), out.toByteArray());
                }));
    }

    private static Path path(String text) throws ApiException {
        if (text == null || text.isEmpty()) {
            throw ApiException.unprocessable("path is required");
        }
        Path path = Path.of(text);
        if (!path.isAbsolute()) {
            throw ApiException.unprocessable("path '" + text + "' must be absolute on the daemon's host");
        }
        return path;
    }

    /** The console log; with follow=true, then everything the guest prints until the VM stops. */
    private void logs(Exchange ex) throws Exception {
        ManagedVm vm = host.get(ex.variable("name"));
        long tail = tail(ex.query("tail"));
        if (!ex.flag("follow")) {
            ex.send(200, TEXT, vm.console().tail(tail));
            return;
        }
        try (ConsoleStream stream = vm.console().follow(tail)) {
            ex.request().addFailureListener(failure -> stream.close());
            try (OutputStream out = ex.stream(200, TEXT)) {
                while (true) {
                    byte[] bytes = stream.take(1, TimeUnit.SECONDS);
                    if (bytes == null) {
                        break;
                    }
                    if (bytes.length > 0) {
                        out.write(bytes);
                        out.flush();
                    } else if (!vm.state().active()) {
                        break;
                    }
                }
            } catch (IOException gone) {
                // The client went away; nothing to answer.
            }
        }
        ex.finish();
    }

    private static long tail(String text) throws ApiException {
        if (text == null) {
            return Long.MAX_VALUE;
        }
        try {
            long n = Long.parseLong(text);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.badRequest("tail must be a number of bytes (0 or more), not '" + text + "'");
    }
}
