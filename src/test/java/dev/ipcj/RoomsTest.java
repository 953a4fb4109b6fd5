package dev.ipcj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The library's rooms use each other only downwards, as the README's Architecture section
 * draws them: every reference to a {@code dev/ipcj/...} class in a compiled class file (its
 * constant pool names them) must point into the class's own package or one it may use.
 */
class RoomsTest {
    /** Each package (after dev.ipcj; "" is dev.ipcj itself) and the packages it may use. */
    private static final Map<String, Set<String>> MAY_USE = Map.of(
            "jni", Set.of(),
            "internal", Set.of("", "jni"),
            "", Set.of("internal", "jni"),
            "posix", Set.of("", "internal", "jni"),
            "sysv", Set.of("", "internal", "jni"),
            "ring", Set.of("", "internal", "jni", "posix"),
            "log", Set.of("", "internal", "jni"),
            "broadcast", Set.of("", "internal", "jni", "posix"),
            "msg", Set.of("", "internal", "jni", "posix", "sysv", "ring", "log"));
    /** Known exceptions, by class file and room ("X.class -> room"): none; a new one is a debt to name here. */
    private static final Set<String> EXCEPTIONS = Set.of();
    private static final Pattern REF = Pattern.compile("dev/ipcj/((?:[a-z0-9]+/)*)[A-Z][A-Za-z0-9_$]*");

    @Test
    void everyRoomUsesOnlyTheRoomsBelowIt() throws IOException {
        Path classes = Path.of("target/classes/dev/ipcj");
        assertTrue(Files.isDirectory(classes), "run from the module root after compiling");
        Set<String> wrong = new TreeSet<>();
        Set<String> unknown = new TreeSet<>();
        try (Stream<Path> s = Files.walk(classes)) {
            for (Path p : (Iterable<Path>) s.filter(f -> f.toString().endsWith(".class"))::iterator) {
                String from = pkg(classes.relativize(p.getParent()).toString().replace('\\', '/'));
                Set<String> allowed = MAY_USE.get(from);
                if (allowed == null) {
                    unknown.add(from);
                    continue;
                }
                Matcher m = REF.matcher(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
                while (m.find()) {
                    String to = pkg(m.group(1).isEmpty() ? "" : m.group(1).substring(0, m.group(1).length() - 1));
                    if (!to.equals(from) && !allowed.contains(to) && !EXCEPTIONS.contains(p.getFileName() + " -> " + to)) {
                        wrong.add("dev.ipcj" + dotted(from) + " -> dev.ipcj" + dotted(to) + " (" + p.getFileName() + ")");
                    }
                }
            }
        }
        assertEquals(Set.of(), unknown, "packages with no place in the rooms (add them to MAY_USE and the README)");
        assertEquals(Set.of(), wrong, "references against the rooms' order");
    }

    /** The room of a package path below dev/ipcj: its first segment ("" for dev.ipcj itself). */
    private static String pkg(String rel) {
        int slash = rel.indexOf('/');
        return slash < 0 ? rel : rel.substring(0, slash);
    }

    private static String dotted(String room) {
        return room.isEmpty() ? "" : "." + room;
    }
}
