package dev.ipcj.msg;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The requesting process of {@link RequestReplyTest}:
 * <pre>
 *   request NAME N THREADS   THREADS threads each send N requests "tK-I" to mailbox NAME and check
 *                            each reply is "re:tK-I"; a plain message "hello" goes first; prints
 *                            "ok COUNT" or "bad WHAT" and exits 0 or 1
 * </pre>
 * The replies come to this process's inbox, made by the first request and closed at exit.
 */
public final class RequestPeer {
    private RequestPeer() {
    }

    public static void main(String[] args) throws Exception {
        String name = args[1];
        int n = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        AtomicInteger ok = new AtomicInteger();
        List<String> bad = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Mailbox box = Mailbox.open(name)) {
            box.send("hello", Codec.UTF8);
            List<Thread> ts = new ArrayList<>();
            for (int k = 0; k < threads; k++) {
                int kk = k;
                Thread t = new Thread(() -> {
                    try {
                        for (int i = 0; i < n; i++) {
                            String q = "t" + kk + "-" + i;
                            Message r = box.request(q, Codec.UTF8, Duration.ofSeconds(20));
                            if (r == null) {
                                bad.add(q + ": no reply");
                            } else if (!r.isReply() || !r.text().equals("re:" + q)) {
                                bad.add(q + ": got " + r + " " + r.text());
                            } else {
                                ok.incrementAndGet();
                            }
                        }
                    } catch (Exception e) {
                        bad.add(e.toString());
                    }
                });
                ts.add(t);
                t.start();
            }
            for (Thread t : ts) {
                t.join();
            }
        }
        System.out.println(bad.isEmpty() ? "ok " + ok.get() : "bad " + bad);
        System.exit(bad.isEmpty() ? 0 : 1);
    }
}
