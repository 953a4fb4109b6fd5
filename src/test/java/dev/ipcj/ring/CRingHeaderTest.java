package dev.ipcj.ring;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Finding 18: {@code ipcj_ring.h} as a new C user meets it. src/test/c/strict/ring_c11.c includes
 * libc headers first and is compiled here with {@code -std=c11 -Wall -Wextra -pedantic -Werror};
 * it then checks that close frees the attach slots (the next attach is not EBUSY) and that
 * {@code ipcj_ring_unlink} removes the ring.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CRingHeaderTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    @Test
    void strictC11WithLibcHeadersFirstCloseThenAttachAndUnlink() throws Exception {
        Path src = Path.of("src/test/c/strict/ring_c11.c").toAbsolutePath();
        Path include = Path.of("src/main/c").toAbsolutePath();
        Path exe = Path.of("target/ring_c11").toAbsolutePath();
        Files.createDirectories(exe.getParent());
        Process cc = new ProcessBuilder(List.of("cc", "-std=c11", "-Wall", "-Wextra", "-pedantic", "-Werror",
                "-O2", "-I" + include, "-o", exe.toString(), src.toString(), "-lrt", "-lpthread"))
                .redirectErrorStream(true).start();
        String diagnostics = Processes.waitFor(cc, 90);
        assertEquals(0, cc.exitValue(), "ipcj_ring.h does not compile as strict C11:\n" + diagnostics);
        assertEquals("", diagnostics.strip(), "warnings:\n" + diagnostics);

        String n = names.next("c11");
        Process run = new ProcessBuilder(exe.toString(), n).redirectErrorStream(true).start();
        String out = Processes.waitFor(run, 30);
        assertEquals(0, run.exitValue(), out);
        assertEquals("ok", out.strip());
    }
}
