/* faultvfs.h: a test VFS that wraps SQLite's default one and makes chosen I/O calls fail,
 * as a dying disk (SQLITE_IOERR) or a full one (SQLITE_FULL) would. It is how the suite
 * proves that a failed write is answered with an error, leaves nothing half-applied and
 * does not stop the server (docs/internals/faults.md).
 *
 * Nothing changes until faultvfs_install() registers the shim as the default VFS; the
 * normal server never calls it. `tessera serve` does only in a build compiled with
 * -DTESSERA_FAULTS (the sanitizer build of `make test`) and only when TESSERA_FAULT_FILE
 * names a control file (faultvfs_watch).
 *
 * Counted calls: "writes" are xWrite, xSync and xTruncate on any file SQLite opens (the
 * database, its WAL, journals, temporary files); "reads" are xRead. Armed with n, the n-th
 * counted call from the arming on fails (n = 1: the very next one); one-shot unless
 * persist, in which case that call and every later counted call fail until disarmed.
 * Thread-safe: one global state behind a mutex. */
#ifndef TS_FAULTVFS_H
#define TS_FAULTVFS_H

enum faultvfs_kind { FAULTVFS_OFF = 0, FAULTVFS_IOERR, FAULTVFS_FULL };
enum faultvfs_class { FAULTVFS_WRITES = 1, FAULTVFS_READS = 2 };

/* Registers the shim as SQLite's default VFS (idempotent). Connections opened afterwards
 * go through it. 0, or -1 when SQLite has no default VFS to wrap. */
int faultvfs_install(void);

/* Arms a fault of kind on the n-th (n >= 1) call of the classes in what (a bit set of
 * enum faultvfs_class). Replaces any armed fault and restarts the count. */
void faultvfs_arm(enum faultvfs_kind kind, unsigned what, long n, int persist);
/* No more faults. */
void faultvfs_disarm(void);
/* Faults injected since install. */
long faultvfs_fired(void);

/* Control by a file, for end-to-end tests: at every counted call the shim looks whether
 * path changed (stat) and, if so, re-arms from its one line,
 *     off | <ioerr|full> <write|read> <n> [persist]
 * (a missing or malformed file disarms). Each injected fault appends one line to
 * path.fired, "<kind> <class> <n> <file>", so a test can tell whether its fault hit.
 * path is copied. */
void faultvfs_watch(const char *path);

#endif
