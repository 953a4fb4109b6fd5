package dev.ipcj.msg;

/**
 * The one place that makes the Aeron queues: loaded only once {@link NetMailboxes#aeronPresent()}
 * said Aeron is there, so that no other class of the package needs Aeron to load.
 */
final class AeronQueues {
    private AeronQueues() {
    }

    static FrameQueue receiver(NetAddress a, Capacity capacity, int max) {
        return AeronReceiver.create(a, capacity, max);
    }

    static FrameQueue sender(NetAddress a, long connectNanos) throws InterruptedException {
        return AeronSender.open(a, connectNanos);
    }

    static long instance(FrameQueue q) {
        return ((AeronReceiver) q).instance;
    }

    static int capacity(FrameQueue q) {
        return ((AeronSender) q).capacity();
    }
}
