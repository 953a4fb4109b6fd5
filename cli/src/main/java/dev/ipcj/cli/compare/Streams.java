package dev.ipcj.cli.compare;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/** Whole-message send and receive over byte-stream channels (pipe, sockets). */
final class Streams {
    private Streams() {
    }

    static void send(WritableByteChannel ch, ByteBuffer buf, int size) throws IOException {
        buf.clear().limit(size);
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    static void recv(ReadableByteChannel ch, ByteBuffer buf, int size) throws IOException {
        buf.clear().limit(size);
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                throw new EOFException("the peer closed the connection");
            }
        }
    }
}
