/* pg_phones.c: placeholder until the phones half of the backend lands; it fills no operation. */
#include "store/postgres/pg_internal.h"

void hl_pg_phones_ops(hl_store_ops *ops)
{
    (void)ops;
}
