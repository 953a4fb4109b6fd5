package dev.ipcj.jni;

import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;

/**
 * The one JavaCPP configuration of ipcj: which headers of {@code src/main/c} the generated
 * JNI library includes, what it links, and its name ({@code libjniIpcj.so}). Every binding
 * class in this package inherits it, so they all compile into that single library, which
 * the build packs into the {@code linux-x86_64} classifier jar (and, where the Debian cross
 * compiler is installed, a second build into the {@code linux-arm64} one: see the pom's
 * {@code linux-arm64-cross} profile).
 *
 * <p>This package is ipcj's raw binding: shims that return a value or {@code -errno}. It is
 * public only because Java 17 without modules has no other way to share it between ipcj's
 * packages; use {@code dev.ipcj.posix}, {@code dev.ipcj.sysv} and the others instead.
 */
@Properties(value = @Platform(
        value = {"linux-x86_64", "linux-arm64"},
        include = {
            "ipcj_common.h", "ipcj_sys.h", "ipcj_shm.h", "ipcj_sem.h",
            "ipcj_mq.h", "ipcj_epoll.h", "ipcj_futex.h", "ipcj_bell.h",
            "ipcj_sysv_shm.h", "ipcj_sysv_msg.h", "ipcj_sysv_sem.h", "ipcj_fault.h"
        },
        link = {"rt", "pthread"},
        library = "jniIpcj"))
public final class IpcjConfig {
    private IpcjConfig() {
    }
}
