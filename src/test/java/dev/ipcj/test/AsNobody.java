package dev.ipcj.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a main class of the tests in a JVM as user nobody (65534, no groups, no capabilities),
 * through {@code setpriv}, for tests of what another user may do with this user's objects.
 * Only root can switch users: check {@link #available()} with an assumption first.
 */
public final class AsNobody {
    private AsNobody() {
    }

    /** Whether this JVM can start one: it runs as root and setpriv is installed. */
    public static boolean available() {
        return Files.isExecutable(Path.of("/usr/bin/setpriv")) && "root".equals(System.getProperty("user.name"));
    }

    /** Runs {@code main} as nobody and returns its exit status and output. */
    public static ChildJvm.Result run(Class<?> main, int seconds, String... args) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("ipcj-nobody", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        try {
            String cp = readableClasspath(dir);
            Path cache = Files.createDirectory(dir.resolve("cache"));
            Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
            List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                    "-Xshare:auto", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-CreateCoredumpOnCrash",
                    "-XX:ErrorFile=/tmp/ipcj-test-hs_err_%p.log",
                    "-Duser.home=" + dir, "-Dorg.bytedeco.javacpp.cachedir=" + cache, "-cp", cp, main.getName()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            try {
                String out = Processes.waitFor(p, seconds);
                return new ChildJvm.Result(p.exitValue(), out, false);
            } finally {
                p.destroyForcibly();
            }
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** This JVM's classpath with every jar copied where user nobody can read it. */
    private static String readableClasspath(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        int i = 0;
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(e);
            if (Files.isRegularFile(p)) {
                Path copy = dir.resolve(i++ + "-" + p.getFileName());
                Files.copy(p, copy);
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
                out.add(copy.toString());
            } else if (Files.isDirectory(p)) {
                out.add(p.toAbsolutePath().toString()); // target/classes: readable by all
            }
        }
        return String.join(java.io.File.pathSeparator, out);
    }
}
