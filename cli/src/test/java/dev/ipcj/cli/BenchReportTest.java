package dev.ipcj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipcj.cli.compare.Mechanism;
import dev.ipcj.cli.compare.Mechanisms;
import dev.ipcj.cli.compare.Report;
import dev.ipcj.cli.sys.Inventory;
import dev.ipcj.cli.sys.IpcObject;
import dev.ipcj.cli.sys.MqueueMount;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * {@code ipcj bench} on tiny counts, every mechanism, Java and C: the table, the CSV, the JSON
 * and the charts are well-formed and hold a result for each scenario, and nothing is left
 * behind; with {@code --duration}, every measured phase of Java and C takes about that long.
 */
class BenchReportTest {
    @TempDir
    Path out;

    @Test
    void tinyRunWritesAWellFormedReportAndLeavesNothing() throws Exception {
        Set<String> tmpBefore = leftovers();
        Cli r = Cli.run("bench", "-n", "40", "--messages", "100", "-s", "8,4K", "--progress", "lines",
                "--out", out.toString());
        assertEquals(0, r.status(), r.toString());
        boolean haveC = Files.isExecutable(Path.of(System.getProperty("ipcj.cbin", "target/cmake"), "bench_pipe"));

        // Terminal: progress lines, then the table with the machine described.
        assertTrue(r.out().contains("ipcj bench on "), r.out());
        assertTrue(r.out().contains("LANG ") && r.out().contains("M msg/s"), r.out());
        assertTrue(r.out().matches("(?s).*\\[\\s*\\d+/\\d+\\s+\\d+s\\] pipe Java 8 B round trips: p50 .*"), r.out());

        // CSV: header + one row per mechanism x language x size (semaphores: one size).
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        String[] head = csv.get(0).split(",");
        assertEquals("mechanism", head[0]);
        int expected = 0; // one row per mechanism x language x size (semaphores: one size)
        for (Mechanism m : Mechanisms.ALL) {
            int rows = m.carriesBytes() ? (m.sizeCap().maxBytes() >= 4096 ? 2 : 1) : 1;
            expected += rows;
            if (haveC && m.cProgram() != null) {
                expected += rows;
            }
        }
        assertEquals(expected, csv.size() - 1, String.join("\n", csv));
        for (String line : csv.subList(1, csv.size())) {
            String[] f = line.split(",", -1);
            assertEquals(head.length, f.length, line);
            assertTrue(f[f.length - 1].isEmpty(), "scenario failed: " + line);
            long p50 = Long.parseLong(f[4]);
            long max = Long.parseLong(f[8]);
            assertTrue(p50 > 0 && max >= p50, line);
            assertEquals("40", f[9], line);
            assertTrue(Double.parseDouble(f[10]) > 0, line);
        }
        if (haveC) {
            assertTrue(csv.stream().anyMatch(l -> l.startsWith("pipe,") && l.contains(",Java,") && !l.split(",", -1)[14].isEmpty()),
                    "a Java row has its Java/C ratio");
        }

        // JSON: Jackson reads it back, it describes the machine and holds the CSV's results.
        Report.Json json = Report.JSON.readValue(out.resolve("results.json").toFile(), Report.Json.class);
        assertTrue(json.machine().cores() > 0 && !json.machine().kernel().isEmpty() && !json.machine().limits().isEmpty(),
                json.machine().toString());
        assertEquals(expected, json.results().size());
        for (int i = 0; i < expected; i++) {
            Report.Result j = json.results().get(i);
            String[] f = csv.get(i + 1).split(",", -1);
            assertEquals(f[0] + " " + f[2] + " " + f[3] + " " + f[4], j.mechanism() + " " + j.lang() + " " + j.sizeBytes()
                    + " " + j.p50());
        }

        // The machine line and the table: every line within 100 columns, latencies in µs and rates in M msg/s.
        String table = r.out().substring(0, r.out().indexOf("\nfinished in ")); // the machine line too
        for (String line : table.split("\n")) {
            assertTrue(line.length() <= 100, line.length() + " columns: " + line);
        }
        assertTrue(table.contains("M msg/s") && table.contains("µs"), table);

        // SVG: well-formed XML, an <svg> root, a bar per result; PNG: an image of some size.
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document svg = f.newDocumentBuilder().parse(out.resolve("chart.svg").toFile());
        assertEquals("svg", svg.getDocumentElement().getLocalName());
        int bars = svg.getElementsByTagName("rect").getLength();
        assertTrue(bars >= expected, "bars: " + bars);
        assertTrue(Files.readString(out.resolve("chart.svg")).contains("cores"), "machine line in the chart");
        BufferedImage png = ImageIO.read(out.resolve("chart.png").toFile());
        assertTrue(png.getWidth() >= 1000 && png.getHeight() >= 400, png.getWidth() + "x" + png.getHeight());
        assertTrue(Files.size(out.resolve("chart.png")) > 20_000, "chart.png is " + Files.size(out.resolve("chart.png")) + " bytes");

        // Nothing left: no bench object in /dev/shm from this process, no scenario directory.
        assertEquals(tmpBefore, leftovers());
        String me = "ipcj-bench-" + ProcessHandle.current().pid() + "-";
        try (Stream<Path> s = Files.list(Path.of("/dev/shm"))) {
            List<String> left = s.map(p -> p.getFileName().toString()).filter(n -> n.contains(me)).toList();
            assertTrue(left.isEmpty(), "left in /dev/shm: " + left);
        }
        // System V: the kernel records the creator of a message queue; none made by this JVM remains.
        try (MqueueMount mq = MqueueMount.open()) {
            List<IpcObject> queues = Inventory.scan(mq).objects().stream()
                    .filter(o -> o.kind() == IpcObject.Kind.SYSV_MSG && o.creatorPid() == ProcessHandle.current().pid())
                    .toList();
            assertTrue(queues.isEmpty(), "System V queues left: " + queues);
        }
    }

    @Test
    void durationBoundsEveryMeasuredPhaseJavaAndC() throws Exception {
        double want = 0.3;
        Cli r = Cli.run("bench", "-m", "pipe,sysv-sem", "--duration", "300ms", "-s", "8,4K", "--progress", "lines",
                "--out", out.toString());
        assertEquals(0, r.status(), r.toString());
        Report.Json json = Report.JSON.readValue(out.resolve("results.json").toFile(), Report.Json.class);
        boolean haveC = Files.isExecutable(Path.of(System.getProperty("ipcj.cbin", "target/cmake"), "bench_pipe"));
        assertEquals(haveC ? 6 : 3, json.results().size(), r.toString());
        for (Report.Result x : json.results()) {
            String what = x.mechanism() + " " + x.lang() + " " + x.sizeBytes() + ": ";
            assertTrue(x.error() == null, what + x.error());
            // The client stops after the first whole batch of 64 past the time: at least the time, not much more.
            assertTrue(x.rttSeconds() >= want && x.rttSeconds() < want * 1.5 + 0.2, what + "round trips " + x.rttSeconds() + " s");
            assertEquals(x.roundTrips(), x.roundTrips() / 64 * 64, what + "whole batches");
            if (x.mechanism().equals("sysv-sem")) {
                // A semaphore counts to SEMVMX: its stream stops there, sooner than the time.
                assertTrue(x.messages() <= 32767, what + x.messages());
            } else {
                assertTrue(x.streamSeconds() >= want && x.streamSeconds() < want * 1.5 + 0.2, what + "stream " + x.streamSeconds() + " s");
            }
        }
        assertTrue(r.out().contains("note: --duration 300ms"), r.out());
    }

    @Test
    void theBarIsDrawnInPlaceWhenAskedFor() {
        Cli r = Cli.run("bench", "-m", "posix-sem", "--lang", "java", "-n", "20", "--messages", "20", "--progress", "bar",
                "--out", out.toString());
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("\rbench 100%"), r.out()); // redrawn after a carriage return, to the end
        assertFalse(r.out().contains("[  1/"), r.out()); // no progress lines
    }

    @Test
    void sizesAboveAMechanismsLimitAreSkippedAndSaidSo() {
        Cli r = Cli.run("bench", "-m", "agrona", "-n", "20", "--messages", "20", "-s", "8,512K",
                "--progress", "lines", "--out", out.toString());
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("note: agrona: sizes 512 KiB skipped: above 256 KiB (Agrona's largest message is capacity/8"), r.out());
        assertFalse(r.out().contains("512 KiB round trips"), r.out());
    }

    private static Set<String> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            // Only this JVM's: other runs on the machine make and remove their own at the same time.
            String mine = "ipcj-bench-" + ProcessHandle.current().pid() + "-";
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(mine))
                    .collect(Collectors.toCollection(HashSet::new));
        }
    }
}
