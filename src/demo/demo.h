/* demo.h: the demonstration data set: Taiyuan's 42 network units, a
 * category catalogue, users of every role, and February 2024 of the
 * Taiyuan hotline (demo/taiyuan.h) driven through the real pipeline, so
 * that `hotline report --month 2024-02` gives the published bulletin. */
#ifndef HL_DEMO_H
#define HL_DEMO_H

#include <stddef.h>
#include <stdint.h>

#include "app/app.h"

/* The demo directory, embedded from data/demo/ at build time. */
extern const char hl_demo_units_csv[];
extern const size_t hl_demo_units_csv_size;
extern const char hl_demo_categories_csv[];
extern const size_t hl_demo_categories_csv_size;
/* The attributes a few demo categories ask (their Open311 definitions). */
extern const char hl_demo_attributes_csv[];
extern const size_t hl_demo_attributes_csv_size;
extern const char hl_demo_users_csv[];
extern const size_t hl_demo_users_csv_size;

typedef struct hl_demo_summary {
    int units;
    int categories;
    int users;
    int64_t orders;
    int64_t actions; /* events written: registrations, lifecycle actions, survey calls,
                        the reopenings they caused, appeals */
    int64_t surveys; /* survey calls among the actions */
} hl_demo_summary;

/* Loads the demo into an initialised store that holds no orders yet
 * (HL_ECONFLICT otherwise). Deterministic: the same store every time. */
int hl_demo_load(hl_app *app, hl_demo_summary *summary, hl_error *error);

#endif
