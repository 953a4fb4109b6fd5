package dev.ipcj.sysv;

import dev.ipcj.IpcException;
import dev.ipcj.jni.SysvShm;
import java.nio.file.Path;

/**
 * The key that names a System V object: {@link #PRIVATE} (a new object only this process knows
 * by id, until it passes the id on), an explicit number agreed between programs, or one
 * derived from an existing file with {@link #ftok}.
 *
 * <p>A key is 32 bits; {@link #toString()} shows it as {@code ipcs} does ({@code 0x1ec00001}).
 * Beware of {@code ftok}: it keeps only the low 8 bits of the project id and of the device
 * number and the low 16 bits of the inode, so two different files can yield the same key.
 *
 * @param value the key's 32 bits, as the kernel's {@code key_t}
 */
public record IpcKey(int value) {
    /** IPC_PRIVATE (0): every create with it makes a new object. */
    public static final IpcKey PRIVATE = new IpcKey(0);

    /**
     * An explicit key; 0 is {@link #PRIVATE}.
     *
     * @param value the key's value
     * @return the key
     */
    public static IpcKey of(int value) {
        return new IpcKey(value);
    }

    /**
     * {@code ftok(path, projectId)}: the key C programs derive from the same file and id.
     *
     * @param path an existing file both sides agree on
     * @param projectId 1..255 (ftok uses its low 8 bits; 0 is refused because it makes a key
     *                  that many programs use by accident)
     * @return the key
     */
    public static IpcKey ftok(Path path, int projectId) {
        dev.ipcj.internal.Check.notNull("ftok", null, path, "path");
        if (projectId < 1 || projectId > 255) {
            throw new dev.ipcj.InvalidArgumentException("ftok", path.toString(), 0,
                    "projectId " + projectId + " must be between 1 and 255 (ftok keeps only its low 8 bits)");
        }
        long k = SysvShm.ftok(path.toString(), projectId);
        if (k < 0) {
            throw IpcException.of("ftok", path.toString(), (int) k,
                    k == -2 ? "the file does not exist (ftok needs an existing file)" : null);
        }
        return new IpcKey((int) k);
    }

    /**
     * Whether this is {@link #PRIVATE}, which always makes a new object.
     *
     * @return true for IPC_PRIVATE
     */
    public boolean isPrivate() {
        return value == 0;
    }

    @Override
    public String toString() {
        return value == 0 ? "IPC_PRIVATE" : String.format("0x%08x", value);
    }
}
