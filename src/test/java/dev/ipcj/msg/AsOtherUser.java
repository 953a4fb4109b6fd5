package dev.ipcj.msg;

import dev.ipcj.test.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Runs a main class of the tests in a JVM as user nobody (setpriv), as MessageQueueLimitsTest does. */
final class AsOtherUser {
    private AsOtherUser() {
    }

    static boolean available() {
        return Files.isExecutable(Path.of("/usr/bin/setpriv")) && "root".equals(System.getProperty("user.name"));
    }

    /** Runs {@code main} with {@code args} as uid/gid 65534 and returns its output (it must exit 0). */
    static String run(Class<?> main, String... args) throws Exception {
        Path dir = Files.createTempDirectory("ipcj-msg-user", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        try {
            String cp = readableClasspath(dir);
            Path cache = Files.createDirectory(dir.resolve("cache"));
            Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
            List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:auto",
                    "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Duser.home=" + dir,
                    "-Dorg.bytedeco.javacpp.cachedir=" + cache, "-cp", cp, main.getName()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            return Processes.finish(p, 60);
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

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
                out.add(p.toAbsolutePath().toString());
            }
        }
        return String.join(java.io.File.pathSeparator, out);
    }
}
