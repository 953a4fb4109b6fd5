package dev.ipcj.msg;

import java.time.Duration;

/**
 * The second process of {@link MessagingTest}. Modes:
 * <pre>
 *   send NAME N            open mailbox NAME, send "m0".."m(N-1)", exit
 *   recv NAME N DELAY_MS   open NAME, print "ready", sleep, receive N, print "got TEXT from PID seq S" each
 *   sendto TARGET N        send "b0".."b(N-1)" to the inbox of TARGET (a pid or a registered name)
 *   hammer NAME MS         open NAME, print "ready", then for MS ms a sender and a receiver thread
 *                          send and receive with short timeouts; print "seen CLASS..." for every
 *                          exception class met, "UNTYPED CLASS: MESSAGE" for one that is not an
 *                          IpcException, then "done"
 *   sendloop NAME SIZE     open NAME, print "ready", send SIZE-byte messages forever (blocking)
 *   rvsend NAME            open NAME, print "ready", send one message, blocking (a rendezvous
 *                          with nobody receiving: holds the mailbox's turn until killed)
 * </pre>
 */
public final class MsgPeer {
    private MsgPeer() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "send":
                try (Mailbox box = Mailbox.open(args[1])) {
                    for (int i = 0; i < Integer.parseInt(args[2]); i++) {
                        box.send("m" + i, Codec.UTF8);
                    }
                }
                System.out.println("sent");
                break;
            case "recv":
                try (Mailbox box = Mailbox.open(args[1])) {
                    System.out.println("ready");
                    System.out.flush();
                    Thread.sleep(Long.parseLong(args[3]));
                    for (int i = 0; i < Integer.parseInt(args[2]); i++) {
                        Message m = box.receive(Duration.ofSeconds(20));
                        if (m == null) {
                            System.out.println("timeout");
                            System.exit(3);
                        }
                        System.out.println("got " + m.text() + " from " + m.sender() + " seq " + m.sequence());
                    }
                }
                break;
            case "sendto":
                String target = args[1];
                try (Mailbox box = target.chars().allMatch(Character::isDigit)
                        ? Mailbox.toProcess(Long.parseLong(target)) : Mailbox.toProcess(target)) {
                    for (int i = 0; i < Integer.parseInt(args[2]); i++) {
                        box.send("b" + i, Codec.UTF8);
                    }
                }
                System.out.println("sent");
                break;
            case "hammer":
                hammer(args[1], Long.parseLong(args[2]));
                break;
            case "sendloop":
                try (Mailbox box = Mailbox.open(args[1])) {
                    byte[] b = new byte[Integer.parseInt(args[2])];
                    System.out.println("ready");
                    System.out.flush();
                    for (long i = 0;; i++) {
                        b[0] = (byte) i;
                        box.send(b);
                    }
                }
            case "rvsend":
                try (Mailbox box = Mailbox.open(args[1])) {
                    System.out.println("ready");
                    System.out.flush();
                    box.send("held".getBytes());
                }
                break;
            default:
                throw new IllegalArgumentException(args[0]);
        }
        System.out.flush();
    }

    private static void hammer(String name, long millis) throws Exception {
        java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Mailbox box = Mailbox.open(name);
        long end = System.nanoTime() + millis * 1_000_000L;
        Runnable sender = () -> loop(end, seen, () -> box.send("hammer".getBytes(), Duration.ofMillis(5)));
        Runnable receiver = () -> loop(end, seen, () -> box.receive(Duration.ofMillis(5)));
        Thread s = new Thread(sender);
        Thread r = new Thread(receiver);
        System.out.println("ready");
        System.out.flush();
        s.start();
        r.start();
        s.join();
        r.join();
        try {
            box.close();
        } catch (Throwable e) {
            note(seen, e);
        }
        for (String c : seen) {
            System.out.println(c);
        }
        System.out.println("done");
    }

    interface Call {
        Object call() throws Exception;
    }

    private static void loop(long end, java.util.Set<String> seen, Call c) {
        for (;;) {
            try { // the JVM may raise a mapping fault at this loop's own safepoint poll: keep going
                while (System.nanoTime() - end < 0) {
                    try {
                        c.call();
                    } catch (Throwable e) {
                        note(seen, e);
                    }
                }
                return;
            } catch (Throwable e) {
                note(seen, e);
            }
        }
    }

    /** Whether a frame of class {@code c} is the library's (not a test peer's, not the JDK's). */
    static boolean isLibrary(String c) {
        return c.startsWith("dev.ipcj.") && !c.contains("Peer");
    }

    private static void note(java.util.Set<String> seen, Throwable e) {
        if (e instanceof dev.ipcj.IpcException || e instanceof InterruptedException) {
            seen.add("seen " + e.getClass().getSimpleName());
        } else if (dev.ipcj.internal.Faults.isMappingFault(e) && e.getStackTrace().length > 0
                && !isLibrary(e.getStackTrace()[0].getClassName())) {
            // The JVM raised a fault of compiled code at a safepoint poll outside the library, after
            // its call had returned (see dev.ipcj.internal.Faults): not thrown by the library.
            seen.add("ASYNC " + e.getClass().getSimpleName());
        } else {
            StringBuilder sb = new StringBuilder("UNTYPED " + e);
            for (StackTraceElement f : e.getStackTrace()) {
                sb.append(" at ").append(f);
            }
            seen.add(sb.toString());
        }
    }
}
