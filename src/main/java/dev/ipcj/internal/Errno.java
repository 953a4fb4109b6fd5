package dev.ipcj.internal;

import dev.ipcj.jni.Sys;

/** Linux errno values ipcj tests for, and their names and descriptions from the C library. */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int ERANGE = 34;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int ELOOP = 40;
    public static final int ENOMSG = 42;
    public static final int EIDRM = 43;
    public static final int EOVERFLOW = 75;
    public static final int EMSGSIZE = 90;
    public static final int EADDRINUSE = 98;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;

    private Errno() {
    }

    /** "EINVAL" for 22 (or for -22); "errno 1234" when the C library has no name for it. */
    public static String name(int errno) {
        int e = Math.abs(errno);
        String n = Sys.errnoName(e);
        return n != null ? n : "errno " + e;
    }

    /** The C library's description, "Invalid argument" for 22. */
    public static String text(int errno) {
        String t = Sys.errnoText(Math.abs(errno));
        return t != null ? t : "unknown error";
    }
}
