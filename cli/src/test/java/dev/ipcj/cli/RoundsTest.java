package dev.ipcj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipcj.cli.compare.Report;
import dev.ipcj.cli.compare.Rounds;
import dev.ipcj.cli.compare.Row;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code ipcj bench --rounds N}: each figure is the median of its rounds, the spread is the
 * least and most of them, a round that failed does not count, and the ring's Java rows are
 * divided by Agrona's of the same run.
 */
class RoundsTest {
    private static Row row(String mech, String lang, long p50, double rate) {
        return new Row(mech, mech, lang, 64, p50, p50, p50, p50, p50, 100, rate, rate * 64, 10, 20, 1000, 0.1, 0.1, null);
    }

    private static Row failed(String mech, String lang) {
        return new Row(mech, mech, lang, 64, -1, -1, -1, -1, -1, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0,
                Double.NaN, Double.NaN, "peer died");
    }

    @Test
    void figuresAreMediansOfTheRoundsThatSucceededWithTheirSpread() {
        List<List<Row>> rounds = List.of(
                List.of(row("ring-spin", "Java", 300, 20e6), row("agrona", "Java", 500, 10e6)),
                List.of(row("ring-spin", "Java", 100, 40e6), failed("agrona", "Java")),
                List.of(row("ring-spin", "Java", 900, 30e6), row("agrona", "Java", 400, 12e6)),
                List.of(row("ring-spin", "Java", 200, 10e6), row("agrona", "Java", 600, 11e6)),
                List.of(row("ring-spin", "Java", 250, 35e6), row("agrona", "Java", 450, 13e6)));
        Map<String, Rounds.Spread> spreads = new HashMap<>();
        List<Row> rows = Rounds.combine(rounds, spreads);
        assertEquals(2, rows.size());
        Row ring = rows.get(0);
        assertEquals(250, ring.p50(), "median of 100 200 250 300 900");
        assertEquals(30e6, ring.msgsPerSec(), "median of 10 20 30 35 40 M");
        Rounds.Spread s = spreads.get(Rounds.key(ring));
        assertEquals(5, s.rounds());
        assertEquals(100, s.p50Min());
        assertEquals(900, s.p50Max());
        assertEquals(10e6, s.msgsMin());
        assertEquals(40e6, s.msgsMax());
        Row agrona = rows.get(1);
        assertTrue(agrona.ok(), "one failed round of five does not fail the figure");
        assertEquals(450, agrona.p50(), "the lower middle of 400 450 500 600");
        assertEquals(4, spreads.get(Rounds.key(agrona)).rounds());

        Report r = new Report(ReportFilesTest.sample().machine(), "ipcj bench --rounds 5", "now", 1, rows, List.of(), spreads);
        assertEquals(5, r.rounds());
        assertEquals(250.0 / 450, r.peerP50(ring), 1e-9);
        assertEquals(30e6 / 11e6, r.peerMsgs(ring), 1e-9, "the lower middle of 10 11 12 13 M");
        assertTrue(Double.isNaN(r.peerP50(agrona)), "Agrona is not divided by itself");
        StringWriter out = new StringWriter();
        r.printTable(new PrintWriter(out, true));
        String text = out.toString();
        assertTrue(text.contains("0.250 [0.100-0.900]"), text);
        assertTrue(text.contains("0.56"), "p50 vs agrona in the table: " + text);
        for (String line : text.split("\n")) {
            assertTrue(line.length() <= Report.WIDTH, "longer than " + Report.WIDTH + ": " + line);
        }
    }

    @Test
    void aFigureFailsOnlyWhenEveryRoundFailed() {
        List<List<Row>> rounds = List.of(List.of(failed("pipe", "C")), List.of(failed("pipe", "C")));
        Map<String, Rounds.Spread> spreads = new HashMap<>();
        List<Row> rows = Rounds.combine(rounds, spreads);
        assertEquals(1, rows.size());
        assertFalse(rows.get(0).ok());
        assertTrue(spreads.isEmpty());
    }
}
