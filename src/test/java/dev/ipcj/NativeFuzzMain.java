package dev.ipcj;

import dev.ipcj.jni.SysvMsg;
import dev.ipcj.jni.SysvSem;
import dev.ipcj.jni.SysvShm;
import dev.ipcj.posix.MessageQueue;
import dev.ipcj.posix.MqNotification;
import dev.ipcj.posix.MqReceived;
import dev.ipcj.posix.NamedSemaphore;
import dev.ipcj.posix.PosixSemaphore;
import dev.ipcj.posix.SharedMemory;
import dev.ipcj.posix.UnnamedSemaphore;
import dev.ipcj.sysv.IpcKey;
import dev.ipcj.sysv.SemOps;
import dev.ipcj.sysv.SemaphoreSet;
import dev.ipcj.sysv.SysvMessage;
import dev.ipcj.sysv.SysvMessageQueue;
import dev.ipcj.sysv.SysvSharedMemory;
import dev.ipcj.test.Adversarial;
import dev.ipcj.test.Cleanup;
import dev.ipcj.test.Gen;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The property-based fuzz suite of ipcj's native seam (issue 10, suite a), run in a child JVM by
 * {@link NativeFuzzTest} so that a crash fails the test instead of killing the test JVM:
 * {@code NativeFuzzMain nulls} or {@code NativeFuzzMain random TRIALS}.
 *
 * <p>The property: every call of the public API of dev.ipcj, dev.ipcj.posix and dev.ipcj.sysv,
 * whatever its arguments (from {@link Gen}: nulls, extremes, malformed names, odd buffers, huge
 * and negative Durations), on open or closed handles, with a close racing it from another
 * thread, ends in success or a typed exception: an IpcException whose message starts with the
 * call, InterruptedException only after an interrupt, IndexOutOfBoundsException only where the
 * method documents it for the caller's own offset or index. It returns within its timeout plus
 * a margin (a blocking call is interrupted after a while and must then return), and the JVM
 * lives. A breach prints {@code VIOLATION ...}; the parent fails on any.
 */
public final class NativeFuzzMain {
    /** How long a call may take beyond its own timeout. */
    static final long MARGIN_MS = 3000;
    /** When a call that may block (no timeout, or a huge one) is interrupted. */
    static final long INTERRUPT_AFTER_MS = 150;

    static final String PREFIX = "/ipcj-test-" + ProcessHandle.current().pid() + "-fz";
    static final AtomicInteger NAMES = new AtomicInteger();
    static final Set<String> USED_NAMES = new LinkedHashSet<>();
    static final List<Runnable> SYSV_CLEANUP = new ArrayList<>();
    static int violations;
    static int calls;
    static final java.util.Map<String, Integer> OUTCOMES = new java.util.TreeMap<>();

    private NativeFuzzMain() {
    }

    static String freshName() {
        String n = PREFIX + NAMES.incrementAndGet();
        USED_NAMES.add(n);
        return n;
    }

    static String track(String name) {
        if (name != null && name.startsWith(PREFIX)) {
            USED_NAMES.add(name.length() > 300 ? name.substring(0, 300) : name);
        }
        return name;
    }

    /** Removes a name of this run now (shm, sem and mq alike), e.g. when its object is replaced. */
    static void unlink(String n) {
        if (n != null && n.startsWith(PREFIX)) {
            Cleanup.removePosix(n.length() > 300 ? n.substring(0, 300) : n);
        }
    }

    static <T> T trackSysv(T o) {
        if (o instanceof SysvSharedMemory) {
            int id = ((SysvSharedMemory) o).id();
            SYSV_CLEANUP.add(() -> SysvShm.shmctlRmid(id));
        } else if (o instanceof SysvMessageQueue) {
            int id = ((SysvMessageQueue) o).id();
            SYSV_CLEANUP.add(() -> SysvMsg.msgctlRmid(id));
        } else if (o instanceof SemaphoreSet) {
            int id = ((SemaphoreSet) o).id();
            SYSV_CLEANUP.add(() -> SysvSem.semctlRmid(id));
        }
        return o;
    }

    static void violation(String what) {
        violations++;
        System.out.println("VIOLATION " + Adversarial.describe(what).replace('\n', ' '));
    }

    public static void main(String[] args) throws Exception {
        try {
            if (args[0].equals("nulls")) {
                NullSweep.run();
            } else {
                new RandomCalls(Gen.of("native-fuzz"), Integer.parseInt(args[1])).run();
            }
        } finally {
            for (Runnable r : SYSV_CLEANUP) {
                r.run();
            }
            for (String n : USED_NAMES) {
                Cleanup.removePosix(n);
            }
        }
        System.out.println("OUTCOMES " + OUTCOMES);
        System.out.println("CALLS " + calls + " VIOLATIONS " + violations);
        System.out.println("END");
        System.exit(violations == 0 ? 0 : 1);
    }

    // ---- one call under the oracle ----------------------------------------------------------

    interface Call {
        Object run() throws Exception;
    }

    /**
     * Runs {@code call}, whose timeout is {@code timeoutMs} (-1: it may block as long as it likes,
     * then it is interrupted), and checks the outcome. {@code ioobe}: the method documents
     * IndexOutOfBoundsException for the caller's offset or index.
     */
    static Throwable check(String what, long timeoutMs, boolean ioobe, Call call) {
        calls++;
        Thread me = Thread.currentThread();
        boolean[] done = {false};
        boolean[] interrupted = {false};
        long interruptAt = timeoutMs < 0 || timeoutMs > INTERRUPT_AFTER_MS ? INTERRUPT_AFTER_MS : -1;
        long limit = (timeoutMs < 0 || timeoutMs > INTERRUPT_AFTER_MS ? INTERRUPT_AFTER_MS : timeoutMs) + MARGIN_MS;
        Thread dog = new Thread(() -> {
            long start = System.nanoTime();
            synchronized (done) {
                try {
                    if (interruptAt >= 0) {
                        done.wait(interruptAt);
                        if (!done[0]) {
                            interrupted[0] = true;
                            me.interrupt();
                        }
                    }
                    while (!done[0]) {
                        long left = limit - (System.nanoTime() - start) / 1_000_000;
                        if (left <= 0) {
                            violation(what + " did not return within " + limit + " ms (timeout " + timeoutMs + " ms)");
                            StringBuilder sb = new StringBuilder();
                            for (StackTraceElement e : me.getStackTrace()) {
                                sb.append("\n    at ").append(e);
                            }
                            System.out.println("STUCK" + sb);
                            System.out.flush();
                            Runtime.getRuntime().halt(4);
                        }
                        done.wait(left);
                    }
                } catch (InterruptedException e) {
                    // exit
                }
            }
        }, "fuzz-watchdog");
        dog.setDaemon(true);
        dog.start();
        Throwable outcome = null;
        try {
            call.run();
        } catch (Throwable t) {
            outcome = t;
        }
        synchronized (done) {
            done[0] = true;
            done.notifyAll();
        }
        try {
            dog.join();
        } catch (InterruptedException e) {
            // the watchdog's late interrupt
        }
        Thread.interrupted(); // a late interrupt must not leak into the next call
        judge(what, outcome, interrupted[0], ioobe);
        return outcome;
    }

    static void judge(String what, Throwable t, boolean interrupted, boolean ioobe) {
        String kind = t == null ? "ok" : t.getClass().getSimpleName();
        OUTCOMES.merge(kind, 1, Integer::sum);
        if (t == null) {
            return;
        }
        if (t instanceof IpcException) {
            IpcException e = (IpcException) t;
            String m = e.getMessage();
            if (e.call() == null || m == null || !(m.startsWith(e.call() + "(") || m.startsWith(e.call() + ":"))) {
                violation(what + ": an IpcException that does not name its call: " + m);
            }
            return;
        }
        if (t instanceof InterruptedException && interrupted) {
            return;
        }
        if (t instanceof IndexOutOfBoundsException && ioobe) {
            return;
        }
        java.io.StringWriter sw = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(sw));
        violation(what + ": untyped " + sw.toString().replace("\n", " | "));
    }

    // ---- phase 1: one null at a time, by reflection -----------------------------------------

    /** Calls every public method and constructor with one reference argument null at a time. */
    static final class NullSweep {
        static final Class<?>[] CLASSES = {MappedRegion.class, WaitSet.class, SharedMemory.class,
            NamedSemaphore.class, UnnamedSemaphore.class, PosixSemaphore.class, MessageQueue.class,
            MqNotification.class, IpcKey.class, SysvSharedMemory.class, SysvMessageQueue.class,
            SysvMessage.class, SemaphoreSet.class, SemOps.class};

        static void run() throws Exception {
            World w = new World();
            try {
                for (Class<?> c : CLASSES) {
                    List<Executable> all = new ArrayList<>();
                    for (Method m : c.getMethods()) {
                        if (m.getDeclaringClass() != Object.class && !m.getDeclaringClass().isInterface()
                                && !m.isSynthetic() && !m.getName().equals("equals")) {
                            all.add(m);
                        }
                    }
                    for (Constructor<?> k : c.getConstructors()) {
                        all.add(k);
                    }
                    for (Executable e : all) {
                        Class<?>[] types = e.getParameterTypes();
                        for (int i = 0; i < types.length; i++) {
                            if (types[i].isPrimitive()) {
                                continue;
                            }
                            sweepOne(w, c, e, i);
                        }
                    }
                }
            } finally {
                w.close();
            }
        }

        static void sweepOne(World w, Class<?> c, Executable e, int nullAt) throws Exception {
            Class<?>[] types = e.getParameterTypes();
            Object[] args = new Object[types.length];
            for (int i = 0; i < types.length; i++) {
                args[i] = i == nullAt ? null : w.sane(types[i]);
            }
            Object receiver = Modifier.isStatic(e.getModifiers()) || e instanceof Constructor ? null : w.receiver(c);
            String what = c.getSimpleName() + "." + e.getName() + paramList(types) + " with argument " + nullAt + " null";
            Throwable t = check(what, -1, false, () -> {
                try {
                    Object r = e instanceof Method ? ((Method) e).invoke(receiver, args)
                            : ((Constructor<?>) e).newInstance(args);
                    trackSysv(r);
                    if (r instanceof AutoCloseable) {
                        ((AutoCloseable) r).close();
                    }
                    return r;
                } catch (InvocationTargetException x) {
                    throw (Exception) (x.getCause() instanceof Exception ? x.getCause() : new RuntimeException(x.getCause()));
                }
            });
            if (t == null) {
                violation(what + ": accepted null without a word");
            } else if (t instanceof InvalidArgumentException && !t.getMessage().contains(" is null")) {
                violation(what + ": InvalidArgumentException does not name the null parameter: " + t.getMessage());
            } else if (!(t instanceof InvalidArgumentException) && !(t instanceof InterruptedException)) {
                violation(what + ": a null argument gave " + t);
            }
            w.repair();
        }

        static String paramList(Class<?>[] types) {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < types.length; i++) {
                sb.append(i == 0 ? "" : ",").append(types[i].getSimpleName());
            }
            return sb.append(')').toString();
        }
    }

    // ---- the objects the calls work on ------------------------------------------------------

    /** One of each object, recreated when a call closed or removed it. */
    static final class World implements AutoCloseable {
        SharedMemory shm;
        MappedRegion region;
        NamedSemaphore named;
        UnnamedSemaphore unnamed;
        MessageQueue queue;
        MqNotification notification;
        SysvSharedMemory segment;
        SysvMessageQueue sysvQueue;
        SemaphoreSet set;
        WaitSet waitSet;
        final SysvMessage message = SysvMessage.allocate(64);
        final SemOps ops = SemOps.allocate(4);

        World() {
            repair();
        }

        /** Recreates what is closed or gone. */
        void repair() {
            if (shm == null || !shm.isOpen()) {
                if (shm != null) {
                    unlink(shm.name());
                }
                shm = SharedMemory.create(freshName(), 8192);
            }
            if (region == null || !region.isOpen()) {
                region = shm.map();
            }
            if (named == null || !named.isOpen()) {
                if (named != null) {
                    unlink(named.name());
                }
                named = NamedSemaphore.create(freshName(), 1);
            }
            if (unnamed == null || !unnamed.isOpen() || unnamed.region() != region) {
                unnamed = UnnamedSemaphore.init(region, 0, 1);
            }
            if (queue == null || !queue.isOpen()) {
                if (queue != null) {
                    unlink(queue.name());
                }
                queue = MessageQueue.create(freshName(), 4, 64);
                notification = null;
            }
            if (segment == null || !segment.isOpen() || gone(segment::stat)) {
                if (segment != null) {
                    SysvShm.shmctlRmid(segment.id());
                }
                segment = trackSysv(SysvSharedMemory.create(IpcKey.PRIVATE, 4096));
            }
            if (sysvQueue == null || !sysvQueue.isOpen() || gone(sysvQueue::stat)) {
                if (sysvQueue != null) {
                    SysvMsg.msgctlRmid(sysvQueue.id());
                }
                sysvQueue = trackSysv(SysvMessageQueue.create(IpcKey.PRIVATE));
            }
            if (set == null || !set.isOpen() || gone(set::stat)) {
                if (set != null) {
                    SysvSem.semctlRmid(set.id());
                }
                set = trackSysv(SemaphoreSet.create(IpcKey.PRIVATE, new int[] {1, 0}, 0600));
            }
            if (waitSet == null || !waitSet.isOpen()) {
                waitSet = new WaitSet();
            }
        }

        static boolean gone(Runnable stat) {
            try {
                stat.run();
                return false;
            } catch (IpcException e) {
                return true;
            }
        }

        /** A live receiver for an instance method of {@code c}. */
        Object receiver(Class<?> c) {
            repair();
            if (c == MappedRegion.class) {
                return region;
            } else if (c == WaitSet.class) {
                return waitSet;
            } else if (c == SharedMemory.class) {
                return shm;
            } else if (c == NamedSemaphore.class || c == PosixSemaphore.class) {
                return named;
            } else if (c == UnnamedSemaphore.class) {
                return unnamed;
            } else if (c == MessageQueue.class) {
                return queue;
            } else if (c == MqNotification.class) {
                if (notification == null || notification.isCancelled()) {
                    notification = queue.onMessage(q -> { });
                }
                return notification;
            } else if (c == IpcKey.class) {
                return IpcKey.PRIVATE;
            } else if (c == SysvSharedMemory.class) {
                return segment;
            } else if (c == SysvMessageQueue.class) {
                return sysvQueue;
            } else if (c == SysvMessage.class) {
                return SysvMessage.allocate(16).type(1);
            } else if (c == SemaphoreSet.class) {
                return set;
            } else if (c == SemOps.class) {
                return SemOps.allocate(2);
            }
            throw new IllegalArgumentException("no receiver for " + c);
        }

        /** An ordinary value of {@code type}, for the arguments that are not under test. */
        Object sane(Class<?> t) {
            if (t == int.class) {
                return 1;
            } else if (t == long.class) {
                return 8L;
            } else if (t == boolean.class) {
                return false;
            } else if (t == String.class) {
                return freshName();
            } else if (t == Duration.class) {
                return Duration.ofMillis(1);
            } else if (t == ByteBuffer.class) {
                return ByteBuffer.allocateDirect(64);
            } else if (t == byte[].class) {
                return new byte[8];
            } else if (t == int[].class) {
                return new int[] {1};
            } else if (t == MappedRegion.class) {
                return region;
            } else if (t == Waitable.class) {
                return queue;
            } else if (t == Consumer.class) {
                return (Consumer<MessageQueue>) q -> { };
            } else if (t == IpcKey.class) {
                return IpcKey.PRIVATE;
            } else if (t == Path.class) {
                return Path.of("/tmp");
            } else if (t == SysvMessage.class) {
                return SysvMessage.allocate(16).type(1);
            } else if (t == SemOps.class) {
                return SemOps.allocate(1).add(0, 1, 0);
            } else if (t == MqReceived.class) {
                return new MqReceived();
            } else if (t == MessageQueue.Access.class) {
                return MessageQueue.Access.READ_WRITE;
            } else if (t == Runnable.class) {
                return (Runnable) () -> { };
            } else if (t == java.util.concurrent.TimeUnit.class) {
                return java.util.concurrent.TimeUnit.MILLISECONDS;
            }
            throw new IllegalArgumentException("no sane value of " + t);
        }

        @Override
        public void close() {
            for (AutoCloseable c : new AutoCloseable[] {notification, waitSet, queue, unnamed, named, region, shm,
                    segment, sysvQueue, set}) {
                try {
                    if (c != null) {
                        c.close();
                    }
                } catch (Exception e) {
                    // cleanup
                }
            }
        }
    }

    // ---- phase 2: random calls -------------------------------------------------------------

    /** One random call: its description, timeout, whether IOOBE is documented, and its body. */
    record Op(String what, long timeoutMs, boolean ioobe, AutoCloseable target, Call body) {
    }

    static final class RandomCalls {
        final Gen g;
        final int trials;
        final World w = new World();

        RandomCalls(Gen g, int trials) {
            this.g = g;
            this.trials = trials;
        }

        void run() throws Exception {
            try {
                for (int i = 0; i < trials; i++) {
                    Op op = next();
                    Thread closer = null;
                    if (op.target() != null && g.chance(0.12)) {
                        AutoCloseable target = op.target();
                        long delayNanos = g.random().nextInt(2_000_000);
                        closer = new Thread(() -> {
                            long until = System.nanoTime() + delayNanos;
                            while (System.nanoTime() < until) {
                                Thread.onSpinWait();
                            }
                            try {
                                target.close();
                            } catch (Throwable t) {
                                judge("close() racing " + op.what(), t, false, false);
                            }
                        }, "fuzz-closer");
                        closer.start();
                    }
                    check(op.what() + (closer != null ? " (close racing)" : ""), op.timeoutMs(), op.ioobe(), op.body());
                    if (closer != null) {
                        closer.join(10_000);
                        if (closer.isAlive()) {
                            violation("close() racing " + op.what() + " did not return in 10 s");
                        }
                    }
                    if (g.chance(0.9)) {
                        w.repair(); // sometimes keep a closed handle for the next calls
                    }
                }
            } finally {
                w.close();
            }
        }

        long ms(Duration d) {
            if (d == null) {
                return 0;
            }
            if (d.isNegative()) {
                return 0;
            }
            return d.getSeconds() > 1_000_000 ? -1 : d.toMillis();
        }

        String name() {
            return track(g.anyNameUnder(freshName()));
        }

        Op next() {
            Gen g = this.g;
            World w = this.w;
            switch (g.random().nextInt(40)) {
                // --- MappedRegion
                case 0: {
                    MappedRegion r = w.region;
                    long off = g.anyOffset(r.size());
                    int kind = g.random().nextInt(12);
                    return new Op("MappedRegion access " + kind + " at " + off, 0, true, r, () -> {
                        switch (kind) {
                            case 0: return r.getByte(off);
                            case 1: r.putLong(off, g.random().nextLong()); return null;
                            case 2: return r.getIntVolatile(off);
                            case 3: return r.compareAndSetLong(off, 0, 1);
                            case 4: return r.getAndAddInt(off, 1);
                            case 5: r.putBytes(off, g.anyBytes(64)); return null;
                            case 6: { byte[] b = g.anyBytes(64); r.getBytes(off, b == null ? null : b, 0,
                                    b == null ? 0 : b.length); return null; }
                            case 7: return r.address(off, g.anyLong(-1, 100));
                            case 8: return r.buffer().capacity();
                            case 9: r.putIntVolatile(off, 7); return null;
                            case 10: return r.getAndAddLong(off, -1);
                            default: return r.getLong(off);
                        }
                    });
                }
                case 1:
                    return new Op("MappedRegion.close", 0, false, null, () -> {
                        w.region.close();
                        return null;
                    });
                // --- SharedMemory
                case 2: {
                    String n = name();
                    long size = g.anyLong(1, 1 << 16);
                    int mode = g.anyMode();
                    return new Op("SharedMemory.create(" + n + ", " + size + ", 0" + Integer.toOctalString(mode) + ")", 0,
                            false, null, () -> {
                        try (SharedMemory s = SharedMemory.create(n, size, mode)) {
                            return s.size();
                        } finally {
                            unlink(n);
                        }
                    });
                }
                case 3: {
                    String n = g.chance(0.5) ? w.shm.name() : name();
                    boolean ro = g.chance(0.5);
                    return new Op("SharedMemory.open(" + n + ")", 0, false, null, () -> {
                        try (SharedMemory s = ro ? SharedMemory.openReadOnly(n) : SharedMemory.open(n);
                             MappedRegion r = s.map()) {
                            return r.getLong(0);
                        }
                    });
                }
                case 4: {
                    SharedMemory s = w.shm;
                    long off = g.chance(0.5) ? 0 : g.anyOffset(s.isOpen() ? 16384 : 0);
                    long len = g.anyLong(-1, 16384);
                    boolean ro = g.chance(0.3);
                    return new Op("SharedMemory.map(" + off + ", " + len + ", " + ro + ")", 0, false, s, () -> {
                        try (MappedRegion r = s.map(off, len, ro)) {
                            return r.size();
                        }
                    });
                }
                case 5: {
                    String n = name();
                    return new Op("SharedMemory.unlinkIfExists(" + n + ")", 0, false, null,
                            () -> SharedMemory.unlinkIfExists(n));
                }
                case 6: {
                    SharedMemory s = w.shm;
                    return new Op("SharedMemory.size/mode/close", 0, false, s, () -> {
                        s.mode();
                        if (g.chance(0.2)) {
                            s.close();
                        }
                        return s.size();
                    });
                }
                // --- named and unnamed semaphores
                case 7: {
                    String n = name();
                    int v = g.anyInt(0, 10);
                    int mode = g.anyMode();
                    boolean either = g.chance(0.3);
                    return new Op("NamedSemaphore.create(" + n + ", " + v + ")", 0, false, null, () -> {
                        try (NamedSemaphore s = either ? NamedSemaphore.openOrCreate(n, v, mode)
                                : NamedSemaphore.create(n, v, mode)) {
                            return s.value();
                        } finally {
                            unlink(n);
                        }
                    });
                }
                case 8: {
                    String n = g.chance(0.5) ? w.named.name() : name();
                    return new Op("NamedSemaphore.open(" + n + ")", 0, false, null, () -> {
                        try (NamedSemaphore s = NamedSemaphore.open(n)) {
                            s.release();
                            return s.tryAcquire();
                        }
                    });
                }
                case 9:
                case 10: {
                    PosixSemaphore s = g.chance(0.5) ? w.named : w.unnamed;
                    Duration d = g.anyDuration();
                    int kind = g.random().nextInt(6);
                    long t = kind == 0 ? ms(d) : kind == 1 ? -1 : 0;
                    return new Op(s.getClass().getSimpleName() + " op " + kind + " " + d, t, false,
                            g.chance(0.2) && s instanceof UnnamedSemaphore ? w.region : s, () -> {
                        switch (kind) {
                            case 0: return s.tryAcquire(d);
                            case 1: s.acquire(); return null;
                            case 2: return s.tryAcquire();
                            case 3: s.release(); return null;
                            case 4: return s.value();
                            default: s.close(); return null;
                        }
                    });
                }
                case 11: {
                    MappedRegion r = w.region;
                    long off = g.anyOffset(r.size());
                    int v = g.anyInt(0, 5);
                    boolean init = g.chance(0.4);
                    return new Op("UnnamedSemaphore." + (init ? "init" : "attach") + " at " + off, 0, true, r, () -> {
                        UnnamedSemaphore s = init ? UnnamedSemaphore.init(r, off, v) : UnnamedSemaphore.attach(r, off);
                        s.release();
                        return s.tryAcquire(Duration.ofMillis(1));
                    });
                }
                case 12: {
                    String n = name();
                    return new Op("NamedSemaphore.unlinkIfExists(" + n + ")", 0, false, null,
                            () -> NamedSemaphore.unlinkIfExists(n));
                }
                // --- POSIX message queues
                case 13: {
                    String n = name();
                    int max = g.anyInt(1, 10);
                    int size = g.anyInt(1, 1024);
                    int mode = g.anyMode();
                    return new Op("MessageQueue.create(" + n + ", " + max + ", " + size + ")", 0, false, null, () -> {
                        try (MessageQueue q = MessageQueue.create(n, max, size, mode)) {
                            return q.attributes();
                        } finally {
                            unlink(n); // queues_max is system-wide: never keep one beyond its call
                        }
                    });
                }
                case 14:
                case 15: {
                    MessageQueue q = w.queue;
                    ByteBuffer b = g.anyBuffer(100);
                    int prio = g.anyInt(0, 40);
                    Duration d = g.anyDuration();
                    int kind = g.random().nextInt(4);
                    long t = kind == 0 ? ms(d) : kind == 1 ? -1 : 0;
                    return new Op("MessageQueue.send " + kind + " " + d, t, false, q, () -> {
                        switch (kind) {
                            case 0: return q.trySend(b, prio, d);
                            case 1: q.send(b, prio); return null;
                            case 2: return q.trySend(b, prio);
                            default: return q.trySend(g.anyBytes(80), prio);
                        }
                    });
                }
                case 16:
                case 17: {
                    MessageQueue q = w.queue;
                    ByteBuffer b = g.chance(0.5) ? ByteBuffer.allocateDirect(64) : g.anyBuffer(100);
                    Duration d = g.anyDuration();
                    int kind = g.random().nextInt(5);
                    long t = kind == 0 || kind == 3 ? ms(d) : kind == 1 ? -1 : 0;
                    return new Op("MessageQueue.receive " + kind + " " + d, t, false, q, () -> {
                        switch (kind) {
                            case 0: return q.tryReceive(b, d);
                            case 1: return q.receive(b);
                            case 2: return q.tryReceive(b);
                            case 3: return q.tryReceive(d);
                            default: return q.tryReceive();
                        }
                    });
                }
                case 18: {
                    MessageQueue q = w.queue;
                    int kind = g.random().nextInt(5);
                    return new Op("MessageQueue misc " + kind, 0, false, q, () -> {
                        switch (kind) {
                            case 0: return q.setNonBlocking(g.chance(0.5));
                            case 1: {
                                MqNotification n = q.onMessage(x -> x.tryReceive(), g.chance(0.5));
                                if (g.chance(0.5)) {
                                    n.cancel();
                                }
                                n.rearm();
                                return n;
                            }
                            case 2: return q.currentMessages();
                            case 3: q.close(); return null;
                            default: return MessageQueue.open(q.name(), g.anyEnum(MessageQueue.Access.class));
                        }
                    });
                }
                // --- WaitSet
                case 19:
                case 20: {
                    WaitSet ws = w.waitSet;
                    Waitable m = g.chance(0.9) ? w.queue : null;
                    int interest = g.chance(0.8) ? g.oneOf(WaitSet.READABLE, WaitSet.WRITABLE) : g.anyInt(0, 8);
                    Duration d = g.anyDuration();
                    int kind = g.random().nextInt(7);
                    int idx = g.anyInt(0, 3);
                    long t = kind == 3 ? ms(d) : 0;
                    return new Op("WaitSet op " + kind + " " + d, t, kind == 5, g.chance(0.5) ? ws : w.queue, () -> {
                        switch (kind) {
                            case 0: ws.add(m, interest); return null;
                            case 1: ws.modify(m, interest); return null;
                            case 2: return ws.remove(m);
                            case 3: return ws.await(d);
                            case 4: return ws.poll();
                            case 5: return ws.ready(idx);
                            default: ws.close(); return null;
                        }
                    });
                }
                // --- System V shared memory
                case 21: {
                    long size = g.anyLong(1, 1 << 16);
                    int mode = g.anyMode();
                    return new Op("SysvSharedMemory.create(PRIVATE, " + size + ")", 0, false, null, () -> {
                        SysvSharedMemory s = trackSysv(SysvSharedMemory.create(IpcKey.PRIVATE, size, mode));
                        try (MappedRegion r = s.attach()) {
                            return r.size();
                        } finally {
                            s.remove();
                        }
                    });
                }
                case 22: {
                    SysvSharedMemory s = w.segment;
                    int kind = g.random().nextInt(6);
                    return new Op("SysvSharedMemory op " + kind, 0, false, s, () -> {
                        switch (kind) {
                            case 0: try (MappedRegion r = s.attach()) { return r.getLong(0); }
                            case 1: try (MappedRegion r = s.attachReadOnly()) { return r.getLong(0); }
                            case 2: return s.stat();
                            case 3: s.setPermissions(0, 0, g.anyMode()); return null;
                            case 4: s.remove(); return null;
                            default: s.close(); return null;
                        }
                    });
                }
                case 23: {
                    int id = g.anyInt(0, 1 << 20);
                    int kind = g.random().nextInt(3);
                    // Another program's object may have this id: only look at it (stat), never change it.
                    return new Op("ofId(" + id + ") kind " + kind, 0, false, null, () -> {
                        switch (kind) {
                            case 0: return SysvSharedMemory.ofIdReadOnly(id).stat();
                            case 1: return SysvMessageQueue.ofId(id).stat();
                            default: return SemaphoreSet.ofId(id).stat();
                        }
                    });
                }
                // --- System V message queues
                case 24:
                case 25: {
                    SysvMessageQueue q = w.sysvQueue;
                    int kind = g.random().nextInt(8);
                    long type = g.anyLong(-3, 5);
                    int options = g.anyInt(0, 7);
                    ByteBuffer b = g.anyBuffer(100);
                    int size = g.anyInt(0, 64);
                    boolean blocking = kind == 6 && (options & SysvMessageQueue.NO_WAIT) == 0;
                    return new Op("SysvMessageQueue op " + kind + " type " + type + " options " + options,
                            blocking || kind == 0 ? -1 : 0, false, q, () -> {
                        switch (kind) {
                            case 0: q.send(w.message.type(type).size(Math.min(size, 64))); return null;
                            case 1: return q.trySend(w.message.type(type).size(Math.min(size, 64)));
                            case 2: return q.trySend(type, b);
                            case 3: return q.tryReceive(w.message, type);
                            case 4: return q.stat();
                            case 5: q.setMaxBytes(g.anyLong(0, 1 << 20)); return null;
                            case 6: return q.receive(w.message, type, options);
                            default: q.remove(); return null;
                        }
                    });
                }
                case 26: {
                    int cap = g.anyInt(0, 1 << 16);
                    return new Op("SysvMessage.allocate(" + cap + ")", 0, false, null, () -> {
                        SysvMessage m = SysvMessage.allocate(cap);
                        m.set(g.anyLong(0, 3), g.anyBytes(80));
                        return m.size(g.anyInt(0, 80)).bytes().length;
                    });
                }
                // --- System V semaphore sets
                case 27: {
                    int n = g.anyInt(1, 8);
                    int[] values = new int[Math.max(0, Math.min(n, 40000))];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = g.anyInt(0, 32767);
                    }
                    boolean counted = g.chance(0.5);
                    return new Op("SemaphoreSet.create(PRIVATE, " + n + ")", 0, false, null, () -> {
                        SemaphoreSet s = trackSysv(counted ? SemaphoreSet.create(IpcKey.PRIVATE, n)
                                : SemaphoreSet.create(IpcKey.PRIVATE, values, g.anyMode()));
                        s.remove();
                        return s.size();
                    });
                }
                case 28:
                case 29: {
                    SemaphoreSet s = w.set;
                    int num = g.anyInt(0, 2);
                    int delta = g.anyInt(-2, 2);
                    int flags = g.chance(0.8) ? g.oneOf(0, SemOps.UNDO) : g.anyInt(0, 1 << 13);
                    Duration d = g.anyDuration();
                    int kind = g.random().nextInt(6);
                    long t = kind == 1 ? ms(d) : kind == 0 || kind == 4 ? -1 : 0;
                    return new Op("SemaphoreSet op " + kind + " num " + num + " delta " + delta + " " + d, t, true, s,
                            () -> {
                        switch (kind) {
                            case 0: s.apply(num, delta, flags); return null;
                            case 1: return s.apply(num, delta, flags, d);
                            case 2: return s.tryApply(num, delta, flags);
                            case 3: s.release(num); return null;
                            case 4: s.acquire(num); return null;
                            default: s.remove(); return null;
                        }
                    });
                }
                case 30: {
                    SemaphoreSet s = w.set;
                    SemOps ops = w.ops.clear();
                    int kind = g.random().nextInt(8);
                    Duration d = g.anyDuration();
                    return new Op("SemaphoreSet ctl " + kind, kind == 7 ? ms(d) : 0, true, s, () -> {
                        switch (kind) {
                            case 0: return s.get(g.anyInt(0, 2));
                            case 1: s.set(g.anyInt(0, 2), g.anyInt(0, 32767)); return null;
                            case 2: return s.getAll();
                            case 3: s.setAll(g.anyInt(0, 32767), g.anyInt(0, 32767)); return null;
                            case 4: return s.waitingForIncrease(g.anyInt(0, 2));
                            case 5: return s.stat();
                            case 6: ops.add(g.anyInt(0, 2), g.anyInt(-1, 1), SemOps.NO_WAIT); return s.tryApply(ops);
                            default: ops.add(0, -1, 0).add(1, 1, 0); return s.apply(ops, d);
                        }
                    });
                }
                case 31: {
                    int cap = g.anyInt(1, 8);
                    return new Op("SemOps(" + cap + ")", 0, true, null, () -> {
                        SemOps o = SemOps.allocate(cap);
                        for (int i = 0; i < 10; i++) {
                            o.add(g.anyInt(0, 70000), g.anyInt(-40000, 40000), g.anyInt(0, 8192));
                        }
                        return o.num(g.anyInt(0, 12)) + o.delta(g.anyInt(0, 12));
                    });
                }
                case 32: {
                    IpcKey key = IpcKey.of(0x1EC00000 | ((int) (ProcessHandle.current().pid() & 0xfff) << 8)
                            | (NAMES.incrementAndGet() & 0xff));
                    Duration d = g.anyDuration();
                    int kind = g.random().nextInt(3);
                    long t = kind == 2 ? ms(d) : 0;
                    return new Op("System V by key " + key + " kind " + kind + " " + d, t, false, null, () -> {
                        switch (kind) {
                            case 0: { SysvMessageQueue q = trackSysv(SysvMessageQueue.openOrCreate(key, g.anyMode()));
                                q.remove(); return null; }
                            case 1: { SysvSharedMemory s = trackSysv(SysvSharedMemory.openOrCreate(key,
                                    g.anyLong(1, 8192), g.anyMode())); s.remove(); return null; }
                            default: {
                                // An uninitialised set: openOrCreate waits for an initialisation that never comes.
                                int id = SysvSem.semget(key.value(), 1, 01000 | 02000 | 0600);
                                if (id >= 0) {
                                    SYSV_CLEANUP.add(() -> SysvSem.semctlRmid(id));
                                }
                                try {
                                    return SemaphoreSet.openOrCreate(key, new int[] {1}, 0600, d);
                                } finally {
                                    SysvSem.semctlRmid(id);
                                }
                            }
                        }
                    });
                }
                case 33: {
                    Path p = g.oneOf(Path.of("/tmp"), Path.of("/nonexistent-ipcj"), Path.of(""), null);
                    int proj = g.anyInt(0, 256);
                    return new Op("IpcKey.ftok(" + p + ", " + proj + ")", 0, false, null, () -> IpcKey.ftok(p, proj));
                }
                default: {
                    // Closed handles: every kind of handle, closed, then used.
                    int kind = g.random().nextInt(6);
                    return new Op("closed handle " + kind, 0, true, null, () -> {
                        switch (kind) {
                            case 0: { NamedSemaphore s = NamedSemaphore.open(w.named.name()); s.close();
                                return s.tryAcquire(Duration.ofMillis(1)); }
                            case 1: { MessageQueue q = MessageQueue.open(w.queue.name()); q.close();
                                return q.trySend(new byte[1], 0); }
                            case 2: { SharedMemory s = SharedMemory.open(w.shm.name()); s.close(); return s.map(); }
                            case 3: { MappedRegion r = w.shm.map(); r.close(); return r.getLong(0); }
                            case 4: { WaitSet ws = new WaitSet(); ws.close(); ws.add(w.queue, WaitSet.READABLE);
                                return null; }
                            default: { SemaphoreSet s = SemaphoreSet.ofId(w.set.id()); s.close(); return s.get(0); }
                        }
                    });
                }
            }
        }
    }
}
