package dev.ipcj;

import dev.ipcj.broadcast.BroadcastPublisher;
import dev.ipcj.broadcast.BroadcastRing;
import dev.ipcj.jni.Bell;
import dev.ipcj.log.SharedLog;
import dev.ipcj.msg.Mailbox;
import dev.ipcj.posix.NamedSemaphore;
import dev.ipcj.ring.RingProducer;
import dev.ipcj.ring.SharedRing;
import dev.ipcj.sysv.SysvMessage;
import dev.ipcj.sysv.SysvMessageQueue;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The other process of {@link WaitSetAnyTest}: reads one command a line from stdin, does it,
 * prints "ok" (or "waiting" for wait-mailbox, which then blocks in a WaitSet until killed).
 * Handles are opened on first use and kept, so a kill -9 finds them attached.
 */
public final class WaitSetPeer {
    private WaitSetPeer() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, Object> open = new HashMap<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.trim().split(" ");
            switch (f[0]) {
                case "ring" -> {
                    RingProducer p = (RingProducer) open.computeIfAbsent("ring " + f[1],
                            k -> SharedRing.open(f[1]).producer());
                    if (!p.offer(f[2].getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10))) {
                        throw new IllegalStateException("ring full");
                    }
                }
                case "mbox" -> {
                    Mailbox m = (Mailbox) open.computeIfAbsent("mbox " + f[1], k -> Mailbox.open(f[1]));
                    m.send(f[2].getBytes(StandardCharsets.UTF_8));
                }
                case "log" -> {
                    SharedLog l = (SharedLog) open.computeIfAbsent("log " + f[1], k -> SharedLog.open(f[1]));
                    l.put(f[2].getBytes(StandardCharsets.UTF_8));
                }
                case "bcast" -> {
                    BroadcastPublisher p = (BroadcastPublisher) open.computeIfAbsent("bcast " + f[1],
                            k -> BroadcastRing.open(f[1]).publisher());
                    byte[] b = f[2].getBytes(StandardCharsets.UTF_8);
                    if (!p.offer(b, 0, b.length)) {
                        throw new IllegalStateException("broadcast offer refused");
                    }
                }
                case "sem" -> {
                    NamedSemaphore s = (NamedSemaphore) open.computeIfAbsent("sem " + f[1], k -> NamedSemaphore.open(f[1]));
                    s.release();
                }
                case "sysv" -> {
                    SysvMessageQueue q = (SysvMessageQueue) open.computeIfAbsent("sysv " + f[1],
                            k -> SysvMessageQueue.ofId(Integer.parseInt(f[1])));
                    q.send(SysvMessage.allocate(16).set(1, f[2].getBytes(StandardCharsets.UTF_8)));
                }
                case "semset" -> {
                    dev.ipcj.sysv.SemaphoreSet s = (dev.ipcj.sysv.SemaphoreSet) open.computeIfAbsent("semset " + f[1],
                            k -> dev.ipcj.sysv.SemaphoreSet.ofId(Integer.parseInt(f[1])));
                    s.release(Integer.parseInt(f[2]));
                }
                case "usem" -> {
                    dev.ipcj.posix.UnnamedSemaphore s = (dev.ipcj.posix.UnnamedSemaphore) open.computeIfAbsent("usem " + f[1],
                            k -> dev.ipcj.posix.UnnamedSemaphore.attach(dev.ipcj.posix.SharedMemory.open(f[1]).map(), 0));
                    s.release();
                }
                case "bell" -> Bell.ring(Bell.sender(), Integer.parseInt(f[1]), Integer.parseInt(f[2]));
                case "wait-mailbox" -> {
                    Mailbox m = Mailbox.open(f[1]);
                    WaitSet ws = new WaitSet();
                    ws.add(m, WaitSet.READABLE);
                    System.out.println("waiting");
                    System.out.flush();
                    for (;;) {
                        ws.await();
                        System.out.println("woken");
                        System.out.flush();
                        m.receive(Duration.ZERO);
                    }
                }
                case "exit" -> {
                    return;
                }
                default -> throw new IllegalArgumentException(line);
            }
            System.out.println("ok");
            System.out.flush();
        }
    }
}
