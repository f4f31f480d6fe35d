package io.fleetline.commons.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

class ClientAddressTest {

    private final ClientAddress behindProxies = new ClientAddress(List.of("10.0.0.0/8", "192.168.1.5", "::1/128"));

    @Test
    void forwardedForFromAnUntrustedPeerIsIgnored() {
        assertEquals("203.0.113.9", behindProxies.resolve("203.0.113.9", "1.2.3.4"));
        assertEquals("127.0.0.1", new ClientAddress(List.of()).resolve("127.0.0.1", "1.2.3.4"));
    }

    @Test
    void rightMostUntrustedEntryIsTheClient() {
        // The client wrote "6.6.6.6" itself; 198.51.100.7 is what our proxies saw.
        assertEquals("198.51.100.7", behindProxies.resolve("10.1.2.3", "6.6.6.6, 198.51.100.7, 10.9.9.9"));
        assertEquals("198.51.100.7", behindProxies.resolve("192.168.1.5", "198.51.100.7"));
        assertEquals("2001:db8::7", behindProxies.resolve("::1", "2001:db8::7"));
    }

    @Test
    void missingOrAllTrustedHeaderFallsBack() {
        assertEquals("10.1.2.3", behindProxies.resolve("10.1.2.3", null));
        assertEquals("10.0.0.1", behindProxies.resolve("10.1.2.3", "10.0.0.1, 10.0.0.2"));
    }

    @Test
    void aHostNameIsNeverTrustedNorLookedUp() {
        assertEquals("localhost", behindProxies.resolve("10.1.2.3", "localhost"));
        assertEquals("192.168.1.6", behindProxies.resolve("192.168.1.5", "192.168.1.6"));
    }

    @Test
    void aMalformedProxyListIsRefusedAtStart() {
        assertThrows(IllegalArgumentException.class, () -> new ClientAddress(List.of("proxy.example")));
    }
}
