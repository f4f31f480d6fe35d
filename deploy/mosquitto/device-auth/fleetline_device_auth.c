/*
 * Fleetline device accounts for Mosquitto 2 (plugin API v5), read from PostgreSQL.
 *
 * The registry keeps each device's MQTT password as its SHA-256 (lowercase hex) in
 * registry.device_credentials, written in the transaction that registers the device, so
 * registering costs the broker nothing.
 * A client whose user name does not start with "_" is a device, and this plugin alone decides for
 * it:
 *   - it connects with the password the registry issued, and its client id is its user name;
 *   - it may publish only to devices/<id>/telemetry|status|commands/ack|config/reported and
 *     subscribe to (and receive) only devices/<id>/commands|config.
 * Service accounts ("_registry", "_ingest", ...) and the rest are left to the next plugin in the
 * configuration (dynamic security).
 *
 * After rotating or deleting a device's credentials the registry publishes the device id to
 * $CONTROL/fleetline-devices/v1; this plugin then disconnects that device's sessions.
 *
 * Every connect of a device runs one indexed query on the broker's thread (a few hundred
 * microseconds on the same network); while PostgreSQL is unreachable devices are refused and
 * already connected ones carry on.
 *
 * Option: plugin_opt_conninfo, a libpq connection string; left out, libpq reads the PG*
 * environment variables. A connect attempt gives up after 2 s unless the string says otherwise.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

#define CONTROL_TOPIC "$CONTROL/fleetline-devices/v1"
#define DEVICE_ID_MAX 64
#define SHA256_LEN 32
#define SHA256_HEX_LEN (2 * SHA256_LEN)
#define LOOKUP "SELECT password_sha256 FROM registry.device_credentials WHERE device_id = $1"

static const char *const PUBLISH[] = {"telemetry", "status", "commands/ack", "config/reported", NULL};
static const char *const RECEIVE[] = {"commands", "config", NULL};

static mosquitto_plugin_id_t *plugin;
static char *conninfo;
static PGconn *db;

/* The contract's device id rule: ^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$ */
static bool valid_device_id(const char *id, size_t len)
{
	if (len == 0 || len > DEVICE_ID_MAX) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		char c = id[i];
		bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || !strchr("_.:-", c))) {
			return false;
		}
	}
	return true;
}

/* Service accounts start with "_", which a device id cannot. */
static bool is_device(const char *username)
{
	return username != NULL && username[0] != '_';
}

static PGconn *database(void)
{
	if (db != NULL && PQstatus(db) == CONNECTION_OK) {
		return db;
	}
	PQfinish(db);
	const char *keywords[] = {"connect_timeout", "dbname", NULL};
	const char *values[] = {"2", conninfo, NULL};
	db = PQconnectdbParams(keywords, values, 1);
	if (PQstatus(db) != CONNECTION_OK) {
		mosquitto_log_printf(MOSQ_LOG_ERR, "fleetline-device-auth: cannot reach PostgreSQL: %s", PQerrorMessage(db));
		PQfinish(db);
		db = NULL;
		return NULL;
	}
	PQclear(PQexec(db, "SET statement_timeout = 2000"));
	return db;
}

/* 1 with the stored hash in out, 0 when the device has no credentials, -1 when the database failed. */
static int stored_hash(const char *device_id, char out[SHA256_HEX_LEN])
{
	/* A second attempt on a fresh connection covers a database that restarted since the last query. */
	for (int attempt = 0; attempt < 2; attempt++) {
		PGconn *conn = database();
		if (conn == NULL) {
			return -1;
		}
		const char *params[] = {device_id};
		PGresult *result = PQexecParams(conn, LOOKUP, 1, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(result) == PGRES_TUPLES_OK) {
			int found = PQntuples(result) == 1 && PQgetlength(result, 0, 0) == SHA256_HEX_LEN;
			if (found) {
				memcpy(out, PQgetvalue(result, 0, 0), SHA256_HEX_LEN);
			}
			PQclear(result);
			return found;
		}
		mosquitto_log_printf(MOSQ_LOG_ERR, "fleetline-device-auth: credential lookup failed: %s", PQerrorMessage(conn));
		PQclear(result);
		if (PQstatus(conn) == CONNECTION_OK) {
			return -1;
		}
	}
	return -1;
}

static int on_basic_auth(int event, void *event_data, void *userdata)
{
	(void)event;
	(void)userdata;
	struct mosquitto_evt_basic_auth *auth = event_data;
	if (!is_device(auth->username)) {
		return MOSQ_ERR_PLUGIN_DEFER;
	}
	const char *client_id = mosquitto_client_id(auth->client);
	if (auth->password == NULL || client_id == NULL || strcmp(client_id, auth->username) != 0
			|| !valid_device_id(auth->username, strlen(auth->username))) {
		return MOSQ_ERR_AUTH;
	}
	char stored[SHA256_HEX_LEN];
	unsigned char digest[SHA256_LEN];
	if (stored_hash(auth->username, stored) != 1
			|| !EVP_Digest(auth->password, strlen(auth->password), digest, NULL, EVP_sha256(), NULL)) {
		return MOSQ_ERR_AUTH;
	}
	static const char hex[] = "0123456789abcdef";
	char given[SHA256_HEX_LEN];
	for (int i = 0; i < SHA256_LEN; i++) {
		given[2 * i] = hex[digest[i] >> 4];
		given[2 * i + 1] = hex[digest[i] & 0x0f];
	}
	return CRYPTO_memcmp(stored, given, SHA256_HEX_LEN) == 0 ? MOSQ_ERR_SUCCESS : MOSQ_ERR_AUTH;
}

static bool listed(const char *const *names, const char *name)
{
	for (; *names != NULL; names++) {
		if (strcmp(*names, name) == 0) {
			return true;
		}
	}
	return false;
}

/* What follows "devices/<username>/" in topic, or NULL when topic is not below the device's own. */
static const char *own_suffix(const char *username, const char *topic)
{
	static const char prefix[] = "devices/";
	size_t len = strlen(username);
	if (strncmp(topic, prefix, sizeof prefix - 1) != 0) {
		return NULL;
	}
	topic += sizeof prefix - 1;
	if (strncmp(topic, username, len) != 0 || topic[len] != '/') {
		return NULL;
	}
	return topic + len + 1;
}

static int on_acl_check(int event, void *event_data, void *userdata)
{
	(void)event;
	(void)userdata;
	struct mosquitto_evt_acl_check *check = event_data;
	const char *username = mosquitto_client_username(check->client);
	if (!is_device(username)) {
		return MOSQ_ERR_PLUGIN_DEFER;
	}
	const char *suffix = own_suffix(username, check->topic);
	switch (check->access) {
	case MOSQ_ACL_WRITE:
		return suffix != NULL && listed(PUBLISH, suffix) ? MOSQ_ERR_SUCCESS : MOSQ_ERR_ACL_DENIED;
	case MOSQ_ACL_SUBSCRIBE:
	case MOSQ_ACL_READ:
		return suffix != NULL && listed(RECEIVE, suffix) ? MOSQ_ERR_SUCCESS : MOSQ_ERR_ACL_DENIED;
	case MOSQ_ACL_UNSUBSCRIBE:
		return MOSQ_ERR_SUCCESS;
	default:
		return MOSQ_ERR_ACL_DENIED;
	}
}

/* Payload: one device id, whose sessions are closed (without their wills). */
static int on_control(int event, void *event_data, void *userdata)
{
	(void)event;
	(void)userdata;
	struct mosquitto_evt_control *control = event_data;
	char device_id[DEVICE_ID_MAX + 1];
	if (!valid_device_id(control->payload, control->payloadlen)) {
		mosquitto_log_printf(MOSQ_LOG_WARNING, "fleetline-device-auth: ignored a %u-byte request that is not a device id",
				control->payloadlen);
		return MOSQ_ERR_INVAL;
	}
	memcpy(device_id, control->payload, control->payloadlen);
	device_id[control->payloadlen] = '\0';
	mosquitto_kick_client_by_username(device_id, false);
	return MOSQ_ERR_SUCCESS;
}

int mosquitto_plugin_version(int supported_version_count, const int *supported_versions)
{
	for (int i = 0; i < supported_version_count; i++) {
		if (supported_versions[i] == 5) {
			return 5;
		}
	}
	return -1;
}

int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userdata, struct mosquitto_opt *options, int option_count)
{
	(void)userdata;
	plugin = identifier;
	const char *configured = "";
	for (int i = 0; i < option_count; i++) {
		if (strcasecmp(options[i].key, "conninfo") == 0) {
			configured = options[i].value;
		}
	}
	conninfo = strdup(configured);
	if (conninfo == NULL) {
		return MOSQ_ERR_NOMEM;
	}
	int rc = mosquitto_callback_register(plugin, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL, NULL);
	if (rc == MOSQ_ERR_SUCCESS) {
		rc = mosquitto_callback_register(plugin, MOSQ_EVT_ACL_CHECK, on_acl_check, NULL, NULL);
	}
	if (rc == MOSQ_ERR_SUCCESS) {
		rc = mosquitto_callback_register(plugin, MOSQ_EVT_CONTROL, on_control, CONTROL_TOPIC, NULL);
	}
	return rc;
}

int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *options, int option_count)
{
	(void)userdata;
	(void)options;
	(void)option_count;
	mosquitto_callback_unregister(plugin, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL);
	mosquitto_callback_unregister(plugin, MOSQ_EVT_ACL_CHECK, on_acl_check, NULL);
	mosquitto_callback_unregister(plugin, MOSQ_EVT_CONTROL, on_control, CONTROL_TOPIC);
	PQfinish(db);
	db = NULL;
	free(conninfo);
	conninfo = NULL;
	return MOSQ_ERR_SUCCESS;
}
