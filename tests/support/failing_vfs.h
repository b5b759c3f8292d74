/* failing_vfs.h: a SQLite VFS for tests that makes the writes of a
 * transaction's log fail on demand, so that real SQLite fails a real
 * COMMIT (a full disk, a dying device).
 *
 * test_failing_vfs_install registers it as SQLite's default VFS, wrapping
 * the one that was: stores opened afterwards go through it. While armed,
 * every write to a write-ahead log (the -wal file) fails; in WAL mode a
 * transaction writes its log only when it commits, so the COMMIT is what
 * fails, and no commit record reaches the log. Reads and the database
 * file itself are untouched.
 *
 * Three faults, for SQLite's ways of failing a COMMIT:
 *   - TEST_VFS_IOERR (SQLITE_IOERR_WRITE, a dying device): SQLite rolls
 *     the transaction back itself;
 *   - TEST_VFS_FULL (SQLITE_FULL, what SQLite's unix VFS answers when the
 *     file system says ENOSPC: a full disk): rolled back likewise, and the
 *     store calls it "not now" (HL_EUNAVAILABLE);
 *   - TEST_VFS_BUSY (SQLITE_BUSY, as when the COMMIT cannot take a lock):
 *     the transaction stays open, and only the caller's rollback ends it
 *     (and frees the store's writers' lock). */
#ifndef HL_TEST_FAILING_VFS_H
#define HL_TEST_FAILING_VFS_H

/* Registers the VFS as the default (once per process; later calls do
 * nothing). Call before opening the stores that should go through it. */
void test_failing_vfs_install(void);
typedef enum test_vfs_fault {
    TEST_VFS_OFF = 0,
    TEST_VFS_IOERR,
    TEST_VFS_BUSY,
    TEST_VFS_FULL,
} test_vfs_fault;

/* Arms (every write to a log fails with fault) or disarms (TEST_VFS_OFF). */
void test_failing_vfs_arm(test_vfs_fault fault);
/* Arms for the logs of the databases whose path contains part only (a
 * store on a full disk while another is not); TEST_VFS_OFF disarms. */
void test_failing_vfs_arm_only(test_vfs_fault fault, const char *part);
/* How many writes have been made to fail since the process started. */
long test_failing_vfs_failures(void);
/* How many times a write-ahead log was synced since the process started
 * (armed or not): a durable commit syncs its log, a relaxed one does not. */
long test_failing_vfs_log_syncs(void);

#endif
