package dev.ipcj.bench;

import dev.ipcj.launch.Child;
import dev.ipcj.launch.Launch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The library's C peers (src/test/c, built by cmake/ into target/cmake) that the benchmarks run
 * against: found under {@code -Dipcj.cbin=DIR}, else target/cmake under the working directory
 * or its parent (the root, or bench/), and started through {@link Launch}.
 */
final class CPeers {
    private CPeers() {
    }

    /** The C peer {@code name}, or an exception saying how to build it. */
    static Path path(String name) {
        String dir = System.getProperty("ipcj.cbin");
        String[] dirs = dir != null ? new String[] {dir} : new String[] {"target/cmake", "../target/cmake"};
        for (String d : dirs) {
            Path p = Path.of(d, name).toAbsolutePath();
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new IllegalStateException(name + " not found in " + String.join(" or ", dirs)
                + ": run mvn install at the project root first, or pass -Dipcj.cbin=DIR (with -jvmArgsAppend)");
    }

    /** Starts the C peer {@code name} with {@code args} and waits up to 10 s for its ready line. */
    static Child startReady(String name, String... args) throws InterruptedException {
        Child c = Launch.program(path(name)).args(args).start();
        try {
            c.awaitReady(Duration.ofSeconds(10));
            return c;
        } catch (RuntimeException | InterruptedException e) {
            c.close();
            throw e;
        }
    }
}
