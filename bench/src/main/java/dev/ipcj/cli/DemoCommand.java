package dev.ipcj.cli;

import dev.ipcj.examples.BufferingDemo;
import dev.ipcj.examples.NamingDemo;
import dev.ipcj.examples.ProducerConsumerDemo;
import dev.ipcj.examples.SpeedupDemo;
import dev.ipcj.examples.SynchronizationDemo;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ipcj demo [NAME] [ARGS]}: the runnable examples, each a few processes talking. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs an example; with no NAME the producer/consumer bounded buffer.",
            "NAME: producer-consumer [ITEMS] | naming | sync | buffering | speedup [WORKERS]",
            "(naming, sync and buffering take --transport POSIX_MQ|SYSTEM_V|RING|SHM_LOG)"})
final class DemoCommand implements Callable<Integer> {
    /** The examples by name, in the order the help lists them. */
    static final Map<String, Example> EXAMPLES = new LinkedHashMap<>();

    static {
        EXAMPLES.put("producer-consumer", ProducerConsumerDemo::main);
        EXAMPLES.put("naming", NamingDemo::main);
        EXAMPLES.put("sync", SynchronizationDemo::main);
        EXAMPLES.put("buffering", BufferingDemo::main);
        EXAMPLES.put("speedup", SpeedupDemo::main);
    }

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "NAME [ARGS]")
    List<String> args = List.of();

    @Override
    public Integer call() throws Exception {
        String name = "producer-consumer";
        List<String> rest = args;
        if (!args.isEmpty() && EXAMPLES.containsKey(args.get(0))) {
            name = args.get(0);
            rest = args.subList(1, args.size());
        } else if (!args.isEmpty() && !args.get(0).matches("\\d+")) {
            spec.commandLine().getErr().println("ipcj demo: no example '" + args.get(0) + "'; choose one of "
                    + EXAMPLES.keySet());
            return 2;
        }
        EXAMPLES.get(name).run(rest.toArray(new String[0]));
        return 0;
    }

    /** An example's main method. */
    @FunctionalInterface
    interface Example {
        void run(String[] args) throws Exception;
    }

    @Override
    public String toString() {
        return "demo " + Arrays.toString(args.toArray());
    }
}
