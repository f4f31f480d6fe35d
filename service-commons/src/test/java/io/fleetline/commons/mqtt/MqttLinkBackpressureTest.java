package io.fleetline.commons.mqtt;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.fleetline.commons.testing.MqttProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * A handler that holds messages makes the link stop reading from the broker once
 * {@code fleetline.mqtt.max-unsettled} (8 in the tests) are unsettled, and read on when they are:
 * a flooding broker cannot fill the heap, and nothing is lost. Payloads are large so that the
 * broker cannot hand many over in the socket reads that happen before the pause.
 */
@QuarkusTest
class MqttLinkBackpressureTest {

    private static final int MESSAGES = 40;

    @Inject
    MqttLink link;

    @Test
    void theLinkStopsReadingWhileTooManyMessagesAreUnsettledAndReadsOnAfterwards() {
        String topic = "backpressure/" + UUID.randomUUID();
        List<UniEmitter<? super Void>> held = new CopyOnWriteArrayList<>();
        link.subscribe(topic, message -> Uni.createFrom().emitter(held::add));
        await().atMost(Duration.ofSeconds(10)).until(link::isConnected);
        byte[] payload = new byte[64 * 1024];
        try (MqttProbe publisher = MqttProbe.connect()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                publisher.publish(topic, payload, false);
                return !held.isEmpty();
            });
            for (int i = 1; i < MESSAGES; i++) {
                publisher.publish(topic, payload, false);
            }
        }
        // The broker itself would send 20 (its default max_inflight_messages) before waiting for acks.
        await().atMost(Duration.ofSeconds(10)).until(() -> held.size() >= 8);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> held.size() <= 12);

        // settling what it holds lets everything else in
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            held.forEach(emitter -> emitter.complete(null));
            return held.size() >= MESSAGES;
        });
        assertTrue(held.size() >= MESSAGES, "every message arrived once the handler settled: " + held.size());
    }
}
