package dev.ipcj.cli.compare;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Pipes between two unrelated processes: two FIFOs (mkfifo), one each way. A FIFO is the same
 * kernel pipe as pipe(2); only the way the two ends meet differs. Java: FileChannel.
 */
final class PipeMechanism implements Mechanism {
    @Override
    public String id() {
        return "pipe";
    }

    @Override
    public String label() {
        return "pipe (FIFO pair)";
    }

    @Override
    public String cProgram() {
        return "bench_pipe";
    }

    @Override
    public Setup prepare(ScenarioContext ctx) throws Exception {
        Path c2s = ctx.dir().resolve("c2s");
        Path s2c = ctx.dir().resolve("s2c");
        mkfifo(c2s);
        mkfifo(s2c);
        return new Setup(List.of(c2s.toString(), s2c.toString()), () -> {
            try {
                Files.deleteIfExists(c2s);
                Files.deleteIfExists(s2c);
            } catch (IOException e) {
                // the directory is removed after this anyway
            }
        });
    }

    private static void mkfifo(Path p) throws IOException, InterruptedException {
        // The JDK has no mkfifo; coreutils does.
        Process pr = new ProcessBuilder("mkfifo", "-m", "600", p.toString()).redirectErrorStream(true).start();
        String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!pr.waitFor(10, TimeUnit.SECONDS) || pr.exitValue() != 0) {
            throw new IOException("mkfifo " + p + " failed: " + out.trim());
        }
    }

    @Override
    public Link server(List<String> args, int maxSize) {
        return new Link() {
            FileChannel in;
            FileChannel out;

            @Override
            public void accept() throws IOException {
                // Same order as the client opens them, or both would block in open().
                in = FileChannel.open(Path.of(args.get(0)), StandardOpenOption.READ);
                out = FileChannel.open(Path.of(args.get(1)), StandardOpenOption.WRITE);
            }

            @Override
            public void send(ByteBuffer buf, int size) throws IOException {
                Streams.send(out, buf, size);
            }

            @Override
            public void recv(ByteBuffer buf, int size) throws IOException {
                Streams.recv(in, buf, size);
            }

            @Override
            public void close() throws IOException {
                closeBoth(in, out);
            }
        };
    }

    @Override
    public Link client(List<String> args, String endpoint, int maxSize) throws IOException {
        FileChannel out = FileChannel.open(Path.of(args.get(0)), StandardOpenOption.WRITE);
        FileChannel in = FileChannel.open(Path.of(args.get(1)), StandardOpenOption.READ);
        return new Link() {
            @Override
            public void send(ByteBuffer buf, int size) throws IOException {
                Streams.send(out, buf, size);
            }

            @Override
            public void recv(ByteBuffer buf, int size) throws IOException {
                Streams.recv(in, buf, size);
            }

            @Override
            public void close() throws IOException {
                closeBoth(in, out);
            }
        };
    }

    static void closeBoth(AutoCloseable a, AutoCloseable b) throws IOException {
        try {
            if (a != null) {
                a.close();
            }
            if (b != null) {
                b.close();
            }
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }
}
