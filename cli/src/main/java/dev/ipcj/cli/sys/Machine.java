package dev.ipcj.cli.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The machine a benchmark ran on, as the report describes it. */
public record Machine(String cpu, int cores, String kernel, String jdk, String os, Map<String, String> limits) {

    /** Reads the running machine. */
    public static Machine current() {
        Map<String, String> limits = new LinkedHashMap<>();
        for (Limit l : Limits.all()) {
            limits.put(l.name(), l.value());
        }
        return new Machine(cpuModel(), Runtime.getRuntime().availableProcessors(), readKernel(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                        + " (" + System.getProperty("java.vendor") + ")",
                osName(), limits);
    }

    /** One line: "Intel(R) Xeon(R) ..., 2 cores, Linux 6.1.0, OpenJDK 17.0.15". */
    public String summary() {
        return cpu + ", " + cores + " cores, " + os + ", Linux " + kernel + ", " + jdk;
    }

    static String cpuModel() {
        try {
            for (String line : ProcFiles.lines("/proc/cpuinfo")) {
                if (line.startsWith("model name") || line.startsWith("Model") || line.startsWith("cpu model")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return System.getProperty("os.arch") + " (model unknown)";
    }

    static String readKernel() {
        try {
            // /proc/sys/kernel/osrelease is `uname -r`.
            return ProcFiles.read("/proc/sys/kernel/osrelease").trim();
        } catch (IOException e) {
            return System.getProperty("os.version");
        }
    }

    static String osName() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return line.substring(12).replace("\"", "");
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return System.getProperty("os.name");
    }
}
