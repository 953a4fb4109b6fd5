package dev.ipcj.cli.sys;

import dev.ipcj.IpcException;
import dev.ipcj.jni.PosixSem;
import dev.ipcj.jni.PosixShm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/**
 * Removes one object the way its kind is removed: shm_unlink, sem_unlink, mq_unlink (the
 * library's binding when this build has it, else unlinking the file in the mqueue mount, which
 * is what mq_unlink does), IPC_RMID for System V (through ipcrm(1) until the System V binding is
 * in this build).
 */
public final class Remover {
    private Remover() {
    }

    /** Removes {@code o}; returns null on success, else the reason it failed. */
    public static String remove(IpcObject o) {
        switch (o.kind()) {
            case POSIX_SHM: {
                int r = PosixShm.shmUnlink(o.name());
                return r == 0 ? null : IpcException.of("shm_unlink", o.name(), r).getMessage();
            }
            case POSIX_SEM: {
                int r = PosixSem.semUnlink(o.name());
                return r == 0 ? null : IpcException.of("sem_unlink", o.name(), r).getMessage();
            }
            case POSIX_MQ:
                return removeMq(o);
            case SYSV_SHM:
                return ipcrm("-m", o);
            case SYSV_MSG:
                return ipcrm("-q", o);
            default:
                return ipcrm("-s", o);
        }
    }

    private static String removeMq(IpcObject o) {
        try {
            Class<?> c = Class.forName("dev.ipcj.jni.PosixMq");
            int r = (Integer) c.getMethod("mqUnlink", String.class).invoke(null, o.name());
            return r == 0 ? null : IpcException.of("mq_unlink", o.name(), r).getMessage();
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            // no mq binding in this build: unlink the file in the mqueue mount
        }
        try {
            Files.delete(o.path());
            return null;
        } catch (IOException e) {
            return "mq_unlink(\"" + o.name() + "\") via " + o.path() + ": " + e;
        }
    }

    private static String ipcrm(String flag, IpcObject o) {
        try {
            Process p = new ProcessBuilder("ipcrm", flag, Long.toString(o.id())).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "ipcrm " + flag + " " + o.id() + " did not finish";
            }
            return p.exitValue() == 0 ? null : "ipcrm " + flag + " " + o.id() + ": " + out;
        } catch (IOException e) {
            return "IPC_RMID on " + o.name() + " needs ipcrm(1) (util-linux): " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
