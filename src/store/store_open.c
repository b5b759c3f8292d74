/* store_open.c: opening a store by its address. The address alone chooses
 * the backend, so that the rest of hotline (app/, the command line, tests)
 * never names one: a file path opens an SQLite database, and
 * "postgresql://" is reserved for the PostgreSQL backend. It opens nothing
 * itself. */
#include "store/store.h"

#include <string.h>

#include "base/i18n.h"
#include "store/sqlite/sqlite.h"

#define POSTGRESQL_SCHEME "postgresql://"

int hl_store_open(const char *address, hl_store **out, hl_error *error)
{
    if (out != NULL)
        *out = NULL;
    if (address == NULL || address[0] == '\0' || out == NULL)
        return hl_error_set(error, HL_EINVAL, NULL, "%s",
                            HL_T("open：缺少必需的参数", "open: a required argument is missing"));
    if (strncmp(address, POSTGRESQL_SCHEME, strlen(POSTGRESQL_SCHEME)) == 0)
        return hl_error_set(
            error, HL_EINVAL, NULL, "%s",
            HL_T("此版本不支持 PostgreSQL 数据库", "this build does not support PostgreSQL"));
    return hl_sqlite_open(address, out, error);
}
