package dev.nucleo.host;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;

/**
 * An attached console: binary (or text) messages from the client are typed on the VM's
 * serial port; what the guest prints goes back as binary messages, one send at a time from
 * a virtual thread of its own so a slow client never holds up the guest. The socket closes
 * (status 1000, reason "VM stopped") when the VM stops.
 */
public final class ConsoleSocket implements Session.Listener.AutoDemanding {
    private final ManagedVm vm;
    private final long replay;
    private volatile ConsoleStream stream;

    ConsoleSocket(ManagedVm vm, long replay) {
        this.vm = vm;
        this.replay = replay;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        ConsoleStream output = vm.console().follow(replay);
        stream = output;
        Thread.ofVirtual().name("console-" + vm.name()).start(() -> pump(session, output));
    }

    private void pump(Session session, ConsoleStream output) {
        try {
            while (session.isOpen()) {
                byte[] bytes = output.take(1, TimeUnit.SECONDS);
                if (bytes == null) {
                    return;
                }
                if (bytes.length > 0) {
                    CompletableFuture<Void> sent = new CompletableFuture<>();
                    session.sendBinary(ByteBuffer.wrap(bytes), Callback.from(() -> sent.complete(null), sent::completeExceptionally));
                    sent.get();
                } else if (!vm.state().active()) {
                    session.close(StatusCode.NORMAL, "VM stopped", Callback.NOOP);
                    return;
                }
            }
        } catch (Exception e) {
            session.close(StatusCode.SERVER_ERROR, "console output failed", Callback.NOOP);
        } finally {
            output.close();
        }
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        type(bytes);
        callback.succeed();
    }

    @Override
    public void onWebSocketText(String text) {
        type(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Input while the VM is not running goes nowhere: there is no serial port to type on. */
    private void type(byte[] bytes) {
        vm.sendConsoleInput(bytes);
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        ConsoleStream output = stream;
        if (output != null) {
            output.close();
        }
    }
}
