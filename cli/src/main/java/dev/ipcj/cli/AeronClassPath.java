package dev.ipcj.cli;

import dev.ipcj.launch.Child;
import dev.ipcj.launch.Launch;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs an example over network mailboxes in a JVM of its own. The command's jar carries Agrona
 * 2.6.0 (the bench measures its ring), and Aeron 1.46.0 needs Agrona 1.23.x: one class path
 * cannot serve both. So the build copies Aeron's client and driver and their Agrona into
 * {@code aeron/} beside the command's jar (cli/target/aeron), and the example runs with those jars
 * first on its class path, followed by the command's own (whose Agrona 2 classes are then never
 * loaded). {@code -Dipcj.aeron.lib=DIR} names another directory. On JDK 23+ these JVMs allow
 * Agrona 1.23's sun.misc.Unsafe memory access, so that JDK 24+ does not warn about it.
 */
final class AeronClassPath {
    private AeronClassPath() {
    }

    /** The directory of the Aeron jars: ipcj.aeron.lib, or aeron/ beside the command's jar or classes. */
    static Path directory() {
        String given = System.getProperty("ipcj.aeron.lib");
        if (given != null && !given.isEmpty()) {
            return Path.of(given);
        }
        try {
            Path self = Path.of(AeronClassPath.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return self.getParent().resolve("aeron");
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return Path.of("aeron");
        }
    }

    /** The Aeron jars, then this JVM's class path; a usage problem when the jars are not there. */
    static String classPath() {
        Path dir = directory();
        String jars;
        try (Stream<Path> s = Files.list(dir)) {
            jars = s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted()
                    .map(Path::toString).collect(Collectors.joining(File.pathSeparator));
        } catch (IOException e) {
            jars = "";
        }
        if (jars.isEmpty()) {
            throw new UsageProblem("no Aeron jars in " + dir + " (the build copies aeron-client, aeron-driver"
                    + " and agrona 1.23 there: rebuild with ./ipcj, or give -Dipcj.aeron.lib=DIR)");
        }
        return jars + File.pathSeparator + System.getProperty("java.class.path");
    }

    /** Runs {@code main} of {@code example} with {@code args} on that class path; its exit status. */
    static int run(Class<?> example, String... args) throws InterruptedException {
        Launch l = Launch.java(example).classPath(classPath()).args(args).inheritIO();
        if (Runtime.version().feature() >= 23 && System.getProperty(Launch.INHERITED_FLAGS) == null) {
            // Agrona 1.23 uses sun.misc.Unsafe's memory access, which JDK 24+ warns about
            // (ipcj's own jar does not, JDK 22+ taking its java.lang.foreign twin)
            String flag = "--sun-misc-unsafe-memory-access=allow";
            l.jvmArgs("-D" + Launch.INHERITED_FLAGS + "=" + flag, flag);
        }
        try (Child c = l.start()) {
            return c.waitFor(Duration.ofDays(1));
        }
    }
}
