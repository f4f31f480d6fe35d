#define _POSIX_C_SOURCE 200809L

#include "sim_device.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MQTT_KEEPALIVE_S 15
#define RECONNECT_MIN_MS 500
#define RECONNECT_MAX_MS 5000
/* Longest the loop sleeps, so phase changes and retries are noticed quickly. */
#define TICK_MS 100
#define OFFLINE_ACK_WAIT_MS 1000
#define THREAD_STACK_BYTES (1024 * 1024)
/* The first reading waits this long for the first CONNACK, so it need not take the fallback. */
#define FIRST_CONNECT_GRACE_MS 5000
/* Like the ESP32, let the reboot command's ack reach the broker before going away. */
#define REBOOT_DELAY_MS 1000

static const double TWO_PI = 6.283185307179586;

void sim_control_set(sim_control_t *control, sim_phase_t phase)
{
    pthread_mutex_lock(&control->lock);
    if (phase > control->phase) {
        control->phase = phase;
    }
    pthread_mutex_unlock(&control->lock);
}

sim_phase_t sim_control_phase(sim_control_t *control)
{
    pthread_mutex_lock(&control->lock);
    sim_phase_t phase = control->phase;
    pthread_mutex_unlock(&control->lock);
    return phase;
}

unsigned sim_control_running(sim_control_t *control)
{
    pthread_mutex_lock(&control->lock);
    unsigned running = control->running;
    pthread_mutex_unlock(&control->lock);
    return running;
}

static int64_t uptime_ms(const sim_device_t *d)
{
    return d->pf.uptime_ms(d->pf.ctx);
}

static void logf_device(sim_device_t *d, fl_log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void logf_device(sim_device_t *d, fl_log_level_t level, const char *fmt, ...)
{
    char line[192];
    va_list args;
    va_start(args, fmt);
    vsnprintf(line, sizeof line, fmt, args);
    va_end(args);
    fl_linux_log(&d->lp, level, line);
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* xorshift32: cheap, per device, reproducible noise. */
static double noise(sim_device_t *d, double amplitude)
{
    uint32_t x = d->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    d->rng = x;
    return ((double)x / 4294967295.0 * 2.0 - 1.0) * amplitude;
}

static double round2(double v)
{
    return round(v * 100.0) / 100.0;
}

static void sample(sim_device_t *d)
{
    /* A slow daily-like wave (10 min period) plus noise, offset per device. */
    double phase = sin(TWO_PI * (double)(uptime_ms(d) % 600000) / 600000.0);
    fl_metric_t metrics[] = {
        {"temperature", round2(20.0 + (d->index % 7) * 0.5 + 2.0 * phase + noise(d, 0.3))},
        {"humidity", round2(45.0 + (d->index % 5) - 5.0 * phase + noise(d, 1.0))},
    };
    fl_device_record(&d->dev, metrics, sizeof metrics / sizeof metrics[0]);
    d->sampled++;
}

static void schedule_reconnect(sim_device_t *d, int64_t now)
{
    unsigned shift = d->connect_failures > 4 ? 4 : d->connect_failures;
    int64_t delay = (int64_t)RECONNECT_MIN_MS << shift;
    d->reconnect_at = now + (delay < RECONNECT_MAX_MS ? delay : RECONNECT_MAX_MS);
    d->connect_failures++;
}

static void mark_disconnected(sim_device_t *d)
{
    bool was_connected = d->lp.connected;
    d->lp.connected = false;
    d->connecting = false;
    if (was_connected) {
        fl_device_on_disconnected(&d->dev);
    }
}

static void on_connect(struct mosquitto *mosq, void *userdata, int rc)
{
    sim_device_t *d = userdata;
    d->connecting = false;
    if (rc != 0) {
        logf_device(d, FL_LOG_WARN, "MQTT broker refused the connection: %s",
                    mosquitto_connack_string(rc));
        mosquitto_disconnect(mosq);
        schedule_reconnect(d, uptime_ms(d));
        return;
    }
    d->connect_failures = 0;
    d->lp.connected = true;
    fl_device_on_connected(&d->dev);
}

static void on_disconnect(struct mosquitto *mosq, void *userdata, int rc)
{
    sim_device_t *d = userdata;
    (void)mosq;
    if (d->lp.connected && rc != 0) {
        logf_device(d, FL_LOG_WARN, "MQTT connection lost");
    }
    mark_disconnected(d);
    /* rc 0 is our own disconnect (a simulated reboot): come back at once. */
    if (rc == 0) {
        d->reconnect_at = uptime_ms(d);
    } else {
        schedule_reconnect(d, uptime_ms(d));
    }
}

static void on_publish(struct mosquitto *mosq, void *userdata, int mid)
{
    sim_device_t *d = userdata;
    (void)mosq;
    if (mid == d->offline_mid) {
        d->offline_acked = true;
    }
    fl_device_on_published(&d->dev, mid);
}

static void on_message(struct mosquitto *mosq, void *userdata, const struct mosquitto_message *msg)
{
    sim_device_t *d = userdata;
    (void)mosq;
    const char *payload = msg->payload != NULL ? msg->payload : "";
    fl_device_on_message(&d->dev, msg->topic, payload, (size_t)msg->payloadlen);
}

static void try_connect(sim_device_t *d, int64_t now)
{
    int rc = mosquitto_connect(d->lp.mosq, d->args->broker_host, d->args->broker_port,
                               MQTT_KEEPALIVE_S);
    if (rc == MOSQ_ERR_SUCCESS) {
        d->connecting = true;
        return;
    }
    /* Only the first failure of an outage is worth a line. */
    if (d->connect_failures == 0) {
        logf_device(d, FL_LOG_WARN, "MQTT connect failed: %s; retrying",
                    rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
    }
    schedule_reconnect(d, now);
}

/* Runs the MQTT client for up to wait_ms, or sleeps while there is no connection. */
static void service_mqtt(sim_device_t *d, int64_t now, int64_t wait_ms)
{
    if (d->lp.connected || d->connecting) {
        int rc = mosquitto_loop(d->lp.mosq, (int)wait_ms, 1);
        if (rc != MOSQ_ERR_SUCCESS && (d->lp.connected || d->connecting)) {
            if (d->lp.connected) {
                logf_device(d, FL_LOG_WARN, "MQTT connection lost: %s", mosquitto_strerror(rc));
            }
            mark_disconnected(d);
            schedule_reconnect(d, now);
        }
    } else if (now >= d->reconnect_at) {
        try_connect(d, now);
    } else {
        int64_t until = d->reconnect_at - now;
        sleep_ms(until < wait_ms ? until : wait_ms);
    }
}

/* Publishes the retained offline status and leaves the broker cleanly. */
static void disconnect_cleanly(sim_device_t *d)
{
    if (!d->lp.connected) {
        return;
    }
    d->offline_mid = fl_device_publish_offline(&d->dev);
    int64_t deadline = uptime_ms(d) + OFFLINE_ACK_WAIT_MS;
    while (d->offline_mid >= 0 && !d->offline_acked && d->lp.connected && uptime_ms(d) < deadline) {
        mosquitto_loop(d->lp.mosq, TICK_MS, 1);
    }
    /* Cleared first so the core does not announce a fallback while shutting down. */
    d->lp.connected = false;
    mosquitto_disconnect(d->lp.mosq);
    mosquitto_loop(d->lp.mosq, TICK_MS, 1);
}

static bool sampling_done(const sim_device_t *d, sim_phase_t phase)
{
    return phase != SIM_RUN || (d->args->count > 0 && d->sampled >= d->args->count);
}

static void *run(void *arg)
{
    sim_device_t *d = arg;
    int64_t start = uptime_ms(d);
    /* Spread the devices over one interval instead of sampling all at once. */
    int64_t next_sample = start + d->args->interval_ms * d->index / d->args->devices;
    int64_t drain_deadline = -1;
    try_connect(d, start);
    for (;;) {
        int64_t now = uptime_ms(d);
        sim_phase_t phase = sim_control_phase(d->control);
        if (phase == SIM_ABORT) {
            break;
        }
        if (sampling_done(d, phase)) {
            if (fl_transport_undelivered(fl_device_transport(&d->dev)) == 0) {
                break;
            }
            if (drain_deadline < 0) {
                drain_deadline = now + d->args->drain_ms;
            }
            if (now >= drain_deadline) {
                break;
            }
        } else if (now >= next_sample && (!d->connecting || now - start >= FIRST_CONNECT_GRACE_MS)) {
            sample(d);
            next_sample += fl_device_interval_ms(&d->dev);
            if (next_sample < now) {
                next_sample = now + fl_device_interval_ms(&d->dev);
            }
        }
        int64_t wait = sampling_done(d, phase) ? TICK_MS : next_sample - now;
        service_mqtt(d, now, wait < 0 ? 0 : (wait > TICK_MS ? TICK_MS : wait));
        if (fl_linux_take_reboot_request(&d->lp)) {
            d->reboot_at = now + REBOOT_DELAY_MS;
        }
        if (d->reboot_at > 0 && now >= d->reboot_at) {
            d->reboot_at = 0;
            mosquitto_disconnect(d->lp.mosq);
        }
        fl_device_poll(&d->dev);
    }
    disconnect_cleanly(d);
    pthread_mutex_lock(&d->control->lock);
    d->control->running--;
    pthread_mutex_unlock(&d->control->lock);
    return NULL;
}

static void install_callbacks(sim_device_t *d)
{
    mosquitto_connect_callback_set(d->lp.mosq, on_connect);
    mosquitto_disconnect_callback_set(d->lp.mosq, on_disconnect);
    mosquitto_publish_callback_set(d->lp.mosq, on_publish);
    mosquitto_message_callback_set(d->lp.mosq, on_message);
}

bool sim_device_init(sim_device_t *d, unsigned index, const sim_args_t *args,
                     sim_control_t *control)
{
    memset(d, 0, sizeof *d);
    d->index = index;
    d->args = args;
    d->control = control;
    d->offline_mid = -1;
    d->rng = (index + 1) * 2654435761u;
    int n = snprintf(d->id, sizeof d->id, "%s%03u", args->prefix, index + 1);
    if (n < 0 || (size_t)n >= sizeof d->id || !fl_device_id_valid(d->id) ||
        !fl_topic_build(d->will_topic, sizeof d->will_topic, d->id, FL_TOPIC_STATUS)) {
        return false;
    }
    d->slots = calloc(args->buffer, sizeof *d->slots);
    fl_linux_config_t lc = {
        .device_id = d->id,
        .mqtt_username = args->mqtt_username,
        .mqtt_password = args->mqtt_password,
        .will_topic = d->will_topic,
        .will_payload = FL_WILL_PAYLOAD,
        .mqtt_userdata = d,
    };
    if (d->slots == NULL || !fl_linux_platform_init(&d->lp, &lc, &d->pf)) {
        return false;
    }
    install_callbacks(d);
    fl_device_config_t dc = {
        .device_id = d->id,
        .api_base_url = args->api,
        .api_key = args->api_key,
        .default_interval_ms = (uint32_t)args->interval_ms,
        .buffer = d->slots,
        .buffer_capacity = args->buffer,
        /* No flash here: start above any id an earlier run could have used. */
        .msg_id_floor = d->pf.now_ms(d->pf.ctx),
    };
    return fl_device_init(&d->dev, &dc, &d->pf);
}

bool sim_device_start(sim_device_t *d)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, THREAD_STACK_BYTES);
    pthread_mutex_lock(&d->control->lock);
    d->control->running++;
    pthread_mutex_unlock(&d->control->lock);
    bool ok = pthread_create(&d->thread, &attr, run, d) == 0;
    pthread_attr_destroy(&attr);
    if (!ok) {
        pthread_mutex_lock(&d->control->lock);
        d->control->running--;
        pthread_mutex_unlock(&d->control->lock);
    }
    return ok;
}

void sim_device_join(sim_device_t *d)
{
    pthread_join(d->thread, NULL);
}

void sim_device_cleanup(sim_device_t *d)
{
    fl_linux_platform_cleanup(&d->lp);
    free(d->slots);
    d->slots = NULL;
}
