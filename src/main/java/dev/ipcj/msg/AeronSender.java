package dev.ipcj.msg;

import dev.ipcj.ClosedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.LimitExceededException;
import dev.ipcj.NotFoundException;
import dev.ipcj.TimedOutException;
import dev.ipcj.internal.Errno;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The sending end of a network mailbox ({@code Mailbox.open("udp://HOST:PORT/NAME")}): an Aeron
 * exclusive publication to the receiver's endpoint, a publication for hellos, and a subscription
 * on an ephemeral port of its own where the receiver's grants arrive (see {@link NetCredits}). A
 * send waits for a credit, then offers the envelope and the payload as one Aeron message. Sends
 * of one handle are serialized.
 *
 * <p>The receiver's death is Aeron's: the publication stops being connected when no status
 * message came for the publication connection timeout (5 s by default,
 * {@code aeron.publication.connection.timeout}); a send then ends with {@link TimedOutException},
 * and the next one says hello again, so a receiver created anew at the address is found.
 */
final class AeronSender extends FrameQueue implements FragmentHandler {
    private static final int PID = (int) ProcessHandle.current().pid();
    private static final long HELLO_EVERY_NANOS = 50_000_000L;
    private static final long STARVED_HELLO_NANOS = 500_000_000L;
    private static final int MIN_TERM = 64 * 1024;

    private final NetAddress address;
    private final AeronRuntime runtime;
    private final ExclusivePublication hellos;
    private final Subscription grants;
    private final int creditPort;
    private ExclusivePublication data;
    private final ReentrantLock lock = new ReentrantLock();
    private final IdleStrategy idle = new BackoffIdleStrategy(50, 10, 1_000, 200_000);
    private final ByteBuffer headBytes = ByteBuffer.allocateDirect(Envelope.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final UnsafeBuffer head = new UnsafeBuffer(headBytes);
    private final UnsafeBuffer body = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer hello = new UnsafeBuffer(ByteBuffer.allocateDirect(NetCredits.HELLO_SIZE));

    // Credit state, under lock (the grant handler runs inside this handle's polls).
    private long sent;
    private long granted;
    private long receiverInstance;
    private boolean acquainted;
    private int capacity;
    private int max = -1;
    private long nextHello;
    private long starvedSince;
    private volatile boolean closed;

    private AeronSender(NetAddress address, AeronRuntime runtime) {
        this.address = address;
        this.runtime = runtime;
        ExclusivePublication h = null;
        Subscription g = null;
        try {
            h = runtime.aeron.addExclusivePublication(address.channel() + NetCredits.SMALL_TERM, address.controlStream());
            g = runtime.aeron.addSubscription("aeron:udp?endpoint=0.0.0.0:0", address.dataStream());
            this.hellos = h;
            this.grants = g;
            this.creditPort = boundPort(g);
        } catch (RuntimeException e) {
            if (g != null) {
                g.close();
            }
            if (h != null) {
                h.close();
            }
            throw e;
        }
    }

    private int boundPort(Subscription g) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() - deadline < 0) {
            List<String> a = g.localSocketAddresses();
            if (!a.isEmpty()) {
                String s = a.get(0);
                return Integer.parseInt(s.substring(s.lastIndexOf(':') + 1));
            }
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
        }
        throw new InvalidArgumentException("open", address.uri, 0, "Aeron did not bind the grant subscription's"
                + " ephemeral UDP port within 5 s");
    }

    /**
     * Opens the sending end and waits up to {@code connectNanos} for the receiver's first grant:
     * NotFoundException when no receiver answers at the address in that time.
     */
    static AeronSender open(NetAddress address, long connectNanos) throws InterruptedException {
        AeronRuntime rt = AeronRuntime.acquire("open", address.uri);
        AeronSender s = null;
        try {
            s = new AeronSender(address, rt);
            s.connect(connectNanos);
            return s;
        } catch (RuntimeException | InterruptedException | Error e) {
            if (s != null) {
                s.close();
            } else {
                AeronRuntime.release(rt);
            }
            throw e;
        }
    }

    /** Probe (hello with session 0) until the receiver answers with its capacity and size, then join. */
    private void connect(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        lock.lock();
        try {
            while (max < 0) {
                grants.poll(this, 16);
                if (max >= 0) {
                    break;
                }
                sayHello(0);
                waitOrGiveUp(deadline);
            }
            int term = MIN_TERM;
            while (term / 8 < Envelope.SIZE + max + 64 && term < (1 << 30)) {
                term <<= 1; // Aeron's largest message is a term's eighth
            }
            data = runtime.aeron.addExclusivePublication(address.channel() + "|term-length=" + term,
                    address.dataStream());
            acquainted = false;
            while (!acquainted) {
                grants.poll(this, 16);
                if (acquainted) {
                    break;
                }
                sayHello(data.sessionId());
                waitOrGiveUp(deadline);
            }
        } finally {
            lock.unlock();
        }
    }

    private void waitOrGiveUp(long deadline) throws InterruptedException {
        if (System.nanoTime() - deadline >= 0) {
            throw new NotFoundException("open", address.uri, 0, "no receiver answered at " + address.host + ":"
                    + address.port + " (UDP) for the name " + address.name + ": the mailbox is created by the"
                    + " process that receives (Mailbox.create(\"udp://...\")), or a firewall drops the datagrams");
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
    }

    private void sayHello(int session) {
        long now = System.nanoTime();
        if (now - nextHello >= 0) {
            nextHello = now + HELLO_EVERY_NANOS;
            NetCredits.writeHello(hello, session, creditPort, PID);
            hellos.offer(hello, 0, NetCredits.HELLO_SIZE); // NOT_CONNECTED at first: the next hello will do
        }
    }

    /** A grant (in this handle's poll, under its lock). */
    @Override
    public void onFragment(DirectBuffer b, int offset, int length, Header header) {
        if (!NetCredits.isGrant(b, offset, length)) {
            return;
        }
        int session = NetCredits.getInt(b, offset + NetCredits.G_SESSION);
        long instance = NetCredits.getLong(b, offset + NetCredits.G_INSTANCE);
        long g = NetCredits.getLong(b, offset + NetCredits.G_GRANTED);
        capacity = NetCredits.getInt(b, offset + NetCredits.G_CAPACITY);
        int m = NetCredits.getInt(b, offset + NetCredits.G_MAX);
        if (max < 0) {
            max = Math.max(0, m);
        }
        if (session == 0 || data == null || session != data.sessionId()) {
            return; // the answer to a probe, or a grant for an earlier session
        }
        if (instance != receiverInstance) {
            receiverInstance = instance; // a receiver (re)created at the address, or one that forgot us: it counts from 0
            sent = 0;
            granted = g;
        } else if (g > granted) {
            granted = g;
        }
        acquainted = true;
    }

    @Override
    boolean put(Envelope h, ByteBuffer payload, long timeoutNanos) throws InterruptedException {
        long deadline = Timeouts.deadline(timeoutNanos);
        if (timeoutNanos < 0) {
            lock.lockInterruptibly();
        } else if (!lock.tryLock(timeoutNanos, TimeUnit.NANOSECONDS)) {
            return false;
        }
        try {
            int len = payload.remaining();
            if (len > max) {
                throw new LimitExceededException("send", address.uri, Errno.EMSGSIZE, "message of " + len
                        + " bytes > the receiver's maxMessageSize " + max);
            }
            idle.reset();
            starvedSince = 0;
            for (;;) {
                checkOpen();
                grants.poll(this, 16);
                if (acquainted && granted - sent > 0) {
                    long r = offer(h, payload, len);
                    if (r > 0) {
                        sent++;
                        return true;
                    }
                    if (r == Publication.NOT_CONNECTED) {
                        throw lost();
                    }
                    if (r == Publication.CLOSED || r == Publication.MAX_POSITION_EXCEEDED) {
                        throw new ClosedException("send", address.uri, 0, "Aeron closed the publication ("
                                + Publication.errorString(r) + ")");
                    }
                } else if (acquainted) {
                    if (!data.isConnected()) {
                        throw lost();
                    }
                    long now = System.nanoTime();
                    if (starvedSince == 0) {
                        starvedSince = now;
                    } else if (now - starvedSince > STARVED_HELLO_NANOS) {
                        sayHello(data.sessionId()); // a receiver created anew does not know this sender yet
                    }
                } else {
                    sayHello(data.sessionId());
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
            lock.unlock();
        }
    }

    private long offer(Envelope h, ByteBuffer payload, int len) {
        Envelope.write(headBytes, 0, h, len);
        if (len == 0) {
            return data.offer(head, 0, Envelope.SIZE);
        }
        body.wrap(payload, payload.position(), len);
        return data.offer(head, 0, Envelope.SIZE, body, 0, len);
    }

    /** The receiver stopped answering: said as a timeout; the next send starts over with a hello. */
    private TimedOutException lost() {
        acquainted = false;
        sent = 0;
        granted = 0;
        receiverInstance = 0;
        return new TimedOutException("send", address.uri, Errno.ETIMEDOUT, "the receiver stopped answering: Aeron"
                + " has had no status message from it for the publication connection timeout (5 s unless"
                + " aeron.publication.connection.timeout says otherwise); it died, closed the mailbox, or the network"
                + " is down. Messages sent shortly before may be lost; none is delivered in part");
    }

    @Override
    boolean take(ByteBuffer into, Envelope e, long timeoutNanos) {
        throw new InvalidArgumentException("receive", address.uri, 0, "this handle sends to " + address.uri
                + "; only the process that created it receives");
    }

    private void checkOpen() {
        if (closed) {
            throw new ClosedException("send", address.uri, 0, "the mailbox handle is closed");
        }
    }

    /** The receiver's capacity n (credits per sender), known once connected. */
    int capacity() {
        return capacity;
    }

    @Override
    int maxMessageSize() {
        return Math.max(max, 0);
    }

    @Override
    long pending() {
        return -1;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        lock.lock(); // a send in progress ends (checkOpen) first
        try {
            if (data != null) {
                data.close();
            }
            hellos.close();
            grants.close();
        } finally {
            lock.unlock();
            AeronRuntime.release(runtime);
        }
    }

    @Override
    void unlink() {
    }
}
