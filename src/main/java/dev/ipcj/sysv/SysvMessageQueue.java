package dev.ipcj.sysv;

import dev.ipcj.CorruptedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.IpcException;
import dev.ipcj.LimitExceededException;
import dev.ipcj.internal.Check;
import dev.ipcj.internal.DirectBuffers;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.Faults;
import dev.ipcj.internal.Waiter;
import dev.ipcj.jni.SysvMsg;
import java.nio.ByteBuffer;

/**
 * A System V message queue ({@code msgget}): typed messages, selective receive.
 *
 * <p>Messages travel in a reusable {@link SysvMessage} (no allocation per message), or from
 * any direct buffer with {@link #send(long, ByteBuffer)}. Receive picks by type, as
 * {@code msgrcv} does:
 * <pre>
 *   type      options   receives
 *   --------  --------  ------------------------------------------------------------
 *   0                   the first message in the queue
 *   n &gt; 0              the first message of type n
 *   n &gt; 0     EXCEPT    the first message of any type but n
 *   n &lt; 0              the first message of the lowest type &lt;= |n| (a priority queue)
 * </pre>
 * A message larger than the receiving SysvMessage's capacity stays in the queue and the
 * receive throws {@link LimitExceededException} (E2BIG), unless the options include
 * {@link #TRUNCATE}: then it is cut to the capacity and {@link SysvMessage#truncated()} says so.
 *
 * <p>Blocking {@link #send(SysvMessage)} (queue full) and {@link #receive} (no matching message)
 * return with InterruptedException when the thread is interrupted, and nothing is lost: a
 * message that was sent or taken at the same moment stays sent or taken, with the interrupt
 * status left set. EINTR from other signals is retried. A call blocked when the queue is
 * removed throws {@link dev.ipcj.RemovedException} ("removed while waiting").
 *
 * <p>Default mode 0600; {@link #create} is exclusive. The queue outlives every process until
 * {@link #remove()} (see {@code ipcs -q}).
 */
public final class SysvMessageQueue implements AutoCloseable, dev.ipcj.Waitable {
    /** Default permission bits: read and write for the owner only. */
    public static final int DEFAULT_MODE = 0600;
    /** Receive option: do not wait; the receive returns false when nothing matches (IPC_NOWAIT). */
    public static final int NO_WAIT = 1;
    /** Receive option: cut a too-long message to the capacity and say so (MSG_NOERROR). */
    public static final int TRUNCATE = 2;
    /** Receive option: with type n &gt; 0, take the first message whose type is not n (MSG_EXCEPT). */
    public static final int EXCEPT = 4;

    private static final String KIND = "message queue";
    private static final int MSG_NOERROR = 010000;
    private static final int MSG_EXCEPT = 020000;

    /** Whether the kernel copies a bare payload in (process_vm_readv); false once refused. */
    private static volatile boolean kernelCopy = true;
    private static final ThreadLocal<SysvMessage> STAGING = new ThreadLocal<>();

    private final Handle h;

    private SysvMessageQueue(IpcKey key, int id) {
        this.h = new Handle(KIND, key, id);
    }

    /**
     * Creates a queue, mode 0600; fails if the key exists.
     *
     * @param key the queue's key, or {@link IpcKey#PRIVATE}
     * @return the open queue
     */
    public static SysvMessageQueue create(IpcKey key) {
        return create(key, DEFAULT_MODE);
    }

    /**
     * Creates a queue with permission bits {@code mode}; fails if the key exists.
     *
     * @param key  the queue's key, or {@link IpcKey#PRIVATE}
     * @param mode the permission bits, e.g. {@code 0600}
     * @return the open queue
     */
    public static SysvMessageQueue create(IpcKey key, int mode) {
        Handle.checkKey("msgget", key);
        return get(key, Handle.IPC_CREAT | Handle.IPC_EXCL, mode);
    }

    /**
     * Opens the queue with {@code key}; NotFoundException if there is none, PermissionDeniedException
     * (here, not at the first send or receive) if its mode does not let this user send and receive.
     *
     * @param key the queue's key
     * @return the open queue
     */
    public static SysvMessageQueue open(IpcKey key) {
        Handle.checkKey("msgget", key);
        if (key.isPrivate()) {
            throw new InvalidArgumentException("msgget", "key " + key, 0,
                    "IPC_PRIVATE cannot be opened, only created: pass the id to ofId() instead");
        }
        // The permission bits of a get without IPC_CREAT are the access asked for: the kernel checks them.
        return get(key, 0, Handle.WANT_READ_WRITE);
    }

    /**
     * Opens the queue with {@code key}, creating it with {@code mode} if absent; refused as {@link #open} is.
     *
     * @param key  the queue's key
     * @param mode the permission bits, if it is created
     * @return the open queue
     */
    public static SysvMessageQueue openOrCreate(IpcKey key, int mode) {
        Handle.checkKey("msgget", key);
        Handle.checkMode("msgget", key, mode);
        if (key.isPrivate()) {
            return get(key, Handle.IPC_CREAT | Handle.IPC_EXCL, mode);
        }
        for (;;) {
            try {
                return get(key, Handle.IPC_CREAT | Handle.IPC_EXCL, mode);
            } catch (dev.ipcj.AlreadyExistsException e) {
                // someone else's: open it, asking for read and write
            }
            try {
                return get(key, 0, Handle.WANT_READ_WRITE);
            } catch (dev.ipcj.NotFoundException e) {
                // removed between the two calls: race for creation again
            }
        }
    }

    /**
     * A handle on the queue with id {@code id} (as another process passed it); checks that it
     * exists and that this user may send to and receive from it.
     *
     * @param id the queue's id
     * @return the queue
     */
    public static SysvMessageQueue ofId(int id) {
        SysvMessageQueue q = new SysvMessageQueue(IpcKey.PRIVATE, id);
        q.h.checkAccess("msgget", q.statFields(), Handle.WANT_READ_WRITE, "send to and receive from it");
        return q;
    }

    private static SysvMessageQueue get(IpcKey key, int flags, int mode) {
        Handle.checkMode("msgget", key, mode);
        int id = SysvMsg.msgget(key.value(), flags | mode);
        if (id < 0) {
            throw Handle.getError("msgget", KIND, key, id, id == -Errno.ENOSPC
                    ? "all " + SysvLimits.named("msgmni", SysvLimits.msgmni()) + " queue ids are in use" : null);
        }
        return new SysvMessageQueue(key, id);
    }

    /**
     * The queue's id ({@code msqid}), which other processes can open with {@link #ofId}.
     *
     * @return the id
     */
    public int id() {
        return h.id;
    }

    /**
     * The key the queue was created or opened with ({@link IpcKey#PRIVATE} for {@link #ofId}).
     *
     * @return the key
     */
    public IpcKey key() {
        return h.key;
    }

    /**
     * Sends {@code m} (type and size() payload bytes), waiting while the queue is full.
     *
     * @param m the message
     * @throws InterruptedException if the thread is interrupted while waiting; nothing was sent
     */
    public void send(SysvMessage m) throws InterruptedException {
        Check.notNull("msgsnd", h.name, m, "message");
        sendRaw(m.type(), m.address(), m.size(), false, false);
    }

    /**
     * Sends {@code m} if the queue has room now: false if it is full.
     *
     * @param m the message
     * @return true if sent, false if the queue is full
     */
    public boolean trySend(SysvMessage m) {
        Check.notNull("msgsnd", h.name, m, "message");
        try {
            return sendRaw(m.type(), m.address(), m.size(), true, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // IPC_NOWAIT never blocks; cannot happen
            return false;
        }
    }

    /**
     * Sends {@code payload}'s remaining bytes (a direct buffer) with {@code type}, waiting while
     * the queue is full; the buffer's position moves to its limit. The shim copies the bytes
     * behind the 8-byte type on its stack through the kernel (see ipcj_sysv_msg.h), so a buffer
     * over a mapping another process truncated is a {@link CorruptedException}, not a crash.
     *
     * @param type    the message type, 1 or more
     * @param payload the bytes, from position to limit, in a direct buffer
     * @throws InterruptedException if the thread is interrupted while waiting; nothing was sent
     */
    public void send(long type, ByteBuffer payload) throws InterruptedException {
        sendBuffer(type, payload, false);
    }

    /**
     * As {@link #send(long, ByteBuffer)} without waiting: false if the queue is full.
     *
     * @param type    the message type, 1 or more
     * @param payload the bytes, from position to limit, in a direct buffer
     * @return true if sent, false if the queue is full
     */
    public boolean trySend(long type, ByteBuffer payload) {
        try {
            return sendBuffer(type, payload, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // IPC_NOWAIT never blocks; cannot happen
            return false;
        }
    }

    private boolean sendBuffer(long type, ByteBuffer payload, boolean noWait) throws InterruptedException {
        Check.notNull("msgsnd", h.name, payload, "payload");
        if (!payload.isDirect()) {
            throw new InvalidArgumentException("msgsnd", h.name, 0,
                    "the payload must be a direct ByteBuffer (or use a SysvMessage)");
        }
        int n = payload.remaining();
        boolean sent;
        if (kernelCopy) {
            long address = DirectBuffers.address(payload) + payload.position();
            try {
                sent = sendRaw(type, address, n, noWait, true);
            } catch (KernelCopyRefused e) {
                kernelCopy = false; // a seccomp filter refuses process_vm_readv: copy in Java from now on
                sent = sendStaged(type, payload, noWait);
            }
        } else {
            sent = sendStaged(type, payload, noWait);
        }
        if (sent) {
            payload.position(payload.limit());
        }
        return sent;
    }

    /**
     * Where process_vm_readv is refused: the payload copied in Java (a guarded copy, see
     * dev.ipcj.internal.Faults) into this thread's SysvMessage, which is then sent.
     */
    private boolean sendStaged(long type, ByteBuffer payload, boolean noWait) throws InterruptedException {
        int n = payload.remaining();
        SysvMessage m = STAGING.get();
        if (m == null || m.capacity() < n) {
            m = SysvMessage.allocate(Math.max(n, 8192));
            STAGING.set(m);
        }
        try {
            m.set(type, payload);
        } catch (InternalError e) {
            throw payloadGone(Faults.truncated("msgsnd", h.name, e, -1));
        }
        return sendRaw(type, m.address(), n, noWait, false);
    }

    private CorruptedException payloadGone(Throwable cause) {
        CorruptedException c = new CorruptedException("msgsnd", h.name, cause == null ? Errno.EFAULT : 0,
                "the memory under the payload buffer is gone: another process truncated the object it maps");
        if (cause != null) {
            c.initCause(cause);
        }
        return c;
    }

    /** process_vm_readv refused (ENOSYS, EPERM from a seccomp filter): use the Java copy. */
    private static final class KernelCopyRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        KernelCopyRefused() {
            super(null, null, false, false);
        }
    }

    /** address: a SysvMessage's msgbuf, or (bare) payload bytes the shim copies behind the type. */
    private boolean sendRaw(long type, long address, int size, boolean noWait, boolean bare)
            throws InterruptedException {
        if (type < 1) {
            throw new InvalidArgumentException("msgsnd", h.name, 0, "type " + type + " must be >= 1");
        }
        h.check("msgsnd");
        int flags = noWait ? Handle.IPC_NOWAIT : 0;
        Waiter w = noWait ? null : Waiter.current();
        for (;;) {
            int r;
            boolean interrupted = false;
            if (w != null) {
                w.enter();
            }
            try {
                r = bare ? SysvMsg.msgsndCopy(h.id, type, address, size, flags)
                        : SysvMsg.msgsnd(h.id, address, size, flags);
            } finally {
                if (w != null) {
                    interrupted = w.exit();
                }
            }
            if (r == 0) {
                return true;
            }
            if (Waiter.retry(r, interrupted)) {
                continue; // EINTR from a stray signal
            }
            if (r == -Errno.EAGAIN && noWait) {
                return false;
            }
            if (bare && r == -Errno.EFAULT) {
                throw payloadGone(null);
            }
            if (bare && (r == -Errno.ENOSYS || r == -Errno.EPERM)) {
                throw new KernelCopyRefused();
            }
            throw sendError(r, size);
        }
    }

    private IpcException sendError(int r, int size) {
        if (r == -Errno.EINVAL) {
            long max = SysvLimits.msgmax();
            if (size > max) {
                return new LimitExceededException("msgsnd", h.name, Errno.EINVAL,
                        "message of " + size + " bytes > " + SysvLimits.named("msgmax", max));
            }
            return h.idError("msgsnd", r, null);
        }
        if (r == -Errno.EIDRM) {
            return h.removedWhileWaiting("msgsnd");
        }
        if (r == -Errno.ENOMEM) {
            return IpcException.of("msgsnd", h.name, r, "no kernel memory for a message of " + size + " bytes");
        }
        return h.idError("msgsnd", r, r == -Errno.EACCES ? "the queue's mode does not allow writing" : null);
    }

    /**
     * Receives the first message of any type into {@code into}, waiting for one.
     *
     * @param into receives the type and payload
     * @throws InterruptedException if the thread is interrupted while waiting; nothing was taken
     */
    public void receive(SysvMessage into) throws InterruptedException {
        receive(into, 0, 0);
    }

    /**
     * Receives by {@code type} (see the class comment), waiting for a match.
     *
     * @param into receives the type and payload
     * @param type which messages match
     * @throws InterruptedException if the thread is interrupted while waiting; nothing was taken
     */
    public void receive(SysvMessage into, long type) throws InterruptedException {
        receive(into, type, 0);
    }

    /**
     * Receives by {@code type} if a match is queued now: false if none.
     *
     * @param into receives the type and payload
     * @param type which messages match
     * @return true if a message was received
     */
    public boolean tryReceive(SysvMessage into, long type) {
        try {
            return receive(into, type, NO_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // IPC_NOWAIT never blocks; cannot happen
            return false;
        }
    }

    /**
     * Receives by {@code type} with {@code options} ({@link #NO_WAIT}, {@link #TRUNCATE},
     * {@link #EXCEPT}, or-ed).
     *
     * @param into    receives the type and payload
     * @param type    which messages match
     * @param options the options, or 0
     * @return true when a message was received; false only with NO_WAIT and no match
     * @throws InterruptedException if the thread is interrupted while waiting; nothing was taken
     */
    public boolean receive(SysvMessage into, long type, int options) throws InterruptedException {
        Check.notNull("msgrcv", h.name, into, "into");
        if ((options & ~(NO_WAIT | TRUNCATE | EXCEPT)) != 0) {
            throw new InvalidArgumentException("msgrcv", h.name, 0, "unknown options 0x" + Integer.toHexString(options));
        }
        if ((options & EXCEPT) != 0 && type <= 0) {
            throw new InvalidArgumentException("msgrcv", h.name, 0,
                    "EXCEPT needs a type > 0 (type " + type + " would select " + (type == 0 ? "any type" : "by priority")
                    + " and ignore EXCEPT)");
        }
        if (type == Long.MIN_VALUE) {
            throw new InvalidArgumentException("msgrcv", h.name, 0, "type Long.MIN_VALUE has no absolute value");
        }
        h.check("msgrcv");
        boolean noWait = (options & NO_WAIT) != 0;
        boolean truncate = (options & TRUNCATE) != 0;
        int flags = (noWait ? Handle.IPC_NOWAIT : 0) | (truncate ? MSG_NOERROR : 0) | ((options & EXCEPT) != 0 ? MSG_EXCEPT : 0);
        int cap = into.capacity();
        long ask = truncate ? cap + 1L : cap;
        Waiter w = noWait ? null : Waiter.current();
        for (;;) {
            long n;
            boolean interrupted = false;
            if (w != null) {
                w.enter();
            }
            try {
                n = SysvMsg.msgrcv(h.id, into.address(), ask, type, flags);
            } finally {
                if (w != null) {
                    interrupted = w.exit();
                }
            }
            if (n >= 0) {
                boolean cut = n > cap;
                into.received(cut ? cap : (int) n, cut);
                return true;
            }
            int r = (int) n;
            if (Waiter.retry(r, interrupted)) {
                continue; // EINTR from a stray signal
            }
            if (r == -Errno.ENOMSG && noWait) {
                return false;
            }
            if (r == -Errno.E2BIG) {
                throw new LimitExceededException("msgrcv", h.name, Errno.E2BIG, "the next matching message is larger than "
                        + "the SysvMessage's capacity of " + cap + " bytes; it stays in the queue (receive it with "
                        + "a larger SysvMessage, or with TRUNCATE)");
            }
            if (r == -Errno.EIDRM) {
                throw h.removedWhileWaiting("msgrcv");
            }
            throw h.idError("msgrcv", r, r == -Errno.EACCES ? "the queue's mode does not allow reading" : null);
        }
    }

    /**
     * msgctl(IPC_STAT).
     *
     * @return the queue's state
     */
    public MsgQueueStat stat() {
        return MsgQueueStat.from(statFields());
    }

    private long[] statFields() {
        h.check("msgctl(IPC_STAT)");
        long[] out = new long[SysvMsg.STAT_FIELDS];
        int r = SysvMsg.msgctlStat(h.id, out);
        if (r < 0) {
            throw h.idError("msgctl(IPC_STAT)", r, null);
        }
        return out;
    }

    /**
     * msgctl(IPC_SET) of msg_qbytes: how many payload bytes the queue holds before senders
     * wait. Above /proc/sys/kernel/msgmnb only a privileged process (CAP_SYS_RESOURCE) may.
     *
     * @param maxBytes the new msg_qbytes
     */
    public void setMaxBytes(long maxBytes) {
        if (maxBytes < 0) {
            throw new InvalidArgumentException("msgctl(IPC_SET)", h.name, 0, "maxBytes " + maxBytes + " must be >= 0");
        }
        MsgQueueStat s = stat();
        IpcPermissions p = s.permissions();
        int r = SysvMsg.msgctlSet(h.id, p.uid(), p.gid(), p.mode(), maxBytes);
        if (r < 0) {
            long mnb = SysvLimits.msgmnb();
            throw h.idError("msgctl(IPC_SET)", r, r == -Errno.EPERM && maxBytes > mnb
                    ? "maxBytes " + maxBytes + " > " + SysvLimits.named("msgmnb", mnb) + " needs CAP_SYS_RESOURCE"
                    : null);
        }
    }

    /**
     * msgctl(IPC_SET): owner uid and gid, permission bits (the capacity is kept).
     *
     * @param uid  the new owner's user id
     * @param gid  the new owner's group id
     * @param mode the permission bits
     */
    public void setPermissions(int uid, int gid, int mode) {
        Handle.checkMode("msgctl(IPC_SET)", h.key, mode);
        long qbytes = stat().maxBytes();
        int r = SysvMsg.msgctlSet(h.id, uid, gid, mode, qbytes);
        if (r < 0) {
            throw h.idError("msgctl(IPC_SET)", r, null);
        }
    }

    /** msgctl(IPC_RMID): removes the queue and its messages now; blocked callers get RemovedException. */
    public void remove() {
        h.check("msgctl(IPC_RMID)");
        int r = SysvMsg.msgctlRmid(h.id);
        if (r < 0) {
            throw h.idError("msgctl(IPC_RMID)", r, null);
        }
    }

    /**
     * Whether this handle is open: false after {@link #close()}.
     *
     * @return true until closed
     */
    public boolean isOpen() {
        return !h.isClosed();
    }

    /**
     * The queue's name (its key and id), as error messages give it.
     *
     * @return the name
     */
    @Override
    public String name() {
        return h.name;
    }

    /**
     * How a {@link dev.ipcj.WaitSet} waits on this queue: READABLE while a message is in it,
     * WRITABLE while its bytes are below msg_qbytes. The kernel wakes only msgrcv and msgsnd
     * sleepers and gives no descriptor, so the set polls it: one msgctl(IPC_STAT) per slice
     * (see WaitSet, "Polled members").
     *
     * @return the hook
     */
    @Override
    public dev.ipcj.WaitHook waitHook() {
        return (dev.ipcj.WaitHook.Polled) interest -> {
            MsgQueueStat s = stat();
            int r = 0;
            if ((interest & dev.ipcj.WaitSet.READABLE) != 0 && s.messages() > 0) {
                r |= dev.ipcj.WaitSet.READABLE;
            }
            if ((interest & dev.ipcj.WaitSet.WRITABLE) != 0 && s.bytes() < s.maxBytes()) {
                r |= dev.ipcj.WaitSet.WRITABLE;
            }
            return r;
        };
    }

    /** Closes this handle (the queue stays). Idempotent. */
    @Override
    public void close() {
        h.close();
    }

    @Override
    public String toString() {
        return "SysvMessageQueue[" + h.name + "]";
    }
}
