package io.fleetline.registry.store;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.fleetline.registry.domain.Device;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Queues messages for devices in the caller's transaction ({@code registry.device_messages});
 * {@code DeviceMessageRelay} publishes them after the commit, in order, once the broker acknowledges.
 */
@ApplicationScoped
public class DeviceMessages {

    private final JsonColumns json;

    DeviceMessages(JsonColumns json) {
        this.json = json;
    }

    /** The retained topic carrying a device's desired configuration. */
    public static String configTopic(String deviceId) {
        return "devices/" + deviceId + "/config";
    }

    /** The retained topic carrying a device's online/offline state. */
    public static String statusTopic(String deviceId) {
        return "devices/" + deviceId + "/status";
    }

    /** The topic commands are sent to. */
    public static String commandTopic(String deviceId) {
        return "devices/" + deviceId + "/commands";
    }

    /** Queues {@code {"version","config"}} retained on {@code devices/{id}/config}. */
    public Uni<Void> config(SqlConnection tx, String deviceId, int version, JsonNode config) {
        return configs(tx, new String[] { deviceId }, new Integer[] { version }, new String[] { payload(version, config) });
    }

    /** Queues the first config (version 1) of each newly registered device that has one. */
    public Uni<Void> initialConfigs(SqlConnection tx, List<Device> devices) {
        List<Device> configured = devices.stream().filter(d -> !d.config().isEmpty()).toList();
        if (configured.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] ids = configured.stream().map(Device::deviceId).toArray(String[]::new);
        Integer[] versions = new Integer[ids.length];
        Arrays.fill(versions, 1);
        String[] payloads = configured.stream().map(d -> payload(1, d.config())).toArray(String[]::new);
        return configs(tx, ids, versions, payloads);
    }

    private Uni<Void> configs(SqlConnection tx, String[] deviceIds, Integer[] versions, String[] payloads) {
        String[] topics = Arrays.stream(deviceIds).map(DeviceMessages::configTopic).toArray(String[]::new);
        return tx.preparedQuery("INSERT INTO registry.device_messages (device_id, topic, payload, retain, config_version)"
                + " SELECT m.device_id, m.topic, m.payload, true, m.version"
                + " FROM unnest($1::text[], $2::text[], $3::int[], $4::text[])"
                + "  WITH ORDINALITY AS m(device_id, topic, version, payload, ord) ORDER BY m.ord")
                .execute(Tuple.of(deviceIds, topics, versions, payloads))
                .replaceWithVoid();
    }

    private String payload(int version, JsonNode config) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("version", version);
        payload.put("config", config);
        return json.write(payload);
    }

    /**
     * Queues the closing of the device's broker sessions, through the device-account plugin's
     * control topic (deploy/mosquitto/device-auth), after its credentials were replaced or deleted.
     */
    public Uni<Void> disconnect(SqlConnection tx, String deviceId) {
        return tx.preparedQuery("INSERT INTO registry.device_messages (device_id, topic, payload, retain)"
                + " VALUES ($1, '$CONTROL/fleetline-devices/v1', $1, false)")
                .execute(Tuple.of(deviceId))
                .replaceWithVoid();
    }

    /**
     * Drops what is still queued for a deleted device and queues empty retained payloads that clear
     * its {@code status} and {@code config} topics.
     */
    public Uni<Void> clearRetained(SqlConnection tx, String deviceId) {
        return tx.preparedQuery("DELETE FROM registry.device_messages WHERE device_id = $1")
                .execute(Tuple.of(deviceId))
                .chain(() -> tx.preparedQuery("INSERT INTO registry.device_messages (device_id, topic, payload, retain)"
                        + " VALUES ($1, $2, '', true), ($1, $3, '', true)")
                        .execute(Tuple.of(deviceId, statusTopic(deviceId), configTopic(deviceId))))
                .replaceWithVoid();
    }

    /**
     * Queues the device's open, unexpired, not yet acknowledged commands that are not already queued
     * ({@code commandId} narrows it to one; {@code onlyIfOnline} queues nothing unless the registry
     * believes the device is online). Returns how many were queued.
     */
    public Uni<Integer> commands(SqlConnection tx, String deviceId, String commandId, boolean onlyIfOnline) {
        return tx.preparedQuery("INSERT INTO registry.device_messages (device_id, topic, payload, retain, command_id)"
                + " SELECT c.device_id, 'devices/' || c.device_id || '/commands',"
                + "  json_build_object('command_id', c.command_id, 'command', c.command, 'params', c.params,"
                + "   'expires_at', to_char(c.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))::text,"
                + "  false, c.command_id"
                + " FROM registry.commands c JOIN registry.devices d ON d.device_id = c.device_id"
                + " WHERE c.device_id = $1 AND c.status IN ('pending', 'sent') AND c.expires_at > now()"
                + "  AND ($2::text IS NULL OR c.command_id = $2)"
                + "  AND (NOT $3 OR d.connectivity = 'online')"
                + "  AND NOT EXISTS (SELECT 1 FROM registry.device_messages m WHERE m.command_id = c.command_id)"
                + " ORDER BY c.created_at, c.seq")
                .execute(Tuple.of(deviceId, commandId, onlyIfOnline))
                .map(rows -> rows.rowCount());
    }
}
