package dev.ipcj.it.modulepath;

import dev.ipcj.MappedRegion;
import dev.ipcj.msg.Capacity;
import dev.ipcj.msg.Codec;
import dev.ipcj.msg.Mailbox;
import dev.ipcj.msg.Transport;
import dev.ipcj.posix.SharedMemory;
import java.time.Duration;

/**
 * Creates, maps, writes, reads and unlinks a POSIX shared memory object through ipcj loaded
 * from the module path, so that JavaCPP has to find the JNI library in the native jar's module.
 * Prints the module ipcj's classes came from and what it read back. Then, with the argument
 * {@code net} (Aeron's modules added), a round trip through a udp:// mailbox; without it, that
 * the AERON transport says it is unavailable (dev.ipcj requires Aeron only statically).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        Module m = SharedMemory.class.getModule();
        if (!m.isNamed() || !m.getName().equals("dev.ipcj")) {
            throw new AssertionError("ipcj is not the named module dev.ipcj: " + m);
        }
        if (m.getDescriptor().isAutomatic()) {
            throw new AssertionError("dev.ipcj is an automatic module, not the one module-info.java declares");
        }
        // Not exported: the JNI bindings and the internals.
        for (String p : new String[] {"dev.ipcj.jni", "dev.ipcj.internal"}) {
            if (m.isExported(p)) {
                throw new AssertionError(p + " is exported");
            }
        }
        String name = "/ipcj-test-" + ProcessHandle.current().pid() + "-modulepath";
        try (SharedMemory shm = SharedMemory.create(name, 4096); MappedRegion r = shm.map()) {
            r.putLong(0, 0x1234_5678_9abcL);
            long v = r.getLong(0);
            if (v != 0x1234_5678_9abcL) {
                throw new AssertionError("read back " + Long.toHexString(v));
            }
            System.out.println("modulepath: " + m.getName() + " " + m.getDescriptor().version().orElse(null)
                    + " created, mapped, wrote and read " + name);
        } finally {
            SharedMemory.unlinkIfExists(name);
        }
        boolean net = args.length > 0 && args[0].equals("net");
        if (Transport.AERON.isAvailable() != net) {
            throw new AssertionError("Transport.AERON.isAvailable() is " + Transport.AERON.isAvailable()
                    + " with" + (net ? "" : "out") + " Aeron's modules");
        }
        if (!net) {
            System.out.println("modulepath: without Aeron, Transport.AERON is not available, as expected");
            return;
        }
        String u = "udp://127.0.0.1:" + (20000 + ProcessHandle.current().pid() % 20000) + "/modulepath";
        try (Mailbox in = Mailbox.create(u, Capacity.bounded(2)); Mailbox out = Mailbox.open(u)) {
            out.send("across", Codec.UTF8);
            String got = in.receive(Duration.ofSeconds(10)).text();
            if (!got.equals("across")) {
                throw new AssertionError("received " + got);
            }
            System.out.println("modulepath: a message through " + u + " over Aeron from module "
                    + io() + ", as expected");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static String io() {
        return ModuleLayer.boot().findModule("io.aeron.client").map(Module::getName).orElse("(none)");
    }
}
