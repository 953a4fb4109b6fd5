package dev.ipcj.cli;

import dev.ipcj.examples.BufferingDemo;
import dev.ipcj.examples.NamingDemo;
import dev.ipcj.examples.ProducerConsumerDemo;
import dev.ipcj.examples.RequestReplyDemo;
import dev.ipcj.examples.SpeedupDemo;
import dev.ipcj.examples.SynchronizationDemo;
import dev.ipcj.msg.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ipcj demo [NAME] [ARGS]}: the runnable examples, each a few processes talking. Each
 * example is a subcommand with its own options, so that a bad value is refused before any
 * process starts.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs an example; with no NAME (or only ITEMS) the producer/consumer bounded buffer.",
            "naming, sync, buffering, request and speedup take --transport and a local transport;",
            "speedup also takes AERON (network mailboxes on 127.0.0.1)."},
        subcommands = {DemoCommand.ProducerConsumer.class, DemoCommand.Naming.class, DemoCommand.Sync.class,
                DemoCommand.Buffering.class, DemoCommand.Request.class, DemoCommand.Speedup.class})
final class DemoCommand implements Callable<Integer>, Checked {
    static final List<String> NAMES = List.of("producer-consumer", "naming", "sync", "buffering", "request", "speedup");

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "ITEMS",
            description = "Items for the producer/consumer (default: 20): 'ipcj demo 5' = 'ipcj demo producer-consumer 5'.")
    List<String> items = new ArrayList<>();

    private int itemCount() {
        if (items.isEmpty()) {
            return ProducerConsumer.DEFAULT_ITEMS;
        }
        int n = ProducerConsumer.items(spec, items.get(0));
        if (items.size() > 1) {
            throw new ParameterException(spec.commandLine(), "one ITEMS number, not " + items.size() + " arguments");
        }
        return n;
    }

    @Override
    public void check() {
        itemCount();
    }

    @Override
    public Integer call() throws Exception {
        ProducerConsumerDemo.run(itemCount());
        return 0;
    }

    @Command(name = "producer-consumer", mixinStandardHelpOptions = true,
            description = "The bounded buffer: two processes, slots with in/out and two semaphores in shared memory.")
    static final class ProducerConsumer implements Callable<Integer>, Checked {
        static final int DEFAULT_ITEMS = ProducerConsumerDemo.DEFAULT_ITEMS;
        static final int MAX_ITEMS = ProducerConsumerDemo.MAX_ITEMS;

        @Spec
        CommandSpec spec;

        @Parameters(arity = "0..1", paramLabel = "ITEMS", description = "Items to pass (1.." + MAX_ITEMS
                + ", default: " + DEFAULT_ITEMS + ").")
        String items;

        /** ITEMS as a number in range, or a usage error (for 'demo X': X is no example and no number). */
        static int items(CommandSpec spec, String s) {
            if (!s.matches("[0-9]{1,9}")) {
                throw new ParameterException(spec.commandLine(), spec.name().equals("demo")
                        ? "no example '" + s + "'; choose one of " + String.join(", ", NAMES) + " (or give ITEMS, a number)"
                        : "ITEMS must be a number, not '" + s + "'");
            }
            int n = Integer.parseInt(s);
            if (n < 1 || n > MAX_ITEMS) {
                throw new ParameterException(spec.commandLine(), "ITEMS must be 1.." + MAX_ITEMS + ", not " + n);
            }
            return n;
        }

        @Override
        public void check() {
            if (items != null) {
                items(spec, items);
            }
        }

        @Override
        public Integer call() throws Exception {
            ProducerConsumerDemo.run(items == null ? DEFAULT_ITEMS : items(spec, items));
            return 0;
        }
    }

    /** What the messaging examples share: {@code --transport}. */
    abstract static class MessagingExample implements Callable<Integer>, Checked {
        @Spec
        CommandSpec spec;

        @Option(names = "--transport", paramLabel = "TRANSPORT",
                description = "a local transport of ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
        Transport transport = Transport.defaultTransport();

        /** Whether this example runs over network mailboxes too. */
        boolean network() {
            return false;
        }

        @Override
        public void check() {
            if (!transport.isLocal() && network()) {
                return; // its availability is the child JVM's (see Speedup.call)
            }
            if (!transport.isLocal()) {
                throw new ParameterException(spec.commandLine(), "the demos name mailboxes /NAME on this machine;"
                        + " AERON mailboxes are named udp://HOST:PORT/NAME (README: \"Mailboxes across machines\")");
            }
            if (!transport.isAvailable()) {
                throw new ParameterException(spec.commandLine(), "transport " + transport + " is not in this build of ipcj");
            }
        }
    }

    @Command(name = "naming", mixinStandardHelpOptions = true, description = "Direct versus indirect naming.")
    static final class Naming extends MessagingExample {
        @Override
        public Integer call() throws Exception {
            check();
            NamingDemo.run(transport);
            return 0;
        }
    }

    @Command(name = "sync", mixinStandardHelpOptions = true,
            description = "Blocking, non-blocking, timed and interrupted sends and receives.")
    static final class Sync extends MessagingExample {
        @Override
        public Integer call() throws Exception {
            check();
            SynchronizationDemo.run(transport);
            return 0;
        }
    }

    @Command(name = "buffering", mixinStandardHelpOptions = true, description = "Zero, bounded and unbounded capacity.")
    static final class Buffering extends MessagingExample {
        @Override
        public Integer call() throws Exception {
            check();
            BufferingDemo.run(transport);
            return 0;
        }
    }

    @Command(name = "request", mixinStandardHelpOptions = true,
            description = "Request/reply: a server process answers requests, each reply matched to its request.")
    static final class Request extends MessagingExample {
        @Override
        public Integer call() throws Exception {
            check();
            RequestReplyDemo.run(transport);
            return 0;
        }
    }

    @Command(name = "speedup", mixinStandardHelpOptions = true,
            description = "One job (counting primes) over 1 and then WORKERS worker processes, with the speedup it got.")
    static final class Speedup extends MessagingExample {
        static final int MAX_WORKERS = SpeedupDemo.MAX_WORKERS;

        @Parameters(index = "0", arity = "0..1", paramLabel = "WORKERS",
                description = "Worker processes, 1.." + MAX_WORKERS + " (default: the number of processors).")
        Integer workers;

        @Parameters(index = "1", arity = "0..1", paramLabel = "LIMIT",
                description = "Count the primes below this, 1.." + SpeedupDemo.MAX_LIMIT + " (default: "
                        + SpeedupDemo.DEFAULT_LIMIT + ").")
        Long limit;

        @Override
        public void check() {
            super.check();
            if (workers != null && (workers < 1 || workers > MAX_WORKERS)) {
                throw new ParameterException(spec.commandLine(), "WORKERS must be 1.." + MAX_WORKERS + ", not " + workers);
            }
            if (limit != null && (limit < 1 || limit > SpeedupDemo.MAX_LIMIT)) {
                throw new ParameterException(spec.commandLine(), "LIMIT must be 1.." + SpeedupDemo.MAX_LIMIT
                        + ", not " + limit);
            }
            if (!transport.isLocal()) {
                AeronClassPath.classPath(); // the jars are there, or a usage problem now
            }
            String refusal = SpeedupDemo.refusal(transport);
            if (refusal != null) {
                throw new ParameterException(spec.commandLine(), refusal);
            }
        }

        @Override
        boolean network() {
            return true;
        }

        @Override
        public Integer call() throws Exception {
            check();
            int n = workers == null ? Runtime.getRuntime().availableProcessors() : workers;
            long l = limit == null ? SpeedupDemo.DEFAULT_LIMIT : limit;
            if (transport.isLocal()) {
                SpeedupDemo.run(n, l, transport);
                return 0;
            }
            return AeronClassPath.run(SpeedupDemo.class, n + "", l + "", "--transport", transport.name());
        }
    }
}
