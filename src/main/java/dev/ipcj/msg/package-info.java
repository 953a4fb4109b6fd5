/**
 * Kernel-mediated message passing: naming, synchronization and buffering as one API, over four
 * transports.
 *
 * <table>
 *   <caption>The three questions and ipcj's answers</caption>
 *   <tr><th>question</th><th>answer</th></tr>
 *   <tr><td>naming</td><td>indirect: {@link dev.ipcj.msg.Mailbox#create}/{@link dev.ipcj.msg.Mailbox#open}
 *       by name; direct: {@link dev.ipcj.msg.Inbox} per process, addressed by pid or registered name
 *       ({@link dev.ipcj.msg.Mailbox#toProcess(long)}), receive from anyone or
 *       {@link dev.ipcj.msg.Inbox#receiveFrom one sender}; every message carries its sender's pid</td></tr>
 *   <tr><td>synchronization</td><td>blocking, non-blocking ({@code try...}) and timed ({@code Duration})
 *       send and receive; interrupts throw InterruptedException and lose nothing</td></tr>
 *   <tr><td>buffering</td><td>{@link dev.ipcj.msg.Capacity#zero()} (rendezvous),
 *       {@link dev.ipcj.msg.Capacity#bounded(int)}, {@link dev.ipcj.msg.Capacity#unbounded()};
 *       what a transport cannot give is refused naming the live limit and the transport that can</td></tr>
 * </table>
 *
 * <h2>Structure</h2>
 * {@link dev.ipcj.msg.Mailbox} holds everything that is the same on every transport: the
 * {@link dev.ipcj.msg.Envelope} (sender pid, flags, sequence) in front of each payload, the
 * rendezvous protocol, selective receive by scanning, codecs, heap copies, argument checks. Each
 * transport is one adapter behind the package-private SPI {@code FrameQueue} (put with a timeout,
 * take into a ByteBuffer with a timeout, max size, pending, close, unlink):
 * {@code MqQueue} (POSIX mq, the default), {@code SysvQueue} (System V; message type = sender
 * pid, so selective receive is the kernel's), {@code RingQueue} (ipcj's shared-memory ring, the
 * fastest) and {@code LogQueue} (segment files in /dev/shm, the one unbounded transport).
 * A mailbox's transport, capacity and maximum message size are in a 128-byte header file
 * {@code /dev/shm/NAME}, so {@link dev.ipcj.msg.Mailbox#open} needs only the name.
 *
 * <h2>Objects a mailbox /NAME leaves in the system until unlinked</h2>
 * <pre>
 *   all         /dev/shm/NAME (header), sem.NAME.turn + sem.NAME.ack (capacity zero only)
 *   POSIX_MQ    the message queue /NAME
 *   SYSTEM_V    one IPC_PRIVATE queue (its id in the header), sem.NAME.sysv-space
 *   RING        /dev/shm/NAME.ring, sem.NAME.ring-space
 *   SHM_LOG     /dev/shm/NAME.log, NAME.log.K segments, sem.NAME.log-items (+ .log-space if bounded)
 *   Inbox       the mailbox /ipcj-pid-PID, /dev/shm/ipcj-name.NAME per registered name
 * </pre>
 * {@link dev.ipcj.msg.Mailbox#unlinkIfExists} removes all of them; {@link dev.ipcj.msg.Inbox#close}
 * removes an inbox and its names.
 */
package dev.ipcj.msg;
