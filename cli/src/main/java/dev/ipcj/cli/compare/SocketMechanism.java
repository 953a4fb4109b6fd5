package dev.ipcj.cli.compare;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Stream sockets through JDK channels, blocking mode: a Unix domain socket (a path in the
 * scenario's directory) or TCP over loopback (port chosen by the server, TCP_NODELAY on both
 * ends as any latency-minded user sets it).
 */
final class SocketMechanism implements Mechanism {
    private final boolean tcp;

    private SocketMechanism(boolean tcp) {
        this.tcp = tcp;
    }

    static SocketMechanism unix() {
        return new SocketMechanism(false);
    }

    static SocketMechanism tcp() {
        return new SocketMechanism(true);
    }

    @Override
    public String id() {
        return tcp ? "tcp" : "unix";
    }

    @Override
    public String label() {
        return tcp ? "TCP loopback" : "Unix socket (stream)";
    }

    @Override
    public String cProgram() {
        return tcp ? "bench_tcp" : "bench_unix";
    }

    @Override
    public Setup prepare(ScenarioContext ctx) {
        if (tcp) {
            return new Setup(List.of("127.0.0.1"), () -> { });
        }
        Path sock = ctx.dir().resolve("sock");
        return new Setup(List.of(sock.toString()), () -> {
            try {
                Files.deleteIfExists(sock);
            } catch (IOException e) {
                // the directory is removed after this anyway
            }
        });
    }

    @Override
    public Link server(List<String> args, int maxSize) throws IOException {
        ServerSocketChannel ss;
        if (tcp) {
            ss = ServerSocketChannel.open(StandardProtocolFamily.INET);
            ss.bind(new InetSocketAddress(InetAddress.getByName(args.get(0)), 0), 1);
        } else {
            ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            ss.bind(UnixDomainSocketAddress.of(args.get(0)), 1);
        }
        return new Conn(ss);
    }

    @Override
    public Link client(List<String> args, String endpoint, int maxSize) throws IOException {
        SocketAddress a = tcp ? new InetSocketAddress(InetAddress.getByName(args.get(0)), Integer.parseInt(endpoint))
                : UnixDomainSocketAddress.of(args.get(0));
        SocketChannel ch = SocketChannel.open(a);
        Conn c = new Conn(null);
        c.ch = ch;
        c.configure();
        return c;
    }

    private final class Conn implements Link {
        private final ServerSocketChannel ss;
        SocketChannel ch;

        Conn(ServerSocketChannel ss) {
            this.ss = ss;
        }

        @Override
        public String endpoint() {
            try {
                return tcp ? Integer.toString(((InetSocketAddress) ss.getLocalAddress()).getPort()) : "-";
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void accept() throws IOException {
            ch = ss.accept();
            configure();
        }

        void configure() throws IOException {
            if (tcp) {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
        }

        @Override
        public void send(ByteBuffer buf, int size) throws IOException {
            Streams.send(ch, buf, size);
        }

        @Override
        public void recv(ByteBuffer buf, int size) throws IOException {
            Streams.recv(ch, buf, size);
        }

        @Override
        public void close() throws IOException {
            PipeMechanism.closeBoth(ch, ss);
        }
    }
}
