package dev.ipcj.broadcast;

/** What the publisher of a {@link BroadcastRing} does when a subscriber falls a whole ring behind. */
public enum BroadcastMode {
    /** The publisher waits for the slowest live subscriber: nobody loses a record. */
    LOSSLESS(BroadcastLayout.LOSSLESS),
    /** The publisher never waits; a subscriber it laps gets a {@link LappedException} with the count lost. */
    LOSSY(BroadcastLayout.LOSSY);

    final int code;

    BroadcastMode(int code) {
        this.code = code;
    }

    static BroadcastMode of(int code) {
        for (BroadcastMode m : values()) {
            if (m.code == code) {
                return m;
            }
        }
        return null;
    }
}
