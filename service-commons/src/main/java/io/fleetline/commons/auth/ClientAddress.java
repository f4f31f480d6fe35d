package io.fleetline.commons.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The client address of a request, for limits on unauthenticated callers. {@code
 * X-Forwarded-For} is believed only when the direct peer is a trusted proxy ({@code
 * fleetline.http.trusted-proxies}, CIDRs), and then the right-most entry that is not itself a
 * trusted proxy is the client: entries further left were written by the client and prove
 * nothing.
 */
@ApplicationScoped
public class ClientAddress {

    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f.:]+");

    private final List<Cidr> trusted;

    @Inject
    ClientAddress(@ConfigProperty(name = "fleetline.http.trusted-proxies") Optional<List<String>> trustedProxies) {
        this(trustedProxies.orElse(List.of()));
    }

    /** An instance trusting the given CIDRs (such as {@code 10.0.0.0/8}, {@code ::1/128}). */
    public ClientAddress(List<String> trustedProxies) {
        List<Cidr> parsed = new ArrayList<>();
        for (String cidr : trustedProxies) {
            parsed.add(Cidr.parse(cidr.trim()));
        }
        this.trusted = List.copyOf(parsed);
    }

    /** The client behind {@code peer}, given the request's {@code X-Forwarded-For} (may be null). */
    public String resolve(String peer, String forwardedFor) {
        if (forwardedFor == null || !isTrusted(peer)) {
            return peer;
        }
        String[] hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (!isTrusted(hop)) {
                return hop.isEmpty() ? peer : hop;
            }
        }
        // Every hop is a trusted proxy: the left-most is the closest we know to the client.
        String first = hops[0].trim();
        return first.isEmpty() ? peer : first;
    }

    private boolean isTrusted(String address) {
        byte[] bytes = literal(address);
        if (bytes == null) {
            return false;
        }
        for (Cidr cidr : trusted) {
            if (cidr.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /** The bytes of an IP literal, or null; never a name lookup, since the header is client input. */
    private static byte[] literal(String address) {
        if (address == null || !LITERAL.matcher(address).matches()) {
            return null;
        }
        try {
            return InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private record Cidr(byte[] network, int bits) {

        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            byte[] address = literal(slash < 0 ? text : text.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("fleetline.http.trusted-proxies: '" + text + "' is not a CIDR");
            }
            int bits = slash < 0 ? address.length * 8 : Integer.parseInt(text.substring(slash + 1));
            return new Cidr(address, bits);
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < bits; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((address[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
