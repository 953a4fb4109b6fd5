package dev.ipcj.msg;

import dev.ipcj.InvalidArgumentException;
import java.nio.charset.StandardCharsets;

/**
 * A network mailbox's address, {@code udp://HOST:PORT/NAME}: the receiver's host (a name, an IPv4
 * address or a bracketed IPv6 address; {@code 0.0.0.0} on the creating side listens on every
 * interface) and UDP port, and the mailbox's name. Several mailboxes of one process may share a
 * port: the name selects the Aeron stream ({@link #dataStream()}), so the port is the machine's
 * address of a process and the name the mailbox in it.
 */
final class NetAddress {
    static final String SCHEME = "udp://";
    private static final int MAX_NAME = 255;

    final String uri;
    final String host;
    final int port;
    final String name;
    private final int stream;

    private NetAddress(String uri, String host, int port, String name) {
        this.uri = uri;
        this.host = host;
        this.port = port;
        this.name = name;
        long h = 0xcbf29ce484222325L; // FNV-1a of the name: the same stream on every machine
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        this.stream = (int) ((h ^ (h >>> 32)) & 0x3fffffff) << 1; // even: data; +1: control
    }

    static boolean isNetworkName(String name) {
        return name != null && name.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
    }

    /** Parses {@code udp://HOST:PORT/NAME}, refusing anything else with a message saying what is wrong. */
    static NetAddress parse(String call, String uri) {
        if (!isNetworkName(uri)) {
            throw bad(call, uri, "a network mailbox is named udp://HOST:PORT/NAME");
        }
        String rest = uri.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        if (slash < 0) {
            throw bad(call, uri, "no /NAME after HOST:PORT (udp://HOST:PORT/NAME)");
        }
        String hostPort = rest.substring(0, slash);
        String name = rest.substring(slash + 1);
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || (hostPort.startsWith("[") && colon < hostPort.indexOf(']'))) {
            throw bad(call, uri, "no :PORT after the host (udp://HOST:PORT/NAME)");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") != host.endsWith("]") || host.isEmpty()
                || !host.chars().allMatch(c -> Character.isLetterOrDigit(c) || ".-:[]".indexOf(c) >= 0)) {
            throw bad(call, uri, "host \"" + host + "\" is not a host name, an IPv4 address or a bracketed IPv6 address");
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw bad(call, uri, "port \"" + hostPort.substring(colon + 1) + "\" is not 1..65535");
        }
        if (name.isEmpty() || name.length() > MAX_NAME
                || !name.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || "._-".indexOf(c) >= 0))) {
            throw bad(call, uri, "the name \"" + name + "\" must be 1.." + MAX_NAME + " of A-Z a-z 0-9 . _ -");
        }
        return new NetAddress(SCHEME + host + ":" + port + "/" + name, host, port, name);
    }

    private static InvalidArgumentException bad(String call, String uri, String why) {
        return new InvalidArgumentException(call, uri, 0, why);
    }

    /** The Aeron channel of the receiver's endpoint. */
    String channel() {
        return "aeron:udp?endpoint=" + host + ":" + port;
    }

    /** The Aeron stream carrying the mailbox's messages (even), from the name. */
    int dataStream() {
        return stream;
    }

    /** The stream of the senders' hellos (the data stream + 1), on the same endpoint. */
    int controlStream() {
        return stream + 1;
    }

    @Override
    public String toString() {
        return uri;
    }
}
