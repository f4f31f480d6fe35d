package io.fleetline.registry.messaging;

import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.fleetline.commons.outbox.Outbox;
import io.fleetline.registry.config.RegistryConfig;
import io.fleetline.registry.store.CommandStore;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/** Marks commands whose TTL passed before they finished as {@code expired}, on a timer. */
@ApplicationScoped
public class CommandExpiry {

    private static final Logger LOG = Logger.getLogger(CommandExpiry.class);
    private static final int BATCH = 500;

    private final CommandStore commands;
    private final Outbox outbox;
    private final RegistryConfig config;
    private final Vertx vertx;
    private final AtomicBoolean running = new AtomicBoolean();

    CommandExpiry(CommandStore commands, Outbox outbox, RegistryConfig config, Vertx vertx) {
        this.commands = commands;
        this.outbox = outbox;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        vertx.setPeriodic(config.expiryInterval().toMillis(), id -> expire());
    }

    private void expire() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        commands.expireDue(BATCH)
                .repeat().until(expired -> expired < BATCH)
                .collect().last()
                .eventually(() -> running.set(false))
                .subscribe().with(
                        expired -> outbox.relayNow(),
                        failure -> LOG.warnf("Expiring commands failed: %s", failure.getMessage()));
    }
}
