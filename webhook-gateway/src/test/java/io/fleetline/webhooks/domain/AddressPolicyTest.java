package io.fleetline.webhooks.domain;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import org.junit.jupiter.api.Test;

class AddressPolicyTest {

    private final AddressPolicy strict = new AddressPolicy(List.of());

    @Test
    void internalAddressesAreRefusedWhenNothingIsAllowed() throws UnknownHostException {
        for (String address : List.of("169.254.169.254", "10.0.0.1", "::1", "127.0.0.1", "100.64.0.1",
                "100.100.100.200", "172.31.255.255", "192.168.0.1", "224.0.0.251", "0.0.0.0", "255.255.255.255",
                "fe80::1", "fd00:ec2::254", "ff02::1", "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe", "::")) {
            assertFalse(strict.allows(InetAddress.getByName(address)), address);
        }
    }

    @Test
    void publicAddressesAreAllowed() throws UnknownHostException {
        for (String address : List.of("8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111")) {
            assertTrue(strict.allows(InetAddress.getByName(address)), address);
        }
    }

    @Test
    void allowedCidrsOpenOnlyTheirRange() throws UnknownHostException {
        AddressPolicy policy = new AddressPolicy(List.of("127.0.0.1/32", "10.1.0.0/16"));
        assertTrue(policy.allows(InetAddress.getByName("127.0.0.1")));
        assertTrue(policy.allows(InetAddress.getByName("10.1.200.3")));
        assertFalse(policy.allows(InetAddress.getByName("127.0.0.2")));
        assertFalse(policy.allows(InetAddress.getByName("10.2.0.1")));
        assertFalse(policy.allows(InetAddress.getByName("::1")));
    }
}
