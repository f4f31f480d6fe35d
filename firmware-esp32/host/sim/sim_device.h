/* One simulated device: the firmware core on the Linux platform, in its own thread. */
#ifndef SIM_DEVICE_H
#define SIM_DEVICE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "fl_device.h"
#include "fl_platform_linux.h"
#include "sim_args.h"

typedef enum {
    SIM_RUN,
    /* Stop sampling, deliver what is left within the drain timeout. */
    SIM_STOP,
    /* Quit now. */
    SIM_ABORT
} sim_phase_t;

/* Shared by the main thread and the device threads. */
typedef struct {
    pthread_mutex_t lock;
    sim_phase_t phase;
    unsigned running;
} sim_control_t;

typedef struct {
    char id[FL_DEVICE_ID_MAX + 1];
    char will_topic[FL_TOPIC_MAX];
    unsigned index;
    const sim_args_t *args;
    sim_control_t *control;
    fl_linux_platform_t lp;
    fl_platform_t pf;
    fl_device_t dev;
    fl_slot_t *slots;
    /* Waiting for the CONNACK of a connect attempt. */
    bool connecting;
    unsigned connect_failures;
    int64_t reconnect_at;
    /* When a requested (simulated) reboot disconnects; 0 when none is pending. */
    int64_t reboot_at;
    int offline_mid;
    bool offline_acked;
    uint64_t sampled;
    uint32_t rng;
    pthread_t thread;
} sim_device_t;

/* device ids are <prefix><index> with at least three digits, e.g. sim-001. */
bool sim_device_init(sim_device_t *d, unsigned index, const sim_args_t *args,
                     sim_control_t *control);
bool sim_device_start(sim_device_t *d);
void sim_device_join(sim_device_t *d);
void sim_device_cleanup(sim_device_t *d);

void sim_control_set(sim_control_t *control, sim_phase_t phase);
sim_phase_t sim_control_phase(sim_control_t *control);
unsigned sim_control_running(sim_control_t *control);

#endif
