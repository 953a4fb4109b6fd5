package dev.ipcj.msg;

import dev.ipcj.AlreadyExistsException;
import dev.ipcj.ClosedException;
import dev.ipcj.CorruptedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.IpcException;
import dev.ipcj.NotFoundException;
import dev.ipcj.internal.Errno;
import dev.ipcj.jni.Sys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
 * <p>Objects: the inbox is the mailbox {@code /ipcj-pid-PID}; a registered name is the file
 * {@code /dev/shm/ipcj-name.NAME} holding the owner's pid in decimal. Both are removed by
 * {@link #close()}. A leftover of a process that died (same pid now reused, or a name whose
 * holder is gone) is reclaimed when a live process creates or registers it.
 *
 * <p>Selective receive: on {@link Transport#SYSTEM_V} the kernel selects by message type (the
 * sender's pid); on the other transports a receive from one sender takes messages in order and
 * keeps the others, in this handle's heap, for later receives, which see them first and in order.
 */
public final class Inbox implements AutoCloseable {
    static final String PREFIX = "/ipcj-pid-";
    private static final String NAME_PREFIX = "ipcj-name.";
    private static final int PID = (int) ProcessHandle.current().pid();

    private final Mailbox box;
    private final List<String> registered = new ArrayList<>();
    private volatile boolean closed;

    private Inbox(Mailbox box) {
        this.box = box;
    }

    /** Creates this process's inbox: default transport, bounded(10), {@value Mailbox#DEFAULT_MAX_MESSAGE_SIZE}-byte messages. */
    public static Inbox create() {
        return create(Transport.defaultTransport(), Capacity.bounded(10), Mailbox.DEFAULT_MAX_MESSAGE_SIZE);
    }

    /** Creates this process's inbox on {@code transport} with {@code capacity}. A process has one inbox. */
    public static Inbox create(Transport transport, Capacity capacity, int maxMessageSize) {
        String name = PREFIX + PID;
        MailboxHeader old = MailboxHeader.readQuietly(name);
        if (old != null && old.owner != PID && Sys.pidAlive(old.owner) == 0) {
            Mailbox.remove(name, old); // left by a dead process whose pid this one now has
        } else if (old != null) {
            throw new AlreadyExistsException("create", name, Errno.EEXIST, "this process already has an inbox");
        }
        return new Inbox(Mailbox.create(name, transport, capacity, maxMessageSize, PID));
    }

    /**
     * Registers {@code name} ("calc": letters, digits, '.', '_', '-') for this inbox, so others can
     * send with {@code Mailbox.toProcess("calc")}. A name held by a live process is refused naming
     * that pid; one left by a dead process is taken over.
     */
    public Inbox register(String name) {
        checkOpen();
        Path p = registryPath(name);
        byte[] pid = Integer.toString(PID).getBytes(StandardCharsets.US_ASCII);
        for (int attempt = 0;; attempt++) {
            try {
                Path tmp = Files.createTempFile(p.getParent(), ".ipcj-reg", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
                try {
                    Files.write(tmp, pid);
                    Files.createLink(p, tmp); // atomic and exclusive: the name appears complete or not at all
                } finally {
                    Files.deleteIfExists(tmp);
                }
                synchronized (registered) {
                    registered.add(name);
                }
                return this;
            } catch (FileAlreadyExistsException e) {
                int holder = readPid(name, p);
                if (holder == PID) {
                    return this;
                }
                if (holder > 0 && Sys.pidAlive(holder) == 1 || attempt > 3) {
                    throw new AlreadyExistsException("register", name, Errno.EEXIST,
                            "the name is registered by process " + holder);
                }
                try {
                    Files.deleteIfExists(p); // its holder is dead
                } catch (IOException ex) {
                    throw new IpcException("register", name, 0, ex.toString());
                }
            } catch (IOException e) {
                throw new IpcException("register", name, 0, e.toString());
            }
        }
    }

    /** The pid of the live process that registered {@code name}. */
    public static long lookup(String name) {
        Path p = registryPath(name);
        int pid = readPid(name, p);
        if (pid <= 0) {
            throw new NotFoundException("lookup", name, Errno.ENOENT, "no process registered this name");
        }
        if (Sys.pidAlive(pid) == 0) {
            throw new NotFoundException("lookup", name, Errno.ESRCH, "registered by process " + pid
                    + ", which has exited");
        }
        return pid;
    }

    static Mailbox openFor(long pid) {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw new InvalidArgumentException("toProcess", null, 0, "pid " + pid + " is not a process id");
        }
        String name = PREFIX + pid;
        MailboxHeader h;
        try {
            h = MailboxHeader.read(name);
        } catch (NotFoundException e) {
            throw new NotFoundException("toProcess", name, Errno.ENOENT, "process " + pid
                    + (Sys.pidAlive((int) pid) == 0 ? " does not exist" : " has no inbox (it must call Inbox.create())"));
        }
        if (Sys.pidAlive(h.owner) == 0) {
            throw new NotFoundException("toProcess", name, Errno.ESRCH, "the inbox's owner, process " + h.owner
                    + ", has exited");
        }
        return Mailbox.open(name, h, true);
    }

    private static int readPid(String name, Path p) {
        try {
            String s = new String(Files.readAllBytes(p), StandardCharsets.US_ASCII).trim();
            return Integer.parseInt(s);
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException | NumberFormatException e) {
            throw new CorruptedException("lookup", name, 0, p + " does not hold a pid");
        }
    }

    private static Path registryPath(String name) {
        if (name == null || name.isEmpty() || name.length() > 200 || !name.matches("[A-Za-z0-9._-]+")
                || name.startsWith(".")) {
            throw new InvalidArgumentException("register", name, 0,
                    "a registered name is 1..200 of A-Z a-z 0-9 . _ - and does not start with '.'");
        }
        return LogQueue.DEFAULT_DIR.resolve(NAME_PREFIX + name);
    }

    // ---------------------------------------------------------------- receiving

    /** The pid others address this inbox by (this process's). */
    public long pid() {
        return PID;
    }

    public String name() {
        return box.name();
    }

    public Transport transport() {
        return box.transport();
    }

    public Capacity capacity() {
        return box.capacity();
    }

    public int maxMessageSize() {
        return box.maxMessageSize();
    }

    /** Messages waiting, or -1 when the transport cannot tell. */
    public long pending() {
        return box.pending();
    }

    /** The oldest message from anyone, waiting as long as it takes. */
    public Message receive() throws InterruptedException {
        return box.receiveMessage(0, -1);
    }

    /** The oldest message from anyone, waiting at most {@code timeout}; null if none came. */
    public Message receive(Duration timeout) throws InterruptedException {
        return box.receiveMessage(0, Sems.nanos(timeout));
    }

    /** The oldest message from anyone if one is waiting, else null. */
    public Message tryReceive() {
        return box.tryReceive();
    }

    /** The oldest message from process {@code sender}, waiting as long as it takes. */
    public Message receiveFrom(long sender) throws InterruptedException {
        return box.receiveMessage(checkPid(sender), -1);
    }

    /** The oldest message from {@code sender}, waiting at most {@code timeout}; null if none came. */
    public Message receiveFrom(long sender, Duration timeout) throws InterruptedException {
        return box.receiveMessage(checkPid(sender), Sems.nanos(timeout));
    }

    /** The oldest message from {@code sender} if one is waiting, else null. */
    public Message tryReceiveFrom(long sender) {
        try {
            return box.receiveMessage(checkPid(sender), 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Allocation-free receive from anyone; see {@link Mailbox#receive(ByteBuffer, Envelope, Duration)}. */
    public boolean receive(ByteBuffer dst, Envelope env, Duration timeout) throws InterruptedException {
        return box.receive(dst, env, timeout);
    }

    /** Allocation-free receive from {@code sender} only. */
    public boolean receiveFrom(long sender, ByteBuffer dst, Envelope env, Duration timeout)
            throws InterruptedException {
        return box.receive0(checkPid(sender), dst, env, Sems.nanos(timeout));
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
        synchronized (registered) {
            for (String n : registered) {
                try {
                    Path p = registryPath(n);
                    if (readPid(n, p) == PID) {
                        Files.deleteIfExists(p);
                    }
                } catch (IOException | RuntimeException e) {
                    // best effort: a stale name is reclaimed by the next registrant
                }
            }
            registered.clear();
        }
        MailboxHeader h = MailboxHeader.readQuietly(box.name()); // before close: a System V id lives only there
        box.close();
        Mailbox.remove(box.name(), h);
    }
}
