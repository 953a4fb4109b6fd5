package dev.ipcj.ring;

/**
 * Who may write and read a {@link SharedRing}. The variant is fixed when the ring is created
 * and stored in its header; every process that joins follows it.
 */
public enum RingVariant {
    /**
     * One producer, one consumer (each enforced by a pid recorded in the header). The producer
     * publishes its position {@code in} after writing; records need no commit word, consumed
     * bytes need no clearing: the fastest variant.
     */
    ONE_TO_ONE(1),
    /**
     * Many producers (threads and processes), one consumer. Producers claim space with a CAS on
     * {@code in} and commit each record with a CAS on its header; the consumer stops at the
     * first record not yet committed and recovers records whose producer died.
     *
     * <p>Many consumers are not offered: see {@link SharedRing} ("Many consumers") for why and
     * for what to use instead.
     */
    MANY_TO_ONE(2);

    final int code;

    RingVariant(int code) {
        this.code = code;
    }

    static RingVariant of(int code) {
        for (RingVariant v : values()) {
            if (v.code == code) {
                return v;
            }
        }
        return null;
    }
}
