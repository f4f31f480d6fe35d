package io.fleetline.webhooks.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import io.fleetline.webhooks.config.WebhooksConfig;
import io.fleetline.webhooks.store.DeliveryStore;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/** Keeps the delivery log and the inbound dedup table to their configured age. */
@ApplicationScoped
public class Housekeeping {

    private final DeliveryStore deliveries;
    private final WebhooksConfig config;

    Housekeeping(DeliveryStore deliveries, WebhooksConfig config) {
        this.deliveries = deliveries;
        this.config = config;
    }

    @Scheduled(every = "1h", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> prune() {
        return deliveries.prune(config.retention(), config.inboundDedupWindow());
    }
}
