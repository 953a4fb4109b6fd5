package dev.ipcj.posix;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The second JVM of the message queue tests.
 *
 *   send NAME PRIO:TEXT...   send each; print "sent N"
 *   recv NAME N              receive N (5 s each); print "PRIO TEXT" lines
 *   block-recv NAME          print "waiting", then receive one message with the blocking form
 */
public final class MqPeerMain {
    private MqPeerMain() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        try (MessageQueue q = MessageQueue.open(args[1])) {
            switch (mode) {
                case "send" -> {
                    for (int i = 2; i < args.length; i++) {
                        int colon = args[i].indexOf(':');
                        q.send(args[i].substring(colon + 1).getBytes(StandardCharsets.UTF_8),
                                Integer.parseInt(args[i].substring(0, colon)));
                    }
                    System.out.println("sent " + (args.length - 2));
                }
                case "recv" -> {
                    int n = Integer.parseInt(args[2]);
                    for (int i = 0; i < n; i++) {
                        MqMessage m = q.tryReceive(Duration.ofSeconds(5));
                        if (m == null) {
                            System.out.println("timeout");
                            System.exit(3);
                        }
                        System.out.println(m.priority() + " " + m.text());
                    }
                }
                case "block-recv" -> {
                    System.out.println("waiting");
                    System.out.flush();
                    MqMessage m = q.receive();
                    System.out.println(m.priority() + " " + m.text());
                }
                default -> throw new IllegalArgumentException(mode);
            }
        }
        System.out.flush();
    }
}
