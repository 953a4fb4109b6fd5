package dev.ipcj.posix;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Messages between real processes: C and Java both ways, and two JVMs. */
class MessageQueueCrossProcessTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    @Test
    void cSendsJavaReceivesInPriorityOrder() throws Exception {
        String n = names.next("mqc2j");
        try (MessageQueue q = MessageQueue.create(n, 8, 64)) {
            String out = Processes.finish(Processes.startC("mq_peer", "send", n,
                    "1:low", "9:high", "5:mid-a", "5:mid-b", "0:lowest", "32767:top"), 10);
            assertEquals("sent 6", out.trim());
            StringBuilder got = new StringBuilder();
            for (int i = 0; i < 6; i++) {
                MqMessage m = q.tryReceive(Duration.ofSeconds(5));
                got.append(m.priority()).append(' ').append(m.text()).append('\n');
            }
            assertEquals("32767 top\n9 high\n5 mid-a\n5 mid-b\n1 low\n0 lowest\n", got.toString());
            assertNull(q.tryReceive());
        }
    }

    @Test
    void javaSendsCReceivesInPriorityOrder() throws Exception {
        String n = names.next("mqj2c");
        try (MessageQueue q = MessageQueue.create(n, 8, 64)) {
            q.send("b".getBytes(), 2);
            q.send("a".getBytes(), 7);
            q.send("c".getBytes(), 2);
            q.send("d".getBytes(), 0);
            String out = Processes.finish(Processes.startC("mq_peer", "recv", n, "4"), 10);
            assertEquals("7 a\n2 b\n2 c\n0 d\n", out);
        }
    }

    @Test
    void javaBlocksUntilCSends() throws Exception {
        String n = names.next("mqblock");
        try (MessageQueue q = MessageQueue.create(n, 2, 64)) {
            Process p = Processes.startC("mq_peer", "sleep-send", n, "100", "3:late");
            long t0 = System.nanoTime();
            MqMessage m = q.receive();
            assertTrue(System.nanoTime() - t0 >= 80_000_000L);
            assertEquals("late", m.text());
            assertEquals(3, m.priority());
            Processes.finish(p, 10);
        }
    }

    @Test
    void twoJvms() throws Exception {
        String n = names.next("mqjvm");
        try (MessageQueue q = MessageQueue.create(n, 4, 64)) {
            Process receiver = Processes.startJava(MqPeerMain.class, "block-recv", n);
            assertEquals("waiting", Processes.readLine(receiver));
            q.send("to the other jvm".getBytes(), 11);
            assertEquals("11 to the other jvm", Processes.finish(receiver, 20).trim());

            // And the other way, more messages than fit: the sender blocks on the full queue.
            Process sender = Processes.startJava(MqPeerMain.class, "send", n,
                    "1:one", "2:two", "3:three", "4:four", "5:five", "6:six");
            int count = 0;
            int last = Integer.MAX_VALUE;
            while (count < 6) {
                MqMessage m = q.tryReceive(Duration.ofSeconds(20));
                assertNotNull(m, "received " + count);
                count++;
                last = m.priority();
            }
            assertEquals("sent 6", Processes.finish(sender, 20).trim());
            assertTrue(last >= 1);
        }
    }
}
