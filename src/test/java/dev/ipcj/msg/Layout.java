package dev.ipcj.msg;

import dev.ipcj.internal.ProcessIdentity;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Where the tests poke shared bytes, as a hostile process would: the offsets of the mailbox
 * header (MailboxHeader) and of the log's state page (dev.ipcj.log.LogLayout).
 */
final class Layout {
    private Layout() {
    }

    static final int HEADER_FILE_SIZE = MailboxHeader.FILE_SIZE;

    /** Makes the log's lock word name the live process {@code pid} (its full identity). */
    static void holdLogLock(Path logState, int pid) throws Exception {
        MailboxSafetyTest.poke(logState, dev.ipcj.log.LogLayout.OFF_LOCK, ProcessIdentity.of(pid), 8);
    }

    static void scribbleRendezvous(Path header, long value) throws Exception {
        MailboxSafetyTest.poke(header, MailboxHeader.OFF_RENDEZVOUS, value, 8);
    }

    static int sysvId(Path header) throws Exception {
        return (int) MailboxSafetyTest.peek(header, MailboxHeader.OFF_ID1, 8);
    }

    static void setSysvId(Path header, int id) throws Exception {
        MailboxSafetyTest.poke(header, MailboxHeader.OFF_ID1, id, 8);
    }

    static void setMaxMessageSize(Path header, int max) throws Exception {
        MailboxSafetyTest.poke(header, MailboxHeader.OFF_MAX, max, 4);
    }

    static int transportCode(Path header) throws Exception {
        return (int) MailboxSafetyTest.peek(header, MailboxHeader.OFF_TRANSPORT, 2);
    }

    /** Recomputes the header's checksum, as a hostile process that knows the format would. */
    static void fixChecksum(Path header) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(MailboxHeader.OFF_CHECKSUM).order(ByteOrder.nativeOrder());
        try (FileChannel ch = FileChannel.open(header, StandardOpenOption.READ)) {
            ch.read(b, 0);
        }
        b.flip();
        CRC32C c = new CRC32C();
        c.update(b);
        MailboxSafetyTest.poke(header, MailboxHeader.OFF_CHECKSUM, (int) c.getValue(), 4);
    }
}
