package dev.ipcj.msg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The transport SPI's promise: each {@link Transport} constant names its adapter and a code of
 * its own, and nothing in the library dispatches on the transport (a {@code switch} over it
 * compiles into a {@code $SwitchMap$dev$ipcj$msg$Transport} table, which no class may hold), so
 * adding a transport is its class and its constant.
 */
class TransportSpiTest {
    @Test
    void everyTransportHasItsAdapterAndItsOwnCode() {
        Set<Integer> codes = new HashSet<>();
        for (Transport t : Transport.values()) {
            assertNotNull(t.adapter(), t + " has no adapter");
            assertTrue(codes.add(t.code()), t + " shares code " + t.code());
            assertTrue(t.code() > 0, t + ": code 0 is no transport in a header");
            assertEquals(t, Transport.ofCode(t.code()));
        }
        assertEquals(null, Transport.ofCode(0));
    }

    @Test
    void noLibraryClassSwitchesOverTheTransport() throws IOException {
        Path classes = Path.of("target/classes");
        assertTrue(Files.isDirectory(classes), "run from the module root after compiling");
        byte[] marker = "$SwitchMap$dev$ipcj$msg$Transport".getBytes(StandardCharsets.US_ASCII);
        List<Path> found;
        try (Stream<Path> s = Files.walk(classes)) {
            found = s.filter(p -> p.toString().endsWith(".class")).filter(p -> contains(p, marker)).toList();
        }
        assertEquals(List.of(), found, "classes that switch over Transport (give the transport's adapter the job)");
    }

    private static boolean contains(Path p, byte[] marker) {
        try {
            byte[] b = Files.readAllBytes(p);
            outer:
            for (int i = 0; i + marker.length <= b.length; i++) {
                for (int k = 0; k < marker.length; k++) {
                    if (b[i + k] != marker[k]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
