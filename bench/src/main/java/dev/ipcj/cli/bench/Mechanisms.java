package dev.ipcj.cli.bench;

import java.util.List;
import java.util.Optional;

/**
 * Every mechanism {@code ipcj bench} knows, in the order reports show them. Adding one is adding
 * its class here (and its C twin src/test/c/bench_X.c).
 */
public final class Mechanisms {
    public static final List<Mechanism> ALL = List.of(
            RingMechanism.spinning(),
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
}
