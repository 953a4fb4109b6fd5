package dev.ipcj.bench.jni;

import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;

/**
 * JavaCPP configuration of the benchmark-only JNI library (libjniIpcjBench.so): the C loops
 * that JMH measures beside the Java ones. Each loop class adds its own header with
 * {@code @Properties(inherit = BenchConfig.class, value = @Platform(include = "ipcj_bench_X.h"))}.
 */
@Properties(value = @Platform(
        value = "linux-x86_64",
        include = {"ipcj.h"},
        link = {"rt", "pthread"},
        library = "jniIpcjBench"))
public final class BenchConfig {
    private BenchConfig() {
    }
}
