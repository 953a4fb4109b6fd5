package dev.ipcj.bench.jni;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.NoException;
import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;

/** C loops of ipcj_bench_mq.h. Queues are descriptors opened by the C side (ipcj_mq_open). */
@Properties(inherit = BenchConfig.class, value = @Platform(include = "ipcj_bench_mq.h", library = "jniIpcjBench"))
@NoException
public final class MqLoops {
    static {
        Loader.load();
    }

    private MqLoops() {
    }

    /** ipcj_mq_open with O_RDWR: the C side's own descriptor of an existing queue. */
    @Name("ipcj_mq_open") public static native int open(String name, int oflag, int mode, long maxmsg, long msgsize);

    @Name("ipcj_mq_close") public static native int close(int mqd);

    @Name("ipcj_bench_mq_roundtrip") public static native int roundTrip(int ping, int pong, long buf, long len, long cap, long n);

    @Name("ipcj_bench_mq_local") public static native int local(int q, long buf, long len, long cap, long n);

    @Name("ipcj_bench_mq_stream") public static native int stream(int q, long buf, long len, long n);
}
