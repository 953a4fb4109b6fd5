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
 * {@link dev.ipcj.msg.Envelope} (magic, version, flags, sender pid, sequence, fields reserved
 * for request/reply) in front of each payload, the rendezvous protocol, selective receive by
 * scanning, codecs, heap copies, argument checks. Each transport is one adapter behind the
 * package-private SPI {@code FrameQueue}: {@code MqQueue} (POSIX mq, the default), {@code SysvQueue}
 * (System V; message type = sender pid, so selective receive is the kernel's), {@code RingQueue}
 * (ipcj's shared-memory ring, the fastest) and {@code LogQueue} (a thin adapter over the shared
 * log {@link dev.ipcj.log.SharedLog}, segment files in /dev/shm, the one unbounded transport). A mailbox's transport, capacity, maximum message size, the
 * identities of its objects and the shared words of its protocols are in a one-page header
 * {@code /dev/shm/NAME} ({@code MailboxHeader}), so {@link dev.ipcj.msg.Mailbox#open} needs only
 * the name. C programs use the same frames and header through {@code src/main/c/ipcj_msg.h}.
 *
 * <h2>Across machines</h2>
 * {@link dev.ipcj.msg.Transport#AERON} is the one transport without a header: a mailbox
 * {@code udp://HOST:PORT/NAME} lives in the receiving process (an Aeron subscription; see
 * {@code AeronReceiver}), its senders hold Aeron publications ({@code AeronSender}), and the
 * receiver's credits bound each sender ({@code NetCredits}). Nothing of it is in /dev/shm but the
 * embedded media driver's directory {@code ipcj-aeron-PID} ({@code AeronRuntime}); only
 * {@code AeronQueues} and the classes it names touch Aeron, so the package loads without it.
 *
 * <h2>Capacity after a kill</h2>
 * No semaphore counts anything: a count kept by a semaphore cannot be repaired once a process
 * holding one of its permits is killed. Each transport counts from what it really holds, and
 * the only shared locks are {@code SharedLock}s, which name their holder's pid and start time,
 * so the next process that needs one proves the holder dead and takes it over:
 * <table>
 *   <caption>Who counts bounded(n), and what a kill leaves</caption>
 *   <tr><th>transport</th><th>count</th><th>killed sender</th><th>killed receiver</th></tr>
 *   <tr><td>POSIX_MQ</td><td>the kernel (mq_maxmsg = n)</td><td>nothing: mq_send is one call</td>
 *       <td>nothing (a message mq_receive handed over dies with it)</td></tr>
 *   <tr><td>SYSTEM_V</td><td>msg_qnum, read under the header's gate lock before each msgsnd</td>
 *       <td>a gate lock naming a dead process: taken over by the next sender (1..100 ms)</td>
 *       <td>nothing (as POSIX_MQ); full senders re-check within 250 ms</td></tr>
 *   <tr><td>RING</td><td>(in - out) / R of fixed-size records, under the gate lock</td>
 *       <td>the gate as above; a claim not committed counts until the consumer turns it into
 *       padding and passes it</td><td>the ring's consumer slot is taken over; a record not yet
 *       passed is read again</td></tr>
 *   <tr><td>SHM_LOG</td><td>appended - consumed in the committed state, under the log's lock</td>
 *       <td>the lock is taken over; a record not committed was never sent</td>
 *       <td>the lock is taken over; a record not committed is still the oldest</td></tr>
 * </table>
 * Capacity zero (rendezvous) adds the header's turn lock, taken over the same way, and the
 * rendezvous word (see {@link dev.ipcj.msg.Mailbox}). The kill -9 campaign ({@code MsgKillTest})
 * kills at each of these points.
 *
 * <h2>Objects a mailbox /NAME leaves in the system until unlinked (all mode 0600)</h2>
 * <pre>
 *   all         /dev/shm/NAME (the header, one page)
 *   POSIX_MQ    the message queue /NAME
 *   SYSTEM_V    one IPC_PRIVATE queue (its msqid, ctime, creator and msg_qbytes in the header)
 *   RING        /dev/shm/NAME.ring
 *   SHM_LOG     /dev/shm/NAME.log and the segments NAME.log.K
 *   Inbox       the mailbox /ipcj-pid-PID, /dev/shm/ipcj-name.NAME per registered name
 * </pre>
 * Mailbox names may therefore not start with "sem." or ".ipcj-" nor end with ".ring", ".log" or
 * ".log." and digits. {@link dev.ipcj.msg.Mailbox#unlinkIfExists} removes exactly these
 * objects, each proven to be this mailbox's, and expands no pattern; {@link dev.ipcj.msg.Inbox#close}
 * removes an inbox and its names.
 */
package dev.ipcj.msg;
