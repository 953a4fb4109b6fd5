package dev.ipcj.ring;

import dev.ipcj.MappedRegion;
import dev.ipcj.posix.SharedMemory;
import java.nio.ByteBuffer;

/**
 * The record journal of the kill -9 suites, shared by every consumer of a trial (Java and C, see
 * ring_peer.c's journal_ctx): a long counting torn records at offset 0, then one int per
 * (producer, seq) from offset 64, incremented by the handler, i.e. before the consumer retires the
 * record. After the trial: a committed record journaled 0 times was lost, more than once was handed
 * again (allowed only as RingConsumer's delivery guarantee says), a record never committed but
 * journaled is a phantom.
 */
final class Journal implements RecordHandler, AutoCloseable {
    static final int HEADER = 64;

    private final SharedMemory shm;
    final MappedRegion region;
    final int seqs;
    private final int max;

    private Journal(SharedMemory shm, int seqs, int max) {
        this.shm = shm;
        this.region = shm.map();
        this.seqs = seqs;
        this.max = max;
    }

    static Journal create(String name, int producers, int seqs, int max) {
        return new Journal(SharedMemory.create(name, HEADER + 4L * producers * seqs), seqs, max);
    }

    static Journal open(String name, int seqs, int max) {
        return new Journal(SharedMemory.open(name), seqs, max);
    }

    @Override
    public void onRecord(ByteBuffer b, int o, int l) {
        long seq;
        int producer;
        try {
            seq = Records.check(b, o, l, max);
            producer = Records.producer(b, o);
        } catch (AssertionError torn) {
            region.getAndAddLong(0, 1);
            return;
        }
        long slot = (long) producer * seqs + seq;
        if (producer < 0 || seq < 0 || seq >= seqs || HEADER + 4 * slot + 4 > region.size()) {
            region.getAndAddLong(0, 1);
            return;
        }
        region.getAndAddInt(HEADER + 4 * slot, 1);
    }

    long torn() {
        return region.getLongVolatile(0);
    }

    int count(int producer, long seq) {
        return region.getIntVolatile(HEADER + 4 * ((long) producer * seqs + seq));
    }

    @Override
    public void close() {
        region.close();
        shm.close();
    }
}
