package dev.ipcj.msg;

import java.time.Duration;

/**
 * The second process of {@link MessagingTest}. Modes:
 * <pre>
 *   send NAME N            open mailbox NAME, send "m0".."m(N-1)", exit
 *   recv NAME N DELAY_MS   open NAME, print "ready", sleep, receive N, print "got TEXT from PID seq S" each
 *   sendto TARGET N        send "b0".."b(N-1)" to the inbox of TARGET (a pid or a registered name)
 * </pre>
 */
public final class MsgPeer {
    private MsgPeer() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "send":
                try (Mailbox box = Mailbox.open(args[1])) {
                    for (int i = 0; i < Integer.parseInt(args[2]); i++) {
                        box.send("m" + i, Codec.UTF8);
                    }
                }
                System.out.println("sent");
                break;
            case "recv":
                try (Mailbox box = Mailbox.open(args[1])) {
                    System.out.println("ready");
                    System.out.flush();
                    Thread.sleep(Long.parseLong(args[3]));
                    for (int i = 0; i < Integer.parseInt(args[2]); i++) {
                        Message m = box.receive(Duration.ofSeconds(20));
                        if (m == null) {
                            System.out.println("timeout");
                            System.exit(3);
                        }
                        System.out.println("got " + m.text() + " from " + m.sender() + " seq " + m.sequence());
                    }
                }
                break;
            case "sendto":
                String target = args[1];
                try (Mailbox box = target.chars().allMatch(Character::isDigit)
                        ? Mailbox.toProcess(Long.parseLong(target)) : Mailbox.toProcess(target)) {
                    for (int i = 0; i < Integer.parseInt(args[2]); i++) {
                        box.send("b" + i, Codec.UTF8);
                    }
                }
                System.out.println("sent");
                break;
            default:
                throw new IllegalArgumentException(args[0]);
        }
        System.out.flush();
    }
}
