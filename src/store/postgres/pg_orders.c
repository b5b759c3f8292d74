/* pg_orders.c: placeholder until the orders half of the backend lands; it fills no operation. */
#include "store/postgres/pg_internal.h"

void hl_pg_orders_ops(hl_store_ops *ops)
{
    (void)ops;
}
