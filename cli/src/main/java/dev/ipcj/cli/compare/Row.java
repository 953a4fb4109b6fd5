package dev.ipcj.cli.compare;

/**
 * One line of the report: one mechanism, one language, one message size.
 *
 * @param size        bytes per message; 0 for mechanisms that carry none (semaphores)
 * @param p50         round-trip latency percentiles and max, ns (HdrHistogram, 3 significant digits)
 * @param rtts        measured round trips
 * @param msgsPerSec  streaming: messages received per second (one way)
 * @param bytesPerSec streaming: payload bytes per second
 * @param cpuPerMsg   streaming: CPU time of both processes per message, ns
 * @param cpuPerRtt   round trips: CPU time of both processes per round trip, ns
 * @param messages    streaming: messages of the measured stream
 * @param rttSeconds  how long the measured round trips took (the client's clock), s
 * @param streamSeconds how long the measured stream took, s
 * @param error       why the scenario failed, or null
 */
public record Row(String mechanism, String label, String lang, int size,
                  long p50, long p90, long p99, long p999, long max, long rtts,
                  double msgsPerSec, double bytesPerSec, double cpuPerMsg, double cpuPerRtt,
                  long messages, double rttSeconds, double streamSeconds, String error) {

    public static Row failed(Mechanism m, String lang, int size, String error) {
        return new Row(m.id(), m.label(), lang, size, -1, -1, -1, -1, -1, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                0, Double.NaN, Double.NaN, error);
    }

    public boolean ok() {
        return error == null;
    }
}
