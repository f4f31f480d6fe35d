package io.fleetline.webhooks.config;

import java.util.List;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.fleetline.webhooks.domain.AddressPolicy;
import io.fleetline.webhooks.domain.RetryPolicy;

/** Builds the domain policies from {@link WebhooksConfig}. */
public class Policies {

    @Produces
    @Singleton
    AddressPolicy addressPolicy(WebhooksConfig config) {
        return new AddressPolicy(config.allowedCidrs().orElse(List.of()));
    }

    @Produces
    @Singleton
    RetryPolicy retryPolicy(WebhooksConfig config) {
        return new RetryPolicy(config.retrySchedule(), config.retryJitter(), config.maxRetryAfter(),
                config.giveUpAfter());
    }
}
