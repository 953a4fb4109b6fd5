package dev.ipcj.msg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipcj.test.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A process whose pid was used before by a process that died while creating its inbox (an
 * older ipcj claimed the name with an empty file) still gets its inbox: the file at
 * /ipcj-pid-PID is older than the process, so it was left by the dead one. A file made after the
 * process started is not removed (InboxStaleNameTest cannot tell who made it: see the second case).
 */
class InboxStaleNameTest {
    private static final Path LAST_PID = Path.of("/proc/sys/kernel/ns_last_pid");

    @Test
    void anEmptyFileLeftAtThisPidsInboxNameByAnEarlierProcessIsTakenOver() throws Exception {
        Assumptions.assumeTrue(Files.isWritable(LAST_PID), "needs root to choose the next pid");
        int pid = Integer.parseInt(Files.readString(LAST_PID).trim()) + 400;
        Path stale = Path.of("/dev/shm/ipcj-pid-" + pid);
        Assumptions.assumeTrue(!Files.exists(stale) && !ProcessHandle.of(pid).isPresent());
        Files.createFile(stale);
        try {
            Thread.sleep(1300); // older than the child by more than the second Inbox demands
            Files.writeString(LAST_PID, Integer.toString(pid - 1));
            Process child = Processes.startJava(Child.class);
            Assumptions.assumeTrue(child.pid() == pid, "another process took pid " + pid);
            String out = Processes.finish(child, 60);
            assertTrue(out.contains("OK /ipcj-pid-" + pid), out);
            assertTrue(!Files.exists(stale), "the inbox was not removed on close");
        } finally {
            Files.deleteIfExists(stale);
        }
    }

    @Test
    void aFileMadeAfterThisProcessStartedIsNotRemoved() throws Exception {
        Path mine = Path.of("/dev/shm/ipcj-pid-" + ProcessHandle.current().pid());
        Assumptions.assumeTrue(!Files.exists(mine));
        Files.createFile(mine);
        try {
            dev.ipcj.IpcException e = org.junit.jupiter.api.Assertions.assertThrows(dev.ipcj.IpcException.class,
                    Inbox::create);
            assertTrue(e.getMessage().contains("not an ipcj mailbox"), e.getMessage());
            assertEquals(0, Files.size(mine), "the file was touched");
        } finally {
            Files.deleteIfExists(mine);
        }
    }

    public static final class Child {
        public static void main(String[] args) {
            try (Inbox in = Inbox.create()) {
                System.out.println("OK " + in.name());
            }
        }
    }
}
