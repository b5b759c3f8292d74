/* demo.h: the demonstration data set: Taiyuan's 42 network units, a
 * category catalogue, users of every role, and February 2024 work orders
 * driven through their lifecycle by the real use cases. */
#ifndef HL_DEMO_H
#define HL_DEMO_H

#include <stdint.h>

#include "app/app.h"

typedef struct hl_demo_summary {
    int units;
    int categories;
    int users;
    int64_t orders;
    int64_t actions;
} hl_demo_summary;

/* Loads the demo into an initialised store that holds no orders yet
 * (HL_ECONFLICT otherwise). Deterministic: the same store every time. */
int hl_demo_load(hl_app *app, hl_demo_summary *summary, hl_error *error);

#endif
