package io.fleetline.commons.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

@QuarkusTest
class OutboxPruneTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Inject
    Pool pool;

    @Inject
    Outbox outbox;

    @Test
    void pruneForgetsOldSentEventsAndKeepsUnsentOnes() {
        String run = UUID.randomUUID().toString();
        pool.preparedQuery("INSERT INTO commons_test.outbox (event_id, topic, payload, sent_at) VALUES"
                + " ($1, 'platform/events/ping', '{}', now() - interval '2 hours'),"
                + " ($2, 'platform/events/ping', '{}', now() - interval '1 minute')")
                .execute(Tuple.of("old-" + run, "recent-" + run)).await().atMost(WAIT);
        // An old row that is not yet sent (or that the relay publishes meanwhile) must survive.
        pool.preparedQuery("INSERT INTO commons_test.outbox (event_id, topic, payload, created_at) VALUES"
                + " ($1, 'platform/events/ping', '{}', now() - interval '3 hours')")
                .execute(Tuple.of("unsent-" + run)).await().atMost(WAIT);

        outbox.prune().await().atMost(WAIT);

        assertEquals(0, count("old-" + run));
        assertEquals(1, count("recent-" + run));
        assertEquals(1, count("unsent-" + run));
    }

    private long count(String eventId) {
        return pool.preparedQuery("SELECT count(*) FROM commons_test.outbox WHERE event_id = $1")
                .execute(Tuple.of(eventId)).await().atMost(WAIT).iterator().next().getLong(0);
    }
}
