/**
 * ipcj: Java bindings to Linux IPC. The exported packages are the API; {@code dev.ipcj.jni}
 * (JavaCPP's JNI bindings) and {@code dev.ipcj.internal} are not exported.
 */
module dev.ipcj {
    requires org.bytedeco.javacpp;
    requires jdk.unsupported;
    // The network transport (Transport.AERON, udp:// mailboxes): optional at run time; ipcj
    // without Aeron on the path loads and runs every local transport.
    requires static io.aeron.client;
    requires static io.aeron.driver;
    requires static org.agrona.core;

    exports dev.ipcj;
    exports dev.ipcj.posix;
    exports dev.ipcj.sysv;
    exports dev.ipcj.ring;
    exports dev.ipcj.msg;
    exports dev.ipcj.log;
    exports dev.ipcj.broadcast;
}
