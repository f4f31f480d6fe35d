/* Commands from devices/{id}/commands: parsing, validation and duplicate detection. */
#ifndef FL_COMMAND_H
#define FL_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cJSON.h"
#include "fl_topics.h"

#define FL_COMMAND_ID_MAX 64
#define FL_COMMAND_NAME_MAX 32
/* How many handled command ids are remembered to ignore QoS 1 redeliveries. */
#define FL_SEEN_CAPACITY 32

typedef enum {
    FL_CMD_OK,
    /* Without a usable command_id there is nothing to acknowledge: drop silently. */
    FL_CMD_TOO_LARGE,
    FL_CMD_NOT_JSON,
    FL_CMD_BAD_ID,
    /* From here on command_id is known and the command is acknowledged as failed. */
    FL_CMD_BAD_NAME,
    FL_CMD_BAD_PARAMS,
    FL_CMD_BAD_EXPIRY
} fl_command_status_t;

typedef struct {
    char id[FL_COMMAND_ID_MAX + 1];
    char name[FL_COMMAND_NAME_MAX + 1];
    /* Object or NULL; points into root. */
    const cJSON *params;
    bool has_expiry;
    int64_t expires_at_ms;
    cJSON *root;
} fl_command_t;

typedef struct {
    char ids[FL_SEEN_CAPACITY][FL_COMMAND_ID_MAX + 1];
    size_t next;
} fl_seen_t;

/*
 * Parses {"command_id","command","params"?,"expires_at"?}. expires_at is RFC 3339
 * or epoch milliseconds; null or absent means no expiry. Release with
 * fl_command_free() whatever the result.
 */
fl_command_status_t fl_command_parse(const char *payload, size_t len, fl_command_t *cmd);

void fl_command_free(fl_command_t *cmd);

/* Why a command was refused, for logs and the "failed" ack. */
const char *fl_command_status_text(fl_command_status_t status);

/* True when cmd can be acknowledged, i.e. its command_id is known. */
bool fl_command_has_id(fl_command_status_t status);

void fl_seen_init(fl_seen_t *seen);
bool fl_seen_contains(const fl_seen_t *seen, const char *id);
/* Remembers id, forgetting the oldest one when full. */
void fl_seen_add(fl_seen_t *seen, const char *id);

#endif
