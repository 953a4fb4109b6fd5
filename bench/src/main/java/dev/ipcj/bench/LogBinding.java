package dev.ipcj.bench;

import dev.ipcj.bench.MessagingEndpoints.Endpoint;
import dev.ipcj.bench.MessagingEndpoints.RawBinding;
import dev.ipcj.log.SharedLog;
import java.nio.ByteBuffer;

/** {@code SHM_LOG}'s raw binding: the public {@link SharedLog}, records of the payload alone. */
final class LogBinding implements RawBinding {
    @Override
    public String create(String name) {
        SharedLog.create(name, MessagingEndpoints.CAPACITY, MessagingEndpoints.MAX).close();
        return name;
    }

    @Override
    public void remove(String address) {
        SharedLog.unlinkIfExists(address);
    }

    @Override
    public Endpoint open(String address) {
        return new LogEndpoint(SharedLog.open(address));
    }

    /** The log's put and take. */
    static final class LogEndpoint implements Endpoint {
        private final SharedLog log;

        LogEndpoint(SharedLog log) {
            this.log = log;
        }

        @Override
        public void send(ByteBuffer b) throws InterruptedException {
            int p = b.position();
            log.put(b);
            b.position(p);
        }

        @Override
        public int receive(ByteBuffer b) throws InterruptedException {
            b.clear();
            return log.take(b);
        }

        @Override
        public void close() {
            log.close();
        }
    }
}
