/* pg_rollups.c: placeholder until the rollups half of the backend lands; it fills no operation. */
#include "store/postgres/pg_internal.h"

void hl_pg_rollups_ops(hl_store_ops *ops)
{
    (void)ops;
}
