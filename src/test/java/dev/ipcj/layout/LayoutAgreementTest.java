package dev.ipcj.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipcj.log.LogLayout;
import dev.ipcj.broadcast.BroadcastLayout;
import dev.ipcj.msg.Transport;
import dev.ipcj.ring.RingLayout;
import dev.ipcj.ring.RingVariant;
import dev.ipcj.test.Processes;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each shared layout has one owner on each side, and they agree: the ring's (RingLayout and
 * ipcj_ring.h), the message envelope's (Envelope and ipcj_msg.h's IPCJ_MSG_*), the mailbox
 * header's (MailboxHeader and IPCJ_MBX_*), the shared log's (LogLayout and ipcj_log.h's
 * IPCJ_LOG_*) and the broadcast ring's (BroadcastLayout and ipcj_broadcast.h's IPCJ_BCAST_*).
 *
 * <p>The C side is read from the headers themselves, not from a hand-kept list: every
 * object-like {@code #define IPCJ_RING_* / IPCJ_MSG_* / IPCJ_MBX_* / IPCJ_LOG_* / IPCJ_BCAST_*} is found by scanning the
 * header, and a C program generated here prints the value the compiler gives it. Every C
 * constant must then have its Java twin with the same value, and every numeric constant of the
 * Java owner its C twin, so that a constant added, changed or removed on one side only fails
 * here. The ring's and the log's record-size formulas are compared the same way, over lengths around every
 * alignment step.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LayoutAgreementTest {
    private static final Pattern DEFINE = Pattern.compile("^#define\\s+(IPCJ_(RING|MSG|MBX|LOG|BCAST)_[A-Z0-9_]+)\\s+\\S.*$",
            Pattern.MULTILINE);
    private static final int[] LENGTHS = {0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 4087, 4088, 4089, (1 << 30) - 9};

    /** C-only macros that are no layout: include guards and build switches. */
    private static final List<String> NOT_LAYOUT = List.of("IPCJ_RING_H", "IPCJ_MSG_H", "IPCJ_LOG_H", "IPCJ_RING_HAS_WINDOWS",
            // the C liveness check's return codes (ProcessIdentity's private DEAD/UNKNOWN): no layout
            "IPCJ_BCAST_DEAD", "IPCJ_BCAST_UNKNOWN");

    private static Map<String, Long> c;
    private static Map<Integer, Long> cRecordSize;
    private static Map<Integer, Long> cLogRecordSize;
    private static Map<Integer, Long> cBcastRecordSize;

    @BeforeAll
    static void readTheCHeaders() throws Exception {
        Path include = Path.of("src/main/c").toAbsolutePath();
        List<String> names = new ArrayList<>();
        for (String h : List.of("ipcj_ring.h", "ipcj_msg.h", "ipcj_log.h", "ipcj_broadcast.h")) {
            Matcher m = DEFINE.matcher(Files.readString(include.resolve(h)));
            while (m.find()) {
                if (!NOT_LAYOUT.contains(m.group(1))) {
                    names.add(m.group(1));
                }
            }
        }
        StringBuilder src = new StringBuilder("#define _GNU_SOURCE\n#include <stdio.h>\n#include \"ipcj_ring.h\"\n"
                + "#include \"ipcj_msg.h\"\n#include \"ipcj_log.h\"\n#include \"ipcj_broadcast.h\"\nint main(void) {\n");
        for (String n : names) {
            src.append("    printf(\"%s %lld\\n\", \"").append(n).append("\", (long long)(").append(n).append("));\n");
        }
        for (int len : LENGTHS) {
            src.append("    printf(\"record_size(").append(len).append(") %lld\\n\", (long long)ipcj_ring_record_size(")
                    .append(len).append("u));\n");
            src.append("    printf(\"log_record_size(").append(len).append(") %lld\\n\", (long long)ipcj_log_record_size(")
                    .append(len).append("u));\n");
            src.append("    printf(\"bcast_record_size(").append(len).append(") %lld\\n\", (long long)ipcj_bcast_record_size(")
                    .append(len).append("u));\n");
        }
        src.append("    return 0;\n}\n");
        Path dir = Path.of("target/layout").toAbsolutePath();
        Files.createDirectories(dir);
        Path file = dir.resolve("layout_constants.c");
        Files.writeString(file, src);
        Path exe = dir.resolve("layout_constants");
        Process cc = new ProcessBuilder("cc", "-std=gnu11", "-O0", "-I" + include, "-o", exe.toString(), file.toString(),
                "-lrt", "-lpthread").redirectErrorStream(true).start();
        String diagnostics = Processes.waitFor(cc, 90);
        assertEquals(0, cc.exitValue(), "the generated program does not compile:\n" + diagnostics);
        String out = Processes.waitFor(new ProcessBuilder(exe.toString()).redirectErrorStream(true).start(), 30);
        c = new TreeMap<>();
        cRecordSize = new TreeMap<>();
        cLogRecordSize = new TreeMap<>();
        cBcastRecordSize = new TreeMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f[0].startsWith("log_record_size(")) {
                cLogRecordSize.put(Integer.parseInt(f[0].substring(16, f[0].length() - 1)), Long.parseLong(f[1]));
            } else if (f[0].startsWith("bcast_record_size(")) {
                cBcastRecordSize.put(Integer.parseInt(f[0].substring(18, f[0].length() - 1)), Long.parseLong(f[1]));
            } else if (f[0].startsWith("record_size(")) {
                cRecordSize.put(Integer.parseInt(f[0].substring(12, f[0].length() - 1)), Long.parseLong(f[1]));
            } else if (f.length == 2) {
                c.put(f[0], Long.parseLong(f[1]));
            }
        }
        assertEquals(names.size(), c.size(), "every constant printed: " + out);
    }

    @Test
    void theRingLayoutAgrees() throws Exception {
        Map<String, Long> java = numericConstants(RingLayout.class);
        // The spin and stall budgets are defaults of tunable properties, owned by the classes that use them.
        java.put("SPIN_NANOS", fieldValue(Class.forName("dev.ipcj.ring.SharedRing"), "SPIN_NANOS"));
        java.put("STALL_NANOS", fieldValue(Class.forName("dev.ipcj.ring.RingConsumer"), "STALL_NANOS"));
        java.put("ONE_TO_ONE", (long) variantCode("ONE_TO_ONE"));
        java.put("MANY_TO_ONE", (long) variantCode("MANY_TO_ONE"));
        // FREE (0) is the zero word every fresh ring holds; LENGTH_MAX is Java's bound on a record length field.
        agree("IPCJ_RING_", java, List.of("FREE", "LENGTH_MAX"), LayoutAgreementTest::ringJavaName);
    }

    /**
     * The WaitSet doorbell tables (dev.ipcj.internal.BellTable, ipcj_bell.h): as many slots in
     * every layout as the table has, and each table inside formerly reserved bytes, touching no
     * other field.
     */
    @Test
    void theBellTablesFitTheirLayouts() {
        int slots = dev.ipcj.internal.BellTable.SLOTS;
        int size = dev.ipcj.internal.BellTable.SIZE;
        assertEquals(slots, RingLayout.BELL_SLOTS);
        assertEquals(slots, LogLayout.BELL_SLOTS);
        assertEquals(slots, BroadcastLayout.BELL_SLOTS);
        assertEquals(8 * slots, size);
        assertTrue(RingLayout.READ_BELLS_OFFSET >= RingLayout.PRODUCER_WAITING_OFFSET + 4);
        assertTrue(RingLayout.READ_BELLS_OFFSET + size <= RingLayout.WRITE_BELLS_OFFSET);
        assertTrue(RingLayout.WRITE_BELLS_OFFSET + size <= RingLayout.HEADER_SIZE);
        assertTrue(LogLayout.OFF_ITEMS_BELLS >= LogLayout.OFF_SPACE + 8);
        assertTrue(LogLayout.OFF_ITEMS_BELLS + size <= LogLayout.STATE_SIZE);
        assertTrue(BroadcastLayout.BELLS_OFFSET >= BroadcastLayout.PUBLISHER_WAITING_OFFSET + 4);
        assertTrue(BroadcastLayout.BELLS_OFFSET + size <= BroadcastLayout.SLOTS_OFFSET);
        for (int off : new int[] {RingLayout.READ_BELLS_OFFSET, RingLayout.WRITE_BELLS_OFFSET, LogLayout.OFF_ITEMS_BELLS,
                BroadcastLayout.BELLS_OFFSET}) {
            assertEquals(0, off % 64, "a table starts on its own cache line: " + off);
        }
    }

    @Test
    void theRecordSizeFormulaAgrees() {
        for (int len : LENGTHS) {
            assertEquals(cRecordSize.get(len).longValue(), Integer.toUnsignedLong(RingLayout.recordSize(len)),
                    "record size of a " + len + "-byte payload");
        }
    }

    @Test
    void theLogLayoutAgrees() throws Exception {
        agree("IPCJ_LOG_", numericConstants(LogLayout.class), List.of(), n -> n);
    }

    @Test
    void theLogRecordSizeFormulaAgrees() {
        for (int len : LENGTHS) {
            assertEquals(cLogRecordSize.get(len).longValue(), LogLayout.recordSize(len), "log record size of " + len);
        }
    }

    @Test
    void theBroadcastLayoutAgrees() throws Exception {
        Map<String, Long> java = numericConstants(BroadcastLayout.class);
        // Defaults of tunables and the blocked publisher's slice, owned by the classes that use them.
        java.put("SPIN_NANOS", fieldValue(Class.forName("dev.ipcj.broadcast.BroadcastRing"), "SPIN_NANOS"));
        java.put("BLOCKED_SLICE_NANOS", fieldValue(Class.forName("dev.ipcj.broadcast.BroadcastPublisher"),
                "BLOCKED_SLICE_NANOS"));
        agree("IPCJ_BCAST_", java, List.of(), n -> n);
        for (int len : LENGTHS) {
            assertEquals(cBcastRecordSize.get(len).longValue(), Integer.toUnsignedLong(BroadcastLayout.recordSize(len)),
                    "broadcast record size of a " + len + "-byte payload");
        }
    }

    @Test
    void theEnvelopeLayoutAgrees() throws Exception {
        Map<String, Long> java = numericConstants(Class.forName("dev.ipcj.msg.Envelope"));
        java.put("ENVELOPE_SIZE", java.remove("SIZE"));
        agree("IPCJ_MSG_", java, List.of(), n -> n);
    }

    @Test
    void theMailboxHeaderLayoutAgrees() throws Exception {
        Map<String, Long> java = numericConstants(Class.forName("dev.ipcj.msg.MailboxHeader"));
        for (Transport t : Transport.values()) {
            java.put(t.name(), (long) t.code());
        }
        // MAX_MESSAGE_SIZE is Java's API bound, no field of the header.
        agree("IPCJ_MBX_", java, List.of("MAX_MESSAGE_SIZE"), n -> n);
    }

    /** Java's name for a ring constant: C's OFF_X is Java's X_OFFSET (RingLayout's public names). */
    private static String ringJavaName(String cSuffix) {
        return cSuffix.startsWith("OFF_") ? cSuffix.substring(4) + "_OFFSET" : cSuffix;
    }

    private static void agree(String prefix, Map<String, Long> java, List<String> javaOnly,
                              java.util.function.UnaryOperator<String> javaName) {
        Map<String, Long> cSide = new LinkedHashMap<>();
        c.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                cSide.put(javaName.apply(k.substring(prefix.length())), v);
            }
        });
        TreeSet<String> cOnly = new TreeSet<>(cSide.keySet());
        cOnly.removeAll(java.keySet());
        TreeSet<String> jOnly = new TreeSet<>(java.keySet());
        jOnly.removeAll(cSide.keySet());
        jOnly.removeAll(javaOnly);
        assertTrue(cOnly.isEmpty(), prefix + "* constants with no Java twin: " + cOnly);
        assertTrue(jOnly.isEmpty(), "Java constants with no " + prefix + "* twin: " + jOnly);
        for (Map.Entry<String, Long> e : cSide.entrySet()) {
            long cv = e.getValue();
            long jv = java.get(e.getKey());
            assertTrue(cv == jv || cv == (jv & 0xFFFFFFFFL), e.getKey() + " (" + prefix + "*): C " + cv + ", Java " + jv);
        }
    }

    /** Every static final int, short or long of {@code owner} (any access), by name. */
    private static Map<String, Long> numericConstants(Class<?> owner) throws IllegalAccessException {
        Map<String, Long> m = new TreeMap<>();
        for (Field f : owner.getDeclaredFields()) {
            int mod = f.getModifiers();
            Class<?> t = f.getType();
            if (Modifier.isStatic(mod) && Modifier.isFinal(mod) && (t == int.class || t == long.class || t == short.class)) {
                f.setAccessible(true);
                m.put(f.getName(), ((Number) f.get(null)).longValue());
            }
        }
        return m;
    }

    private static long fieldValue(Class<?> owner, String name) throws ReflectiveOperationException {
        Field f = owner.getDeclaredField(name);
        f.setAccessible(true);
        return ((Number) f.get(null)).longValue();
    }

    private static int variantCode(String variant) throws ReflectiveOperationException {
        Field code = RingVariant.class.getDeclaredField("code");
        code.setAccessible(true);
        return code.getInt(RingVariant.valueOf(variant));
    }
}
