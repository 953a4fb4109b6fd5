package dev.ipcj.log;

import java.nio.ByteBuffer;

/**
 * A second process on a log: {@code append NAME COUNT} opens the log and appends COUNT records
 * ({@link #record} of each index), printing "ready" once open and "done" at the end;
 * {@code take NAME COUNT} takes COUNT records and prints "rec I LEN" for each.
 */
public final class LogPeer {
    private LogPeer() {
    }

    /** Record i: {@code i % 300 + 4} bytes, the index first, then bytes derived from it. */
    static ByteBuffer record(int i) {
        ByteBuffer b = ByteBuffer.allocate(i % 300 + 4);
        b.putInt(0, i);
        for (int k = 4; k < b.capacity(); k++) {
            b.put(k, (byte) (i * 31 + k));
        }
        return b;
    }

    /** FNV-1a 32 of the bytes, as log_peer prints it. */
    static long fnv(ByteBuffer b, int from, int to) {
        int h = 0x811c9dc5;
        for (int i = from; i < to; i++) {
            h ^= b.get(i) & 0xff;
            h *= 16777619;
        }
        return h & 0xFFFFFFFFL;
    }

    public static void main(String[] args) throws Exception {
        try (SharedLog log = SharedLog.open(args[1])) {
            int count = Integer.parseInt(args[2]);
            System.out.println("ready");
            if (args[0].equals("append")) {
                for (int i = 0; i < count; i++) {
                    log.put(record(i));
                }
            } else {
                ByteBuffer b = ByteBuffer.allocate(log.maxRecordSize());
                for (int i = 0; i < count; i++) {
                    int n = log.take(b.clear());
                    System.out.println("rec " + b.getInt(0) + " " + n);
                }
            }
            System.out.println("done");
        }
    }
}
