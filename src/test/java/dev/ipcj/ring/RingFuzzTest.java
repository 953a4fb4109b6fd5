package dev.ipcj.ring;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.IpcException;
import dev.ipcj.posix.SharedMemory;
import dev.ipcj.test.Adversarial;
import dev.ipcj.test.Gen;
import dev.ipcj.test.IpcNames;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Property-based fuzzing of the ring's public API over {@link Gen}: nulls, extremes (capacity,
 * maxRecordLength, lengths, offsets, Durations from negative to {@code ofSeconds(Long.MAX_VALUE)}),
 * malformed and colliding names, read-only and empty buffers, closed rings, producers and
 * consumers, and close racing offer/poll/take/read/claim from other threads.
 *
 * <p>The property: every call succeeds or throws a typed exception: an IpcException whose call is
 * named and whose object is the ring (or the name given), InterruptedException, the caller's own
 * handler's exception, or IndexOutOfBoundsException where a method documents it for the caller's
 * own array ({@code offer(byte[], offset, length)}); no call outlives its deadline plus a margin
 * (a call that may block forever is rescued after 30 ms by an interrupt or a close, and must then
 * return); the JVM does not crash. Sized by {@link Adversarial}; failures name the seed.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RingFuzzTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    private static final long MARGIN_NANOS = 2_000_000_000L;

    /** The caller's own handler failing: allowed to come out of read. */
    static final class HandlerFailure extends RuntimeException {
        HandlerFailure() {
            super("the handler failed on purpose");
        }
    }

    private static final class State {
        final Gen g;
        final String valid;
        final Set<String> created = new LinkedHashSet<>();
        SharedRing ring;
        RingProducer producer;
        RingConsumer consumer;
        final List<Integer> claims = new ArrayList<>();
        int calls;
        int typed;

        State(Gen g, String valid) {
            this.g = g;
            this.valid = valid;
        }
    }

    @ParameterizedTest
    @EnumSource(RingVariant.class)
    void everyCallSucceedsOrThrowsATypedException(RingVariant v) throws Exception {
        Gen g = Gen.of("RingFuzzTest." + v);
        int trials = Adversarial.trials(25);
        int ops = 60;
        int calls = 0;
        int typed = 0;
        for (int trial = 0; trial < trials; trial++) {
            State s = new State(g, names.next("fuzz"));
            try {
                createOrOpen(s, v);
                for (int i = 0; i < ops; i++) {
                    step(s);
                }
            } finally {
                closeAll(s);
                for (String n : s.created) {
                    try {
                        SharedMemory.unlinkIfExists(n);
                    } catch (IpcException e) {
                        // best effort
                    }
                }
            }
            calls += s.calls;
            typed += s.typed;
        }
        System.out.println("RingFuzzTest " + v + ": " + calls + " calls, " + typed + " typed exceptions; "
                + Adversarial.describe("seed"));
        assertTrue(calls >= trials * ops / 2, "calls " + calls);
    }

    private void createOrOpen(State s, RingVariant v) throws Exception {
        Gen g = s.g;
        String name = g.chance(0.8) ? s.valid : g.anyName(s.valid);
        RingVariant variant = g.chance(0.9) ? v : g.anyEnum(RingVariant.class);
        int capacity = g.chance(0.7) ? g.oneOf(4096, 8192, 16384) : g.anyInt(0, 1 << 21);
        int max = g.chance(0.7) ? g.oneOf(1, 16, 100, 1000, Math.max(1, capacity / 2 - 8))
                : g.anyInt(-1, Math.max(2, capacity));
        int mode = g.chance(0.9) ? 0600 : g.anyInt(0, 07777);
        s.ring = call(s, "create", name, null, () -> SharedRing.create(name, variant, capacity, max, mode));
        if (s.ring != null) {
            s.created.add(name);
            return;
        }
        // create refused the arguments: make a valid ring so that the rest can be fuzzed.
        s.ring = SharedRing.create(s.valid, v, 8192, 200);
        s.created.add(s.valid);
    }

    private void step(State s) throws Exception {
        Gen g = s.g;
        SharedRing r = s.ring;
        String n = r.name();
        int max = r.maxRecordLength();
        switch (g.random().nextInt(26)) {
            case 0:
                if (s.producer == null || g.chance(0.2)) {
                    s.producer = call(s, "producer", n, null, r::producer);
                }
                break;
            case 1:
                if (s.consumer == null || g.chance(0.2)) {
                    s.consumer = call(s, "consumer", n, null, r::consumer);
                }
                break;
            case 2: {
                byte[] b = g.anyBytes(max + 1);
                withProducer(s, "offer(byte[])", p -> p.offer(b));
                break;
            }
            case 3: {
                byte[] b = g.anyBytes(max + 1);
                int off = g.anyInt(-1, b == null ? 1 : b.length + 1);
                int len = g.anyInt(-1, max + 1);
                withProducer(s, "offer(byte[], off, len)", p -> p.offer(b, off, len));
                break;
            }
            case 4: {
                ByteBuffer b = g.anyBuffer(max + 1);
                withProducer(s, "offer(ByteBuffer)", p -> p.offer(b));
                break;
            }
            case 5: {
                byte[] b = g.anyBytes(max + 1);
                Duration d = g.anyDuration();
                blocking(s, "offer(byte[], Duration)", d, () -> s.producer == null ? null : s.producer.offer(b, d));
                break;
            }
            case 6: {
                ByteBuffer b = g.anyBuffer(max + 1);
                Duration d = g.anyDuration();
                blocking(s, "offer(ByteBuffer, Duration)", d, () -> s.producer == null ? null : s.producer.offer(b, d));
                break;
            }
            case 7: {
                byte[] b = g.anyBytes(max + 1);
                blocking(s, "put(byte[])", Duration.ofSeconds(Long.MAX_VALUE), () -> {
                    if (s.producer != null) {
                        s.producer.put(b);
                    }
                    return null;
                });
                break;
            }
            case 8: {
                int len = g.anyInt(-1, max + 1);
                Integer at = withProducer(s, "tryClaim", p -> p.tryClaim(len));
                if (at != null && at >= 0) {
                    s.claims.add(at);
                }
                break;
            }
            case 9:
            case 10: {
                boolean commit = g.chance(0.5);
                int at = !s.claims.isEmpty() && g.chance(0.8) ? s.claims.remove(s.claims.size() - 1)
                        : g.anyInt(-1, RingLayout.DATA_OFFSET + r.capacity() + 8);
                withProducer(s, commit ? "commit" : "abort", p -> {
                    if (commit) {
                        p.commit(at);
                    } else {
                        p.abort(at);
                    }
                    return null;
                });
                break;
            }
            case 11: {
                int len = g.anyInt(-1, max + 1);
                Integer at = blocking(s, "claim", Duration.ofSeconds(Long.MAX_VALUE),
                        () -> s.producer == null ? null : s.producer.claim(len));
                if (at != null && at >= 0) {
                    s.claims.add(at);
                }
                break;
            }
            case 12:
                withConsumer(s, "poll()", RingConsumer::poll);
                break;
            case 13: {
                Duration d = g.anyDuration();
                blocking(s, "poll(Duration)", d, () -> s.consumer == null ? null : s.consumer.poll(d));
                break;
            }
            case 14: {
                ByteBuffer b = g.anyBuffer(max + 1);
                withConsumer(s, "poll(ByteBuffer)", c -> c.poll(b));
                break;
            }
            case 15: {
                ByteBuffer b = g.anyBuffer(max + 1);
                Duration d = g.anyDuration();
                blocking(s, "poll(ByteBuffer, Duration)", d, () -> s.consumer == null ? null : s.consumer.poll(b, d));
                break;
            }
            case 16:
                blocking(s, "take()", Duration.ofSeconds(Long.MAX_VALUE),
                        () -> s.consumer == null ? null : s.consumer.take());
                break;
            case 17: {
                RecordHandler h = handler(g);
                int limit = g.anyInt(-1, 100);
                withConsumer(s, "read(handler, limit)", c -> c.read(h, limit));
                break;
            }
            case 18: {
                RecordHandler h = handler(g);
                int limit = g.anyInt(-1, 100);
                Duration d = g.anyDuration();
                blocking(s, "read(handler, limit, Duration)", d,
                        () -> s.consumer == null ? null : s.consumer.read(h, limit, d));
                break;
            }
            case 19: {
                RecordHandler h = handler(g);
                int limit = g.anyInt(-1, 100);
                blocking(s, "take(handler, limit)", Duration.ofSeconds(Long.MAX_VALUE),
                        () -> s.consumer == null ? null : s.consumer.take(h, limit));
                break;
            }
            case 20: {
                Duration d = g.anyDuration();
                call(s, "setSpinTime", n, null, () -> {
                    r.setSpinTime(d);
                    return r.spinTime();
                });
                break;
            }
            case 21: {
                String other = g.anyName(s.valid);
                RingVariant want = g.chance(0.5) ? null : g.anyEnum(RingVariant.class);
                int cap = g.chance(0.5) ? 0 : g.anyInt(-1, 1 << 20);
                int m = g.chance(0.5) ? 0 : g.anyInt(-1, 5000);
                SharedRing o = call(s, "open", other, null, () -> SharedRing.open(other, want, cap, m));
                if (o != null) {
                    o.close();
                }
                break;
            }
            case 22:
                if (g.chance(0.3) && s.producer != null) {
                    s.producer.close();
                    s.claims.clear();
                }
                if (g.chance(0.3) && s.consumer != null) {
                    s.consumer.close();
                }
                break;
            case 23:
                if (g.chance(0.05)) {
                    r.close(); // from now on: ClosedException everywhere
                }
                break;
            case 24: {
                ByteBuffer b = g.anyBuffer(max + 1);
                blocking(s, "take(ByteBuffer)", Duration.ofSeconds(Long.MAX_VALUE),
                        () -> s.consumer == null ? null : s.consumer.take(b));
                break;
            }
            default: {
                ByteBuffer b = g.anyBuffer(max + 1);
                blocking(s, "put(ByteBuffer)", Duration.ofSeconds(Long.MAX_VALUE), () -> {
                    if (s.producer != null) {
                        s.producer.put(b);
                    }
                    return null;
                });
                break;
            }
        }
    }

    private static RecordHandler handler(Gen g) {
        switch (g.random().nextInt(4)) {
            case 0:
                return null;
            case 1:
                return (b, o, l) -> {
                    throw new HandlerFailure();
                };
            default:
                return (b, o, l) -> {
                    if (l > 0) {
                        b.get(o + l - 1); // the view must cover the record
                    }
                };
        }
    }

    interface RingCall<H, T> {
        T run(H h) throws Exception;
    }

    private <T> T withProducer(State s, String what, RingCall<RingProducer, T> c) throws Exception {
        RingProducer p = s.producer;
        return p == null ? null : call(s, what, s.ring.name(), null, () -> c.run(p));
    }

    private <T> T withConsumer(State s, String what, RingCall<RingConsumer, T> c) throws Exception {
        RingConsumer k = s.consumer;
        return k == null ? null : call(s, what, s.ring.name(), null, () -> c.run(k));
    }

    /**
     * Runs a call that may wait in another thread; if it still runs after 30 ms (or its own
     * timeout, when shorter), rescues it by an interrupt or by closing what it uses, after which
     * it must return within the margin.
     */
    private <T> T blocking(State s, String what, Duration timeout, Callable<T> c) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                result.set(call(s, what, s.ring.name(), timeout, c));
            } catch (Throwable e) {
                error.set(e);
            }
        });
        t.start();
        t.join(30);
        if (t.isAlive()) {
            int rescue = s.g.random().nextInt(4);
            switch (rescue) {
                case 0:
                    if (s.producer != null) {
                        s.producer.close();
                        s.claims.clear();
                    }
                    break;
                case 1:
                    if (s.consumer != null) {
                        s.consumer.close();
                    }
                    break;
                case 2:
                    s.ring.close();
                    break;
                default:
                    break;
            }
            t.interrupt();
            t.join(TimeUnit.NANOSECONDS.toMillis(MARGIN_NANOS) + 1000);
            if (t.isAlive()) {
                StringBuilder stack = new StringBuilder();
                for (StackTraceElement e : t.getStackTrace()) {
                    stack.append("\n  at ").append(e);
                }
                fail(Adversarial.describe(what + " did not return after it was interrupted (rescue " + rescue
                        + ": 0 producer closed, 1 consumer closed, 2 ring closed, 3 only interrupted)") + stack);
            }
        }
        if (error.get() instanceof AssertionError) {
            throw (AssertionError) error.get();
        }
        if (error.get() != null) {
            throw new AssertionError(Adversarial.describe(what), error.get());
        }
        return result.get();
    }

    /** The oracle (see the class comment) around one call. */
    private <T> T call(State s, String what, String object, Duration timeout, Callable<T> c) {
        s.calls++;
        long start = System.nanoTime();
        try {
            return c.call();
        } catch (IpcException e) {
            s.typed++;
            assertNotNull(e.call(), () -> Adversarial.describe(what + ": no call named: " + e));
            assertFalse(e.call().isBlank(), () -> Adversarial.describe(what + ": no call named: " + e));
            if (object != null && object.startsWith("/") && Names.valid(object)) {
                assertTrue(e.getMessage().contains(object), () -> Adversarial.describe(what + ": " + e.getMessage()
                        + " does not name " + object));
            }
            return null;
        } catch (InterruptedException | HandlerFailure e) {
            Thread.currentThread().interrupt();
            Thread.interrupted(); // clear: the next call starts afresh
            return null;
        } catch (IndexOutOfBoundsException e) {
            assertEquals("offer(byte[], off, len)", what, () -> Adversarial.describe(what + " threw " + e));
            return null;
        } catch (Throwable t) {
            throw new AssertionError(Adversarial.describe(what + " threw an untyped " + t), t);
        } finally {
            long took = System.nanoTime() - start;
            long bound = timeout == null ? 0 : boundNanos(timeout);
            if (bound != Long.MAX_VALUE) {
                assertTrue(took <= bound + MARGIN_NANOS, () -> Adversarial.describe(what + " took " + took / 1_000_000
                        + " ms for a timeout of " + timeout));
            }
        }
    }

    private static long boundNanos(Duration d) {
        if (d == null || d.isNegative()) {
            return 0;
        }
        return d.compareTo(Duration.ofHours(1)) > 0 ? Long.MAX_VALUE : d.toNanos();
    }

    private static void closeAll(State s) {
        if (s.producer != null) {
            s.producer.close();
        }
        if (s.consumer != null) {
            s.consumer.close();
        }
        if (s.ring != null) {
            s.ring.close();
        }
    }

    /** Names the fuzz may create objects under, and which the oracle expects in messages. */
    static final class Names {
        static boolean valid(String n) {
            return n.length() > 1 && n.indexOf('/', 1) < 0 && n.indexOf('\0') < 0 && !n.equals("/.") && !n.equals("/..")
                    && n.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 256;
        }
    }

    /**
     * Close racing the data path: a producer and a consumer thread call offer/put/claim and
     * poll/take/read (timed and forever) while the test closes the producer, the consumer or the
     * ring, or two threads close the same handle at once. Every thread must end within the margin,
     * each call in success or a typed exception.
     */
    @ParameterizedTest
    @EnumSource(RingVariant.class)
    void closeRacingCallsFromOtherThreads(RingVariant v) throws Exception {
        Gen g = Gen.of("RingFuzzTest.race." + v);
        for (int trial = 0; trial < Adversarial.trials(30); trial++) {
            String n = names.next("race");
            SharedRing ring = SharedRing.create(n, v, 4096, 100);
            RingProducer p = ring.producer();
            RingConsumer c = ring.consumer();
            AtomicReference<Throwable> bad = new AtomicReference<>();
            Thread prod = racer(bad, () -> {
                for (long seq = 0;; seq++) {
                    switch ((int) (seq % 4)) {
                        case 0:
                            p.offer(Records.make(seq, 0, 100));
                            break;
                        case 1:
                            p.put(Records.make(seq, 0, 100));
                            break;
                        case 2: {
                            int at = p.claim(20);
                            p.commit(at);
                            break;
                        }
                        default:
                            p.offer(ByteBuffer.wrap(Records.make(seq, 0, 100)), Duration.ofMillis(1));
                            break;
                    }
                }
            });
            Thread cons = racer(bad, () -> {
                ByteBuffer dst = ByteBuffer.allocate(200);
                for (long k = 0;; k++) {
                    switch ((int) (k % 5)) {
                        case 0:
                            c.poll();
                            break;
                        case 1:
                            c.take();
                            break;
                        case 2:
                            c.read((b, o, l) -> b.get(o), 10, Duration.ofSeconds(Long.MAX_VALUE));
                            break;
                        case 3:
                            dst.clear();
                            c.poll(dst, Duration.ofMillis(1));
                            break;
                        default:
                            c.take((b, o, l) -> { }, 3);
                            break;
                    }
                }
            });
            Thread.sleep(g.random().nextInt(15));
            List<Runnable> closes = new ArrayList<>(List.of(p::close, c::close, ring::close));
            java.util.Collections.shuffle(closes, g.random());
            int k = 1 + g.random().nextInt(3);
            for (int i = 0; i < k; i++) {
                Runnable close = closes.get(i);
                if (g.chance(0.3)) {
                    Thread twin = new Thread(close); // the same handle closed from two threads at once
                    twin.start();
                    close.run();
                    twin.join();
                } else {
                    close.run();
                }
            }
            ring.close(); // what was not closed above goes now: both threads must end
            prod.join(TimeUnit.NANOSECONDS.toMillis(MARGIN_NANOS));
            cons.join(TimeUnit.NANOSECONDS.toMillis(MARGIN_NANOS));
            assertFalse(prod.isAlive() || cons.isAlive(), () -> Adversarial.describe(
                    "a thread blocked in the ring did not end after close"));
            if (bad.get() != null) {
                throw new AssertionError(Adversarial.describe("close racing a call"), bad.get());
            }
            p.close();
            c.close();
        }
    }

    interface Loop {
        void run() throws Exception;
    }

    /** A thread that loops until a typed exception ends it; anything else is recorded as bad. */
    private static Thread racer(AtomicReference<Throwable> bad, Loop loop) {
        Thread t = new Thread(() -> {
            try {
                loop.run();
            } catch (IpcException | InterruptedException e) {
                // the close reached it: typed
            } catch (Throwable e) {
                bad.compareAndSet(null, e);
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }
}
