package dev.ipcj.examples;

import static dev.ipcj.examples.Examples.say;

import dev.ipcj.launch.Child;
import dev.ipcj.launch.Ready;
import dev.ipcj.msg.Capacity;
import dev.ipcj.msg.Codec;
import dev.ipcj.msg.Inbox;
import dev.ipcj.msg.Mailbox;
import dev.ipcj.msg.Message;
import dev.ipcj.msg.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * Request/reply: a server process answers requests on a mailbox with {@code serve}; the client
 * sends each request with {@code request} and gets exactly its own reply, matched by the
 * correlation id in the envelope, on its inbox (the envelope names it: the reply-to pid).
 * Run: {@code ./ipcj demo request [--transport T]}
 */
public final class RequestReplyDemo {
    private RequestReplyDemo() {
    }

    /** {@code [--transport T]}, as {@code ipcj demo request} takes them; "server BOX" in the child. */
    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("server")) {
            try (Mailbox box = Mailbox.open(args[1])) {
                Ready.signal();
                box.serve(m -> {
                    String q = m.text();
                    say("server", "request \"" + q + "\" from pid " + m.sender() + " (id " + m.correlation() + ")");
                    return q.equals("stop") ? null : q.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
                });
            }
            return;
        }
        run(Examples.Args.parse("request", args, 0).transport());
    }

    /** Runs the example over transport {@code t}. */
    public static void run(Transport t) throws Exception {
        String name = "/ipcj-demo-" + Examples.PID + "-service";
        try (Inbox mine = Inbox.create();
             Mailbox service = Mailbox.create(name, t, Capacity.bounded(4), 128);
             Child server = Examples.launchReady(RequestReplyDemo.class, "server", name)) {
            say("client", "transport " + t + "; replies come to my inbox " + mine.name());
            for (String q : new String[] {"hello", "request", "reply"}) {
                Message r = service.request(q, Codec.UTF8, Duration.ofSeconds(10));
                say("client", "\"" + q + "\" -> \"" + (r == null ? "(no reply)" : r.text()) + "\"");
            }
            long t0 = System.nanoTime();
            Message none = service.request("stop", Codec.UTF8, Duration.ofMillis(200));
            say("client", "a request the server does not answer: " + (none == null ? "no reply" : none.text())
                    + " after " + (System.nanoTime() - t0) / 1_000_000 + " ms (the timeout)");
        } finally {
            Mailbox.unlinkIfExists(name);
        }
    }
}
