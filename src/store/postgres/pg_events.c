/* pg_events.c: placeholder until the events half of the backend lands; it fills no operation. */
#include "store/postgres/pg_internal.h"

void hl_pg_events_ops(hl_store_ops *ops)
{
    (void)ops;
}
