package dev.ipcj.msg;

/**
 * Run as another user by {@link AsOtherUser}: tries to open the mailbox NAME and to send to the
 * inbox of process PID, printing "CALL|exception class|message" or "CALL|ok" for each.
 *
 *   MsgPeerOther NAME PID
 */
public final class MsgPeerOther {
    private MsgPeerOther() {
    }

    public static void main(String[] args) {
        attempt("open", () -> Mailbox.open(args[0]).close());
        attempt("toProcess", () -> Mailbox.toProcess(Long.parseLong(args[1])).close());
        System.out.flush();
    }

    private static void attempt(String call, Runnable r) {
        try {
            r.run();
            System.out.println(call + "|ok");
        } catch (Throwable e) {
            System.out.println(call + "|" + e.getClass().getSimpleName() + "|" + e.getMessage());
        }
    }
}
