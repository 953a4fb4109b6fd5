package dev.ipcj.internal;

import dev.ipcj.CorruptedException;
import dev.ipcj.IpcException;
import dev.ipcj.LimitExceededException;
import dev.ipcj.NotFoundException;
import dev.ipcj.PermissionDeniedException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/** The files of messaging in /dev/shm: opened without following links, checked for kind, mode 0600. */
public final class ShmFiles {
    public static final Path DIR = Path.of("/dev/shm");
    public static final FileAttribute<Set<PosixFilePermission>> MODE_0600 =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private ShmFiles() {
    }

    /**
     * Opens an existing regular file (not a link, directory, FIFO or device): NotFoundException
     * when absent, PermissionDeniedException naming the owner when not ours to open.
     */
    public static FileChannel openRegular(Path path, boolean readOnly, String call, String object) {
        PosixFileAttributes a = attributes(path, call, object);
        if (a == null) {
            throw new NotFoundException(call, object, Errno.ENOENT, path + " does not exist");
        }
        if (!a.isRegularFile()) {
            throw new CorruptedException(call, object, 0, path + " is not a regular file (" + kind(a)
                    + "): not an ipcj object");
        }
        try {
            return readOnly
                    ? FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)
                    : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw error(call, object, path, e);
        }
    }

    /** The file's attributes without following a link, or null when it does not exist. */
    public static PosixFileAttributes attributes(Path path, String call, String object) {
        try {
            return Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw error(call, object, path, e);
        }
    }

    /** The inode number of {@code path} (not following links), or 0 when it does not exist. */
    public static long inode(Path path) {
        try {
            Object ino = Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS);
            return ((Number) ino).longValue();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The inode number of what {@code path} leads to (following links, e.g. /proc/self/fd/N), or 0. */
    public static long inodeFollowing(Path path) {
        try {
            return ((Number) Files.getAttribute(path, "unix:ino")).longValue();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Creates {@code path} exclusively, mode 0600, and returns it open for reading and writing. */
    public static FileChannel createExclusive(Path path, String call, String object) {
        try {
            return FileChannel.open(path, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), MODE_0600);
        } catch (IOException e) {
            throw error(call, object, path, e);
        }
    }

    /** Writes all of {@code b} at file offset {@code at}. */
    public static void writeFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        long pos = at;
        while (b.hasRemaining()) {
            pos += ch.write(b, pos);
        }
    }

    /** Reads up to b.remaining() bytes from offset {@code at}: the count read (short at end of file). */
    public static int readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        int total = 0;
        while (b.hasRemaining()) {
            int r = ch.read(b, at + total);
            if (r < 0) {
                break;
            }
            total += r;
        }
        return total;
    }

    /** An IOException as the typed exception of its meaning. */
    public static IpcException error(String call, String object, Path path, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new NotFoundException(call, object, Errno.ENOENT, path + " does not exist");
        }
        if (e instanceof FileAlreadyExistsException) {
            return IpcException.of(call, object, Errno.EEXIST, path + " already exists");
        }
        if (e instanceof AccessDeniedException) {
            return new PermissionDeniedException(call, object, Errno.EACCES, path + " is not ours to open ("
                    + owner(path) + "); ipcj objects are mode 0600, for their owner only");
        }
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("No space left")) {
            return new LimitExceededException(call, object, Errno.ENOSPC, path.getParent() + " is full (df "
                    + path.getParent() + ")");
        }
        if (msg.contains("Too many levels of symbolic links")) {
            return new CorruptedException(call, object, 0, path + " is a symbolic link: not an ipcj object");
        }
        return new IpcException(call, object, 0, path + ": " + e);
    }

    private static String owner(Path path) {
        try {
            PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            Object uid = Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            return "owner " + a.owner().getName() + " (uid " + uid + "), mode "
                    + PosixFilePermissions.toString(a.permissions());
        } catch (IOException | RuntimeException e) {
            return "owner unknown";
        }
    }

    private static String kind(PosixFileAttributes a) {
        return a.isDirectory() ? "a directory" : a.isSymbolicLink() ? "a symbolic link" : "a device, FIFO or socket";
    }

    public static void closeQuietly(Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException | RuntimeException ignored) {
            // nothing more to do
        }
    }

    /** Deletes {@code path} if it is still the file with inode {@code inode}: true if it did. */
    public static boolean deleteIfSame(Path path, long inode) {
        if (inode == 0 || inode(path) != inode) {
            return false;
        }
        try {
            return Files.deleteIfExists(path);
        } catch (IOException e) {
            return false;
        }
    }
}
