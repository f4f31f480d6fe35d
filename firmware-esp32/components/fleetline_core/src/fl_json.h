/* Small cJSON helpers shared by the parsers; internal to fleetline_core. */
#ifndef FL_JSON_H
#define FL_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "cJSON.h"

/* Largest integer a JSON number (an IEEE double) carries exactly. */
#define FL_JSON_MAX_EXACT_INT 9007199254740992LL

/* True when item is a number with an integral value in [min, max]. */
bool fl_json_int(const cJSON *item, int64_t min, int64_t max, int64_t *out);

#endif
