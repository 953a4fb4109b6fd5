package dev.ipcj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipcj.cli.sys.Limits;
import java.math.BigInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code ipcj limits}: each limit's advice raises it. A suggested value is never lower than (nor
 * equal to) the live one; a limit that cannot or need not be raised says so instead of
 * suggesting a value.
 */
class LimitsTest {
    private static final Pattern SYSCTL = Pattern.compile("raise: sysctl -w ([a-z._-]+)=(\\d+)");

    @Test
    void everySuggestedValueIsAboveTheLiveOne() {
        Cli r = Cli.run("limits");
        assertEquals(0, r.status(), r.toString());
        int checked = 0;
        for (String line : r.out().split("\n")) {
            Matcher m = SYSCTL.matcher(line);
            if (!m.find()) {
                continue;
            }
            String key = m.group(1);
            BigInteger suggested = new BigInteger(m.group(2));
            long live = Limits.proc("/proc/sys/" + key.replace('.', '/')).orElseThrow();
            BigInteger current = new BigInteger(Long.toUnsignedString(live));
            assertTrue(suggested.compareTo(current) > 0, key + ": suggests " + suggested + ", the live value is "
                    + current + "\n" + r.out());
            checked++;
        }
        assertTrue(checked >= 5, "few sysctl suggestions:\n" + r.out());
    }

    @Test
    void aLimitAtTheKernelsMaximumOrWithoutPracticalLimitSuggestsNoValue() {
        Cli r = Cli.run("limits");
        String[] lines = r.out().split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("  kernel.shmmax ") && lines[i].contains("no practical limit")) {
                String advice = lines[i + 2];
                assertTrue(advice.contains("nothing to raise"), advice);
                assertTrue(!advice.matches(".*=\\d+.*"), advice);
            }
        }
    }
}
