/* Command line of fleetline-sim. */
#ifndef SIM_ARGS_H
#define SIM_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_HOST_MAX 256

typedef struct {
    unsigned devices;
    int64_t interval_ms;
    const char *broker;
    char broker_host[SIM_HOST_MAX];
    int broker_port;
    /* NULL: no HTTP fallback. */
    const char *api;
    const char *api_key;
    const char *prefix;
    const char *mqtt_username;
    const char *mqtt_password;
    /* 0: run until a signal. */
    int64_t duration_ms;
    /* 0: no limit. */
    uint64_t count;
    size_t buffer;
    int64_t drain_ms;
} sim_args_t;

typedef enum {
    SIM_ARGS_OK,
    SIM_ARGS_HELP,
    SIM_ARGS_ERROR
} sim_args_status_t;

/*
 * Parses argv. Secrets may come from the environment instead of argv, where
 * other users can read them: env_api_key ($FLEETLINE_API_KEY) and
 * env_mqtt_password ($FLEETLINE_MQTT_PASSWORD) are used unless the flags are given.
 */
sim_args_status_t sim_args_parse(int argc, char **argv, const char *env_api_key,
                                 const char *env_mqtt_password, sim_args_t *args, char *error,
                                 size_t error_len);

/* "1s", "500ms", "2m", "1h"; a bare number means seconds. */
bool sim_parse_duration(const char *text, int64_t *ms);

/* mqtt://host[:port], port 1883 by default. */
bool sim_parse_broker(const char *uri, char *host, size_t host_len, int *port);

extern const char SIM_USAGE[];

#endif
