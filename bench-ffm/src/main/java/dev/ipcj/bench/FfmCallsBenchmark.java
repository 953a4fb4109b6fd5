package dev.ipcj.bench;

import dev.ipcj.internal.MemoryAccess;
import dev.ipcj.jni.Futex;
import dev.ipcj.jni.PosixMq;
import dev.ipcj.jni.PosixSem;
import dev.ipcj.jni.Sys;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Loader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One hot call, through ipcj's JavaCPP binding (a JNI method whose C body is the ipcj_* shim of
 * src/main/c, which returns -errno) and through a java.lang.foreign downcall of the same libc
 * function: plain, with {@code Linker.Option.critical(false)} (no thread-state transition: for
 * calls that never block, as these do not here), and for mq with errno captured
 * ({@code captureCallState("errno")}, what a binding needs to report an error as ipcj does).
 * <ul>
 * <li>empty: {@code Sys.nop(int)} (a JNI shim that returns its argument) vs libc {@code abs(int)};
 * <li>getpid: {@code Sys.getpid()} vs libc {@code getpid()} (a real system call);
 * <li>futexWake: FUTEX_WAKE of a word no one waits on: {@code Futex.futexWake} vs libc
 *     {@code syscall(SYS_futex, addr, FUTEX_WAKE, 1)} (variadic);
 * <li>semPost: {@code sem_post} of an unnamed semaphore (re-initialised each iteration);
 * <li>mqSendReceive: {@code mq_send} of 64 bytes then {@code mq_receive} of it on a queue of this
 *     process (nonblocking).
 * </ul>
 * {@code java -jar bench-ffm/target/benchmarks-ffm.jar FfmCallsBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class FfmCallsBenchmark {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option CRITICAL = Linker.Option.critical(false);
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final long SYS_FUTEX = 202; // x86_64
    private static final int FUTEX_WAKE = 1;
    private static final int O_RDWR = 2;
    private static final int O_CREAT = 0100;
    private static final int O_EXCL = 0200;
    private static final int O_NONBLOCK = 04000;

    private static final FunctionDescriptor INT_INT = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
    private static final FunctionDescriptor INT_VOID = FunctionDescriptor.of(ValueLayout.JAVA_INT);
    private static final FunctionDescriptor SYSCALL3 = FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
    private static final FunctionDescriptor INT_ADDR = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS);
    private static final FunctionDescriptor MQ_SEND = FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT);
    private static final FunctionDescriptor MQ_RECEIVE = FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS);

    private static final MethodHandle ABS = down("abs", INT_INT);
    private static final MethodHandle ABS_CRITICAL = down("abs", INT_INT, CRITICAL);
    private static final MethodHandle GETPID = down("getpid", INT_VOID);
    private static final MethodHandle GETPID_CRITICAL = down("getpid", INT_VOID, CRITICAL);
    private static final MethodHandle FUTEX = down("syscall", SYSCALL3, Linker.Option.firstVariadicArg(1));
    private static final MethodHandle FUTEX_CRITICAL = down("syscall", SYSCALL3, Linker.Option.firstVariadicArg(1),
            CRITICAL);
    private static final MethodHandle SEM_POST = down("sem_post", INT_ADDR);
    private static final MethodHandle SEM_POST_CRITICAL = down("sem_post", INT_ADDR, CRITICAL);
    private static final MethodHandle SEND = down("mq_send", MQ_SEND);
    private static final MethodHandle RECEIVE = down("mq_receive", MQ_RECEIVE);
    private static final MethodHandle SEND_CRITICAL = down("mq_send", MQ_SEND, CRITICAL);
    private static final MethodHandle RECEIVE_CRITICAL = down("mq_receive", MQ_RECEIVE, CRITICAL);
    private static final MethodHandle SEND_ERRNO = down("mq_send", MQ_SEND, ERRNO);
    private static final MethodHandle RECEIVE_ERRNO = down("mq_receive", MQ_RECEIVE, ERRNO);
    private static final VarHandle ERRNO_VALUE = Linker.Option.captureStateLayout()
            .varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private Arena arena;
    private MemorySegment word;
    private MemorySegment sem;
    private MemorySegment msg;
    private MemorySegment rcv;
    private MemorySegment state;
    private int mqd;
    private String mqName;
    private int x = 7;

    private static MethodHandle down(String name, FunctionDescriptor d, Linker.Option... options) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), d, options);
    }

    @Setup(Level.Trial)
    public void setup() {
        Loader.load(Sys.class);
        arena = Arena.ofShared();
        word = arena.allocate(8, 8);
        sem = arena.allocate(Math.max(32, PosixSem.semSize()), 8);
        msg = arena.allocate(64, 8);
        rcv = arena.allocate(8192, 8);
        state = arena.allocate(Linker.Option.captureStateLayout());
        mqName = "/ipcj-jmh-ffm-" + ProcessHandle.current().pid();
        PosixMq.mqUnlink(mqName);
        mqd = PosixMq.mqOpen(mqName, O_RDWR | O_CREAT | O_EXCL | O_NONBLOCK, 0600, 4, 8192);
        if (mqd < 0) {
            throw new IllegalStateException("mq_open " + mqName + ": " + mqd);
        }
        PosixMq.mqUnlink(mqName); // the descriptor stays; nothing to leak if the run dies
    }

    @Setup(Level.Iteration)
    public void freshSemaphore() {
        PosixSem.semDestroy(sem.address());
        if (PosixSem.semInit(sem.address(), 0, 0) != 0) {
            throw new IllegalStateException("sem_init");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        PosixSem.semDestroy(sem.address());
        PosixMq.mqClose(mqd);
        arena.close();
    }

    @Benchmark
    public int emptyJavacpp() {
        return Sys.nop(x);
    }

    @Benchmark
    public int emptyFfm() throws Throwable {
        return (int) ABS.invokeExact(x);
    }

    @Benchmark
    public int emptyFfmCritical() throws Throwable {
        return (int) ABS_CRITICAL.invokeExact(x);
    }

    @Benchmark
    public int getpidJavacpp() {
        return Sys.getpid();
    }

    @Benchmark
    public int getpidFfm() throws Throwable {
        return (int) GETPID.invokeExact();
    }

    @Benchmark
    public int getpidFfmCritical() throws Throwable {
        return (int) GETPID_CRITICAL.invokeExact();
    }

    @Benchmark
    public int futexWakeJavacpp() {
        return Futex.futexWake(word.address(), 1);
    }

    @Benchmark
    public long futexWakeFfm() throws Throwable {
        return (long) FUTEX.invokeExact(SYS_FUTEX, word, FUTEX_WAKE, 1);
    }

    @Benchmark
    public long futexWakeFfmCritical() throws Throwable {
        return (long) FUTEX_CRITICAL.invokeExact(SYS_FUTEX, word, FUTEX_WAKE, 1);
    }

    @Benchmark
    public int semPostJavacpp() {
        return PosixSem.semPost(sem.address());
    }

    @Benchmark
    public int semPostFfm() throws Throwable {
        return (int) SEM_POST.invokeExact(sem);
    }

    @Benchmark
    public int semPostFfmCritical() throws Throwable {
        return (int) SEM_POST_CRITICAL.invokeExact(sem);
    }

    @Benchmark
    public long mqSendReceiveJavacpp() {
        if (PosixMq.mqSend(mqd, msg.address(), 64, 0) != 0) {
            throw new IllegalStateException("mq_send");
        }
        return PosixMq.mqReceive(mqd, rcv.address(), 8192);
    }

    @Benchmark
    public long mqSendReceiveFfm() throws Throwable {
        if ((int) SEND.invokeExact(mqd, msg, 64L, 0) != 0) {
            throw new IllegalStateException("mq_send");
        }
        return (long) RECEIVE.invokeExact(mqd, rcv, 8192L, MemorySegment.NULL);
    }

    @Benchmark
    public long mqSendReceiveFfmCritical() throws Throwable {
        if ((int) SEND_CRITICAL.invokeExact(mqd, msg, 64L, 0) != 0) {
            throw new IllegalStateException("mq_send");
        }
        return (long) RECEIVE_CRITICAL.invokeExact(mqd, rcv, 8192L, MemorySegment.NULL);
    }

    /**
     * With errno captured after each call, as a binding that reports errors needs (the linker
     * prepends the capture segment to the handle's parameters).
     */
    @Benchmark
    public long mqSendReceiveFfmErrno() throws Throwable {
        if ((int) SEND_ERRNO.invokeExact(state, mqd, msg, 64L, 0) != 0) {
            throw new IllegalStateException("mq_send: errno " + (int) ERRNO_VALUE.get(state, 0L));
        }
        long n = (long) RECEIVE_ERRNO.invokeExact(state, mqd, rcv, 8192L, MemorySegment.NULL);
        return n < 0 ? -(int) ERRNO_VALUE.get(state, 0L) : n;
    }
}
