package dev.ipcj.bench;

import dev.ipcj.bench.MessagingEndpoints.Endpoint;
import dev.ipcj.launch.Ready;
import dev.ipcj.msg.Transport;
import java.nio.ByteBuffer;

/**
 * The second process of {@link MessagingBenchmark}:
 * {@code echo LAYER TRANSPORT IN OUT} sends every message from IN back on OUT;
 * {@code drain LAYER TRANSPORT IN} receives and drops. Both stop at a zero-length message.
 */
public final class MessagingPeer {
    private MessagingPeer() {
    }

    public static void main(String[] args) throws Exception {
        String layer = args[1];
        Transport t = Transport.valueOf(args[2]);
        ByteBuffer b = ByteBuffer.allocateDirect(MessagingEndpoints.MAX + 64);
        try (Endpoint in = MessagingEndpoints.open(layer, t, args[3]);
             Endpoint out = args[0].equals("echo") ? MessagingEndpoints.open(layer, t, args[4]) : null) {
            Ready.signal();
            System.out.flush();
            for (;;) {
                int n = in.receive(b);
                if (n == 0) {
                    return;
                }
                if (out != null) {
                    b.flip();
                    out.send(b);
                }
            }
        }
    }
}
