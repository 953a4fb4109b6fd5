package dev.ipcj.bench;

import dev.ipcj.bench.MessagingEndpoints.Endpoint;
import dev.ipcj.bench.MessagingEndpoints.RawBinding;
import dev.ipcj.msg.Envelope;
import dev.ipcj.ring.RingConsumer;
import dev.ipcj.ring.RingProducer;
import dev.ipcj.ring.RingVariant;
import dev.ipcj.ring.SharedRing;
import java.nio.ByteBuffer;

/** {@code RING}'s raw binding: a MANY_TO_ONE {@link SharedRing} of 4096 bytes (its minimum: 56 records). */
final class RingBinding implements RawBinding {
    @Override
    public String create(String name) {
        SharedRing.create(name, RingVariant.MANY_TO_ONE, 4096, Envelope.SIZE + MessagingEndpoints.MAX).close();
        return name;
    }

    @Override
    public void remove(String address) {
        SharedRing.unlinkIfExists(address);
    }

    @Override
    public Endpoint open(String address) {
        return new RingEndpoint(SharedRing.open(address));
    }

    /** The ring's producer for send and its consumer for receive, each attached on first use. */
    static final class RingEndpoint implements Endpoint {
        private final SharedRing ring;
        private RingProducer producer;
        private RingConsumer consumer;

        RingEndpoint(SharedRing ring) {
            this.ring = ring;
        }

        @Override
        public void send(ByteBuffer b) throws InterruptedException {
            if (producer == null) {
                producer = ring.producer();
            }
            int p = b.position();
            producer.put(b);
            b.position(p);
        }

        @Override
        public int receive(ByteBuffer b) throws InterruptedException {
            if (consumer == null) {
                consumer = ring.consumer();
            }
            b.clear();
            return consumer.take(b);
        }

        @Override
        public void close() {
            if (producer != null) {
                producer.close();
            }
            if (consumer != null) {
                consumer.close();
            }
            ring.close();
        }
    }
}
