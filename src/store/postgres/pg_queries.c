/* pg_queries.c: placeholder until the queries half of the backend lands; it fills no operation. */
#include "store/postgres/pg_internal.h"

void hl_pg_queries_ops(hl_store_ops *ops)
{
    (void)ops;
}
