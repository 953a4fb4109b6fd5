package dev.ipcj.internal;

import dev.ipcj.MappedRegion;

/**
 * How ipcj's mapping classes (in other packages) wrap a mapping a shim made in a
 * {@link MappedRegion}, whose constructor is private: a region over an arbitrary address would
 * let any caller crash the JVM. Internal: not for use outside ipcj.
 */
public final class Regions {
    /** The constructor of MappedRegion, installed by its static initialiser. */
    public interface Factory {
        MappedRegion wrap(String name, long address, long length, boolean readOnly, Runnable onClose);
    }

    private static volatile Factory factory;

    private Regions() {
    }

    /** Called once, by MappedRegion's static initialiser; later calls are refused. */
    public static synchronized void install(Factory f) {
        if (factory != null) {
            throw new dev.ipcj.IpcException("Regions.install", null, 0, "the factory is installed already");
        }
        factory = f;
    }

    /**
     * Wraps {@code [address, address+length)}, a mapping made by a shim (mmap, shmat), in a region.
     *
     * @param name     what error messages call it, e.g. the shm name
     * @param readOnly whether it was mapped without PROT_WRITE
     * @param onClose  run once after the range became a placeholder (may be null)
     */
    public static MappedRegion wrap(String name, long address, long length, boolean readOnly, Runnable onClose) {
        Factory f = factory;
        if (f == null) {
            try {
                Class.forName(MappedRegion.class.getName(), true, MappedRegion.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new dev.ipcj.IpcException("Regions.wrap", name, 0, "MappedRegion is missing");
            }
            f = factory;
        }
        return f.wrap(name, address, length, readOnly, onClose);
    }
}
