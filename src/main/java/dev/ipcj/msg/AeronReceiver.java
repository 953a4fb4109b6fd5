package dev.ipcj.msg;

import dev.ipcj.AlreadyExistsException;
import dev.ipcj.ClosedException;
import dev.ipcj.CorruptedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.internal.Errno;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.exceptions.AeronException;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.aeron.ControlledFragmentAssembler;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The receiving end of a network mailbox (the process that created {@code udp://HOST:PORT/NAME}):
 * an Aeron subscription on the endpoint, the data stream of the name, taken from one message at a
 * time, and the credits that bound each sender (see {@link NetCredits}). A daemon thread answers
 * senders' hellos and repeats every grant each 100 ms, so a lost grant costs at most that.
 *
 * <p>Messages are reassembled from Aeron's fragments ({@link ControlledFragmentAssembler}): a
 * message is taken whole or, if its sender died before its last fragment, never. Takes of one
 * handle are serialized (an Aeron subscription is polled by one thread at a time).
 */
final class AeronReceiver extends FrameQueue implements ControlledFragmentHandler {
    /** Ports and names this JVM receives on: a second create of the same name and port is refused here. */
    private static final Set<String> CREATED = ConcurrentHashMap.newKeySet();
    private static final int PID = (int) ProcessHandle.current().pid();
    private static final long RESEND_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final NetAddress address;
    private final AeronRuntime runtime;
    private final int credits;
    private final int grantStep;
    private final int max;
    final long instance = ThreadLocalRandom.current().nextLong() | 1;
    private final Subscription data;
    private final Subscription control;
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this);
    private final ReentrantLock takeLock = new ReentrantLock();
    private final IdleStrategy idle = new BackoffIdleStrategy(50, 10, 1_000, 200_000);
    private final ByteBuffer head = ByteBuffer.allocateDirect(Envelope.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    /** The senders by the address of their credit subscriptions and by data session; guarded by itself. */
    private final Map<String, Peer> byAddress = new HashMap<>();
    private final Int2ObjectHashMap<Peer> bySession = new Int2ObjectHashMap<>();
    private final ConcurrentLinkedQueue<Integer> gone = new ConcurrentLinkedQueue<>();
    private final Thread keeper;
    private volatile boolean closed;

    // The take in progress (under takeLock): where the message goes, and what happened.
    private ByteBuffer dst;
    private Envelope env;
    private boolean got;
    private int gotSession;
    private CorruptedException problem;

    private AeronReceiver(NetAddress address, AeronRuntime runtime, Capacity capacity, int max) {
        this.address = address;
        this.runtime = runtime;
        this.credits = capacity.limit();
        this.grantStep = Math.max(1, credits / 2);
        this.max = max;
        Subscription d = null;
        try {
            d = runtime.aeron.addSubscription(address.channel(), address.dataStream(), img -> { },
                    img -> gone.add(img.sessionId()));
            this.data = d;
            this.control = runtime.aeron.addSubscription(address.channel(), address.controlStream());
        } catch (RuntimeException e) {
            if (d != null) {
                d.close();
            }
            throw e;
        }
        this.keeper = new Thread(this::keep, "ipcj-aeron-credits " + address);
        keeper.setDaemon(true);
        keeper.start();
    }

    /** Creates the receiving end of {@code address}: binds its port (exclusive for the name in this JVM). */
    static AeronReceiver create(NetAddress address, Capacity capacity, int max) {
        String key = address.port + "/" + address.name;
        if (!CREATED.add(key)) {
            throw new AlreadyExistsException("create", address.uri, Errno.EEXIST, "this process already receives"
                    + " on port " + address.port + " for the name " + address.name);
        }
        AeronRuntime rt = null;
        try {
            rt = AeronRuntime.acquire("create", address.uri);
            return new AeronReceiver(address, rt, capacity, max);
        } catch (AeronException e) {
            CREATED.remove(key);
            AeronRuntime.release(rt);
            String m = String.valueOf(e.getMessage());
            dev.ipcj.IpcException x = m.contains("in use")
                    ? new AlreadyExistsException("create", address.uri, 98 /* EADDRINUSE */, "UDP port " + address.port
                        + " is taken by another process: " + m)
                    : new InvalidArgumentException("create", address.uri, 0, "Aeron cannot receive on "
                        + address.channel() + ": " + m);
            x.initCause(e);
            throw x;
        } catch (RuntimeException | Error e) {
            CREATED.remove(key);
            if (rt != null) {
                AeronRuntime.release(rt);
            }
            throw e;
        }
    }

    @Override
    boolean put(Envelope h, ByteBuffer payload, long timeoutNanos) {
        throw new InvalidArgumentException("send", address.uri, 0, "the creator of a network mailbox receives;"
                + " senders open it (Mailbox.open(\"" + address.uri + "\"))");
    }

    @Override
    boolean take(ByteBuffer into, Envelope e, long timeoutNanos) throws InterruptedException {
        long deadline = Timeouts.deadline(timeoutNanos);
        if (timeoutNanos < 0) {
            takeLock.lockInterruptibly();
        } else if (!takeLock.tryLock(timeoutNanos, TimeUnit.NANOSECONDS)) {
            return false;
        }
        try {
            idle.reset();
            for (;;) {
                checkOpen();
                dst = into;
                env = e;
                got = false;
                problem = null;
                data.controlledPoll(assembler, 64);
                dst = null;
                env = null;
                if (problem != null) {
                    throw problem;
                }
                if (got) {
                    credit(gotSession);
                    return true;
                }
                if (timeoutNanos == 0 || Timeouts.expired(timeoutNanos, deadline)) {
                    return false;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                idle.idle();
            }
        } finally {
            takeLock.unlock();
        }
    }

    /** One whole message (the assembler joined its fragments): into dst and env, or refused. */
    @Override
    public Action onFragment(DirectBuffer buffer, int offset, int length, Header header) {
        if (got || problem != null) {
            return Action.ABORT; // one message per take: this one stays for the next
        }
        head.clear();
        buffer.getBytes(offset, head, 0, Math.min(length, Envelope.SIZE));
        try {
            if (length > Envelope.SIZE + max) {
                throw new CorruptedException("receive", address.uri, 0, "a message of " + length + " bytes from "
                        + ((Image) header.context()).sourceIdentity() + " is larger than this mailbox's "
                        + Envelope.SIZE + "-byte envelope and maxMessageSize " + max + ": not an ipcj sender's");
            }
            Envelope.read(head, 0, length, true, env, "receive", address.uri);
            if ((env.flags & (Envelope.FLAG_ACK | Envelope.FLAG_REQUEST | Envelope.FLAG_REPLY)) != 0) {
                throw new CorruptedException("receive", address.uri, 0, "a frame with flags 0x"
                        + Integer.toHexString(env.flags) + " from " + ((Image) header.context()).sourceIdentity()
                        + ": rendezvous and request/reply frames do not cross machines (their pids are another"
                        + " machine's)");
            }
        } catch (CorruptedException x) {
            problem = x;
            return Action.BREAK; // taken and reported; the next take gets the next message
        }
        int n = env.length;
        buffer.getBytes(offset + Envelope.SIZE, dst, dst.position(), n);
        dst.position(dst.position() + n);
        got = true;
        gotSession = header.sessionId();
        return Action.BREAK;
    }

    /** A message of {@code session} was taken: its sender may send one more (granted in steps). */
    private void credit(int session) {
        Peer p;
        synchronized (byAddress) {
            p = bySession.get(session);
        }
        if (p != null) {
            synchronized (p) {
                p.taken++;
                if (p.taken + credits - p.lastGranted >= grantStep) {
                    p.grant();
                }
            }
        }
    }

    /** The keeper: hellos answered, grants repeated, departed senders forgotten. */
    private void keep() {
        FragmentHandler hello = this::onHello;
        long lastResend = System.nanoTime();
        while (!closed) {
            try {
                int work = control.poll(hello, 16);
                Integer s;
                while ((s = gone.poll()) != null) {
                    forget(s);
                }
                long now = System.nanoTime();
                if (now - lastResend >= RESEND_NANOS) {
                    lastResend = now;
                    resendAndPrune();
                }
                if (work == 0) {
                    LockSupport.parkNanos(20_000_000L);
                }
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                LockSupport.parkNanos(10_000_000L); // Aeron closing under us or a transient error: try again
            }
        }
    }

    private void onHello(DirectBuffer b, int offset, int length, Header header) {
        if (!NetCredits.isHello(b, offset, length)) {
            return; // not a hello: nothing to answer
        }
        int session = NetCredits.getInt(b, offset + NetCredits.H_SESSION);
        int port = NetCredits.getInt(b, offset + NetCredits.H_PORT);
        int pid = NetCredits.getInt(b, offset + NetCredits.H_PID);
        String source = ((Image) header.context()).sourceIdentity();
        int colon = source.lastIndexOf(':');
        if (colon <= 0 || port < 1 || port > 65535) {
            return;
        }
        String to = source.substring(0, colon) + ":" + port;
        Peer p;
        synchronized (byAddress) {
            p = byAddress.get(to);
        }
        if (p == null) {
            ExclusivePublication pub = runtime.aeron.addExclusivePublication("aeron:udp?endpoint=" + to
                    + NetCredits.SMALL_TERM, address.dataStream());
            p = new Peer(to, pub, pid);
            synchronized (byAddress) {
                byAddress.put(to, p);
            }
        }
        synchronized (p) {
            if (session != 0 && p.session != session) {
                synchronized (byAddress) {
                    if (p.session != 0) {
                        bySession.remove(p.session);
                    }
                    bySession.put(session, p);
                }
                p.session = session;
                p.taken = 0;
            }
            p.grant();
        }
    }

    private void forget(int session) {
        Peer p;
        synchronized (byAddress) {
            p = bySession.remove(session);
            if (p != null) {
                byAddress.remove(p.address);
            }
        }
        if (p != null) {
            p.credits.close();
        }
    }

    private void resendAndPrune() {
        Peer[] all;
        synchronized (byAddress) {
            all = byAddress.values().toArray(new Peer[0]);
        }
        for (Peer p : all) {
            boolean connected = p.credits.isConnected();
            if (p.everConnected && !connected) {
                synchronized (byAddress) {
                    byAddress.remove(p.address);
                    if (p.session != 0) {
                        bySession.remove(p.session);
                    }
                }
                p.credits.close(); // the sender is gone: its credit port answers no more
                continue;
            }
            p.everConnected |= connected;
            synchronized (p) {
                p.grant();
            }
        }
    }

    /** One sender: where its grants go and how many of its messages were taken. */
    private final class Peer {
        final String address;
        final ExclusivePublication credits;
        final int pid;
        final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(NetCredits.GRANT_SIZE));
        /** This registration's id, sent as the grants' instance: a sender forgotten and met again counts anew. */
        final long epoch = ThreadLocalRandom.current().nextLong() | 1;
        int session;
        long taken;
        long lastGranted;
        boolean everConnected;

        Peer(String address, ExclusivePublication credits, int pid) {
            this.address = address;
            this.credits = credits;
            this.pid = pid;
        }

        /** Sends the cumulative grant (taken + n; nothing granted before the sender named its session). */
        void grant() {
            long granted = session == 0 ? 0 : taken + AeronReceiver.this.credits;
            NetCredits.writeGrant(out, session, epoch, granted, AeronReceiver.this.credits, max);
            if (credits.offer(out, 0, NetCredits.GRANT_SIZE) > 0) {
                lastGranted = granted;
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new ClosedException("receive", address.uri, 0, "the mailbox handle is closed");
        }
    }

    @Override
    int maxMessageSize() {
        return max;
    }

    @Override
    long pending() {
        return -1; // messages in flight and in Aeron's image are not counted cheaply
    }

    /** The senders known now (answered hellos), for messages and tests. */
    int senders() {
        synchronized (byAddress) {
            return byAddress.size();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            keeper.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        takeLock.lock(); // a take in progress ends (checkOpen) before the subscription goes
        try {
            data.close();
            control.close();
            synchronized (byAddress) {
                for (Peer p : byAddress.values()) {
                    p.credits.close();
                }
                byAddress.clear();
                bySession.clear();
            }
        } finally {
            takeLock.unlock();
            CREATED.remove(address.port + "/" + address.name);
            AeronRuntime.release(runtime);
        }
    }

    @Override
    void unlink() {
        // nothing outlives the handle: the port is free once it is closed
    }
}
