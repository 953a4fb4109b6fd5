package dev.ipcj.examples;

import dev.ipcj.launch.Child;
import dev.ipcj.launch.Launch;
import dev.ipcj.msg.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What the examples share: starting a child JVM, reading their arguments, printing who speaks. */
final class Examples {
    static final long PID = ProcessHandle.current().pid();

    private Examples() {
    }

    /** Starts {@code main} of {@code cls} in a child JVM with {@code args}; its output goes to ours. */
    static Child child(Class<?> cls, String... args) {
        return Launch.java(cls).args(args).inheritIO().start();
    }

    /**
     * Starts {@code main} of {@code cls} in a child JVM with {@code args} and waits until it says
     * {@link dev.ipcj.launch.Ready ready}; what it prints after that is echoed here.
     */
    static Child launchReady(Class<?> cls, String... args) throws InterruptedException {
        Child c = Launch.java(cls).args(args).start();
        try {
            c.awaitReady(Duration.ofSeconds(60));
        } catch (RuntimeException | InterruptedException e) {
            c.close();
            throw e;
        }
        Thread echo = new Thread(() -> {
            try {
                for (String line; (line = c.readLine(Duration.ofDays(1))) != null;) {
                    System.out.println(line);
                    System.out.flush();
                }
            } catch (RuntimeException | InterruptedException e) {
                // the child ended
            }
        }, "echo-" + c.pid());
        echo.setDaemon(true);
        echo.start();
        return c;
    }

    /**
     * The arguments of an example's {@code main} run directly ({@code java -cp ...
     * dev.ipcj.examples.NamingDemo --transport RING}): {@code --transport T} (or
     * {@code --transport=T}) and at most {@code maxPositional} other words. A bad argument is one
     * line on stderr and exit status 2, as for {@code ipcj demo NAME}, which checks the same
     * things before it calls {@code run}.
     */
    record Args(Transport transport, List<String> positional) {
        /** The local transports' names, from the enum, so that a new transport shows up here by itself. */
        static String localTransports() {
            StringBuilder b = new StringBuilder();
            for (Transport t : Transport.values()) {
                if (t.isLocal()) {
                    b.append(b.length() == 0 ? "" : ", ").append(t.name());
                }
            }
            return b.toString();
        }

        static Args parse(String example, String[] args, int maxPositional) {
            return parse(example, args, maxPositional, false);
        }

        /** As {@link #parse(String, String[], int)}; {@code network}: AERON is accepted too. */
        static Args parse(String example, String[] args, int maxPositional, boolean network) {
            Transport t = Transport.defaultTransport();
            List<String> pos = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String value = null;
                if (a.equals("--transport")) {
                    if (i + 1 == args.length) {
                        usage(example, "--transport needs a value: " + localTransports());
                    }
                    value = args[++i];
                } else if (a.startsWith("--transport=")) {
                    value = a.substring("--transport=".length());
                } else if (a.startsWith("-")) {
                    usage(example, "unknown option '" + a + "'");
                } else {
                    pos.add(a);
                    continue;
                }
                try {
                    t = Transport.valueOf(value);
                } catch (IllegalArgumentException e) {
                    usage(example, "no transport '" + value + "'; choose " + localTransports());
                }
                if (!t.isLocal() && !network) {
                    usage(example, "the demos name mailboxes /NAME on this machine; AERON mailboxes are named"
                            + " udp://HOST:PORT/NAME (see the README, \"Mailboxes across machines\")");
                }
            }
            if (pos.size() > maxPositional) {
                usage(example, "unexpected argument '" + pos.get(maxPositional) + "'");
            }
            return new Args(t, pos);
        }

        /** The positional argument {@code i} as a number in {@code 1..max}, or {@code dflt} when absent. */
        long number(String example, int i, String what, long max, long dflt) {
            if (i >= positional.size()) {
                return dflt;
            }
            String s = positional.get(i);
            long n = s.matches("[0-9]{1,18}") ? Long.parseLong(s) : -1;
            if (n < 1 || n > max) {
                usage(example, what + " must be 1.." + max + ", not '" + s + "'");
            }
            return n;
        }
    }

    /** One line on stderr and exit status 2, the way {@code ipcj} reports a usage error. */
    static void usage(String example, String problem) {
        System.err.println(example + ": " + problem);
        System.exit(2);
    }

    static void say(String who, String what) {
        System.out.println(who + " (pid " + PID + "): " + what);
        System.out.flush();
    }

    /** Waits for a child to exit with status 0 (60 s at most). */
    static void await(Child c) throws InterruptedException {
        c.awaitSuccess(Duration.ofSeconds(60));
    }
}
