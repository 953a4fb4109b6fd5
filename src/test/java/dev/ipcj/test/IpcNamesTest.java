package dev.ipcj.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ipcj.msg.Capacity;
import dev.ipcj.msg.Mailbox;
import dev.ipcj.msg.Transport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The tests' cleanup leaves nothing, also for a test that did not remove its mailbox itself:
 * the mailbox's own cleanup runs while its header still names its ring, log or System V queue.
 */
class IpcNamesTest {
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = "AERON", mode = EnumSource.Mode.EXCLUDE) // no local objects
    void aMailboxLeftByATestIsRemovedWholeByTheCleanup(Transport t) throws Exception {
        IpcNames names = new IpcNames();
        String n = names.next("left");
        names.onCleanup(() -> Mailbox.unlinkIfExists(n));
        String sysvBefore = Files.readString(Path.of("/proc/sysvipc/msg"));
        Mailbox.create(n, t, Capacity.bounded(4), 64).close(); // a test that fails before its unlink
        names.afterEach(null);
        assertEquals(List.of(), leftovers(n));
        assertEquals(sysvBefore.lines().count(), Files.readString(Path.of("/proc/sysvipc/msg")).lines().count(),
                "System V queues left");
    }

    private static List<String> leftovers(String name) throws IOException {
        String base = name.substring(1);
        try (Stream<Path> s = Files.list(Path.of("/dev/shm"))) {
            return s.map(p -> p.getFileName().toString()).filter(f -> f.equals(base) || f.startsWith(base + ".")).toList();
        }
    }
}
