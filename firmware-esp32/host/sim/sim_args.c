#include "sim_args.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char SIM_USAGE[] =
    "usage: fleetline-sim [options]\n"
    "Simulates N Fleetline devices in one process, running the firmware's core logic.\n"
    "\n"
    "  --devices N          number of devices (default 1)\n"
    "  --interval D         sampling interval, e.g. 1s, 500ms, 2m (default 1s)\n"
    "  --broker URI         mqtt://host[:port] (default mqtt://127.0.0.1:1883)\n"
    "  --api URL            API base URL for the HTTP fallback, e.g. http://127.0.0.1:8080\n"
    "  --api-key KEY        API key for the fallback (or $FLEETLINE_API_KEY)\n"
    "  --prefix P           device ids are P001, P002, ... (default sim-)\n"
    "  --mqtt-username U    MQTT username\n"
    "  --mqtt-password P    MQTT password (or $FLEETLINE_MQTT_PASSWORD)\n"
    "  --duration D         stop sampling after D (default: run until SIGINT/SIGTERM)\n"
    "  --count N            stop after N readings per device\n"
    "  --buffer N           offline buffer per device, in readings (default 512)\n"
    "  --drain-timeout D    after stopping, wait up to D for undelivered readings (default 30s)\n"
    "  --help               show this help\n"
    "\n"
    "Exit status: 0 when every reading was delivered, 3 when some were dropped or left\n"
    "undelivered, 2 on bad usage, 1 when the simulator could not start.\n";

static bool fail(char *error, size_t error_len, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(error, error_len, fmt, args);
    va_end(args);
    return false;
}

static bool parse_u64(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    if (text[0] < '0' || text[0] > '9') {
        return false;
    }
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        return false;
    }
    *out = v;
    return true;
}

bool sim_parse_duration(const char *text, int64_t *ms)
{
    static const struct {
        const char *suffix;
        int64_t factor;
    } units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"", 1000}};
    char *end;
    if (text[0] < '0' || text[0] > '9') {
        return false;
    }
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].suffix) == 0) {
            if (errno != 0 || v > (unsigned long long)(INT64_MAX / units[i].factor)) {
                return false;
            }
            *ms = (int64_t)v * units[i].factor;
            return true;
        }
    }
    return false;
}

bool sim_parse_broker(const char *uri, char *host, size_t host_len, int *port)
{
    static const char scheme[] = "mqtt://";
    if (strncmp(uri, scheme, sizeof scheme - 1) != 0) {
        return false;
    }
    const char *start = uri + sizeof scheme - 1;
    const char *colon = strchr(start, ':');
    size_t len = colon != NULL ? (size_t)(colon - start) : strlen(start);
    if (len == 0 || len >= host_len || memchr(start, '/', len) != NULL) {
        return false;
    }
    memcpy(host, start, len);
    host[len] = '\0';
    uint64_t p = 1883;
    if (colon != NULL && !parse_u64(colon + 1, 1, 65535, &p)) {
        return false;
    }
    *port = (int)p;
    return true;
}

static void set_defaults(sim_args_t *args, const char *env_api_key, const char *env_mqtt_password)
{
    memset(args, 0, sizeof *args);
    args->devices = 1;
    args->interval_ms = 1000;
    args->broker = "mqtt://127.0.0.1:1883";
    args->api_key = env_api_key;
    args->prefix = "sim-";
    args->mqtt_password = env_mqtt_password;
    args->buffer = 512;
    args->drain_ms = 30000;
}

/* Applies one --name value pair. */
static bool apply(sim_args_t *args, const char *name, const char *value, char *error,
                  size_t error_len)
{
    uint64_t n;
    if (strcmp(name, "devices") == 0) {
        if (!parse_u64(value, 1, 10000, &n)) {
            return fail(error, error_len, "--devices must be 1-10000");
        }
        args->devices = (unsigned)n;
    } else if (strcmp(name, "interval") == 0) {
        if (!sim_parse_duration(value, &args->interval_ms) || args->interval_ms < 10 ||
            args->interval_ms > 86400000) {
            return fail(error, error_len, "--interval must be a duration from 10ms to 24h");
        }
    } else if (strcmp(name, "broker") == 0) {
        args->broker = value;
    } else if (strcmp(name, "api") == 0) {
        args->api = value;
    } else if (strcmp(name, "api-key") == 0) {
        args->api_key = value;
    } else if (strcmp(name, "prefix") == 0) {
        args->prefix = value;
    } else if (strcmp(name, "mqtt-username") == 0) {
        args->mqtt_username = value;
    } else if (strcmp(name, "mqtt-password") == 0) {
        args->mqtt_password = value;
    } else if (strcmp(name, "duration") == 0) {
        if (!sim_parse_duration(value, &args->duration_ms) || args->duration_ms == 0) {
            return fail(error, error_len, "--duration must be a positive duration");
        }
    } else if (strcmp(name, "count") == 0) {
        if (!parse_u64(value, 1, UINT32_MAX, &args->count)) {
            return fail(error, error_len, "--count must be a positive number");
        }
    } else if (strcmp(name, "buffer") == 0) {
        if (!parse_u64(value, 1, 1000000, &n)) {
            return fail(error, error_len, "--buffer must be 1-1000000");
        }
        args->buffer = (size_t)n;
    } else if (strcmp(name, "drain-timeout") == 0) {
        if (!sim_parse_duration(value, &args->drain_ms)) {
            return fail(error, error_len, "--drain-timeout must be a duration");
        }
    } else {
        return fail(error, error_len, "unknown option --%s", name);
    }
    return true;
}

static bool validate(sim_args_t *args, char *error, size_t error_len)
{
    if (!sim_parse_broker(args->broker, args->broker_host, sizeof args->broker_host,
                          &args->broker_port)) {
        return fail(error, error_len, "--broker must look like mqtt://host[:port]");
    }
    if (args->api != NULL && strncmp(args->api, "http://", 7) != 0 &&
        strncmp(args->api, "https://", 8) != 0) {
        return fail(error, error_len, "--api must be an http:// or https:// URL");
    }
    if (args->api != NULL && (args->api_key == NULL || args->api_key[0] == '\0')) {
        return fail(error, error_len, "--api needs --api-key or FLEETLINE_API_KEY");
    }
    if (args->mqtt_password != NULL && args->mqtt_username == NULL) {
        return fail(error, error_len, "an MQTT password needs --mqtt-username");
    }
    return true;
}

sim_args_status_t sim_args_parse(int argc, char **argv, const char *env_api_key,
                                 const char *env_mqtt_password, sim_args_t *args, char *error,
                                 size_t error_len)
{
    set_defaults(args, env_api_key, env_mqtt_password);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            return SIM_ARGS_HELP;
        }
        if (strncmp(arg, "--", 2) != 0) {
            /* Not echoed: a misplaced secret must not end up in a terminal log. */
            fail(error, error_len, "unexpected argument; options start with --");
            return SIM_ARGS_ERROR;
        }
        char name[32];
        const char *eq = strchr(arg + 2, '=');
        size_t name_len = eq != NULL ? (size_t)(eq - arg - 2) : strlen(arg + 2);
        if (name_len >= sizeof name) {
            fail(error, error_len, "unknown option");
            return SIM_ARGS_ERROR;
        }
        memcpy(name, arg + 2, name_len);
        name[name_len] = '\0';
        const char *value = eq != NULL ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (value == NULL) {
            fail(error, error_len, "--%s needs a value", name);
            return SIM_ARGS_ERROR;
        }
        if (!apply(args, name, value, error, error_len)) {
            return SIM_ARGS_ERROR;
        }
    }
    return validate(args, error, error_len) ? SIM_ARGS_OK : SIM_ARGS_ERROR;
}
