package dev.ipcj.broadcast;

import dev.ipcj.IpcException;

/**
 * A LOSSY broadcast subscriber fell more than a whole ring behind: the publisher overwrote
 * records it had not read. The subscriber has already moved to the oldest record still intact;
 * its next call goes on from there. {@link #lost()} is how many records it missed.
 */
public class LappedException extends IpcException {
    private static final long serialVersionUID = 1L;

    /** The number of records lost. */
    private final long lost;
    /** The sequence number the subscriber resumes at. */
    private final long resumeSeq;

    /**
     * Makes the exception.
     *
     * @param call      the operation, e.g. {@code "broadcast poll"}
     * @param object    the ring's name
     * @param lost      how many records the subscriber missed
     * @param resumeSeq the sequence number of the record it reads next
     */
    public LappedException(String call, String object, long lost, long resumeSeq) {
        super(call, object, 0, "the subscriber was lapped by the publisher and lost " + lost
                + " record(s); it resumes at the oldest record still available (sequence " + resumeSeq + ")");
        this.lost = lost;
        this.resumeSeq = resumeSeq;
    }

    /**
     * How many records the subscriber missed.
     *
     * @return the count, at least 0
     */
    public long lost() {
        return lost;
    }

    /**
     * The sequence number of the record the subscriber reads next.
     *
     * @return the sequence number
     */
    public long resumeSeq() {
        return resumeSeq;
    }
}
