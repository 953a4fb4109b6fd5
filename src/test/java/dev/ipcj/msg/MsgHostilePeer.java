package dev.ipcj.msg;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The victim of {@link MsgHostileTest}: {@code victim NAME MS} opens NAME, prints "ready", and
 * for MS milliseconds sends ("v0", "v1", ...), receives, and opens further handles, each call
 * with a 30 ms timeout, while the test damages the mailbox. It then prints
 * <pre>
 *   sent v0,v3,...        the sends that returned true
 *   received v0,v1,...    what the receives returned
 *   seen CLASS            each IpcException class met
 *   ASYNC InternalError   a mapping fault the JVM raised after the library's call had returned
 *   UNTYPED ...           anything else (a failure)
 *   LATE CALL MS          a call that took longer than its timeout + 2 s (a failure)
 *   done
 * </pre>
 */
public final class MsgHostilePeer {
    private static final long TIMEOUT_MS = 30;
    private static final long LATE_MS = TIMEOUT_MS + 2000;

    private MsgHostilePeer() {
    }

    public static void main(String[] args) throws Exception {
        String name = args[0].equals("victim") ? args[1] : args[0];
        long millis = Long.parseLong(args[2]);
        Set<String> seen = ConcurrentHashMap.newKeySet();
        Set<String> sent = ConcurrentHashMap.newKeySet();
        Set<String> received = ConcurrentHashMap.newKeySet();
        Mailbox box = Mailbox.open(name);
        long end = System.nanoTime() + millis * 1_000_000L;
        Thread s = new Thread(() -> loop(end, seen, "send", new MsgPeer.Call() {
            int id;

            @Override
            public Object call() throws Exception {
                String text = "v" + id++;
                if (box.send(text.getBytes(), Duration.ofMillis(TIMEOUT_MS))) {
                    sent.add(text);
                }
                return null;
            }
        }));
        Thread r = new Thread(() -> loop(end, seen, "receive", () -> {
            Message m = box.receive(Duration.ofMillis(TIMEOUT_MS));
            if (m != null) {
                received.add(m.text());
            }
            return null;
        }));
        Thread o = new Thread(() -> loop(end, seen, "open", () -> {
            try (Mailbox other = Mailbox.open(name)) {
                other.pending();
            }
            Thread.sleep(20);
            return null;
        }));
        System.out.println("ready");
        System.out.flush();
        s.start();
        r.start();
        o.start();
        s.join();
        r.join();
        o.join();
        try {
            box.close();
        } catch (Throwable e) {
            note(seen, e);
        }
        System.out.println("sent " + String.join(",", sent));
        System.out.println("received " + String.join(",", received));
        for (String c : seen) {
            System.out.println(c);
        }
        System.out.println("done");
        System.out.flush();
    }

    private static void loop(long end, Set<String> seen, String call, MsgPeer.Call c) {
        for (;;) {
            try { // a mapping fault may be raised at this loop's own safepoint poll: keep going
                while (System.nanoTime() - end < 0) {
                    long t0 = System.nanoTime();
                    try {
                        c.call();
                    } catch (Throwable e) {
                        note(seen, e);
                    }
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    if (ms > LATE_MS) {
                        seen.add("LATE " + call + " " + ms);
                    }
                }
                return;
            } catch (Throwable e) {
                note(seen, e);
            }
        }
    }

    private static void note(Set<String> seen, Throwable e) {
        if (e instanceof dev.ipcj.IpcException || e instanceof InterruptedException) {
            seen.add("seen " + e.getClass().getSimpleName());
        } else if (dev.ipcj.internal.Faults.isMappingFault(e) && e.getStackTrace().length > 0
                && !MsgPeer.isLibrary(e.getStackTrace()[0].getClassName())) {
            seen.add("ASYNC InternalError");
        } else {
            StringBuilder sb = new StringBuilder("UNTYPED " + e);
            for (StackTraceElement f : e.getStackTrace()) {
                sb.append(" at ").append(f);
            }
            seen.add(sb.toString().replace('\n', ' '));
        }
    }
}
