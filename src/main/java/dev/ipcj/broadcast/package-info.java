/**
 * A broadcast ring: one publisher, up to 64 subscribers, in one POSIX shared memory object shared
 * by Java ({@link dev.ipcj.broadcast.BroadcastRing}) and C ({@code ipcj_broadcast.h}) processes.
 * The bytes are drawn in {@link dev.ipcj.broadcast.BroadcastLayout}.
 *
 * <h2>What it guarantees</h2>
 * <ul>
 * <li>Every subscriber sees the records published after it joined, in publication order, each
 *     whole and once, at its own pace; each record carries a sequence number (0, 1, 2, ...).
 * <li>{@link dev.ipcj.broadcast.BroadcastMode#LOSSLESS}: the publisher never overwrites a record
 *     a live subscriber has not read; it waits (futex, with a deadline) for the slowest one. A
 *     subscriber whose process is dead (pid gone, a zombie, or reused by a process that started
 *     at another time: {@code dev.ipcj.internal.ProcessIdentity}) no longer holds it back: its
 *     slot is freed when it is the one in the way.
 * <li>{@link dev.ipcj.broadcast.BroadcastMode#LOSSY}: the publisher never waits. A subscriber
 *     that falls more than the capacity behind gets {@link dev.ipcj.broadcast.LappedException}
 *     with the exact number of records it missed, and goes on from the oldest record still intact.
 *     A record it returned or handed was checked after the copy not to have been overwritten.
 * <li>No allocation, no JNI call, no syscall per record on a busy ring; an idle subscriber
 *     sleeps in FUTEX_WAIT on one shared wake counter, and the publisher makes the FUTEX_WAKE
 *     call only when a subscriber announced it sleeps.
 * </ul>
 *
 * <h2>What a kill -9 leaves</h2>
 * <ul>
 * <li>A publisher killed mid-record: subscribers never see the half-written bytes (tail did not
 *     move); the next publisher (the dead one's identity is taken over) turns them into padding.
 *     At most one sequence number may be skipped (the dead one had counted it), which a lapped
 *     LOSSY subscriber counts as lost.
 * <li>A subscriber killed anywhere: its slot still holds its identity until the next subscriber
 *     joins in it or, LOSSLESS, the publisher finds it dead in its way; nothing else changes.
 *     A restarted subscriber joins anew (at the current tail).
 * </ul>
 *
 * <h2>What a scribbler can and cannot do</h2>
 * Any process that may open the object read-write (mode 0600: the creator's user) can write any
 * byte. Every position, length, type and header word is checked before it is used as an index,
 * and indexes are masked with this process's own capacity; so garbage ends in
 * {@link dev.ipcj.CorruptedException} naming the field, or is taken for the valid values it
 * happens to be. A scribbler can forge, drop or reorder records, fake a lap, wedge a LOSSLESS
 * publisher with a position in a slot that names a live process, or free a live subscriber's
 * slot (the subscriber finds out and joins again); it cannot make a call read or write outside
 * the mapping, crash the JVM, or keep a timed call past its deadline (sleepers re-check the
 * header and the size at least once a second). An object truncated under a live mapping makes
 * every call throw CorruptedException (the fault guard, {@code dev.ipcj.internal.FaultGuards});
 * a C process using {@code ipcj_broadcast.h} dies of SIGBUS there.
 */
package dev.ipcj.broadcast;
