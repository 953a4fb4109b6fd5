/**
 * An unbounded (or bounded) shared log: {@link dev.ipcj.log.SharedLog}, an append-only queue of
 * opaque byte records in files of {@code /dev/shm}, which any number of processes append to and
 * take from, and which outlives them all until it is unlinked. It is the storage of the
 * messaging transport {@code Transport.SHM_LOG} (which writes each message's envelope and
 * payload as one record), and a primitive of its own for programs that want records without
 * mailboxes. Its bytes are drawn in {@link dev.ipcj.log.LogLayout} and in the C header
 * {@code src/main/c/ipcj_log.h}, whose functions take records from C.
 *
 * <h2>Guarantees</h2>
 * <ul>
 * <li><b>Crash consistency with one publishing store.</b> Every change happens under the log's
 *     lock and is published by one store: the holder reads the committed slot (one of two, by
 *     the generation counter G), writes the record bytes (and, when a segment is full, the old
 *     segment's end mark and the new segment file), writes the new positions and counts into the
 *     other slot, and then stores G + 1. A process killed anywhere before that store changed
 *     nothing that anyone reads (its bytes lie past the committed write position, its
 *     half-written slot is not the current one); killed after it, the change is complete. An
 *     appender killed before the store did not append; a taker killed after copying a record but
 *     before the store leaves the record the oldest, for the next taker. A segment created, or a
 *     consumed one not yet deleted, when the kill came is a leftover file carrying the log's id,
 *     replaced by the next writer or removed by unlink.</li>
 * <li><b>Capacity bounded(n) or unbounded.</b> A bounded log holds at most n records, counted
 *     from the committed state itself (appended - consumed) under the lock, so no kill can leak
 *     room. An unbounded one grows by segments (each at least 1 MiB) until /dev/shm is full;
 *     then an append fails with {@link dev.ipcj.LimitExceededException} (ENOSPC) saying how much
 *     room there was, and nothing is lost.</li>
 * <li><b>A killed holder is taken over.</b> The lock word holds its holder's pid and start
 *     time; a waiter that finds the holder dead (or its pid reused by another process) takes the
 *     lock over with a compare-and-set from that exact value, within 1..100 ms, and has nothing
 *     to repair. Sleepers wait on futex doorbells in slices, so a holder killed before ringing
 *     only delays them until the end of a slice.</li>
 * <li><b>Every index and length read from shared memory is validated</b> before use: the state
 *     page's sizes when opening, the committed slot (positions within segments, read before
 *     write, 0 &lt;= waiting &lt;= capacity, 8-byte alignment) under the lock, each segment's size,
 *     magic, version, log id and index when mapping it, and each record's length against its
 *     complement, the maximum and the committed end.</li>
 * <li><b>Damage is a {@link dev.ipcj.CorruptedException}, never a JVM crash.</b> A state page or
 *     segment truncated under a live log, or scribbled over by another process, is reported as
 *     CorruptedException naming the file. Segments are filled with zeros through a
 *     {@code FileChannel} write before they are mapped, so that a full /dev/shm is ENOSPC from a
 *     system call, not a SIGBUS from a first touch; mappings are registered with ipcj's fault
 *     guard, so a page another process truncated away is replaced by a private zero page and
 *     reported at the next check instead of killing the JVM.</li>
 * </ul>
 *
 * <h2>Calls</h2>
 * {@code put} (blocking), {@code offer} (try, or wait up to a {@link java.time.Duration}),
 * {@code take} (blocking) and {@code poll} (try, or timed), on ByteBuffers or byte arrays.
 * Durations saturate ({@code Duration.ofSeconds(Long.MAX_VALUE)} waits forever); an interrupt
 * ends a wait with {@link java.lang.InterruptedException} having changed nothing. Files are mode
 * 0600, created exclusively, opened without following links. Records are delivered once each,
 * oldest first, to whichever taker gets the lock.
 */
package dev.ipcj.log;
