package dev.ipcj.msg;

import java.nio.file.Path;

/**
 * Where the tests poke shared bytes, as a hostile process would: the offsets of the mailbox
 * header and of the log's state page (see MailboxHeader and LogQueue).
 */
final class Layout {
    private Layout() {
    }

    static final int HEADER_FILE_SIZE = 128;

    static void holdLogLock(Path logState, int pid) throws Exception {
        MailboxSafetyTest.poke(logState, 8, pid, 4);
    }

    static void scribbleRendezvous(Path header, long value) throws Exception {
        MailboxSafetyTest.poke(header, 64, value, 8);
    }

    static int sysvId(Path header) throws Exception {
        return (int) MailboxSafetyTest.peek(header, 24, 8);
    }

    static void setSysvId(Path header, int id) throws Exception {
        MailboxSafetyTest.poke(header, 24, id, 8);
    }

    static void setMaxMessageSize(Path header, int max) throws Exception {
        MailboxSafetyTest.poke(header, 12, max, 4);
    }

    static int transportCode(Path header) throws Exception {
        return (int) MailboxSafetyTest.peek(header, 6, 2);
    }
}
