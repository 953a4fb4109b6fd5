package dev.ipcj.ring;

import static dev.ipcj.ring.RingLayout.CONSUMER_WAITING_OFFSET;
import static dev.ipcj.ring.RingLayout.PRODUCER_WAITING_OFFSET;

import dev.ipcj.InvalidArgumentException;
import dev.ipcj.WaitHook;
import dev.ipcj.WaitSet;
import dev.ipcj.internal.BellTable;
import dev.ipcj.internal.FaultPoint;
import dev.ipcj.internal.Faults;

/**
 * A {@link dev.ipcj.WaitSet}'s hold on one side of a ring: the read side (woken when a record
 * is published: the consumer's futex word and the READ_BELLS table) or the write side (woken
 * when room is freed: the producers' word and WRITE_BELLS). The set announces itself on the
 * side's futex word with the ring's sleeper barrier (a fence, or membarrier when the ring is
 * ASYMMETRIC), exactly as a blocked take or put does; the ring's wake() then rings the table
 * (see {@link SharedRing}, "Blocking without lost wake-ups", and {@link BellTable}).
 */
final class RingBells implements WaitHook {
    private final SharedRing ring;
    private final boolean read;
    private final SharedRing.Ready ready;
    private final BellTable table;

    RingBells(SharedRing ring, boolean read, SharedRing.Ready ready) {
        this.ring = ring;
        this.read = read;
        this.ready = ready;
        this.table = read ? ring.readBells : ring.writeBells;
    }

    private int side() {
        return read ? WaitSet.READABLE : WaitSet.WRITABLE;
    }

    @Override
    public int readiness(int interest) {
        ring.checkOpen("WaitSet");
        try {
            return ready.ready() ? side() : 0;
        } catch (InternalError e) {
            if (Faults.isMappingFault(e)) {
                throw SharedRing.corrupt("WaitSet", ring.name, "the ring's memory vanished (truncated)");
            }
            throw e;
        }
    }

    @Override
    public boolean attach(long bell, int interest) {
        if (interest != side()) {
            throw new InvalidArgumentException("WaitSet.add", ring.name, 0, read
                    ? "a ring's consumer can be waited on for READABLE only"
                    : "a ring's producer can be waited on for WRITABLE only");
        }
        ring.checkOpen("WaitSet.add");
        return table.attach(bell);
    }

    @Override
    public void arm(int interest) {
        ring.checkOpen("WaitSet");
        try {
            SharedRing.INTS.setVolatile(ring.buf, read ? CONSUMER_WAITING_OFFSET : PRODUCER_WAITING_OFFSET, 1);
            FaultPoint.deliver();
        } catch (InternalError e) {
            if (Faults.isMappingFault(e)) {
                throw SharedRing.corrupt("WaitSet", ring.name, "the ring's memory vanished (truncated)");
            }
            throw e;
        }
        ring.sleeperBarrier();
    }

    @Override
    public void detach(long bell, int interest) {
        if (!ring.closed) {
            table.detach(bell);
        }
    }
}
