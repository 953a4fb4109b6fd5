package dev.ipcj.cli.compare;

import java.util.List;
import java.util.Optional;

/**
 * Every mechanism {@code ipcj bench} knows, in the order reports show them. Adding one is adding
 * its class here (and its C twin cli/src/main/c/bench_X.c).
 */
public final class Mechanisms {
    public static final List<Mechanism> ALL = List.of(
            RingMechanism.spinning(),
            RingMechanism.arrays(),
            RingMechanism.blocking(),
            new MqMechanism(),
            new SysvMsgMechanism(),
            new SysvSemMechanism(),
            new PosixSemMechanism(),
            new PipeMechanism(),
            SocketMechanism.unix(),
            SocketMechanism.tcp(),
            new AgronaMechanism());

    private Mechanisms() {
    }

    public static Optional<Mechanism> byId(String id) {
        return ALL.stream().filter(m -> m.id().equals(id)).findFirst();
    }

    /**
     * " (did you mean posix-mq?)" for an unknown id that is part of a known one (mq, ring, sem)
     * or one typo away from it; "" when nothing is close.
     */
    public static String suggestion(String id) {
        String l = id.toLowerCase(java.util.Locale.ROOT);
        List<String> close = ALL.stream().map(Mechanism::id)
                .filter(k -> !l.isEmpty() && (k.contains(l) || l.contains(k) || distance(k, l) <= 2)).toList();
        return close.isEmpty() ? "" : " (did you mean " + String.join(" or ", close) + "?)";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
