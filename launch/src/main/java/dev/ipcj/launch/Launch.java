package dev.ipcj.launch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The one way ipcj's command, benchmarks and examples start a child process: a second JVM on
 * this JVM's class path ({@link #java}) or a program such as a C twin ({@link #program}). The
 * child is a {@link Child}: a ready handshake ({@link Ready}), lines with deadlines, killed on
 * close.
 *
 * <pre>{@code
 * try (Child peer = Launch.java(Peer.class).args("server", name).start()) {
 *     String endpoint = peer.awaitReady(Duration.ofSeconds(10));
 *     ...
 * }
 * }</pre>
 *
 * A child JVM gets this JVM's {@code java}, its class path, the export Agrona and ipcj's
 * benchmarks need ({@code java.base/jdk.internal.misc}), and every {@code ipcj.*} system
 * property of the parent, so that settings such as {@code ipcj.cbin} or a seed reach it.
 */
public final class Launch {
    /**
     * The flags every child JVM gets before the caller's; on JDK 22+ (the child runs this JVM's
     * launcher) also native access for the class path, which JavaCPP's System::loadLibrary and
     * ipcj's java.lang.foreign MemoryAccess need without a warning.
     */
    public static final List<String> JVM_FLAGS = Runtime.version().feature() >= 22
            ? List.of("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED")
            : List.of("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED");

    /**
     * A system property of JVM options (separated by spaces) that every child gets after
     * {@link #JVM_FLAGS}; being an {@code ipcj.*} property it reaches the grandchildren too.
     */
    public static final String INHERITED_FLAGS = "ipcj.launch.jvmFlags";

    private final List<String> command = new ArrayList<>();
    private final List<String> prefix = new ArrayList<>();
    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private final String mainClass;
    private String name;
    private Path stderrFile;
    private boolean inheritIO;
    private String classPath = System.getProperty("java.class.path");

    private Launch(String name, String mainClass, List<String> command) {
        this.name = name;
        this.mainClass = mainClass;
        this.command.addAll(command);
    }

    /** A JVM running {@code main} on this class path. */
    public static Launch java(Class<?> main) {
        return java(main.getName());
    }

    /** A JVM running the class named {@code mainClass} on this class path. */
    public static Launch java(String mainClass) {
        String simple = mainClass.substring(mainClass.lastIndexOf('.') + 1);
        return new Launch(simple, mainClass, List.of(javaExecutable().toString()));
    }

    /** The program at {@code path}. */
    public static Launch program(Path path) {
        return new Launch(path.getFileName().toString(), null, List.of(path.toString()));
    }

    /** This JVM's {@code java} launcher. */
    public static Path javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** Arguments of the program (after the main class for a JVM). */
    public Launch args(String... a) {
        args.addAll(Arrays.asList(a));
        return this;
    }

    /** Arguments of the program (after the main class for a JVM). */
    public Launch args(List<String> a) {
        args.addAll(a);
        return this;
    }

    /** JVM options, after {@link #JVM_FLAGS}; refused for a program. */
    public Launch jvmArgs(String... a) {
        return jvmArgs(Arrays.asList(a));
    }

    /** JVM options, after {@link #JVM_FLAGS}; refused for a program. */
    public Launch jvmArgs(List<String> a) {
        if (mainClass == null) {
            throw new IllegalStateException(name + " is a program, not a JVM: no JVM options");
        }
        jvmArgs.addAll(a);
        return this;
    }

    /**
     * The child's class path instead of this JVM's: e.g. jars that must come before it (the
     * command's network demo puts Aeron and the Agrona 1.x it needs ahead of the command's own
     * jar, which carries Agrona 2.x); refused for a program.
     */
    public Launch classPath(String cp) {
        if (mainClass == null) {
            throw new IllegalStateException(name + " is a program, not a JVM: no class path");
        }
        classPath = java.util.Objects.requireNonNull(cp, "cp");
        return this;
    }

    /** Words put before the command, e.g. {@code taskset -c 1}. */
    public Launch prefix(String... words) {
        prefix.addAll(Arrays.asList(words));
        return this;
    }

    /** The name the child's failures are reported under (default: the class's or program's). */
    public Launch name(String n) {
        this.name = n;
        return this;
    }

    /** The child's stderr goes to {@code file} (its tail is quoted when the child fails). */
    public Launch stderrTo(Path file) {
        this.stderrFile = file;
        return this;
    }

    /** The child's stderr goes to this process's stderr (the default is the parent's as well). */
    public Launch inheritStderr() {
        this.stderrFile = null;
        return this;
    }

    /** All three streams are the parent's: nothing is read, so no ready line can be awaited. */
    public Launch inheritIO() {
        this.inheritIO = true;
        return this;
    }

    /** The whole command line the child is started with. */
    public List<String> command() {
        List<String> c = new ArrayList<>(prefix);
        c.addAll(command);
        if (mainClass != null) {
            c.addAll(JVM_FLAGS);
            for (String k : System.getProperties().stringPropertyNames()) {
                if (k.startsWith("ipcj.")) {
                    c.add("-D" + k + "=" + System.getProperty(k));
                }
            }
            String inherited = System.getProperty(INHERITED_FLAGS, "").trim();
            if (!inherited.isEmpty()) {
                c.addAll(Arrays.asList(inherited.split("\\s+")));
            }
            c.addAll(jvmArgs);
            c.add("-cp");
            c.add(classPath);
            c.add(mainClass);
        }
        c.addAll(args);
        return c;
    }

    /** Starts the child. */
    public Child start() {
        ProcessBuilder pb = new ProcessBuilder(command());
        if (inheritIO) {
            pb.inheritIO();
        } else if (stderrFile != null) {
            pb.redirectError(stderrFile.toFile());
        } else {
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        }
        try {
            return new Child(name, pb.start(), stderrFile, !inheritIO);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }
}
