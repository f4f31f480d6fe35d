package io.fleetline.webhooks.api;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;

import jakarta.enterprise.context.ApplicationScoped;

import io.fleetline.commons.api.ApiException;
import io.fleetline.webhooks.domain.AddressPolicy;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Refuses a webhook URL whose host resolves to an address the {@link AddressPolicy} forbids
 * (any of its addresses). Resolution blocks, so it runs on a worker thread. The sender checks
 * again against the address it actually connects to.
 */
@ApplicationScoped
class UrlGuard {

    private final AddressPolicy policy;

    UrlGuard(AddressPolicy policy) {
        this.policy = policy;
    }

    /** Completes when {@code url} may be registered; fails with a 400 naming the field otherwise. */
    Uni<Void> check(String url) {
        String host = URI.create(url).getHost();
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return Uni.createFrom().item(() -> resolve(bare))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .invoke(addresses -> {
                    if (addresses == null) {
                        throw ApiException.invalidField("url", "must have a host name that resolves");
                    }
                    if (!Arrays.stream(addresses).allMatch(policy::allows)) {
                        throw ApiException.invalidField("url", "must not resolve to a loopback, private, link-local,"
                                + " CGNAT, multicast or metadata address (see fleetline.webhooks.allowed-cidrs)");
                    }
                })
                .replaceWithVoid();
    }

    private static InetAddress[] resolve(String host) {
        try {
            return InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
