package dev.ipcj.msg;

import dev.ipcj.AlreadyExistsException;
import dev.ipcj.ClosedException;
import dev.ipcj.CorruptedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.IpcException;
import dev.ipcj.NotFoundException;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.IpcjNames;
import dev.ipcj.internal.ProcessIdentity;
import dev.ipcj.internal.ShmFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This process's own mailbox: message passing with <em>direct naming</em>. Other processes send
 * to it by pid ({@link Mailbox#toProcess(long)}) or by a name it registered
 * ({@link #register(String)}, {@link Mailbox#toProcess(String)}); it receives from anyone
 * ({@link #receive()}) or from one given sender ({@link #receiveFrom(long)}), and every message
 * says who sent it.
 *
 * <pre>{@code
 * // server
 * try (Inbox inbox = Inbox.create().register("calc")) {
 *     Message m = inbox.receive();
 *     try (Mailbox reply = Mailbox.toProcess(m.sender())) { reply.send(answer(m)); }
 * }
 * // client (which owns an Inbox too, for the reply)
 * try (Inbox mine = Inbox.create(); Mailbox calc = Mailbox.toProcess("calc")) {
 *     calc.send("6*7", Codec.UTF8);
 *     String answer = mine.receiveFrom(calcPid).text();
 * }
 * }</pre>
 *
 * <p>Objects: the inbox is the mailbox {@code /ipcj-pid-PID}, whose header names its owner by
 * identity (pid and start time, see {@code ProcessIdentity}); a registered name is the file
 * {@code /dev/shm/ipcj-name.NAME}, mode 0600, holding "PID STARTTIME". Both are removed by
 * {@link #close()}. A leftover of a process that died (its pid now reused, or a name whose holder
 * is gone) is reclaimed when a live process creates or registers it: a name is taken over only
 * under an exclusive lock on its file, after re-reading it, so two processes reclaiming the same
 * dead name never remove each other's live registration. {@link #register} and {@link #close}
 * exclude each other, so no interleaving of the two leaves a name behind.
 *
 * <p>Selective receive: on {@link Transport#SYSTEM_V} the kernel selects by message type (the
 * sender's pid); on the other transports a receive from one sender takes messages in order and
 * keeps the others, in this handle's heap, for later receives, which see them first and in order.
 */
public final class Inbox implements AutoCloseable, dev.ipcj.Waitable {
    private static final int PID = (int) ProcessHandle.current().pid();
    private static final long ME = ProcessIdentity.self();
    /** FileChannel locks belong to the process: threads of this JVM take turns before taking one. */
    private static final Object REGISTRY = new Object();

    /** This process's open inbox, where replies to its requests come ({@link Mailbox#request}). */
    private static volatile Inbox current;
    /** Correlation ids: unique in this process (a random start, so restarted processes differ too), never 0. */
    private static final AtomicLong CORRELATION = new AtomicLong(new java.security.SecureRandom().nextLong() >>> 1);

    final Mailbox box;
    private final List<String> registered = new ArrayList<>(); // guarded by itself
    private volatile boolean closed;

    private Inbox(Mailbox box) {
        this.box = box;
    }

    /**
     * Creates this process's inbox: default transport, bounded(10), {@value Mailbox#DEFAULT_MAX_MESSAGE_SIZE}-byte messages.
     *
     * @return the inbox
     */
    public static Inbox create() {
        return create(Transport.defaultTransport(), Capacity.bounded(10), Mailbox.DEFAULT_MAX_MESSAGE_SIZE);
    }

    /**
     * Creates this process's inbox on {@code transport} with {@code capacity}. A process has one inbox.
     *
     * @param transport      the transport to receive on
     * @param capacity       how many messages may wait
     * @param maxMessageSize the largest payload in bytes
     * @return the inbox
     */
    public static Inbox create(Transport transport, Capacity capacity, int maxMessageSize) {
        String name = IpcjNames.inbox(PID);
        MailboxHeader old;
        try {
            old = MailboxHeader.readForRemoval(name);
        } catch (dev.ipcj.CorruptedException e) {
            // Not a header ipcj reads (empty: an older ipcj killed between claiming the name and
            // writing it). The name is this pid's inbox by convention, so a file older than this
            // process was left by the dead process that had the pid before: remove that file only.
            if (!removeStale(name)) {
                throw e;
            }
            old = null;
        }
        if (old != null) {
            if (old.ownerIdentity == ME || ProcessIdentity.alive(old.ownerIdentity)
                    || ProcessIdentity.alive(old.creator)) {
                throw new AlreadyExistsException("create", name, Errno.EEXIST, "this process already has an inbox");
            }
            MailboxObjects.remove(name, old); // left by a dead process whose pid this one now has
        }
        Inbox created = new Inbox(MailboxObjects.create(name, transport, capacity, maxMessageSize, ME));
        current = created;
        return created;
    }

    /**
     * This process's inbox for replies: the open one, or a new one (default transport,
     * bounded(10)) closed when the JVM exits.
     */
    static Inbox forReplies() {
        Inbox c = current;
        if (c != null && !c.closed) {
            return c;
        }
        synchronized (Inbox.class) {
            c = current;
            if (c != null && !c.closed) {
                return c;
            }
            Inbox made = create();
            Runtime.getRuntime().addShutdownHook(new Thread(made::close, "ipcj-reply-inbox"));
            return made;
        }
    }

    /**
     * Sends {@code payload} to {@code to} as a request whose reply comes here, and waits for
     * that reply ({@code nanos}: -1 for ever, 0 only what is there, else the budget for both).
     */
    Message request(Mailbox to, ByteBuffer payload, long nanos) throws InterruptedException {
        checkOpen();
        if (to == null) {
            throw new InvalidArgumentException("request", box.name(), 0, "mailbox is null");
        }
        long deadline = Timeouts.deadline(nanos);
        long id;
        do {
            id = CORRELATION.incrementAndGet();
        } while (id == 0);
        box.await(id); // before the send: a quick reply is kept for this request, never dropped
        try {
            if (!to.send0(payload, nanos, Envelope.FLAG_REQUEST, PID, id)) {
                return null;
            }
            return box.receiveMessage(0, id, Timeouts.remaining(nanos, deadline));
        } finally {
            box.settle(id); // with the reply or without it: a later reply is dropped
        }
    }

    /**
     * Removes the file at this process's inbox name when it is provably stale: a regular file of
     * this user that was last changed more than a second before this process started (so by a
     * process that had this pid before). True if it removed it (or it was gone).
     */
    private static boolean removeStale(String name) {
        java.nio.file.Path p = MailboxHeader.path(name);
        java.nio.file.LinkOption noFollow = java.nio.file.LinkOption.NOFOLLOW_LINKS;
        try {
            java.util.Map<String, Object> a = java.nio.file.Files.readAttributes(p, "unix:ino,uid,ctime,mode", noFollow);
            Object me = java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"), "unix:uid");
            long started = ProcessIdentity.startMillis();
            // A second's margin over the start time's precision: a pid is reused only after the
            // kernel went through all others, so a file the earlier process left is far older.
            if (started < 0 || ((Integer) a.get("mode") & 0170000) != 0100000 || !a.get("uid").equals(me)
                    || ((java.nio.file.attribute.FileTime) a.get("ctime")).toMillis() > started - 1000) {
                return false;
            }
            return ShmFiles.deleteIfSame(p, (Long) a.get("ino"));
        } catch (java.nio.file.NoSuchFileException e) {
            return true;
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Registers {@code name} ("calc": letters, digits, '.', '_', '-') for this inbox, so others can
     * send with {@code Mailbox.toProcess("calc")}. A name held by a live process is refused naming
     * that pid; one left by a dead process is taken over.
     *
     * @param name the name to register
     * @return this inbox
     */
    public Inbox register(String name) {
        Path p = registryPath("register", name);
        byte[] content = (PID + " " + (ME >>> 32) + "\n").getBytes(StandardCharsets.US_ASCII);
        synchronized (registered) { // close() cannot run between the link and the record of it
            checkOpen();
            for (int attempt = 0;; attempt++) {
                if (link(name, p, content)) {
                    registered.add(name);
                    return this;
                }
                long holder = reclaim(name, p);
                if (holder == ME) {
                    if (!registered.contains(name)) {
                        registered.add(name);
                    }
                    return this;
                }
                if (holder != 0 || attempt > 5) {
                    throw new AlreadyExistsException("register", name, Errno.EEXIST, "the name is registered by "
                            + (holder != 0 ? ProcessIdentity.describe(holder) : "another process"));
                }
            }
        }
    }

    /** Links a complete 0600 name file under {@code p}: false when the name exists. */
    private static boolean link(String name, Path p, byte[] content) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile(p.getParent(), IpcjNames.REGISTERING_PREFIX, IpcjNames.REGISTERING_SUFFIX,
                    ShmFiles.MODE_0600);
            Files.write(tmp, content);
            Files.createLink(p, tmp); // atomic and exclusive: the name appears complete or not at all
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw ShmFiles.error("register", name, p, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a leftover temporary file names nobody
                }
            }
        }
    }

    /**
     * The live holder of the name file {@code p} (its identity), or 0 after removing it because
     * its holder is dead (or it vanished): under an exclusive lock on the file, after checking
     * the name still is that file.
     */
    private static long reclaim(String name, Path p) {
        synchronized (REGISTRY) {
            long before = ShmFiles.inode(p);
            if (before == 0) {
                return 0;
            }
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS); FileLock lock = ch.lock()) {
                if (ShmFiles.inode(p) != before) {
                    return 0; // replaced meanwhile: look again
                }
                long holder = parse(name, p, read(ch));
                if (holder == ME || ProcessIdentity.alive(holder)) {
                    return holder;
                }
                Files.deleteIfExists(p); // its holder is dead, and nobody can take it while we hold the lock
                return 0;
            } catch (NoSuchFileException e) {
                return 0;
            } catch (IOException e) {
                throw ShmFiles.error("register", name, p, e);
            }
        }
    }

    /** Removes the name file {@code p} if it still names this process. */
    private static void unregister(String name, Path p) {
        synchronized (REGISTRY) {
            long before = ShmFiles.inode(p);
            if (before == 0) {
                return;
            }
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS); FileLock lock = ch.lock()) {
                if (ShmFiles.inode(p) == before && parse(name, p, read(ch)) == ME) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException | RuntimeException e) {
                // best effort: a stale name is reclaimed by the next registrant
            }
        }
    }

    private static String read(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64);
        ShmFiles.readFully(ch, b, 0);
        return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII);
    }

    /** "PID START" (or an older "PID") as an identity. */
    private static long parse(String name, Path p, String s) {
        String[] f = s.trim().split("\\s+");
        try {
            int pid = Integer.parseInt(f[0]);
            long start = f.length > 1 ? Long.parseLong(f[1]) : 0;
            if (pid <= 0 || start < 0 || start > 0xFFFFFFFFL) {
                throw new NumberFormatException();
            }
            return (start << 32) | (pid & 0xFFFFFFFFL);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new CorruptedException("lookup", name, 0, p + " does not hold \"PID STARTTIME\"");
        }
    }

    /**
     * The pid of the live process that registered {@code name}.
     *
     * @param name a registered name
     * @return the pid
     */
    public static long lookup(String name) {
        Path p = registryPath("lookup", name);
        String s;
        try {
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new CorruptedException("lookup", name, 0, p + " is not a regular file");
                }
                throw new NotFoundException("lookup", name, Errno.ENOENT, "no process registered this name");
            }
            s = new String(Files.readAllBytes(p), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new NotFoundException("lookup", name, Errno.ENOENT, "no process registered this name");
        } catch (IOException e) {
            throw ShmFiles.error("lookup", name, p, e);
        }
        if (s.length() > 64) {
            throw new CorruptedException("lookup", name, 0, p + " does not hold \"PID STARTTIME\"");
        }
        long holder = parse(name, p, s);
        if (!ProcessIdentity.alive(holder)) {
            throw new NotFoundException("lookup", name, Errno.ESRCH, "registered by process " + (int) holder
                    + ", which has exited");
        }
        return (int) holder;
    }

    static Mailbox openFor(long pid) {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw new InvalidArgumentException("toProcess", null, 0, "pid " + pid + " is not a process id");
        }
        String name = IpcjNames.inbox(pid);
        MailboxHeader h;
        try {
            h = MailboxHeader.read(name, "toProcess");
        } catch (NotFoundException e) {
            throw new NotFoundException("toProcess", name, Errno.ENOENT, "process " + pid
                    + (ProcessIdentity.alive(pid) ? " has no inbox (it must call Inbox.create())" : " does not exist"));
        }
        if (h.owner() != (int) pid || !ProcessIdentity.alive(h.ownerIdentity)) {
            throw new NotFoundException("toProcess", name, Errno.ESRCH, "the inbox's owner, "
                    + ProcessIdentity.describe(h.ownerIdentity) + ", has exited");
        }
        return MailboxObjects.open(name, h, true);
    }

    private static Path registryPath(String call, String name) {
        if (name == null) {
            throw new InvalidArgumentException(call, null, 0, "name is null");
        }
        if (name.isEmpty() || name.length() > 200 || !name.matches("[A-Za-z0-9._-]+") || name.startsWith(".")) {
            throw new InvalidArgumentException(call, name, 0,
                    "a registered name is 1..200 of A-Z a-z 0-9 . _ - and does not start with '.'");
        }
        return ShmFiles.DIR.resolve(IpcjNames.REGISTERED_PREFIX + name);
    }

    // ---------------------------------------------------------------- receiving

    /**
     * The pid others address this inbox by (this process's).
     *
     * @return the pid
     */
    public long pid() {
        return PID;
    }

    /**
     * The inbox's mailbox name, which holds this process's pid.
     *
     * @return the name
     */
    public String name() {
        return box.name();
    }

    /**
     * The transport the inbox receives on.
     *
     * @return the transport
     */
    public Transport transport() {
        return box.transport();
    }

    /**
     * The inbox's capacity.
     *
     * @return the capacity
     */
    public Capacity capacity() {
        return box.capacity();
    }

    /**
     * The largest payload a message to this inbox may have, in bytes.
     *
     * @return the maximum message size
     */
    public int maxMessageSize() {
        return box.maxMessageSize();
    }

    /**
     * Messages waiting, or -1 when the transport cannot tell.
     *
     * @return the number of messages waiting, or -1
     */
    public long pending() {
        try {
            checkOpen();
            return box.pending();
        } catch (InternalError e) {
            throw box.fault("pending", e);
        }
    }

    /**
     * The oldest message from anyone, waiting as long as it takes.
     *
     * @return the message
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public Message receive() throws InterruptedException {
        try {
            checkOpen();
            return box.receiveMessage(0, -1);
        } catch (InternalError e) {
            throw box.fault("receive", e);
        }
    }

    /**
     * The oldest message from anyone, waiting at most {@code timeout}; null if none came.
     *
     * @param timeout the longest wait
     * @return the message, or null if none came in time
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public Message receive(Duration timeout) throws InterruptedException {
        try {
            checkOpen();
            return box.receiveMessage(0, Timeouts.nanos(timeout, "receive", box.name()));
        } catch (InternalError e) {
            throw box.fault("receive", e);
        }
    }

    /**
     * The oldest message from anyone if one is waiting, else null.
     *
     * @return the message, or null
     */
    public Message tryReceive() {
        try {
            checkOpen();
            return box.tryReceive();
        } catch (InternalError e) {
            throw box.fault("receive", e);
        }
    }

    /**
     * The oldest message from process {@code sender}, waiting as long as it takes.
     *
     * @param sender the pid of the sending process
     * @return the message
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public Message receiveFrom(long sender) throws InterruptedException {
        try {
            checkOpen();
            return box.receiveMessage(checkPid(sender), -1);
        } catch (InternalError e) {
            throw box.fault("receive", e);
        }
    }

    /**
     * The oldest message from {@code sender}, waiting at most {@code timeout}; null if none came.
     *
     * @param sender  the pid of the sending process
     * @param timeout the longest wait
     * @return the message, or null if none came in time
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public Message receiveFrom(long sender, Duration timeout) throws InterruptedException {
        try {
            checkOpen();
            int from = checkPid(sender);
            return box.receiveMessage(from, Timeouts.nanos(timeout, "receiveFrom", box.name()));
        } catch (InternalError e) {
            throw box.fault("receive", e);
        }
    }

    /**
     * The oldest message from {@code sender} if one is waiting, else null.
     *
     * @param sender the pid of the sending process
     * @return the message, or null
     */
    public Message tryReceiveFrom(long sender) {
        try {
            checkOpen();
            int from = checkPid(sender);
            try {
                return box.receiveMessage(from, 0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        } catch (InternalError e) {
            throw box.fault("receive", e);
        }
    }

    /**
     * Allocation-free receive from anyone; see {@link Mailbox#receive(ByteBuffer, Envelope, Duration)}.
     *
     * @param dst     receives the payload at its position
     * @param env     receives the sender, sequence number, length and flags
     * @param timeout the longest wait
     * @return true if a message was received, false if none came in time
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public boolean receive(ByteBuffer dst, Envelope env, Duration timeout) throws InterruptedException {
        try {
            checkOpen();
            return box.receive(dst, env, timeout);
        } catch (InternalError e) {
            throw box.fault("receive", e);
        }
    }

    /**
     * Allocation-free receive from {@code sender} only.
     *
     * @param sender  the pid of the sending process
     * @param dst     receives the payload at its position
     * @param env     receives the sender, sequence number, length and flags
     * @param timeout the longest wait
     * @return true if a message was received, false if none came in time
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public boolean receiveFrom(long sender, ByteBuffer dst, Envelope env, Duration timeout)
            throws InterruptedException {
        checkOpen();
        int from = checkPid(sender);
        return box.receive0(from, dst, env, Timeouts.nanos(timeout, "receiveFrom", box.name()));
    }

    private static int checkPid(long pid) {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw new InvalidArgumentException("receiveFrom", null, 0, "pid " + pid + " is not a process id");
        }
        return (int) pid;
    }

    private void checkOpen() {
        if (closed) {
            throw new ClosedException("inbox", box.name(), 0, "the inbox is closed");
        }
    }

    /**
     * Unregisters this inbox's names and removes it: messages still in it are discarded (an inbox
     * belongs to its process). Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (current == this) {
            current = null;
        }
        synchronized (registered) {
            for (String n : registered) {
                unregister(n, registryPath("close", n));
            }
            registered.clear();
        }
        box.close();
        try {
            MailboxObjects.remove(box.name(), box.header());
        } catch (IpcException e) {
            // best effort: a leftover of a dead process is reclaimed by the next process with this pid
        }
    }

    // ---------------------------------------------------------------- WaitSet

    /**
     * False once this inbox was closed.
     *
     * @return true until closed
     */
    @Override
    public boolean isOpen() {
        return !closed && box.isOpen();
    }

    /**
     * How a {@link dev.ipcj.WaitSet} waits on this inbox: READABLE while a message waits (see
     * {@link Mailbox#waitHook()}).
     *
     * @return the hook
     */
    @Override
    public dev.ipcj.WaitHook waitHook() {
        return box.waitHook();
    }
}
