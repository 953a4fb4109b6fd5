package dev.ipcj.msg;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.IpcException;
import dev.ipcj.test.Adversarial;
import dev.ipcj.test.Gen;
import dev.ipcj.test.IpcNames;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Property-based fuzzing of msg/'s public API over {@link Gen}: nulls, extremes, malformed and
 * colliding names, huge and negative Durations, odd buffers, closed handles, and close racing
 * send and receive. The property, for every call: it returns, or throws an
 * {@link IpcException} that names its call (or InterruptedException, when this test interrupted
 * a call that may wait forever); it never runs past its timeout plus 1.5 s; nothing crashes.
 * CI: 400 calls; {@code ./run-tests --long}: 8000. Seeded: see {@link Adversarial}.
 */
@org.junit.jupiter.api.Timeout(600)
class MsgFuzzTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    private static final int PID = (int) ProcessHandle.current().pid();
    private static final long MARGIN_MS = 1500;
    /** Calls that may wait forever are interrupted after this long. */
    private static final long INTERRUPT_MS = 150;

    private final List<Mailbox> handles = new ArrayList<>();
    private final List<Mailbox> closedByTest = new ArrayList<>();
    private final List<String> made = new ArrayList<>();
    private Inbox inbox;
    private Gen g;
    private String what;
    private final java.util.Map<String, Integer> kinds = new java.util.TreeMap<>();

    @Test
    void everyCallReturnsOrThrowsATypedExceptionInTime() throws Exception {
        g = Gen.of("MsgFuzzTest");
        names.onCleanup(() -> {
            for (Mailbox h : handles) {
                h.close();
            }
            for (Mailbox h : closedByTest) {
                h.close();
            }
            if (inbox != null) {
                inbox.close();
            }
            for (String n : made) {
                try {
                    Mailbox.unlinkIfExists(n);
                } catch (IpcException e) {
                    // best effort
                }
            }
        });
        int trials = Adversarial.trials(400);
        int[] counts = new int[3];
        for (int trial = 0; trial < trials; trial++) {
            counts[step(trial)]++;
        }
        System.out.println("MsgFuzzTest: " + trials + " calls: " + counts[0] + " returned, " + counts[1]
                + " threw typed exceptions, " + counts[2] + " were interrupted (seed " + Adversarial.seed() + "); "
                + kinds);
    }

    private String validName() {
        String n = "/" + IpcNames.PREFIX + PID + "-fz" + g.random().nextInt(12);
        return n;
    }

    private String anyName() {
        String n;
        if (!made.isEmpty() && g.chance(0.3)) {
            n = made.get(g.random().nextInt(made.size())); // a name that exists (or did)
        } else {
            n = g.chance(0.5) ? validName() : g.anyName(validName());
        }
        if (n != null && !made.contains(n) && n.startsWith("/" + IpcNames.PREFIX)) {
            made.add(n);
        }
        return n;
    }

    private Capacity anyCapacity() {
        switch (g.random().nextInt(6)) {
            case 0:
                return null;
            case 1:
                return Capacity.zero();
            case 2:
                return Capacity.unbounded();
            default:
                try {
                    return Capacity.bounded(g.anyInt(1, 6));
                } catch (IpcException e) {
                    return Capacity.bounded(2);
                }
        }
    }

    private Mailbox anyHandle() {
        return handles.isEmpty() ? null : handles.get(g.random().nextInt(handles.size()));
    }

    interface Call {
        Object call() throws Exception;
    }

    /** One random call; 0 returned, 1 typed exception, 2 interrupted. */
    private int step(int trial) throws Exception {
        Mailbox h = anyHandle();
        Duration d = g.anyDuration();
        int op = g.random().nextInt(16);
        if (h == null && op >= 5 && op <= 13) {
            op = 0; // no handle yet: make one
        }
        switch (op) {
            case 0: {
                String n = anyName();
                Transport t = g.anyEnum(Transport.class);
                Capacity c = anyCapacity();
                int max = g.anyInt(0, 300);
                return run(trial, "create(" + n + ", " + t + ", " + c + ", " + max + ")", 0, () -> {
                    Mailbox m = Mailbox.create(n, t, c, max);
                    handles.add(m);
                    return m;
                });
            }
            case 1: {
                String n = anyName();
                return run(trial, "open(" + n + ")", 0, () -> {
                    Mailbox m = Mailbox.open(n);
                    handles.add(m);
                    return m;
                });
            }
            case 2: {
                String n = anyName();
                return run(trial, "unlinkIfExists(" + n + ")", 0, () -> Mailbox.unlinkIfExists(n));
            }
            case 3: {
                String n = anyName();
                return run(trial, "unlink(" + n + ")", 0, () -> {
                    Mailbox.unlink(n);
                    return null;
                });
            }
            case 4: {
                long pid = g.chance(0.3) ? PID : g.anyLong(-5, 1 << 22);
                return run(trial, "toProcess(" + pid + ")", 0, () -> {
                    Mailbox m = Mailbox.toProcess(pid);
                    handles.add(m);
                    return m;
                });
            }
            case 5: {
                byte[] b = g.anyBytes(310);
                return timed(trial, h, "send(byte[" + (b == null ? "null" : b.length) + "], " + d + ")", d,
                        () -> h.send(b, d));
            }
            case 6: {
                ByteBuffer b = g.anyBuffer(310);
                return run(trial, "trySend(" + b + ")", 0, () -> h.trySend(b));
            }
            case 7: {
                Codec<String> codec = g.oneOf(null, Codec.UTF8);
                String v = g.chance(0.1) ? null : "x".repeat(Math.max(0, Math.min(100_000, g.anyInt(0, 400))));
                return timed(trial, h, "send(String, " + codec + ", " + d + ")", d, () -> h.send(v, codec, d));
            }
            case 8:
                return timed(trial, h, "receive(" + d + ")", d, () -> h.receive(d));
            case 9:
                return run(trial, "tryReceive()", 0, () -> h.tryReceive());
            case 10: {
                ByteBuffer dst = g.anyBuffer(400);
                Envelope env = g.chance(0.1) ? null : new Envelope();
                return timed(trial, h, "receive(" + dst + ", env, " + d + ")", d, () -> h.receive(dst, env, d));
            }
            case 11:
                return run(trial, "pending()", 0, () -> h.pending());
            case 12:
                if (g.chance(0.7)) {
                    handles.remove(h); // keep some closed handles around, not all
                    closedByTest.add(h);
                }
                return run(trial, "close()", 0, () -> {
                    h.close();
                    return null;
                });
            case 13:
                return closeRacing(trial, h);
            case 14:
                return misc(trial);
            default:
                return inboxCall(trial, d);
        }
    }

    private int misc(int trial) throws Exception {
        switch (g.random().nextInt(4)) {
            case 0: {
                int n = g.anyInt(-2, 1 << 20);
                return run(trial, "Capacity.bounded(" + n + ")", 0, () -> Capacity.bounded(n));
            }
            case 1:
                return run(trial, "Codec.of(null, null)", 0, () -> Codec.of(null, null));
            case 2:
                return run(trial, "Message.decode(null)", 0, () -> new Message(1, 2, new byte[3]).decode(null));
            default: {
                String n = g.anyName("/x");
                return run(trial, "Inbox.lookup(" + n + ")", 0, () -> Inbox.lookup(n == null ? null : n.substring(
                        Math.min(1, n.length()))));
            }
        }
    }

    private int inboxCall(int trial, Duration d) throws Exception {
        Inbox in = inbox;
        switch (g.random().nextInt(5)) {
            case 0:
                return run(trial, "Inbox.create()", 0, () -> {
                    Transport t = g.anyEnum(Transport.class);
                    Inbox i = Inbox.create(t == null ? Transport.POSIX_MQ : t, Capacity.bounded(2), 64);
                    if (inbox != null) {
                        inbox.close();
                    }
                    inbox = i;
                    return i;
                });
            case 1: {
                String n = g.anyName("/" + IpcNames.PREFIX + PID + "-fzreg");
                String reg = n == null ? null : n.substring(Math.min(1, n.length()));
                return run(trial, "register(" + reg + ")", 0, () -> in == null ? null : in.register(reg));
            }
            case 2: {
                long from = g.anyLong(-1, 1 << 22);
                return timedInbox(trial, "receiveFrom(" + from + ", " + d + ")", d, () -> in == null ? null
                        : in.receiveFrom(from, d));
            }
            case 3:
                return timedInbox(trial, "inbox.receive(" + d + ")", d, () -> in == null ? null : in.receive(d));
            default:
                return run(trial, "inbox.close()", 0, () -> {
                    if (in != null) {
                        in.close();
                    }
                    return null;
                });
        }
    }

    /** A send or receive with {@code d}: a wait of at most d, or forever (then interrupted). */
    private int timed(int trial, Mailbox h, String call, Duration d, Call c) throws Exception {
        if (h == null) {
            return 0;
        }
        return run(trial, call + " on " + h, waitMillis(d), c);
    }

    private int timedInbox(int trial, String call, Duration d, Call c) throws Exception {
        return run(trial, call, waitMillis(d), c);
    }

    /** How long the call may wait: its timeout, or -1 when it may wait forever. */
    private static long waitMillis(Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            return 0;
        }
        return d.compareTo(Duration.ofMillis(INTERRUPT_MS)) > 0 ? -1 : d.toMillis() + 1;
    }

    /** A call racing close on another thread. */
    private int closeRacing(int trial, Mailbox h) throws Exception {
        if (h == null) {
            return 0;
        }
        long delay = g.random().nextInt(5);
        Thread closer = new Thread(() -> {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                return;
            }
            h.close();
        });
        closer.start();
        boolean send = g.chance(0.5);
        int r = run(trial, (send ? "send" : "receive") + "(50 ms) racing close on " + h, 51,
                () -> send ? h.send(new byte[4], Duration.ofMillis(50)) : h.receive(Duration.ofMillis(50)));
        closer.join(5000);
        return r;
    }

    /**
     * Runs {@code c} on a thread of its own. {@code waitMs}: 0 a call that should not wait,
     * positive its timeout, -1 a call that may wait forever (interrupted after INTERRUPT_MS).
     */
    private int run(int trial, String call, long waitMs, Call c) throws Exception {
        what = Adversarial.describe("call " + trial + ": " + call);
        Object[] result = new Object[1];
        Throwable[] thrown = new Throwable[1];
        Thread th = new Thread(() -> {
            try {
                result[0] = c.call();
            } catch (Throwable t) {
                thrown[0] = t;
            }
        }, "fuzz-call");
        long t0 = System.nanoTime();
        th.start();
        long limit = (waitMs < 0 ? INTERRUPT_MS : waitMs) + MARGIN_MS;
        boolean interrupted = false;
        if (waitMs < 0) {
            th.join(INTERRUPT_MS);
            if (th.isAlive()) {
                interrupted = true;
                th.interrupt();
            }
        }
        th.join(limit - (System.nanoTime() - t0) / 1_000_000 > 0 ? limit - (System.nanoTime() - t0) / 1_000_000 : 1);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (th.isAlive()) {
            th.interrupt();
            fail(what + ": still running after " + ms + " ms" + (interrupted ? " and an interrupt" : ""));
        }
        assertTrue(ms <= limit, what + ": took " + ms + " ms (limit " + limit + ")");
        Throwable t = thrown[0];
        if (t == null) {
            return 0;
        }
        if (t instanceof IpcException) {
            IpcException x = (IpcException) t;
            kinds.merge(t.getClass().getSimpleName() + " from " + x.call(), 1, Integer::sum);
            assertNotNull(x.call(), what);
            assertFalse(x.call().isEmpty(), what + ": " + x);
            assertNotNull(x.getMessage(), what);
            return 1;
        }
        if (t instanceof InterruptedException && interrupted) {
            return 2;
        }
        throw new AssertionError(what + ": untyped " + t, t);
    }
}
