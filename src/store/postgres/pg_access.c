/* pg_access.c: placeholder; it fills no operation yet. */
#include "store/postgres/pg_internal.h"

void hl_pg_access_ops(hl_store_ops *ops)
{
    (void)ops;
}
