package dev.ipcj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ipcj.cli.compare.Mechanism;
import dev.ipcj.cli.compare.Mechanisms;
import dev.ipcj.test.Adversarial;
import dev.ipcj.test.Gen;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the command line: random and malformed options and arguments for every subcommand,
 * seeded ({@link Adversarial}: {@code -Dipcj.adversarial.seed=} repeats a run,
 * {@code ./run-tests --long} makes it 20 times larger). The oracle, for each command line:
 * status 0, 1 or 2; a failure is exactly one line on stderr naming the command, a success
 * writes nothing to stderr; never a stack trace; no hang (each call has a deadline); and,
 * after all, no object left behind by this JVM.
 *
 * <p>The parser runs in this JVM ({@link Main#check}: parse and check every value, run
 * nothing, so no benchmark or demo starts); {@code ls}, {@code limits}, {@code help} and
 * {@code rm --dry-run} also run for real, since they are quick and remove nothing. A few command
 * lines go through a real {@code java ... dev.ipcj.cli.Main} launch, to see the exit status
 * and stderr a shell sees.
 */
class CliFuzzTest {
    private static final long ME = ProcessHandle.current().pid();
    private static final String[] SUBCOMMANDS = {"bench", "ls", "rm", "limits", "demo", "jmh", "help"};
    private static final String[] BENCH_OPTIONS = {"-m", "--mechanisms", "-s", "--sizes", "-n", "--iterations",
            "--messages", "--stream-bytes", "--duration", "--lang", "--pin", "--out", "--timeout", "--progress", "--dry-run", "-h",
            "--help", "-V"};
    private static final String[] RM_OPTIONS = {"--dead", "--force", "-n", "--dry-run", "-h"};
    private static final String[] LS_OPTIONS = {"--ipcj", "--dead", "-h"};
    private static final String[] DEMO_WORDS = {"producer-consumer", "naming", "sync", "buffering", "speedup",
            "--transport", "POSIX_MQ", "SYSTEM_V", "RING", "SHM_LOG", "ring", "-h"};
    private static final String[] JMH_OPTIONS = {"-f", "-wi", "-i", "-t", "-bm", "-tu", "-l", "-lp", "-h", "-p",
            "-e", "-rf", "-prof", "MessagingBenchmark", ".*Ring.*"};

    @Test
    void randomCommandLinesEndInAStatusAndAtMostOneLine() {
        Gen g = Gen.of("CliFuzzTest");
        Set<String> before = mine();
        int trials = Adversarial.trials(250);
        int ran = 0;
        for (int i = 0; i < trials; i++) {
            String[] args = commandLine(g);
            boolean real = runsSafely(args) && g.chance(0.25);
            if (real) {
                ran++;
            }
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            String[] effective = real && args.length > 0 && args[0].equals("rm") ? dryRun(args) : args;
            int status;
            try {
                status = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> real
                        ? Main.run(new PrintWriter(out, true), new PrintWriter(err, true), effective)
                        : Main.check(new PrintWriter(out, true), new PrintWriter(err, true), effective),
                        () -> Adversarial.describe("trial " + describe(effective) + " hangs"));
            } catch (RuntimeException e) {
                fail(Adversarial.describe("trial " + describe(effective) + " threw " + e), e);
                return;
            }
            check(describe(effective) + (real ? " (run)" : " (checked)"), status, out.toString(), err.toString());
        }
        assertTrue(ran > 0 || trials < 20, "no command line ran for real");
        assertEquals(before, mine(), Adversarial.describe("objects left behind"));
    }

    @Test
    void aShellSeesStatusTwoAndOneLine() throws Exception {
        Gen g = Gen.of("CliFuzzTest.launch");
        List<String[]> lines = new ArrayList<>(List.of(
                new String[] {"demo", "speedup", "x"},
                new String[] {"jmh", "--bogus"},
                new String[] {"bench", "--progress", "foo"}));
        while (lines.size() < 3 + Adversarial.trials(2)) {
            String[] a = commandLine(g);
            if (Arrays.stream(a).noneMatch(s -> s.indexOf('\0') >= 0)) {
                lines.add(a);
            }
        }
        for (String[] a : lines) {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                    "-Dipcj.cbin=" + System.getProperty("ipcj.cbin", "target/cmake"),
                    "-cp", System.getProperty("java.class.path"), CheckOnly.class.getName()));
            cmd.addAll(Arrays.asList(a));
            Process p = new ProcessBuilder(cmd).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(Adversarial.describe(describe(a) + " hangs"));
            }
            // JDK 24+ warns on stderr when JavaCPP loads a JNI library without --enable-native-access
            // (issue 13's matter, not the command's): those lines are the JVM's, not ipcj's.
            String ours = err.lines().filter(l -> !l.startsWith("WARNING: ")).map(l -> l + "\n")
                    .collect(Collectors.joining());
            check(describe(a) + " (launched)", p.exitValue(), out, ours);
        }
    }

    /** {@code main} of a launched JVM: {@link Main#check} with System.exit, as Main.main does with run. */
    public static final class CheckOnly {
        public static void main(String[] args) {
            System.exit(Main.check(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
        }
    }

    private static void check(String what, int status, String out, String err) {
        String ctx = Adversarial.describe(what) + "\n--- stdout:\n" + clip(out) + "\n--- stderr:\n" + err;
        assertTrue(status == 0 || status == 1 || status == 2, "status " + status + ": " + ctx);
        for (String s : new String[] {out, err}) {
            assertTrue(!s.contains("\tat ") && !s.contains("Exception in thread") && !s.contains("Caused by:"),
                    "a stack trace: " + ctx);
        }
        if (status == 0) {
            assertTrue(err.isEmpty(), "status 0 but stderr: " + ctx);
        } else {
            assertEquals(1, err.lines().count(), "not one line on stderr: " + ctx);
            assertTrue(err.startsWith("ipcj"), "stderr does not name the command: " + ctx);
        }
    }

    // ------------------------------------------------------------------ generating command lines

    static String[] commandLine(Gen g) {
        List<String> a = new ArrayList<>();
        if (g.chance(0.05)) {
            return new String[0];
        }
        String sub = g.chance(0.08) ? junk(g) : g.oneOf(SUBCOMMANDS);
        a.add(sub);
        int n = g.random().nextInt(6);
        for (int i = 0; i < n; i++) {
            a.add(token(g, sub));
        }
        return a.toArray(new String[0]);
    }

    private static String token(Gen g, String sub) {
        switch (g.random().nextInt(10)) {
            case 0:
                return junk(g);
            case 1:
                return Integer.toString(g.anyInt(-5, 100_000));
            case 2:
                return Long.toString(g.anyLong(-5, 1L << 40));
            case 3: {
                String v = g.anyName("/ipcj-fuzz-" + ME + "-x");
                return v == null ? "" : v;
            }
            default:
                break;
        }
        switch (sub) {
            case "bench": {
                String o = g.oneOf(BENCH_OPTIONS);
                return g.chance(0.5) ? o + "=" + benchValue(g) : o;
            }
            case "rm":
                return g.chance(0.5) ? g.oneOf(RM_OPTIONS) : g.oneOf("/ipcj-fuzz-" + ME + "-*", "shm:-1", "msg:x",
                        "sem:99999999999", "/ipcj-pid-" + ME, "*nomatch-" + ME + "*");
            case "ls":
                return g.oneOf(LS_OPTIONS);
            case "demo":
                return g.oneOf(DEMO_WORDS);
            case "jmh":
                return g.oneOf(JMH_OPTIONS);
            case "help":
                return g.oneOf(SUBCOMMANDS);
            default:
                return benchValue(g);
        }
    }

    private static String benchValue(Gen g) {
        List<String> ids = Mechanisms.ALL.stream().map(Mechanism::id).toList();
        switch (g.random().nextInt(9)) {
            case 0: return g.oneOf(ids.toArray(new String[0])) + "," + g.oneOf("mq", "ring", "", "agrona");
            case 1: return g.oneOf("8", "64K", "16M", "17M", "4", "1KiB", "9999999999999K", "", ",", "8,,64");
            case 2: return g.oneOf("java", "c", "java,c", "rust", "");
            case 3: return g.oneOf("0,1", "1", "-1,0", "0,99", ",", "a,b", "0,1,2");
            case 4: return g.oneOf("bar", "lines", "auto", "LINES", "foo", "");
            case 5: return g.oneOf("/nonexistent/dir/x", "/dev/null", System.getProperty("java.io.tmpdir"));
            case 6: return g.oneOf("2s", "10ms", "9ms", "0", "1.5s", "1m", "61m", "-1s", "soon", "1e3");
            default: return Integer.toString(g.anyInt(-1, 1000));
        }
    }

    private static String junk(Gen g) {
        switch (g.random().nextInt(8)) {
            case 0: return "";
            case 1: return "-";
            case 2: return "--";
            case 3: return "--" + "x".repeat(1 + g.random().nextInt(300));
            case 4: return "line\nbreak";
            case 5: return "\u00e9\u4e2d\u0001\u007f";
            case 6: return "=";
            default: return "-" + (char) ('a' + g.random().nextInt(26));
        }
    }

    /** ls, limits and help remove nothing and start nothing; rm does neither under --dry-run. */
    private static boolean runsSafely(String[] args) {
        return args.length > 0 && Set.of("ls", "limits", "help", "rm").contains(args[0]);
    }

    /** {@code rm -n ARGS}: the dry run first, so that no later "--" can make it a name. */
    private static String[] dryRun(String[] args) {
        String[] a = new String[args.length + 1];
        a[0] = "rm";
        a[1] = "-n";
        System.arraycopy(args, 1, a, 2, args.length - 1);
        return a;
    }

    private static String describe(String[] args) {
        return "ipcj " + Arrays.stream(args).map(s -> "'" + s.replace("\n", "\\n").replace("\0", "\\0") + "'")
                .collect(Collectors.joining(" "));
    }

    private static String clip(String s) {
        return s.length() > 2000 ? s.substring(0, 2000) + "..." : s;
    }

    /** What this JVM could have left: /dev/shm and /tmp names carrying its pid, System V segments it created. */
    private static Set<String> mine() {
        Set<String> s = new TreeSet<>();
        for (Path dir : List.of(Path.of("/dev/shm"), Path.of(System.getProperty("java.io.tmpdir")))) {
            try (Stream<Path> l = Files.list(dir)) {
                l.map(p -> p.getFileName().toString()).filter(n -> n.contains("-" + ME + "-"))
                        .forEach(s::add);
            } catch (IOException e) {
                // not listed
            }
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/sysvipc/shm"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 4 && f[4].equals(Long.toString(ME))) { // key shmid perms size cpid ...
                    s.add("shm:" + f[1]);
                }
            }
        } catch (IOException e) {
            // not listed
        }
        return s;
    }
}
