/* faultvfs.c: the fault-injecting VFS of faultvfs.h. Each file it opens is the real VFS's
 * file behind a small header of ours; every method forwards to the real one, except that
 * a counted call (xRead, or xWrite/xSync/xTruncate) first asks fault_hit() whether it is
 * the one that must fail. Off by default: a connection pays for this only once
 * faultvfs_install() made the shim the default VFS. */
#include "faultvfs.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "../util/parse.h"
#include "../util/banned.h"

struct fault_file {
    sqlite3_file base; /* first: SQLite sees this */
    const char *tag;   /* what the file is, for the .fired log */
    sqlite3_file *real; /* the wrapped file, right after this struct */
};

static struct {
    pthread_mutex_t mu;
    sqlite3_vfs *real;
    enum faultvfs_kind kind;
    unsigned what;
    long n, count, fired;
    int persist, tripped;
    /* Control file (faultvfs_watch): path, and the stat of the last version read. */
    char path[512];
    int watching;
    struct stat seen;
    int seen_ok;
} F = {.mu = PTHREAD_MUTEX_INITIALIZER};

static sqlite3_vfs fault_vfs;
static const sqlite3_io_methods fault_methods;

/* ---- The control ------------------------------------------------------------------- */

static void arm_locked(enum faultvfs_kind kind, unsigned what, long n, int persist)
{
    F.kind = n >= 1 ? kind : FAULTVFS_OFF;
    F.what = what;
    F.n = n;
    F.count = 0;
    F.persist = persist;
    F.tripped = 0;
}

/* The next space-separated word of *p, as a slice; *p moves past it. */
static size_t next_word(const char **p, const char **word)
{
    size_t n = 0;
    while (**p == ' ' || **p == '\t')
        (*p)++;
    *word = *p;
    while ((*p)[n] && (*p)[n] != ' ' && (*p)[n] != '\t' && (*p)[n] != '\n' && (*p)[n] != '\r')
        n++;
    *p += n;
    return n;
}

static int word_is(const char *w, size_t n, const char *lit)
{
    return n == strlen(lit) && memcmp(w, lit, n) == 0;
}

/* Arms from one control line, "<ioerr|full> <write|read> <n> [persist]"; anything else
 * (such as "off") leaves the fault disarmed. F.mu held. */
static void parse_line_locked(const char *line)
{
    const char *w[4];
    size_t n[4];
    int64_t count;
    enum faultvfs_kind kind;

    for (int i = 0; i < 4; i++)
        n[i] = next_word(&line, &w[i]);
    kind = word_is(w[0], n[0], "ioerr")  ? FAULTVFS_IOERR
           : word_is(w[0], n[0], "full") ? FAULTVFS_FULL
                                         : FAULTVFS_OFF;
    if (kind == FAULTVFS_OFF || !(word_is(w[1], n[1], "write") || word_is(w[1], n[1], "read")) ||
        parse_i64(w[2], n[2], 1, 1000000000, &count) != 0)
        return;
    arm_locked(kind, word_is(w[1], n[1], "read") ? (unsigned)FAULTVFS_READS
                                                 : (unsigned)FAULTVFS_WRITES,
               (long)count, word_is(w[3], n[3], "persist"));
}

/* Re-reads the control file if it changed since the last look. F.mu held. */
static void poll_file_locked(void)
{
    struct stat s;
    char line[128] = "";
    FILE *f;

    if (stat(F.path, &s) != 0) {
        if (F.seen_ok)
            arm_locked(FAULTVFS_OFF, 0, 0, 0);
        F.seen_ok = 0;
        return;
    }
    if (F.seen_ok && s.st_ino == F.seen.st_ino && s.st_size == F.seen.st_size &&
        s.st_mtim.tv_sec == F.seen.st_mtim.tv_sec &&
        s.st_mtim.tv_nsec == F.seen.st_mtim.tv_nsec)
        return;
    F.seen = s;
    F.seen_ok = 1;
    arm_locked(FAULTVFS_OFF, 0, 0, 0);
    f = fopen(F.path, "r");
    if (!f)
        return;
    if (fgets(line, sizeof line, f))
        parse_line_locked(line);
    fclose(f);
}

static void log_fired_locked(const char *cls, const struct fault_file *ff)
{
    char path[600];
    FILE *f;
    if (!F.watching)
        return;
    snprintf(path, sizeof path, "%s.fired", F.path);
    f = fopen(path, "a");
    if (!f)
        return;
    fprintf(f, "%s %s %ld %s\n", F.kind == FAULTVFS_FULL ? "full" : "ioerr", cls, F.n,
            ff->tag);
    fclose(f);
}

/* 0 if the call goes ahead, else the SQLite error it must return instead. */
static int fault_hit(const struct fault_file *ff, unsigned cls, int ioerr_code)
{
    int rc = SQLITE_OK;
    pthread_mutex_lock(&F.mu);
    if (F.watching)
        poll_file_locked();
    if (F.kind != FAULTVFS_OFF && (F.what & cls)) {
        F.count++;
        if (F.count == F.n || (F.persist && F.tripped)) {
            rc = F.kind == FAULTVFS_FULL ? SQLITE_FULL : ioerr_code;
            F.fired++;
            if (!F.tripped)
                log_fired_locked(cls == FAULTVFS_READS ? "read" : "write", ff);
            F.tripped = 1;
            if (!F.persist)
                F.kind = FAULTVFS_OFF;
        }
    }
    pthread_mutex_unlock(&F.mu);
    return rc;
}

void faultvfs_arm(enum faultvfs_kind kind, unsigned what, long n, int persist)
{
    pthread_mutex_lock(&F.mu);
    arm_locked(kind, what, n, persist);
    pthread_mutex_unlock(&F.mu);
}

void faultvfs_disarm(void)
{
    faultvfs_arm(FAULTVFS_OFF, 0, 0, 0);
}

long faultvfs_fired(void)
{
    long n;
    pthread_mutex_lock(&F.mu);
    n = F.fired;
    pthread_mutex_unlock(&F.mu);
    return n;
}

void faultvfs_watch(const char *path)
{
    pthread_mutex_lock(&F.mu);
    snprintf(F.path, sizeof F.path, "%s", path);
    F.watching = 1;
    F.seen_ok = 0;
    poll_file_locked();
    pthread_mutex_unlock(&F.mu);
}

/* ---- The file methods: forward, with a fault check on the counted ones -------------- */

static sqlite3_file *real_of(sqlite3_file *f)
{
    return ((struct fault_file *)f)->real;
}

static int ff_close(sqlite3_file *f)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods ? r->pMethods->xClose(r) : SQLITE_OK;
}

static int ff_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
    sqlite3_file *r = real_of(f);
    int rc = fault_hit((struct fault_file *)f, FAULTVFS_READS, SQLITE_IOERR_READ);
    return rc ? rc : r->pMethods->xRead(r, p, n, off);
}

static int ff_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
    sqlite3_file *r = real_of(f);
    int rc = fault_hit((struct fault_file *)f, FAULTVFS_WRITES, SQLITE_IOERR_WRITE);
    return rc ? rc : r->pMethods->xWrite(r, p, n, off);
}

static int ff_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    sqlite3_file *r = real_of(f);
    int rc = fault_hit((struct fault_file *)f, FAULTVFS_WRITES, SQLITE_IOERR_TRUNCATE);
    return rc ? rc : r->pMethods->xTruncate(r, size);
}

static int ff_sync(sqlite3_file *f, int flags)
{
    sqlite3_file *r = real_of(f);
    int rc = fault_hit((struct fault_file *)f, FAULTVFS_WRITES, SQLITE_IOERR_FSYNC);
    return rc ? rc : r->pMethods->xSync(r, flags);
}

static int ff_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xFileSize(r, size);
}

static int ff_lock(sqlite3_file *f, int level)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xLock(r, level);
}

static int ff_unlock(sqlite3_file *f, int level)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xUnlock(r, level);
}

static int ff_check_reserved(sqlite3_file *f, int *out)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xCheckReservedLock(r, out);
}

static int ff_file_control(sqlite3_file *f, int op, void *arg)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xFileControl(r, op, arg);
}

static int ff_sector_size(sqlite3_file *f)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xSectorSize(r);
}

static int ff_device_chars(sqlite3_file *f)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods->xDeviceCharacteristics(r);
}

static int ff_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
    sqlite3_file *r = real_of(f);
    if (r->pMethods->iVersion < 2 || !r->pMethods->xShmMap)
        return SQLITE_IOERR_SHMMAP;
    return r->pMethods->xShmMap(r, pg, pgsz, extend, pp);
}

static int ff_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
    sqlite3_file *r = real_of(f);
    if (r->pMethods->iVersion < 2 || !r->pMethods->xShmLock)
        return SQLITE_IOERR_SHMLOCK;
    return r->pMethods->xShmLock(r, off, n, flags);
}

static void ff_shm_barrier(sqlite3_file *f)
{
    sqlite3_file *r = real_of(f);
    if (r->pMethods->iVersion >= 2 && r->pMethods->xShmBarrier)
        r->pMethods->xShmBarrier(r);
}

static int ff_shm_unmap(sqlite3_file *f, int del)
{
    sqlite3_file *r = real_of(f);
    if (r->pMethods->iVersion < 2 || !r->pMethods->xShmUnmap)
        return SQLITE_OK;
    return r->pMethods->xShmUnmap(r, del);
}

static int ff_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
    sqlite3_file *r = real_of(f);
    *pp = NULL;
    if (r->pMethods->iVersion < 3 || !r->pMethods->xFetch)
        return SQLITE_OK; /* "no mapping": SQLite reads with xRead instead */
    return r->pMethods->xFetch(r, off, n, pp);
}

static int ff_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    sqlite3_file *r = real_of(f);
    if (r->pMethods->iVersion < 3 || !r->pMethods->xUnfetch)
        return SQLITE_OK;
    return r->pMethods->xUnfetch(r, off, p);
}

static const sqlite3_io_methods fault_methods = {
    3,           ff_close,       ff_read,           ff_write,        ff_truncate,
    ff_sync,     ff_file_size,   ff_lock,           ff_unlock,       ff_check_reserved,
    ff_file_control, ff_sector_size, ff_device_chars, ff_shm_map,    ff_shm_lock,
    ff_shm_barrier, ff_shm_unmap, ff_fetch,         ff_unfetch,
};

/* ---- The VFS: xOpen wraps, the rest forwards ---------------------------------------- */

static const char *tag_of(int flags)
{
    if (flags & SQLITE_OPEN_MAIN_DB)
        return "db";
    if (flags & SQLITE_OPEN_WAL)
        return "wal";
    if (flags & SQLITE_OPEN_MAIN_JOURNAL)
        return "journal";
    if (flags & SQLITE_OPEN_SUBJOURNAL)
        return "subjournal";
    return "temp";
}

static int fv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
    struct fault_file *ff = (struct fault_file *)f;
    int rc;
    (void)vfs;
    ff->real = (sqlite3_file *)(ff + 1);
    ff->tag = tag_of(flags);
    memset(ff->real, 0, (size_t)F.real->szOsFile);
    rc = F.real->xOpen(F.real, name, ff->real, flags, out);
    /* SQLite calls xClose only when pMethods is set; leave it NULL if the open failed. */
    ff->base.pMethods = ff->real->pMethods ? &fault_methods : NULL;
    return rc;
}

static int fv_delete(sqlite3_vfs *v, const char *name, int sync)
{
    (void)v;
    return F.real->xDelete(F.real, name, sync);
}

static int fv_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
    (void)v;
    return F.real->xAccess(F.real, name, flags, out);
}

static int fv_full_pathname(sqlite3_vfs *v, const char *name, int n, char *out)
{
    (void)v;
    return F.real->xFullPathname(F.real, name, n, out);
}

static void *fv_dlopen(sqlite3_vfs *v, const char *name)
{
    (void)v;
    return F.real->xDlOpen(F.real, name);
}

static void fv_dlerror(sqlite3_vfs *v, int n, char *msg)
{
    (void)v;
    F.real->xDlError(F.real, n, msg);
}

static void (*fv_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
    (void)v;
    return F.real->xDlSym(F.real, h, sym);
}

static void fv_dlclose(sqlite3_vfs *v, void *h)
{
    (void)v;
    F.real->xDlClose(F.real, h);
}

static int fv_randomness(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return F.real->xRandomness(F.real, n, out);
}

static int fv_sleep(sqlite3_vfs *v, int us)
{
    (void)v;
    return F.real->xSleep(F.real, us);
}

static int fv_current_time(sqlite3_vfs *v, double *out)
{
    (void)v;
    return F.real->xCurrentTime(F.real, out);
}

static int fv_last_error(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return F.real->xGetLastError ? F.real->xGetLastError(F.real, n, out) : 0;
}

static int fv_current_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
    (void)v;
    return F.real->xCurrentTimeInt64(F.real, out);
}

int faultvfs_install(void)
{
    sqlite3_vfs *real;
    int rc = 0;
    pthread_mutex_lock(&F.mu);
    if (F.real)
        goto out;
    if (sqlite3_initialize() != SQLITE_OK || !(real = sqlite3_vfs_find(NULL)) ||
        real->iVersion < 2) {
        rc = -1;
        goto out;
    }
    memset(&fault_vfs, 0, sizeof fault_vfs);
    fault_vfs.iVersion = 2;
    fault_vfs.szOsFile = (int)sizeof(struct fault_file) + real->szOsFile;
    fault_vfs.mxPathname = real->mxPathname;
    fault_vfs.zName = "tessera-fault";
    fault_vfs.xOpen = fv_open;
    fault_vfs.xDelete = fv_delete;
    fault_vfs.xAccess = fv_access;
    fault_vfs.xFullPathname = fv_full_pathname;
    fault_vfs.xDlOpen = fv_dlopen;
    fault_vfs.xDlError = fv_dlerror;
    fault_vfs.xDlSym = fv_dlsym;
    fault_vfs.xDlClose = fv_dlclose;
    fault_vfs.xRandomness = fv_randomness;
    fault_vfs.xSleep = fv_sleep;
    fault_vfs.xCurrentTime = fv_current_time;
    fault_vfs.xGetLastError = fv_last_error;
    fault_vfs.xCurrentTimeInt64 = fv_current_time64;
    F.real = real;
    if (sqlite3_vfs_register(&fault_vfs, 1) != SQLITE_OK) {
        F.real = NULL;
        rc = -1;
    }
out:
    pthread_mutex_unlock(&F.mu);
    return rc;
}
