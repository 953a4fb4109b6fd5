package dev.ipcj.examples;

import dev.ipcj.MappedRegion;
import dev.ipcj.launch.Child;
import dev.ipcj.posix.SharedMemory;
import dev.ipcj.posix.UnnamedSemaphore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The textbook bounded buffer, across two processes: a producer and a consumer share a
 * POSIX shared memory object holding {@code SLOTS} slots, the indices {@code in} (next free
 * slot, written by the producer) and {@code out} (first full slot, written by the consumer),
 * and two process-shared semaphores placed in the same memory: {@code empty} counts free
 * slots, {@code full} counts filled ones.
 *
 * <pre>
 *   producer                          consumer
 *   empty.acquire()                   full.acquire()
 *   slot[in] = item                   item = slot[out]
 *   in = (in + 1) % SLOTS             out = (out + 1) % SLOTS
 *   full.release()                    empty.release()
 * </pre>
 *
 * Layout of the shared object (native byte order):
 * <pre>
 *   offset  size            field
 *   0       32              sem_t empty   (UnnamedSemaphore, value = free slots)
 *   64      32              sem_t full    (UnnamedSemaphore, value = full slots)
 *   128     4               int in        (next free slot; only the producer writes it)
 *   192     4               int out       (first full slot; only the consumer writes it)
 *   256     SLOTS * 64      slots: int length, then up to 60 bytes of text
 * </pre>
 *
 * Run: {@code ./ipcj demo [ITEMS]}. The producer is this process; it starts the consumer as
 * a second JVM and removes the shared object at the end.
 */
public final class ProducerConsumerDemo {
    /** Items passed when none are asked for. */
    public static final int DEFAULT_ITEMS = 20;
    /** The most items one run passes. */
    public static final int MAX_ITEMS = 10_000_000;
    static final int SLOTS = 8;
    static final int EMPTY = 0;
    static final int FULL = 64;
    static final int IN = 128;
    static final int OUT = 192;
    static final int SLOT_BASE = 256;
    static final int SLOT_SIZE = 64;
    static final int SIZE = SLOT_BASE + SLOTS * SLOT_SIZE;

    private ProducerConsumerDemo() {
    }

    /** {@code [ITEMS]}, as {@code ipcj demo producer-consumer} takes them; "consumer NAME ITEMS" in the child. */
    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("consumer")) {
            consumer(args[1], Integer.parseInt(args[2]));
            return;
        }
        run((int) Examples.Args.parse("producer-consumer", args, 1)
                .number("producer-consumer", 0, "ITEMS", MAX_ITEMS, DEFAULT_ITEMS));
    }

    /** Passes {@code items} items from this process (the producer) to a child JVM (the consumer). */
    public static void run(int items) throws Exception {
        producer(items);
    }

    private static void producer(int items) throws Exception {
        String name = "/ipcj-demo-" + ProcessHandle.current().pid();
        long t0 = System.nanoTime();
        try (SharedMemory shm = SharedMemory.create(name, SIZE); MappedRegion mem = shm.map()) {
            UnnamedSemaphore empty = UnnamedSemaphore.init(mem, EMPTY, SLOTS);
            UnnamedSemaphore full = UnnamedSemaphore.init(mem, FULL, 0);
            say("producer", "created " + name + ": " + SLOTS + " slots, empty=" + SLOTS + " full=0");
            Child consumer = Examples.child(ProducerConsumerDemo.class, "consumer", name, Integer.toString(items));
            try {
                int in = 0;
                for (int i = 1; i <= items; i++) {
                    empty.acquire();                 // wait for a free slot (sleeps in the kernel)
                    byte[] text = ("item " + i).getBytes(StandardCharsets.UTF_8);
                    long slot = SLOT_BASE + (long) in * SLOT_SIZE;
                    mem.putInt(slot, text.length);
                    mem.putBytes(slot + 4, text);
                    if (items <= 40) {
                        say("producer", "put \"item " + i + "\" into slot " + in);
                    }
                    in = (in + 1) % SLOTS;
                    mem.putIntVolatile(IN, in);
                    full.release();                  // one more full slot: wakes the consumer
                }
                consumer.awaitSuccess(Duration.ofSeconds(60));
            } finally {
                consumer.close();
                empty.close();
                full.close();
            }
        } finally {
            SharedMemory.unlinkIfExists(name);
        }
        say("producer", String.format("done: %d items through %d slots in %.1f ms; %s removed",
                items, SLOTS, (System.nanoTime() - t0) / 1e6, name));
    }

    private static void consumer(String name, int items) throws Exception {
        try (SharedMemory shm = SharedMemory.open(name); MappedRegion mem = shm.map()) {
            UnnamedSemaphore empty = UnnamedSemaphore.attach(mem, EMPTY);
            UnnamedSemaphore full = UnnamedSemaphore.attach(mem, FULL);
            int out = 0;
            for (int i = 1; i <= items; i++) {
                full.acquire();                      // wait for a full slot
                long slot = SLOT_BASE + (long) out * SLOT_SIZE;
                int length = mem.getInt(slot);
                if (length < 0 || length > SLOT_SIZE - 4) {
                    throw new IllegalStateException("slot " + out + " holds a bad length " + length);
                }
                byte[] text = new byte[length];
                mem.getBytes(slot + 4, text);
                String item = new String(text, StandardCharsets.UTF_8);
                if (!item.equals("item " + i)) {
                    throw new IllegalStateException("expected item " + i + ", got \"" + item + "\"");
                }
                if (items <= 40) {
                    say("consumer", "took \"" + item + "\" from slot " + out);
                }
                out = (out + 1) % SLOTS;
                mem.putIntVolatile(OUT, out);
                empty.release();                     // one more free slot: wakes the producer
            }
            say("consumer", "received all " + items + " items in order");
            empty.close();
            full.close();
        }
    }

    private static void say(String who, String what) {
        System.out.println(who + " (pid " + ProcessHandle.current().pid() + "): " + what);
        System.out.flush();
    }
}
