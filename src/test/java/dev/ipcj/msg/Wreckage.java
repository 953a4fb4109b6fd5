package dev.ipcj.msg;

import dev.ipcj.IpcException;
import dev.ipcj.posix.MessageQueue;
import dev.ipcj.sysv.SysvMessageQueue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Removes, by exact names, what a hostile test may have left of mailbox {@code name} after
 * damaging it beyond what {@link Mailbox#unlinkIfExists} may prove and remove: the header, the
 * log's state page and segments, the ring, the POSIX queue, and a System V queue whose id the
 * test read before the damage. Tests only: the library never removes what it cannot prove.
 */
final class Wreckage {
    private Wreckage() {
    }

    /** The System V id the header records now (call before damaging it), or -1. */
    static int sysvId(String name) {
        try {
            MailboxHeader h = MailboxHeader.readForRemoval(name);
            return h != null && h.transport == Transport.SYSTEM_V ? (int) h.id1 : -1;
        } catch (IpcException e) {
            return -1;
        }
    }

    static void remove(String name, int sysvId) {
        try {
            Mailbox.unlinkIfExists(name);
        } catch (RuntimeException e) {
            // damaged: removed by name below
        }
        String base = name.substring(1);
        try (Stream<Path> s = Files.list(Path.of("/dev/shm"))) {
            s.filter(p -> {
                String f = p.getFileName().toString();
                return f.equals(base) || f.equals(base + ".ring") || f.equals(base + ".log")
                        || (f.startsWith(base + ".log.") && f.substring(base.length() + 5).chars().allMatch(Character::isDigit));
            }).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException e) {
            // best effort
        }
        try {
            MessageQueue.unlinkIfExists(name);
        } catch (RuntimeException e) {
            // none
        }
        if (sysvId >= 0) {
            try (SysvMessageQueue q = SysvMessageQueue.ofId(sysvId)) {
                q.remove();
            } catch (IpcException e) {
                // removed
            }
        }
    }
}
