package dev.ipcj.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/** {@code ipcj demo}: the producer/consumer example, when this build contains it. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Runs the producer/consumer demo (dev.ipcj.examples.ProducerConsumerDemo).")
final class DemoCommand implements Callable<Integer> {
    static final String DEMO_CLASS = "dev.ipcj.examples.ProducerConsumerDemo";

    @Unmatched
    List<String> args = List.of();

    @Override
    public Integer call() throws Exception {
        Class<?> c;
        try {
            c = Class.forName(DEMO_CLASS);
        } catch (ClassNotFoundException e) {
            System.err.println("ipcj demo: " + DEMO_CLASS + " is not in this build");
            return 1;
        }
        Method m = c.getMethod("main", String[].class);
        try {
            m.invoke(null, (Object) args.toArray(new String[0]));
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
        return 0;
    }
}
