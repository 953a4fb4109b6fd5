package dev.ipcj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipcj.log.SharedLog;
import dev.ipcj.msg.Mailbox;
import dev.ipcj.posix.MessageQueue;
import dev.ipcj.posix.NamedSemaphore;
import dev.ipcj.posix.SharedMemory;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README cannot drift from the code: every {@code ```java} block of README.md compiles
 * (for Java 17) as a user would paste it, its imports on top and its statements in a
 * {@code main}, and runs twice in a row in a fresh JVM, both times with status 0 (a snippet that
 * leaves its objects behind fails its second run with EEXIST); afterwards none of the names the
 * snippets use exists. Every {@code ./ipcj ...} command the README shows is accepted by the
 * command's parser and checks (run nothing: {@code Main.check}).
 *
 * <p>A block whose first line starts with {@value #COMPILE_ONLY} (one that needs another machine
 * or an optional dependency, e.g. the udp:// mailboxes' Aeron) is compiled and not run.
 *
 * <p>The snippets use fixed names ("/orders", "/jobs", ...): the test takes a machine-wide file
 * lock so that two checkouts running it at once take turns, and skips (never removes anything)
 * if one of the names is in use on this machine before it starts.
 */
class ReadmeTest {
    private static final Path README = Path.of(System.getProperty("ipcj.readme", "../README.md"));
    static final String COMPILE_ONLY = "// compiled, not run, by ReadmeTest";
    private static final Pattern BLOCK = Pattern.compile("(?s)```java\\n(.*?)```");
    private static final Pattern NAME = Pattern.compile("\"(/[A-Za-z0-9._-]+)\"");
    private static final Pattern REGISTERED = Pattern.compile("register\\(\"([A-Za-z0-9._-]+)\"\\)");

    @TempDir
    Path work;

    static List<String> javaBlocks() throws IOException {
        List<String> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(Files.readString(README));
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    /** A block as a class: its import lines first, the rest as the body of main. */
    static String asClass(String className, String block) {
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : block.split("\n", -1)) {
            if (line.startsWith("import ")) {
                imports.append(line).append('\n');
            } else {
                body.append("        ").append(line).append('\n');
            }
        }
        return imports + "\npublic class " + className + " {\n    public static void main(String[] args) throws Exception {\n"
                + body + "    }\n}\n";
    }

    @Test
    void everyJavaSnippetCompilesAndRunsTwiceLeavingNothingBehind() throws Exception {
        List<String> blocks = javaBlocks();
        assertTrue(blocks.size() >= 3, "java blocks in " + README + ": " + blocks.size());
        Set<String> names = new LinkedHashSet<>();
        Set<String> registered = new LinkedHashSet<>();
        for (String b : blocks) {
            Matcher m = NAME.matcher(b);
            while (m.find()) {
                names.add(m.group(1));
            }
            Matcher r = REGISTERED.matcher(b);
            while (r.find()) {
                registered.add(r.group(1));
            }
        }

        Path src = Files.createDirectories(work.resolve("src"));
        Path classes = Files.createDirectories(work.resolve("classes"));
        List<String> files = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            Path f = src.resolve("ReadmeSnippet" + (i + 1) + ".java");
            Files.writeString(f, asClass("ReadmeSnippet" + (i + 1), blocks.get(i)));
            files.add(f.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        java.io.ByteArrayOutputStream diagnostics = new java.io.ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("--release", "17", "-Xlint:none", "-proc:none",
                "-cp", System.getProperty("java.class.path"), "-d", classes.toString()));
        args.addAll(files);
        int rc = javac.run(null, diagnostics, diagnostics, args.toArray(new String[0]));
        assertEquals(0, rc, "README's java blocks do not compile:\n" + diagnostics.toString(StandardCharsets.UTF_8) + "\n" + sources(src));

        try (FileChannel lockFile = FileChannel.open(Path.of(System.getProperty("java.io.tmpdir"), "ipcj-readme-snippets.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = lockFile.lock()) {
            for (String n : names) {
                Assumptions.assumeFalse(exists(n), "README's name " + n + " is in use on this machine: not running the snippets");
            }
            for (String r : registered) {
                Assumptions.assumeFalse(Files.exists(Path.of("/dev/shm/ipcj-name." + r)),
                        "README's registered name " + r + " is in use on this machine");
            }
            try {
                for (int i = 0; i < blocks.size(); i++) {
                    if (blocks.get(i).startsWith(COMPILE_ONLY)) {
                        continue;
                    }
                    for (int run = 1; run <= 2; run++) {
                        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                                "-cp", classes + ":" + System.getProperty("java.class.path"), "ReadmeSnippet" + (i + 1))
                                .redirectErrorStream(true).start();
                        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "README java block " + (i + 1) + " hangs");
                        assertEquals(0, p.exitValue(), "README java block " + (i + 1) + ", run " + run + ":\n" + output
                                + "\n" + asClass("ReadmeSnippet" + (i + 1), blocks.get(i)));
                    }
                }
                for (String n : names) {
                    assertFalse(exists(n), "README's java blocks leave " + n + " behind");
                }
                for (String r : registered) {
                    assertFalse(Files.exists(Path.of("/dev/shm/ipcj-name." + r)), "README leaves the name " + r);
                }
            } finally {
                // The names did not exist before (checked above under the lock): what is there now is ours.
                for (String n : names) {
                    removeQuietly(n);
                }
                for (String r : registered) {
                    Files.deleteIfExists(Path.of("/dev/shm/ipcj-name." + r));
                }
            }
        }
    }

    @Test
    void everyDocumentedCommandIsAccepted() throws IOException {
        List<String[]> commands = commands(Files.readString(README));
        assertTrue(commands.size() >= 10, "./ipcj commands in " + README + ": " + commands.size());
        for (String[] c : commands) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int status = Main.check(new PrintWriter(out, true), new PrintWriter(err, true), c);
            assertEquals(0, status, "README: ./ipcj " + String.join(" ", c) + "\n" + err);
        }
    }

    /** Every "./ipcj ARGS" line of a sh block (before its # comment) and every `./ipcj ARGS` span. */
    static List<String[]> commands(String readme) {
        List<String[]> out = new ArrayList<>();
        Matcher sh = Pattern.compile("(?s)```sh\\n(.*?)```").matcher(readme);
        while (sh.find()) {
            for (String line : sh.group(1).split("\n")) {
                if (line.startsWith("./ipcj ") || line.equals("./ipcj")) {
                    add(out, line.replaceFirst("\\s+#.*$", ""));
                }
            }
        }
        Matcher span = Pattern.compile("`(\\./ipcj(?: [^`]*)?)`").matcher(readme);
        while (span.find()) {
            add(out, span.group(1));
        }
        return out;
    }

    private static void add(List<String[]> out, String command) {
        String args = command.trim().substring("./ipcj".length()).trim();
        if (!args.isEmpty()) {
            out.add(args.split("\\s+"));
        }
    }

    private static boolean exists(String name) {
        String file = name.substring(1);
        if (Files.exists(Path.of("/dev/shm", file)) || Files.exists(Path.of("/dev/shm", "sem." + file))
                || Files.exists(Path.of("/dev/shm", file + ".log"))) {
            return true;
        }
        try (MessageQueue q = MessageQueue.open(name)) {
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void removeQuietly(String name) {
        for (Runnable r : List.<Runnable>of(() -> Mailbox.unlinkIfExists(name), () -> SharedMemory.unlinkIfExists(name),
                () -> NamedSemaphore.unlinkIfExists(name), () -> MessageQueue.unlinkIfExists(name),
                () -> SharedLog.unlinkIfExists(name))) {
            try {
                r.run();
            } catch (RuntimeException e) {
                // the next one must still run
            }
        }
    }

    private static String sources(Path src) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (var s = Files.list(src)) {
            for (Path p : s.sorted().toList()) {
                sb.append("--- ").append(p.getFileName()).append('\n').append(Files.readString(p));
            }
        }
        return sb.toString();
    }
}
