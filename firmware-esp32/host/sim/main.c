/*
 * fleetline-sim: N devices in one process, each running the firmware's
 * fleetline_core on the Linux platform against a real broker and API.
 */
#define _POSIX_C_SOURCE 200809L

#include <curl/curl.h>
#include <mosquitto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim_args.h"
#include "sim_device.h"

#define WAIT_SLICE_MS 200

typedef struct {
    uint64_t recorded;
    uint64_t mqtt;
    uint64_t http;
    uint64_t dropped;
    uint64_t rejected;
    uint64_t undelivered;
} totals_t;

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static totals_t add_up(sim_device_t *devices, unsigned count)
{
    totals_t t = {0};
    for (unsigned i = 0; i < count; i++) {
        const fl_transport_t *tr = fl_device_transport(&devices[i].dev);
        const fl_transport_stats_t *s = fl_transport_stats(tr);
        t.recorded += s->recorded;
        t.mqtt += s->delivered_mqtt;
        t.http += s->delivered_http;
        t.dropped += s->dropped_full;
        t.rejected += s->rejected;
        t.undelivered += fl_transport_undelivered(tr);
    }
    return t;
}

/*
 * Waits for a signal, the duration, or every device finishing. The first
 * signal stops sampling and lets devices drain; a second one quits at once.
 */
static void supervise(const sim_args_t *args, sim_control_t *control, const sigset_t *signals)
{
    int64_t stop_at = args->duration_ms > 0 ? monotonic_ms() + args->duration_ms : -1;
    struct timespec slice = {.tv_sec = 0, .tv_nsec = WAIT_SLICE_MS * 1000000L};
    while (sim_control_running(control) > 0) {
        if (sigtimedwait(signals, NULL, &slice) > 0) {
            if (sim_control_phase(control) == SIM_RUN) {
                fprintf(stderr, "fleetline-sim: stopping, delivering what is left "
                                "(signal again to quit now)\n");
                sim_control_set(control, SIM_STOP);
            } else {
                sim_control_set(control, SIM_ABORT);
            }
        }
        if (stop_at >= 0 && monotonic_ms() >= stop_at) {
            sim_control_set(control, SIM_STOP);
        }
    }
}

static int run(const sim_args_t *args, sim_device_t *devices, const sigset_t *signals)
{
    sim_control_t control = {.lock = PTHREAD_MUTEX_INITIALIZER, .phase = SIM_RUN, .running = 0};
    unsigned started = 0;
    int status = 0;
    for (unsigned i = 0; i < args->devices; i++) {
        if (!sim_device_init(&devices[i], i, args, &control)) {
            fprintf(stderr, "fleetline-sim: cannot set up device %u (check --prefix)\n", i + 1);
            status = 1;
            break;
        }
    }
    for (unsigned i = 0; status == 0 && i < args->devices; i++, started++) {
        if (!sim_device_start(&devices[i])) {
            fprintf(stderr, "fleetline-sim: cannot start thread for device %u\n", i + 1);
            sim_control_set(&control, SIM_ABORT);
            status = 1;
        }
    }
    if (status == 0) {
        fprintf(stderr, "fleetline-sim: %u devices %s001.., interval %lld ms, broker %s, api %s\n",
                args->devices, args->prefix, (long long)args->interval_ms, args->broker,
                args->api != NULL ? args->api : "(none: no HTTP fallback)");
        supervise(args, &control, signals);
    }
    for (unsigned i = 0; i < started; i++) {
        sim_device_join(&devices[i]);
    }
    if (status == 0) {
        totals_t t = add_up(devices, args->devices);
        fprintf(stderr,
                "fleetline-sim: %llu readings: %llu over MQTT, %llu over HTTP, %llu dropped "
                "(buffer full), %llu refused by the API, %llu undelivered\n",
                (unsigned long long)t.recorded, (unsigned long long)t.mqtt,
                (unsigned long long)t.http, (unsigned long long)t.dropped,
                (unsigned long long)t.rejected, (unsigned long long)t.undelivered);
        status = t.dropped + t.rejected + t.undelivered > 0 ? 3 : 0;
    }
    for (unsigned i = 0; i < args->devices; i++) {
        sim_device_cleanup(&devices[i]);
    }
    return status;
}

int main(int argc, char **argv)
{
    sim_args_t args;
    char error[160];
    switch (sim_args_parse(argc, argv, getenv("FLEETLINE_API_KEY"),
                           getenv("FLEETLINE_MQTT_PASSWORD"), &args, error, sizeof error)) {
    case SIM_ARGS_HELP:
        fputs(SIM_USAGE, stdout);
        return 0;
    case SIM_ARGS_ERROR:
        fprintf(stderr, "fleetline-sim: %s (see --help)\n", error);
        return 2;
    case SIM_ARGS_OK:
        break;
    }
    /* Blocked before any thread starts, so only supervise() ever receives them. */
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);

    sim_device_t *devices = calloc(args.devices, sizeof *devices);
    if (devices == NULL || mosquitto_lib_init() != MOSQ_ERR_SUCCESS ||
        curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "fleetline-sim: out of memory or library init failed\n");
        free(devices);
        return 1;
    }
    int status = run(&args, devices, &signals);
    free(devices);
    curl_global_cleanup();
    mosquitto_lib_cleanup();
    return status;
}
