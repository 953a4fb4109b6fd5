package dev.ipcj.posix;

import dev.ipcj.IpcException;
import java.util.ArrayList;
import java.util.List;

/**
 * Run as an unprivileged user (no CAP_SYS_RESOURCE) with a small RLIMIT_MSGQUEUE by
 * MessageQueueLimitsTest: asks for more than each limit allows and prints, per limit,
 * "LIMIT|exception class|message", or "LIMIT|created" when the kernel let it pass.
 *
 *   MqLimitsMain BASE_NAME
 */
public final class MqLimitsMain {
    private MqLimitsMain() {
    }

    public static void main(String[] args) {
        String base = args[0];
        MqLimits l = MqLimits.current();
        System.out.println("limits|" + l);
        attempt("msg_max", base + "-a", (int) l.msgMax() * 10, 64);
        attempt("msgsize_max", base + "-b", 2, (int) l.msgsizeMax() * 2);
        // Within msg_max and msgsize_max, but more bytes than RLIMIT_MSGQUEUE allows.
        attempt("rlimit", base + "-c", (int) l.msgMax(), (int) l.msgsizeMax());
        // queues_max: tiny queues until the system refuses one (or 300 were made).
        List<String> made = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                String n = base + "-q" + i;
                try {
                    MessageQueue.create(n, 1, 1).close();
                    made.add(n);
                } catch (IpcException e) {
                    System.out.println("queues_max|" + e.getClass().getSimpleName() + "|" + e.getMessage());
                    break;
                }
            }
        } finally {
            for (String n : made) {
                MessageQueue.unlinkIfExists(n);
            }
        }
        System.out.flush();
    }

    private static void attempt(String limit, String name, int maxMessages, int maxMessageSize) {
        try (MessageQueue q = MessageQueue.create(name, maxMessages, maxMessageSize)) {
            System.out.println(limit + "|created");
        } catch (IpcException e) {
            System.out.println(limit + "|" + e.getClass().getSimpleName() + "|" + e.getMessage());
        } finally {
            MessageQueue.unlinkIfExists(name);
        }
    }
}
