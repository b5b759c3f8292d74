/* failing_vfs.c: the VFS of failing_vfs.h. Each file it opens holds the
 * wrapped VFS's file right behind its own header; every method forwards
 * to that file, but a write to a log fails while the VFS is armed. It
 * injects nothing else: no short reads, no failing syncs (a failing sync
 * after a written commit record would leave a transaction that reappears
 * at the next recovery, which is another test). */
#include "failing_vfs.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef struct failing_file {
    sqlite3_file base;
    sqlite3_file *real; /* right behind this header, in the same allocation */
    bool log;           /* opened as a write-ahead log */
    const char *name;   /* the path SQLite opened it by (valid until xClose) */
} failing_file;

/* The real file starts at the next multiple of 8 after the header. */
#define HEADER_SIZE ((sizeof(failing_file) + 7) & ~(size_t)7)

static sqlite3_vfs failing_vfs;
static sqlite3_vfs *wrapped;
static atomic_int armed; /* a test_vfs_fault */
static atomic_long failures;
static atomic_long log_syncs;
/* The part of a path the armed fault is limited to ("" for every path);
 * written only while disarmed, before armed is stored. */
static char only_part[256];

static sqlite3_file *real_of(sqlite3_file *file)
{
    return ((failing_file *)file)->real;
}

static int file_close(sqlite3_file *file)
{
    return real_of(file)->pMethods->xClose(real_of(file));
}

static int file_read(sqlite3_file *file, void *buffer, int amount, sqlite3_int64 offset)
{
    return real_of(file)->pMethods->xRead(real_of(file), buffer, amount, offset);
}

static int file_write(sqlite3_file *file, const void *buffer, int amount, sqlite3_int64 offset)
{
    int fault = atomic_load(&armed);
    const failing_file *self = (const failing_file *)file;
    if (self->log && fault != TEST_VFS_OFF &&
        (only_part[0] == '\0' || (self->name != NULL && strstr(self->name, only_part) != NULL))) {
        atomic_fetch_add(&failures, 1);
        return fault == TEST_VFS_BUSY   ? SQLITE_BUSY
               : fault == TEST_VFS_FULL ? SQLITE_FULL
                                        : SQLITE_IOERR_WRITE;
    }
    return real_of(file)->pMethods->xWrite(real_of(file), buffer, amount, offset);
}

static int file_truncate(sqlite3_file *file, sqlite3_int64 size)
{
    return real_of(file)->pMethods->xTruncate(real_of(file), size);
}

static int file_sync(sqlite3_file *file, int flags)
{
    if (((failing_file *)file)->log)
        atomic_fetch_add(&log_syncs, 1);
    return real_of(file)->pMethods->xSync(real_of(file), flags);
}

static int file_size(sqlite3_file *file, sqlite3_int64 *size)
{
    return real_of(file)->pMethods->xFileSize(real_of(file), size);
}

static int file_lock(sqlite3_file *file, int level)
{
    return real_of(file)->pMethods->xLock(real_of(file), level);
}

static int file_unlock(sqlite3_file *file, int level)
{
    return real_of(file)->pMethods->xUnlock(real_of(file), level);
}

static int file_check_reserved_lock(sqlite3_file *file, int *out)
{
    return real_of(file)->pMethods->xCheckReservedLock(real_of(file), out);
}

static int file_control(sqlite3_file *file, int operation, void *argument)
{
    return real_of(file)->pMethods->xFileControl(real_of(file), operation, argument);
}

static int file_sector_size(sqlite3_file *file)
{
    return real_of(file)->pMethods->xSectorSize(real_of(file));
}

static int file_device_characteristics(sqlite3_file *file)
{
    return real_of(file)->pMethods->xDeviceCharacteristics(real_of(file));
}

static int file_shm_map(sqlite3_file *file, int region, int size, int extend, void volatile **out)
{
    return real_of(file)->pMethods->xShmMap(real_of(file), region, size, extend, out);
}

static int file_shm_lock(sqlite3_file *file, int offset, int count, int flags)
{
    return real_of(file)->pMethods->xShmLock(real_of(file), offset, count, flags);
}

static void file_shm_barrier(sqlite3_file *file)
{
    real_of(file)->pMethods->xShmBarrier(real_of(file));
}

static int file_shm_unmap(sqlite3_file *file, int delete_flag)
{
    return real_of(file)->pMethods->xShmUnmap(real_of(file), delete_flag);
}

static int file_fetch(sqlite3_file *file, sqlite3_int64 offset, int amount, void **out)
{
    return real_of(file)->pMethods->xFetch(real_of(file), offset, amount, out);
}

static int file_unfetch(sqlite3_file *file, sqlite3_int64 offset, void *pointer)
{
    return real_of(file)->pMethods->xUnfetch(real_of(file), offset, pointer);
}

static const sqlite3_io_methods failing_methods = {
    3,
    file_close,
    file_read,
    file_write,
    file_truncate,
    file_sync,
    file_size,
    file_lock,
    file_unlock,
    file_check_reserved_lock,
    file_control,
    file_sector_size,
    file_device_characteristics,
    file_shm_map,
    file_shm_lock,
    file_shm_barrier,
    file_shm_unmap,
    file_fetch,
    file_unfetch,
};

static int vfs_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags,
                    int *out_flags)
{
    (void)vfs;
    failing_file *self = (failing_file *)file;
    self->real = (sqlite3_file *)((char *)file + HEADER_SIZE);
    self->log = (flags & SQLITE_OPEN_WAL) != 0;
    self->name = name;
    int rc = wrapped->xOpen(wrapped, name, self->real, flags, out_flags);
    /* SQLite calls xClose only when pMethods is set: set it only when the
     * wrapped file was opened (and so needs closing). */
    self->base.pMethods = self->real->pMethods != NULL ? &failing_methods : NULL;
    return rc;
}

static int vfs_delete(sqlite3_vfs *vfs, const char *name, int sync_directory)
{
    (void)vfs;
    return wrapped->xDelete(wrapped, name, sync_directory);
}

static int vfs_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    return wrapped->xAccess(wrapped, name, flags, out);
}

static int vfs_full_pathname(sqlite3_vfs *vfs, const char *name, int size, char *out)
{
    (void)vfs;
    return wrapped->xFullPathname(wrapped, name, size, out);
}

static void *vfs_dl_open(sqlite3_vfs *vfs, const char *name)
{
    (void)vfs;
    return wrapped->xDlOpen(wrapped, name);
}

static void vfs_dl_error(sqlite3_vfs *vfs, int size, char *out)
{
    (void)vfs;
    wrapped->xDlError(wrapped, size, out);
}

static void (*vfs_dl_sym(sqlite3_vfs *vfs, void *handle, const char *symbol))(void)
{
    (void)vfs;
    return wrapped->xDlSym(wrapped, handle, symbol);
}

static void vfs_dl_close(sqlite3_vfs *vfs, void *handle)
{
    (void)vfs;
    wrapped->xDlClose(wrapped, handle);
}

static int vfs_randomness(sqlite3_vfs *vfs, int size, char *out)
{
    (void)vfs;
    return wrapped->xRandomness(wrapped, size, out);
}

static int vfs_sleep(sqlite3_vfs *vfs, int microseconds)
{
    (void)vfs;
    return wrapped->xSleep(wrapped, microseconds);
}

static int vfs_current_time(sqlite3_vfs *vfs, double *out)
{
    (void)vfs;
    return wrapped->xCurrentTime(wrapped, out);
}

static int vfs_get_last_error(sqlite3_vfs *vfs, int size, char *out)
{
    (void)vfs;
    return wrapped->xGetLastError != NULL ? wrapped->xGetLastError(wrapped, size, out) : 0;
}

static int vfs_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    (void)vfs;
    if (wrapped->iVersion >= 2 && wrapped->xCurrentTimeInt64 != NULL)
        return wrapped->xCurrentTimeInt64(wrapped, out);
    double days = 0;
    int rc = wrapped->xCurrentTime(wrapped, &days);
    *out = (sqlite3_int64)(days * 86400000.0);
    return rc;
}

static void install(void)
{
    /* As the store does at its first open (store_sqlite.c), while SQLite
     * can still be configured: registering a VFS initialises it. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_initialize();
    wrapped = sqlite3_vfs_find(NULL);
    failing_vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)(HEADER_SIZE + (size_t)wrapped->szOsFile),
        .mxPathname = wrapped->mxPathname,
        .zName = "hotline-failing",
        .xOpen = vfs_open,
        .xDelete = vfs_delete,
        .xAccess = vfs_access,
        .xFullPathname = vfs_full_pathname,
        .xDlOpen = vfs_dl_open,
        .xDlError = vfs_dl_error,
        .xDlSym = vfs_dl_sym,
        .xDlClose = vfs_dl_close,
        .xRandomness = vfs_randomness,
        .xSleep = vfs_sleep,
        .xCurrentTime = vfs_current_time,
        .xGetLastError = vfs_get_last_error,
        .xCurrentTimeInt64 = vfs_current_time_int64,
    };
    sqlite3_vfs_register(&failing_vfs, 1);
}

void test_failing_vfs_install(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install);
}

void test_failing_vfs_arm(test_vfs_fault fault)
{
    test_failing_vfs_arm_only(fault, "");
}

void test_failing_vfs_arm_only(test_vfs_fault fault, const char *part)
{
    atomic_store(&armed, TEST_VFS_OFF);
    snprintf(only_part, sizeof only_part, "%s", part != NULL ? part : "");
    atomic_store(&armed, (int)fault);
}

long test_failing_vfs_failures(void)
{
    return atomic_load(&failures);
}

long test_failing_vfs_log_syncs(void)
{
    return atomic_load(&log_syncs);
}
