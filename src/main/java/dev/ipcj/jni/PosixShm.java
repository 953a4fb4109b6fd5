package dev.ipcj.jni;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.NoException;
import org.bytedeco.javacpp.annotation.Properties;

/** Shims of {@code ipcj_shm.h}: POSIX shared memory and mappings. Each returns a value or -errno. */
@Properties(inherit = IpcjConfig.class)
@NoException
public final class PosixShm {
    static {
        Loader.load();
    }

    private PosixShm() {
    }

    @Name("ipcj_shm_open") public static native int shmOpen(String name, int oflag, int mode);

    @Name("ipcj_shm_unlink") public static native int shmUnlink(String name);

    @Name("ipcj_ftruncate") public static native int ftruncate(int fd, long size);

    /** out[0] = size, out[1] = st_mode, out[2] = uid, out[3] = gid. */
    @Name("ipcj_fstat") public static native int fstat(int fd, @Cast("long long*") long[] out);

    @Name("ipcj_close") public static native int close(int fd);

    @Name("ipcj_mmap_shared") public static native long mmapShared(int fd, long length, int prot, long offset);

    @Name("ipcj_munmap") public static native int munmap(long address, long length);

    @Name("ipcj_unmap_to_placeholder") public static native int unmapToPlaceholder(long address, long length);

    @Name("ipcj_page_size") public static native long pageSize();
}
