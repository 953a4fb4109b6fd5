package dev.ipcj.ring;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The test records, identical in src/test/c/ring_common.h: length 16..n, native order.
 * <pre>
 * 0  8  sequence number (per producer, from 0)
 * 8  4  producer id
 * 12 4  FNV-1a 32 of bytes [16, length)
 * 16 .  filler: byte i = (seq * 31 + producer * 7 + i) &amp; 0xFF
 * </pre>
 * Length for seq: 16 + (seq * 37 + producer) % (max - 15). A torn record fails the checksum
 * or the length check.
 */
final class Records {
    private Records() {
    }

    static int length(long seq, int producer, int max) {
        return 16 + (int) ((seq * 37 + producer) % (max - 15));
    }

    static void fill(ByteBuffer b, int at, long seq, int producer, int length) {
        b.putLong(at, seq);
        b.putInt(at + 8, producer);
        int h = 0x811C9DC5;
        for (int i = 16; i < length; i++) {
            byte v = (byte) (seq * 31 + producer * 7 + i);
            b.put(at + i, v);
            h = (h ^ (v & 0xFF)) * 0x01000193;
        }
        b.putInt(at + 12, h);
    }

    static byte[] make(long seq, int producer, int max) {
        int len = length(seq, producer, max);
        byte[] a = new byte[len];
        fill(ByteBuffer.wrap(a).order(ByteOrder.nativeOrder()), 0, seq, producer, len);
        return a;
    }

    /** Checks a record; returns its seq, throws AssertionError if torn. */
    static long check(ByteBuffer b, int at, int length, int max) {
        if (length < 16) {
            throw new AssertionError("record of " + length + " bytes is shorter than 16");
        }
        long seq = b.getLong(at);
        int producer = b.getInt(at + 8);
        if (length != length(seq, producer, max)) {
            throw new AssertionError("record seq " + seq + " producer " + producer + " has length " + length
                    + ", expected " + length(seq, producer, max));
        }
        int h = 0x811C9DC5;
        for (int i = 16; i < length; i++) {
            h = (h ^ (b.get(at + i) & 0xFF)) * 0x01000193;
        }
        if (h != b.getInt(at + 12)) {
            throw new AssertionError("record seq " + seq + " producer " + producer + ": checksum mismatch (torn)");
        }
        return seq;
    }

    static long check(byte[] a, int max) {
        return check(ByteBuffer.wrap(a).order(ByteOrder.nativeOrder()), 0, a.length, max);
    }

    static int producer(ByteBuffer b, int at) {
        return b.getInt(at + 8);
    }
}
