package dev.ipcj.msg;

import dev.ipcj.internal.ShmFiles;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The handles replies go out on: one per requesting process, kept open between its requests,
 * so that a server answering the same client again does not open its inbox again (a header
 * read, a mapping, a queue open: tens of microseconds; see {@link Mailbox#reply}).
 *
 * <p>A handle is reused only while the inbox's header file is still the one it opened (its
 * inode, one stat per reply): when the requester exited and a process that got its pid made a
 * new inbox, the reply goes to neither. At most {@link #MAX} handles stay open, the least recently
 * used closed first; a handle another thread is replying on is closed when that reply is done.
 */
final class ReplyRoutes {
    /** The most handles kept open. */
    static final int MAX = 16;

    /** The routes of this JVM's {@link Mailbox#reply} and {@link Mailbox#serve} calls. */
    static final ReplyRoutes SHARED = new ReplyRoutes();

    private static final class Route {
        final Mailbox box;
        final long inode;
        int uses;
        boolean dropped;

        Route(Mailbox box) {
            this.box = box;
            this.inode = box.header.inode;
        }

        boolean stillNamed(String name) {
            return inode != 0 && ShmFiles.inode(MailboxHeader.path(name)) == inode;
        }
    }

    /** Guarded by this; in access order, so the eldest is the least recently used. */
    private final LinkedHashMap<Integer, Route> routes = new LinkedHashMap<>(16, 0.75f, true);

    /**
     * Sends {@code payload} as the reply to {@code request} to its requester's inbox.
     *
     * @return true if sent, false if the inbox stayed full for {@code nanos}
     */
    boolean reply(Message request, ByteBuffer payload, long nanos) throws InterruptedException {
        int pid = request.replyTo();
        Route r = acquire(pid);
        boolean ok = false;
        try {
            boolean sent = r.box.sendReply(request, payload, nanos);
            ok = true;
            return sent;
        } catch (InterruptedException e) {
            ok = true; // the replier's interrupt says nothing about the inbox: keep its handle
            throw e;
        } finally {
            release(pid, r, ok);
        }
    }

    private Route acquire(int pid) {
        List<Route> stale = new ArrayList<>(1);
        try {
            synchronized (this) {
                Route r = routes.get(pid);
                if (r != null && r.stillNamed(r.box.name())) {
                    r.uses++;
                    return r;
                }
                if (r != null) {
                    drop(pid, r, stale);
                }
            }
            // Opened outside the lock: it reads files and may wait for a creator.
            Route made = new Route(Mailbox.toProcess(pid));
            synchronized (this) {
                Route raced = routes.get(pid);
                if (raced != null && !raced.dropped) {
                    stale.add(made); // another thread opened it first: use that one
                    made.dropped = true;
                    raced.uses++;
                    return raced;
                }
                made.uses = 1;
                routes.put(pid, made);
                if (routes.size() > MAX) {
                    Map.Entry<Integer, Route> eldest = routes.entrySet().iterator().next();
                    drop(eldest.getKey(), eldest.getValue(), stale);
                }
                return made;
            }
        } finally {
            stale.forEach(s -> s.box.close());
        }
    }

    /** Gives back a use; a reply that failed with an IpcException drops the route (its inbox is gone or not ipcj's). */
    private void release(int pid, Route r, boolean ok) {
        List<Route> stale = new ArrayList<>(1);
        synchronized (this) {
            r.uses--;
            if (!ok && !r.dropped) {
                drop(pid, r, stale);
            } else if (r.dropped && r.uses == 0) {
                stale.add(r);
            }
        }
        stale.forEach(s -> s.box.close());
    }

    /** Guarded by this: forgets the route; it is closed now if unused, else by its last user. */
    private void drop(int pid, Route r, List<Route> closeNow) {
        if (routes.get(pid) == r) {
            routes.remove(pid);
        }
        r.dropped = true;
        if (r.uses == 0) {
            closeNow.add(r);
        }
    }

    /** How many handles are open (tests). */
    synchronized int size() {
        return routes.size();
    }

    /** Closes every handle not in use (tests). */
    void clear() {
        List<Route> stale = new ArrayList<>();
        synchronized (this) {
            for (Map.Entry<Integer, Route> e : new ArrayList<>(routes.entrySet())) {
                drop(e.getKey(), e.getValue(), stale);
            }
        }
        stale.forEach(s -> s.box.close());
    }
}
