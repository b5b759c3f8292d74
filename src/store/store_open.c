/* store_open.c: opening a store by its address. The address alone chooses
 * the backend, so that the rest of hotline (app/, the command line, tests)
 * never names one: "postgresql://..." or "postgres://..." (a libpq
 * connection URI) opens a PostgreSQL database, anything else is the path of
 * an SQLite database. It opens nothing itself. */
#include "store/store.h"

#include "base/i18n.h"
#include "store/postgres/postgres.h"
#include "store/sqlite/sqlite.h"

int hl_store_open(const char *address, hl_store **out, hl_error *error)
{
    if (out != NULL)
        *out = NULL;
    if (address == NULL || address[0] == '\0' || out == NULL)
        return hl_error_set(error, HL_EINVAL, NULL, "%s",
                            HL_T("open：缺少必需的参数", "open: a required argument is missing"));
    if (hl_postgres_is_address(address))
        return hl_postgres_open(address, out, error);
    return hl_sqlite_open(address, out, error);
}
