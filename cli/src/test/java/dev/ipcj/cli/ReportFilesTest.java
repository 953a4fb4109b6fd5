package dev.ipcj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipcj.cli.compare.Charts;
import dev.ipcj.cli.compare.Report;
import dev.ipcj.cli.compare.Row;
import dev.ipcj.cli.sys.Machine;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * The report's files from a made-up set of results (no benchmark runs): the JSON reads back
 * with Jackson to the same rows, the CSV has one header and a record per row (quotes, commas
 * and line breaks survive), every line of the table fits 100 columns, and the charts are real
 * images of the size their content needs.
 */
class ReportFilesTest {
    @TempDir
    Path dir;

    static Report sample() {
        Map<String, String> limits = new LinkedHashMap<>();
        limits.put("fs.mqueue.msg_max", "10");
        Machine machine = new Machine("Test CPU " + "with a very long model name ".repeat(4), 2, "6.1.0-test",
                "OpenJDK 64-Bit Server VM 17.0.15 (Debian)", "Debian GNU/Linux 12 (bookworm)", limits);
        List<Row> rows = new ArrayList<>();
        String[][] mechs = {{"ring-spin", "ipcj ring (spinning)"}, {"agrona", "Agrona OneToOneRingBuffer"},
            {"posix-sem", "POSIX sem ping-pong"}, {"odd", "a \"quoted\", comma'd label"}};
        for (String[] m : mechs) {
            for (String lang : List.of("Java", "C")) {
                if (m[0].equals("agrona") && lang.equals("C")) {
                    continue; // no C twin
                }
                for (int size : m[0].equals("posix-sem") ? new int[] {0} : new int[] {8, 4096, 65536}) {
                    double k = lang.equals("Java") ? 1.4 : 1.0;
                    long p50 = (long) (k * (300 + size / 4.0));
                    double rate = 1.5e8 / k / (1 + size / 64.0);
                    rows.add(new Row(m[0], m[1], lang, size, p50, p50 + 50, p50 * 12, p50 * 90, 123_456_789L, 5000,
                            rate, size == 0 ? Double.NaN : rate * size, 42.5 * k, 800.25 * k, 100000, 0.0123, 0.456, null));
                }
            }
        }
        rows.add(new Row("pipe", "pipe (FIFO pair)", "C", 8, -1, -1, -1, -1, -1, 0, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, 0, Double.NaN, Double.NaN, "client: ERROR write: Broken pipe,\nand a second \"line\" "
                + "that goes on and on ".repeat(6)));
        List<String> notes = List.of("agrona: no C twin (Java-only peer)",
                "a long note " + "that must wrap at the table's width rather than run off the right edge ".repeat(5));
        return new Report(machine, "ipcj bench -n 5000 --out somewhere", "2026-12-02 07:00:00", 12.5, rows, notes);
    }

    @Test
    void jsonReadsBackWithJacksonToTheSameRows() throws Exception {
        Report r = sample();
        Path f = dir.resolve("results.json");
        r.writeJson(f);
        Report.Json back = Report.JSON.readValue(f.toFile(), Report.Json.class);
        assertEquals(r.json(), back);
        assertEquals(r.rows().size(), back.results().size());
        Report.Result java8 = back.results().get(0);
        assertEquals(1.4, java8.javaCP50(), 0.01);
        assertEquals(null, back.results().get(back.results().size() - 1).p50(), "a failed row has no figures");
        // Plain JSON: no NaN, which JSON does not have.
        assertTrue(!Files.readString(f).contains("NaN"));
    }

    @Test
    void csvHasOneHeaderAndOneRecordPerRow() throws Exception {
        Report r = sample();
        Path f = dir.resolve("results.csv");
        r.writeCsv(f);
        List<CSVRecord> records;
        List<String> header;
        try (Reader in = Files.newBufferedReader(f);
             CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
            header = p.getHeaderNames();
            records = p.getRecords();
        }
        assertEquals("mechanism", header.get(0));
        assertEquals("error", header.get(header.size() - 1));
        assertEquals(r.rows().size(), records.size());
        for (int i = 0; i < records.size(); i++) {
            Row row = r.rows().get(i);
            CSVRecord c = records.get(i);
            assertEquals(header.size(), c.size(), c.toString());
            assertEquals(row.label(), c.get("label"));
            assertEquals(row.ok() ? "" : row.error(), c.get("error"));
            if (row.ok()) {
                assertEquals(row.p50(), Long.parseLong(c.get("p50_ns")));
                assertEquals(row.msgsPerSec(), Double.parseDouble(c.get("msgs_per_s")), 0.001);
            }
        }
        assertEquals(1, Files.readAllLines(f).stream().filter(l -> l.startsWith("mechanism,")).count());
    }

    @Test
    void everyLineOfTheTableFitsOneHundredColumns() {
        StringWriter s = new StringWriter();
        sample().printTable(new PrintWriter(s, true));
        String table = s.toString();
        for (String line : table.split("\n")) {
            assertTrue(line.length() <= Report.WIDTH, line.length() + " columns: " + line);
        }
        assertTrue(table.contains("µs"), table);
        assertTrue(table.contains("M msg/s"), table);
        assertTrue(table.contains("FAILED: client: ERROR write: Broken pipe"), table);
        assertTrue(table.contains("run off the right"), table);
        // One unit per column: a latency is a plain number of µs, never "1.2k" or "15.03M".
        assertTrue(!table.matches("(?s).*\\d[kM] .*"), table);
    }

    @Test
    void chartsAreRealImagesAndTheMachineLineWraps() throws Exception {
        Report r = sample();
        Path svg = dir.resolve("chart.svg");
        Path png = dir.resolve("chart.png");
        Charts.write(r, svg, png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(img.getWidth() >= 1000 && img.getHeight() >= 400, img.getWidth() + "x" + img.getHeight());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                colours.add(img.getRGB(x, y));
            }
        }
        assertTrue(colours.size() > 20, "colours: " + colours.size());
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document doc = f.newDocumentBuilder().parse(svg.toFile());
        assertEquals("svg", doc.getDocumentElement().getLocalName());
        assertTrue(doc.getElementsByTagName("rect").getLength() >= r.rows().size());
        String text = Files.readString(svg);
        assertTrue(text.contains("4 KiB messages") && text.contains("No payload"), "a panel per size");
        // The long machine line is drawn whole, over more than one line of text.
        assertTrue(text.contains("Test CPU") && text.contains("(bookworm)"), "machine line");
    }

    @Test
    void whenEveryScenarioFailedTheChartSaysSo() throws Exception {
        Report all = sample();
        Report failed = new Report(all.machine(), all.command(), all.started(), all.seconds(),
                all.rows().stream().filter(r -> !r.ok()).toList(), all.notes());
        Path svg = dir.resolve("failed.svg");
        Path png = dir.resolve("failed.png");
        Charts.write(failed, svg, png);
        assertTrue(Files.readString(svg).contains("every scenario failed"));
        assertTrue(ImageIO.read(png.toFile()).getHeight() > 100);
    }
}
