/* err.h: the one error type. A function that can fail returns 0 or a negative
 * enum ts_err and writes a message a person can act on into its last parameter. */
#ifndef TS_ERR_H
#define TS_ERR_H

enum ts_err {
    TS_OK = 0,
    TS_EINVAL = -1,     /* the input is malformed or out of range */
    TS_ENOTFOUND = -2,  /* the named object does not exist (for this caller) */
    TS_EFORBIDDEN = -3, /* authenticated, but not allowed to do this */
    TS_ECONFLICT = -4,  /* the object is in a state that does not allow this */
    TS_EFUNDS = -5,     /* not enough money */
    TS_ETOOBIG = -6,    /* a size limit was exceeded */
    TS_EBUSY = -7,      /* try again later */
    TS_EIO = -8,        /* storage or system failure */
    TS_EAUTH = -9,      /* missing or invalid credentials */
    TS_EDUPLICATE = -10, /* a UniqueRequestToken was already used */
    TS_ETOOMANY = -11    /* too many attempts from this caller: wait (HTTP 429) */
};

struct ts_error {
    enum ts_err code;
    const char *kind; /* optional static name of the precise condition, e.g.
                         "HITDoesNotExist"; NULL when the code says enough */
    char msg[256];
};

/* Records code and a printf-style message in err (which may be NULL); returns code. */
int ts_fail(struct ts_error *err, enum ts_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As ts_fail, and records kind (a static string) in err->kind. */
int ts_failk(struct ts_error *err, enum ts_err code, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A short stable name for a code: "ParameterValidationError", "NotFound", ... */
const char *ts_err_name(enum ts_err code);

/* A broken invariant is a bug: log file:line and abort. Input must never reach it. */
#define TS_BUG(...) ts__bug(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void ts__bug(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
