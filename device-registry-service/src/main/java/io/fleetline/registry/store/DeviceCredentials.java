package io.fleetline.registry.store;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.fleetline.commons.auth.ApiKeys;
import io.fleetline.commons.mqtt.MqttConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Device accounts at the broker. A device connects with its id as user name and client id and a
 * password issued here, kept only as its SHA-256 in {@code registry.device_credentials} and written
 * in the caller's transaction; the broker's device-account plugin (deploy/mosquitto/device-auth)
 * checks it on every connect and confines the device to {@code devices/<id>/...}. Active when the
 * registry itself authenticates to the broker ({@code fleetline.mqtt.username} set): an anonymous
 * broker has no accounts to check.
 */
@ApplicationScoped
public class DeviceCredentials {

    private final MqttConfig mqttConfig;
    private final DeviceMessages messages;
    private final SecureRandom random = new SecureRandom();

    DeviceCredentials(MqttConfig mqttConfig, DeviceMessages messages) {
        this.mqttConfig = mqttConfig;
        this.messages = messages;
    }

    /** Credentials a device connects with; the password is returned once and stored only as its hash. */
    public record MqttCredentials(String username, String password, String clientId) {
    }

    /** Whether the broker authenticates clients, so that devices need accounts. */
    public boolean enabled() {
        return mqttConfig.username().isPresent();
    }

    /** Gives newly registered devices their accounts, in {@code tx}; the credentials come in the same order. */
    public Uni<List<MqttCredentials>> issueAll(SqlConnection tx, List<String> deviceIds) {
        if (deviceIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<MqttCredentials> issued = deviceIds.stream().map(id -> new MqttCredentials(id, newPassword(), id)).toList();
        return tx.preparedQuery("INSERT INTO registry.device_credentials (device_id, password_sha256)"
                + " SELECT * FROM unnest($1::text[], $2::text[])"
                + " ON CONFLICT (device_id) DO UPDATE SET password_sha256 = excluded.password_sha256, issued_at = now()")
                .execute(Tuple.of(deviceIds.toArray(String[]::new),
                        issued.stream().map(c -> ApiKeys.hash(c.password())).toArray(String[]::new)))
                .replaceWith(issued);
    }

    /**
     * Replaces the device's password in {@code tx}: the old one stops working at commit, and the
     * broker then disconnects sessions opened with it, to come back with the new one.
     */
    public Uni<MqttCredentials> rotate(SqlConnection tx, String deviceId) {
        return issueAll(tx, List.of(deviceId)).map(issued -> issued.get(0)).call(() -> messages.disconnect(tx, deviceId));
    }

    private String newPassword() {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
