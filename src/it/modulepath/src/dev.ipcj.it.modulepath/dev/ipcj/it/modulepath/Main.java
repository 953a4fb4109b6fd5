package dev.ipcj.it.modulepath;

import dev.ipcj.MappedRegion;
import dev.ipcj.posix.SharedMemory;

/**
 * Creates, maps, writes, reads and unlinks a POSIX shared memory object through ipcj loaded
 * from the module path, so that JavaCPP has to find the JNI library in the native jar's module.
 * Prints the module ipcj's classes came from and what it read back.
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
    }
}
