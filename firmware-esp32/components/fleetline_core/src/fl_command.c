#include "fl_command.h"

#include <string.h>

#include "fl_json.h"
#include "fl_time.h"

/* Copies a non-empty string of at most max bytes. */
static bool copy_string(const cJSON *item, char *out, size_t max)
{
    if (!cJSON_IsString(item) || item->valuestring[0] == '\0' || strlen(item->valuestring) > max) {
        return false;
    }
    strcpy(out, item->valuestring);
    return true;
}

static bool parse_expiry(const cJSON *item, fl_command_t *cmd)
{
    cmd->has_expiry = false;
    if (item == NULL || cJSON_IsNull(item)) {
        return true;
    }
    cmd->has_expiry = true;
    if (cJSON_IsString(item)) {
        return fl_time_parse(item->valuestring, &cmd->expires_at_ms);
    }
    return fl_json_int(item, 0, FL_JSON_MAX_EXACT_INT, &cmd->expires_at_ms);
}

fl_command_status_t fl_command_parse(const char *payload, size_t len, fl_command_t *cmd)
{
    memset(cmd, 0, sizeof *cmd);
    if (len > FL_MESSAGE_MAX) {
        return FL_CMD_TOO_LARGE;
    }
    cmd->root = cJSON_ParseWithLength(payload, len);
    if (!cJSON_IsObject(cmd->root)) {
        return FL_CMD_NOT_JSON;
    }
    if (!copy_string(cJSON_GetObjectItemCaseSensitive(cmd->root, "command_id"), cmd->id,
                     FL_COMMAND_ID_MAX)) {
        return FL_CMD_BAD_ID;
    }
    if (!copy_string(cJSON_GetObjectItemCaseSensitive(cmd->root, "command"), cmd->name,
                     FL_COMMAND_NAME_MAX)) {
        return FL_CMD_BAD_NAME;
    }
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(cmd->root, "params");
    if (params != NULL && !cJSON_IsNull(params) && !cJSON_IsObject(params)) {
        return FL_CMD_BAD_PARAMS;
    }
    cmd->params = cJSON_IsObject(params) ? params : NULL;
    if (!parse_expiry(cJSON_GetObjectItemCaseSensitive(cmd->root, "expires_at"), cmd)) {
        return FL_CMD_BAD_EXPIRY;
    }
    return FL_CMD_OK;
}

void fl_command_free(fl_command_t *cmd)
{
    cJSON_Delete(cmd->root);
    cmd->root = NULL;
    cmd->params = NULL;
}

const char *fl_command_status_text(fl_command_status_t status)
{
    switch (status) {
    case FL_CMD_OK:
        return "ok";
    case FL_CMD_TOO_LARGE:
        return "message too large";
    case FL_CMD_NOT_JSON:
        return "not a JSON object";
    case FL_CMD_BAD_ID:
        return "field 'command_id' must be a string of 1-64 characters";
    case FL_CMD_BAD_NAME:
        return "field 'command' must be a string of 1-32 characters";
    case FL_CMD_BAD_PARAMS:
        return "field 'params' must be an object";
    case FL_CMD_BAD_EXPIRY:
        return "field 'expires_at' must be an RFC 3339 time or epoch milliseconds";
    }
    return "unknown error";
}

bool fl_command_has_id(fl_command_status_t status)
{
    return status == FL_CMD_OK || status >= FL_CMD_BAD_NAME;
}

void fl_seen_init(fl_seen_t *seen)
{
    memset(seen, 0, sizeof *seen);
}

bool fl_seen_contains(const fl_seen_t *seen, const char *id)
{
    for (size_t i = 0; i < FL_SEEN_CAPACITY; i++) {
        if (seen->ids[i][0] != '\0' && strcmp(seen->ids[i], id) == 0) {
            return true;
        }
    }
    return false;
}

void fl_seen_add(fl_seen_t *seen, const char *id)
{
    strncpy(seen->ids[seen->next], id, FL_COMMAND_ID_MAX);
    seen->ids[seen->next][FL_COMMAND_ID_MAX] = '\0';
    seen->next = (seen->next + 1) % FL_SEEN_CAPACITY;
}
