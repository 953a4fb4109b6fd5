package dev.ipcj.cli.compare;

import dev.ipcj.posix.NamedSemaphore;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Semaphore ping-pong through ipcj's {@link NamedSemaphore}: the client posts "ping" and waits
 * on "pong", the server the other way round. No bytes move; a "message" is one post. The C twin
 * does the same with sem_open/sem_post/sem_wait.
 */
final class PosixSemMechanism implements Mechanism {
    @Override
    public String id() {
        return "posix-sem";
    }

    @Override
    public String label() {
        return "POSIX sem ping-pong";
    }

    @Override
    public String cProgram() {
        return "bench_sem";
    }

    @Override
    public boolean carriesBytes() {
        return false;
    }

    @Override
    public Setup prepare(ScenarioContext ctx) {
        String ping = ctx.ipcName("ping");
        String pong = ctx.ipcName("pong");
        return new Setup(List.of(ping, pong), () -> {
            NamedSemaphore.unlinkIfExists(ping);
            NamedSemaphore.unlinkIfExists(pong);
        });
    }

    @Override
    public Link server(List<String> args, int maxSize) {
        NamedSemaphore ping = NamedSemaphore.create(args.get(0), 0);
        NamedSemaphore pong = NamedSemaphore.create(args.get(1), 0);
        return new Sems(pong, ping);
    }

    @Override
    public Link client(List<String> args, String endpoint, int maxSize) {
        return new Sems(NamedSemaphore.open(args.get(0)), NamedSemaphore.open(args.get(1)));
    }

    private record Sems(NamedSemaphore out, NamedSemaphore in) implements Link {
        @Override
        public void send(ByteBuffer buf, int size) {
            out.release();
        }

        @Override
        public void recv(ByteBuffer buf, int size) throws InterruptedException {
            in.acquire();
        }

        @Override
        public void close() {
            out.close();
            in.close();
        }
    }
}
