package io.fleetline.registry.store;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.fleetline.commons.api.ApiException;
import io.fleetline.commons.events.EventType;
import io.fleetline.commons.events.PlatformEvent;
import io.fleetline.commons.events.Severity;
import io.fleetline.commons.outbox.Outbox;
import io.fleetline.commons.store.GroupCommit;
import io.fleetline.registry.domain.DesiredConfig;
import io.fleetline.registry.domain.Device;
import io.fleetline.registry.domain.DeviceFields;
import io.fleetline.registry.domain.NewDevice;
import io.fleetline.registry.domain.Shadow;
import io.fleetline.registry.store.DeviceCredentials.MqttCredentials;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** {@code registry.devices}: registration, listing, edits, deletion and desired/reported configuration. */
@ApplicationScoped
public class DeviceStore {

    private static final String COLUMNS = "device_id, name, type, location, metadata::text AS metadata,"
            + " config::text AS config, connectivity, registered_at, last_seen";
    private static final String FILTER = " WHERE ($1::text IS NULL OR type = $1) AND ($2::text IS NULL OR location = $2)"
            + " AND ($3::text IS NULL OR connectivity = $3)";

    private final Pool pool;
    private final Outbox outbox;
    private final DeviceMessages messages;
    private final DeviceCredentials credentials;
    private final JsonColumns json;
    private final GroupCommit<NewDevice, Registered> registrations;

    DeviceStore(Pool pool, Outbox outbox, DeviceMessages messages, DeviceCredentials credentials, JsonColumns json,
            Vertx vertx, MeterRegistry meters) {
        this.pool = pool;
        this.outbox = outbox;
        this.messages = messages;
        this.credentials = credentials;
        this.json = json;
        this.registrations = new GroupCommit<>(vertx, "device registrations", 500, Duration.ZERO, 2, this::registerAll,
                DistributionSummary.builder("fleetline_registry_registration_batch_size")
                        .description("Devices registered per commit").register(meters));
    }

    /** A registered device and its broker account, null when the broker takes devices without one. */
    public record Registered(Device device, MqttCredentials mqtt) {
    }

    /** The 404 of every device route. */
    public static ApiException notFound(String deviceId) {
        return ApiException.notFound("Device '" + deviceId + "' not found.");
    }

    /**
     * Stores {@code device}, its broker account (when the broker authenticates devices) and its
     * {@code device_registered} event; 409 when the id exists. Registrations arriving together are
     * committed together, each answered only after that commit.
     */
    public Uni<Registered> register(NewDevice device) {
        return registrations.submit(device).onItem().ifNull()
                .failWith(() -> ApiException.conflict("Device '" + device.deviceId() + "' already exists."));
    }

    /** One transaction of a few statements for the whole batch; null for each id that exists (or came twice). */
    private Uni<List<Registered>> registerAll(List<NewDevice> batch) {
        int n = batch.size();
        String[] ids = new String[n];
        String[] names = new String[n];
        String[] types = new String[n];
        String[] locations = new String[n];
        String[] metadata = new String[n];
        String[] configs = new String[n];
        for (int i = 0; i < n; i++) {
            NewDevice device = batch.get(i);
            ids[i] = device.deviceId();
            names[i] = device.name();
            types[i] = device.type();
            locations[i] = device.location();
            metadata[i] = json.write(device.metadata());
            configs[i] = json.write(device.config());
        }
        return pool.withTransaction(tx -> tx
                .preparedQuery("INSERT INTO registry.devices (device_id, name, type, location, metadata, config)"
                        + " SELECT d.device_id, d.name, d.type, d.location, d.metadata::jsonb, d.config::jsonb"
                        + " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])"
                        + "  WITH ORDINALITY AS d(device_id, name, type, location, metadata, config, ord)"
                        + " ORDER BY d.ord ON CONFLICT (device_id) DO NOTHING RETURNING " + COLUMNS)
                .execute(Tuple.of(ids, names, types, locations, metadata, configs))
                .chain(rows -> {
                    Map<String, Device> stored = new HashMap<>();
                    rows.forEach(row -> stored.put(row.getString("device_id"), from(row)));
                    // The first request for an id got the row; a second one in the batch is a conflict.
                    List<Device> answered = new ArrayList<>(n);
                    for (String id : ids) {
                        answered.add(stored.remove(id));
                    }
                    List<Device> created = answered.stream().filter(Objects::nonNull).toList();
                    return outbox.appendAll(tx, created.stream().map(DeviceStore::registeredEvent).toList())
                            .chain(() -> messages.initialConfigs(tx, created))
                            .chain(() -> credentials.enabled()
                                    ? credentials.issueAll(tx, created.stream().map(Device::deviceId).toList())
                                    : Uni.createFrom().item(List.<MqttCredentials> of()))
                            .map(issued -> {
                                // The credentials come in the order of the devices created.
                                var accounts = issued.iterator();
                                List<Registered> results = new ArrayList<>(n);
                                for (Device device : answered) {
                                    results.add(device == null ? null
                                            : new Registered(device, accounts.hasNext() ? accounts.next() : null));
                                }
                                return results;
                            });
                }));
    }

    private static PlatformEvent registeredEvent(Device device) {
        return PlatformEvent.of(EventType.DEVICE_REGISTERED, device.deviceId(), Severity.INFO,
                "Device '" + device.deviceId() + "' registered.")
                .withDeviceName(device.name())
                .withMetadata(Map.of("type", device.type()));
    }

    /** One page of devices, newest registration first ({@code seq} breaks ties), and the total. */
    public Uni<Page<Device>> list(String type, String location, String connectivity, long offset, int limit) {
        Uni<List<Device>> items = pool.preparedQuery("SELECT " + COLUMNS + " FROM registry.devices" + FILTER
                + " ORDER BY registered_at DESC, seq DESC LIMIT $4 OFFSET $5")
                .execute(Tuple.of(type, location, connectivity, limit, offset))
                .map(rows -> {
                    List<Device> devices = new ArrayList<>(rows.size());
                    rows.forEach(row -> devices.add(from(row)));
                    return devices;
                });
        Uni<Long> total = pool.preparedQuery("SELECT count(*) FROM registry.devices" + FILTER)
                .execute(Tuple.of(type, location, connectivity))
                .map(rows -> rows.iterator().next().getLong(0));
        return Uni.combine().all().unis(items, total).with(Page::new);
    }

    /** The device, or a 404. */
    public Uni<Device> get(String deviceId) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM registry.devices WHERE device_id = $1")
                .execute(Tuple.of(deviceId))
                .map(rows -> rows.size() == 0 ? null : from(rows.iterator().next()))
                .onItem().ifNull().failWith(() -> notFound(deviceId));
    }

    /** Applies {@code edit} to the editable fields of the device under a row lock; never touches {@code last_seen}. */
    public Uni<Device> edit(String deviceId, UnaryOperator<DeviceFields> edit) {
        return pool.withTransaction(tx -> tx
                .preparedQuery("SELECT name, type, location, metadata::text AS metadata FROM registry.devices"
                        + " WHERE device_id = $1 FOR UPDATE")
                .execute(Tuple.of(deviceId))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next())
                .onItem().ifNull().failWith(() -> notFound(deviceId))
                .map(row -> edit.apply(new DeviceFields(row.getString("name"), row.getString("type"),
                        row.getString("location"), json.read(row.getString("metadata")))))
                .chain(fields -> tx.preparedQuery("UPDATE registry.devices SET name = $2, type = $3, location = $4,"
                        + " metadata = $5::text::jsonb WHERE device_id = $1 RETURNING " + COLUMNS)
                        .execute(Tuple.of(deviceId, fields.name(), fields.type(), fields.location(),
                                json.write(fields.metadata()))))
                .map(rows -> from(rows.iterator().next())));
    }

    /**
     * Deletes the device with its commands and broker account, queues the clearing of its retained
     * topics and the closing of its broker sessions, and emits {@code device_deleted}; 404 when absent.
     */
    public Uni<Void> delete(String deviceId) {
        // The device's queued messages go first: a relay publishing them holds their rows and then
        // updates the device's commands and config version, so taking the device's row (and, by
        // cascade, its commands) first could deadlock with it.
        return pool.withTransaction(tx -> messages.clearRetained(tx, deviceId)
                .chain(() -> tx.preparedQuery("DELETE FROM registry.devices WHERE device_id = $1 RETURNING name")
                        .execute(Tuple.of(deviceId)))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("name"))
                .onItem().ifNull().failWith(() -> notFound(deviceId))
                .call(name -> credentials.enabled() ? messages.disconnect(tx, deviceId) : Uni.createFrom().voidItem())
                .call(name -> outbox.append(tx, PlatformEvent.of(EventType.DEVICE_DELETED, deviceId, Severity.INFO,
                        "Device '" + deviceId + "' deleted.").withDeviceName(name)))
                .replaceWithVoid());
    }

    /** Replaces the device's broker password (see {@link DeviceCredentials#rotate}); 404 when absent. */
    public Uni<MqttCredentials> rotateCredentials(String deviceId) {
        return pool.withTransaction(tx -> tx
                .preparedQuery("SELECT 1 FROM registry.devices WHERE device_id = $1 FOR KEY SHARE")
                .execute(Tuple.of(deviceId))
                .onItem().transformToUni(rows -> rows.size() == 0
                        ? Uni.createFrom().failure(notFound(deviceId))
                        : credentials.rotate(tx, deviceId)));
    }

    /** The desired configuration and its version, or a 404. */
    public Uni<DesiredConfig> config(String deviceId) {
        return pool.preparedQuery("SELECT config_version, config::text AS config FROM registry.devices WHERE device_id = $1")
                .execute(Tuple.of(deviceId))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next())
                .onItem().ifNull().failWith(() -> notFound(deviceId))
                .map(row -> new DesiredConfig(row.getInteger("config_version"), json.read(row.getString("config"))));
    }

    /**
     * Replaces the desired configuration by {@code change} of the current one, under a row lock:
     * 412 when {@code expectedVersion} is given and stale; an actual change bumps the version,
     * queues the retained publish and emits {@code device_config_updated}. An unchanged config
     * keeps its version and publishes nothing.
     */
    public Uni<DesiredConfig> changeConfig(String deviceId, Integer expectedVersion, UnaryOperator<JsonNode> change) {
        return pool.withTransaction(tx -> tx
                .preparedQuery("SELECT name, config_version, config::text AS config FROM registry.devices"
                        + " WHERE device_id = $1 FOR UPDATE")
                .execute(Tuple.of(deviceId))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next())
                .onItem().ifNull().failWith(() -> notFound(deviceId))
                .chain(row -> {
                    int version = row.getInteger("config_version");
                    if (expectedVersion != null && expectedVersion != version) {
                        throw ApiException.preconditionFailed("Config of device '" + deviceId + "' is at version "
                                + version + ", not " + expectedVersion + ".");
                    }
                    JsonNode current = json.read(row.getString("config"));
                    JsonNode next = change.apply(current);
                    if (next.equals(current)) {
                        return Uni.createFrom().item(new DesiredConfig(version, current));
                    }
                    return store(tx, deviceId, row.getString("name"), next);
                }));
    }

    private Uni<DesiredConfig> store(SqlConnection tx, String deviceId, String name, JsonNode config) {
        return tx.preparedQuery("UPDATE registry.devices SET config = $2::text::jsonb, config_version = config_version + 1"
                + " WHERE device_id = $1 RETURNING config_version")
                .execute(Tuple.of(deviceId, json.write(config)))
                .map(rows -> new DesiredConfig(rows.iterator().next().getInteger(0), config))
                .call(desired -> messages.config(tx, deviceId, desired.version(), config))
                .call(desired -> outbox.append(tx, PlatformEvent.of(EventType.DEVICE_CONFIG_UPDATED, deviceId,
                        Severity.INFO, "Desired config of device '" + deviceId + "' is now version "
                                + desired.version() + ".")
                        .withDeviceName(name)
                        .withMetadata(Map.of("version", desired.version(), "config", config))));
    }

    /** Desired against reported configuration, or a 404. */
    public Uni<Shadow> shadow(String deviceId) {
        return pool.preparedQuery("SELECT config::text AS config, config_version, reported_config::text AS reported,"
                + " reported_version, reported_at,"
                + " coalesce(reported_version = config_version AND reported_config = config, false) AS in_sync"
                + " FROM registry.devices WHERE device_id = $1")
                .execute(Tuple.of(deviceId))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next())
                .onItem().ifNull().failWith(() -> notFound(deviceId))
                .map(row -> new Shadow(json.read(row.getString("config")), json.read(row.getString("reported")),
                        row.getInteger("config_version"), row.getInteger("reported_version"),
                        row.getBoolean("in_sync"), instant(row, "reported_at")));
    }

    /** Records what a device reported as applied; false when the device is not registered. */
    public Uni<Boolean> recordReported(String deviceId, Integer version, JsonNode config) {
        return pool.preparedQuery("UPDATE registry.devices SET reported_config = $2::text::jsonb, reported_version = $3,"
                + " reported_at = now() WHERE device_id = $1")
                .execute(Tuple.of(deviceId, json.write(config), version))
                .map(rows -> rows.rowCount() == 1);
    }

    private Device from(Row row) {
        return new Device(row.getString("device_id"), row.getString("name"), row.getString("type"),
                row.getString("location"), json.read(row.getString("metadata")), json.read(row.getString("config")),
                row.getString("connectivity"), instant(row, "registered_at"), instant(row, "last_seen"));
    }

    static Instant instant(Row row, String column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }

    /** One page of a list and the total number of matching items. */
    public record Page<T>(List<T> items, long total) {
    }
}
