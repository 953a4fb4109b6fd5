package dev.ipcj.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipcj.test.Processes;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keeps the measurement {@link Faults} rests on: which accesses to a page that vanished (the
 * object truncated under the mapping) the running JVM turns into InternalError instead of dying
 * of SIGBUS. Each case runs in a child JVM, interpreted ({@code -Xint}) and after the access was
 * compiled; a change of JDK that stops guarding one of them fails here, not in production.
 */
class MappingFaultTest {
    /** The accesses ipcj relies on being guarded, and the probe that must come before a CAS. */
    @ParameterizedTest
    @ValueSource(strings = {"unsafe-get", "unsafe-put", "unsafe-get-volatile", "unsafe-put-ordered", "unsafe-copy",
            "buffer-get", "varhandle-get-volatile", "varhandle-set-release", "probe-then-cas", "shared-atomics-cas",
            "memory-get", "memory-put", "memory-get-volatile", "memory-put-release", "memory-copy",
            "memory-copy-to-array", "memory-copy-from-array", "memory-get-and-add-probed"})
    void guardedAccessesThrowInternalError(String access) throws Exception {
        for (String mode : new String[] {"-Xint", "compiled"}) {
            List<String> flags = new ArrayList<>();
            if (mode.equals("-Xint")) {
                flags.add("-Xint");
            }
            String out = run(flags, access, mode.equals("compiled"));
            String impl = System.getProperty("ipcj.test.memoryAccess", "");
            assertTrue(impl.isEmpty() || out.contains("MemoryAccess " + impl),
                    "the child did not load the " + impl + " MemoryAccess:\n" + out);
            assertTrue(out.contains("RESULT " + access + ": java.lang.InternalError"),
                    access + " " + mode + " did not end in InternalError:\n" + out);
            assertTrue(Faults.isMappingFault(new InternalError(out.substring(out.indexOf("InternalError: ") + 15))),
                    "Faults.isMappingFault does not recognise the JVM's message:\n" + out);
        }
    }

    private static String run(List<String> flags, String access, boolean warm) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED"); // JDK 22+: JavaCPP's loadLibrary, quietly
        cmd.addAll(flags);
        cmd.add("-XX:-CreateCoredumpOnCrash");
        cmd.add("-XX:ErrorFile=/dev/null");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Child.class.getName());
        cmd.add(access);
        cmd.add(Boolean.toString(warm));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = Processes.waitFor(p, 60);
        assertEquals(0, p.exitValue(), "child died (a fault the JVM does not guard):\n" + out);
        return out;
    }

    /** Maps a file in /dev/shm, truncates it, then performs one access on the vanished page. */
    public static final class Child {
        static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
        static sun.misc.Unsafe u;
        static volatile int sink;
        static final byte[] ARRAY = new byte[64];
        static final ByteBuffer COPY_BUFFER = ByteBuffer.allocateDirect(64); // reachable: its memory stays
        static final long COPY_TARGET = MemoryAccess.address(COPY_BUFFER);

        public static void main(String[] args) throws Exception {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            u = (sun.misc.Unsafe) f.get(null);
            String access = args[0];
            System.out.println("MemoryAccess " + MemoryAccess.implementation());
            Path file = Path.of("/dev/shm/ipcj-test-" + ProcessHandle.current().pid() + "-fault");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.allocate(8192), 0);
                MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, 8192);
                m.order(ByteOrder.nativeOrder());
                long address = u.getLong(m, u.objectFieldOffset(Buffer.class.getDeclaredField("address")));
                if (Boolean.parseBoolean(args[1])) {
                    for (int i = 0; i < 100_000; i++) {
                        access(access, m, address + 4096);
                    }
                }
                ch.truncate(0);
                try {
                    access(access, m, address + 4096);
                    System.out.println("RESULT " + access + ": no fault");
                } catch (Throwable t) {
                    System.out.println("RESULT " + access + ": " + t);
                }
            } finally {
                Files.deleteIfExists(file);
            }
        }

        static void access(String access, ByteBuffer m, long a) {
            switch (access) {
                case "unsafe-get": sink = u.getInt(a); break;
                case "unsafe-put": u.putInt(a, 0); break;
                case "unsafe-get-volatile": sink = u.getIntVolatile(null, a); break;
                case "unsafe-put-ordered": u.putOrderedInt(null, a, 0); break;
                case "unsafe-copy": u.copyMemory(null, a, ARRAY, sun.misc.Unsafe.ARRAY_BYTE_BASE_OFFSET, 64); break;
                case "buffer-get": sink = m.getInt(4096); break;
                case "varhandle-get-volatile": sink = (int) INTS.getVolatile(m, 4096); break;
                case "varhandle-set-release": INTS.setRelease(m, 4096, 0); break;
                case "probe-then-cas":
                    int v = (int) INTS.getVolatile(m, 4096); // the guarded probe faults first
                    sink = INTS.compareAndSet(m, 4096, v, v) ? 1 : 0;
                    break;
                case "shared-atomics-cas": sink = SharedAtomics.casInt(a, 0, 0) ? 1 : 0; break;
                // ipcj's MemoryAccess: Unsafe on JDK 17, java.lang.foreign from the jar on JDK 22+
                case "memory-get": sink = MemoryAccess.getInt(a); break;
                case "memory-put": MemoryAccess.putInt(a, 0); break;
                case "memory-get-volatile": sink = MemoryAccess.getIntVolatile(a); break;
                case "memory-put-release": MemoryAccess.putLongRelease(a, 0); break;
                case "memory-copy": MemoryAccess.copy(a, COPY_TARGET, 64); break;
                case "memory-copy-to-array": MemoryAccess.copyToArray(a, ARRAY, 0, 64); break;
                case "memory-copy-from-array": MemoryAccess.copyFromArray(ARRAY, 0, a, 64); break;
                case "memory-get-and-add-probed":
                    MemoryAccess.getIntVolatile(a); // the guarded probe faults first (rule 2 of Faults)
                    FaultPoint.deliver();
                    sink = MemoryAccess.getAndAddInt(a, 0);
                    break;
                default: throw new IllegalArgumentException(access);
            }
        }
    }
}
