package dev.ipcj.msg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipcj.test.IpcNames;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The messaging data path allocates nothing per message: a send of a ByteBuffer and a receive
 * into one, blocking and timed, on every transport. Counted with the thread's allocated bytes
 * (HotSpot's ThreadMXBean), over enough messages that a single stray object per message shows.
 */
class MessagingAllocationTest {
    private static final int WARM = 200_000;
    private static final int COUNTED = 100_000;

    @RegisterExtension
    final IpcNames names = new IpcNames();

    /** HotSpot's count for this thread (com.sun.management, by reflection: the test module does not read jdk.management). */
    private static long allocated() throws ReflectiveOperationException {
        Object bean = ManagementFactory.getThreadMXBean();
        return (Long) Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes").invoke(bean);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, mode = EnumSource.Mode.EXCLUDE, names = "AERON") // local transports; udp:// mailboxes are NetMailboxTest's
    void sendAndReceiveOfBuffersAllocateNothingPerMessage(Transport t) throws Exception {
        String n = names.next("alloc");
        names.onCleanup(() -> Mailbox.unlinkIfExists(n));
        try (Mailbox box = Mailbox.create(n, t, Capacity.bounded(4), 64)) {
            ByteBuffer out = ByteBuffer.allocateDirect(64);
            ByteBuffer in = ByteBuffer.allocateDirect(64);
            Envelope env = new Envelope();
            Duration timeout = Duration.ofSeconds(5);
            loop(box, out, in, env, timeout, WARM);
            long before = allocated();
            loop(box, out, in, env, timeout, COUNTED);
            long perMessage = (allocated() - before) / COUNTED;
            assertTrue(perMessage < 4, t + ": " + perMessage + " bytes allocated per message sent and received");
        }
        Mailbox.unlink(n);
    }

    /** Half the messages received with a timeout, half without. */
    private static void loop(Mailbox box, ByteBuffer out, ByteBuffer in, Envelope env, Duration timeout, int count)
            throws InterruptedException {
        for (int i = 0; i < count; i++) {
            out.clear();
            out.putInt(0, i);
            box.send(out);
            in.clear();
            if ((i & 1) == 0) {
                assertTrue(box.receive(in, env, timeout));
            } else {
                box.receive(in, env);
            }
            assertEquals(i, in.getInt(0));
        }
    }
}
