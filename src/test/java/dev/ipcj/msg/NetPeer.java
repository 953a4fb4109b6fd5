package dev.ipcj.msg;

import java.time.Duration;
import java.util.Arrays;

/**
 * The other JVM of {@link NetMailboxTest} (on loopback or in another network namespace). Modes:
 * <pre>
 *   echo MY_URI PEER_URI N MAX    create MY_URI (bounded(8), MAX-byte messages), print "ready";
 *                                 receive N messages, sending each back to PEER_URI (opened on the
 *                                 first); print "echoed N"
 *   ping MY_URI PEER_URI N MAX    create MY_URI, open PEER_URI, send N messages of growing sizes up
 *                                 to MAX (fragmented by Aeron past its MTU), check each echo; "ok N"
 *   hold MY_URI CAP               create MY_URI bounded(CAP), print "ready", never receive
 *   flood PEER_URI SIZE           open PEER_URI, print "ready", send SIZE-byte messages forever, the
 *                                 bytes of each a function of its sequence ({@link #pattern})
 * </pre>
 */
public final class NetPeer {
    private NetPeer() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "echo":
                echo(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
                break;
            case "ping":
                ping(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
                break;
            case "hold":
                try (Mailbox box = Mailbox.create(args[1], Capacity.bounded(Integer.parseInt(args[2])))) {
                    System.out.println("ready");
                    System.out.flush();
                    Thread.sleep(120_000);
                }
                break;
            case "flood":
                try (Mailbox out = Mailbox.open(args[1])) {
                    System.out.println("ready");
                    System.out.flush();
                    byte[] b = new byte[Integer.parseInt(args[2])];
                    for (long seq = 0;; seq++) {
                        pattern(seq, b);
                        out.send(b);
                    }
                }
            default:
                throw new IllegalArgumentException(args[0]);
        }
    }

    static void echo(String mine, String peer, int n, int max) throws Exception {
        try (Mailbox in = Mailbox.create(mine, Transport.AERON, Capacity.bounded(8), max)) {
            System.out.println("ready");
            System.out.flush();
            Mailbox out = null;
            try {
                for (int i = 0; i < n; i++) {
                    Message m = in.receive(Duration.ofSeconds(30));
                    if (m == null) {
                        System.out.println("timeout after " + i);
                        System.exit(3);
                    }
                    if (out == null) {
                        out = Mailbox.open(peer);
                    }
                    if (!out.send(m.bytes(), Duration.ofSeconds(30))) {
                        System.out.println("send timeout after " + i);
                        System.exit(4);
                    }
                }
            } finally {
                if (out != null) {
                    out.close();
                }
            }
            System.out.println("echoed " + n);
        }
    }

    static void ping(String mine, String peer, int n, int max) throws Exception {
        try (Mailbox in = Mailbox.create(mine, Transport.AERON, Capacity.bounded(8), max);
             Mailbox out = Mailbox.open(peer)) {
            for (int i = 0; i < n; i++) {
                byte[] b = payload(i, n, max);
                if (!out.send(b, Duration.ofSeconds(30))) {
                    System.out.println("send timeout at " + i);
                    System.exit(4);
                }
                Message m = in.receive(Duration.ofSeconds(30));
                if (m == null || !Arrays.equals(b, m.bytes())) {
                    System.out.println("bad echo at " + i + ": " + (m == null ? "none" : m.length() + " bytes"));
                    System.exit(5);
                }
            }
            System.out.println("ok " + n);
        }
    }

    /** Fills {@code b} with the bytes of the flood's message {@code seq}. */
    static void pattern(long seq, byte[] b) {
        for (int k = 0; k < b.length; k++) {
            b[k] = (byte) (seq * 7 + k * 13);
        }
    }

    /** Message i of n: sizes from 0 to max, bytes a function of (i, index). */
    static byte[] payload(int i, int n, int max) {
        int len = n <= 1 ? max : (int) ((long) max * i / (n - 1));
        byte[] b = new byte[len];
        for (int k = 0; k < len; k++) {
            b[k] = (byte) (i * 31 + k);
        }
        return b;
    }
}
