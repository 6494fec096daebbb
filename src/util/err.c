/* err.c: the one error type. ts_fail records a code and a message a person can act on,
 * ts_err_name gives each code a short stable name for APIs and logs, and ts__bug is the
 * single exit for broken invariants: it logs file:line and aborts. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "banned.h"

static void fail_v(struct ts_error *err, enum ts_err code, const char *kind, const char *fmt,
                   va_list ap) __attribute__((format(printf, 4, 0)));
static void fail_v(struct ts_error *err, enum ts_err code, const char *kind, const char *fmt,
                   va_list ap)
{
    err->code = code;
    err->kind = kind;
    if (vsnprintf(err->msg, sizeof err->msg, fmt, ap) < 0)
        err->msg[0] = '\0';
}

int ts_fail(struct ts_error *err, enum ts_err code, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return code;
    va_start(ap, fmt);
    fail_v(err, code, NULL, fmt, ap);
    va_end(ap);
    return code;
}

int ts_failk(struct ts_error *err, enum ts_err code, const char *kind, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return code;
    va_start(ap, fmt);
    fail_v(err, code, kind, fmt, ap);
    va_end(ap);
    return code;
}

const char *ts_err_name(enum ts_err code)
{
    switch (code) {
    case TS_OK:
        return "OK";
    case TS_EINVAL:
        return "ParameterValidationError";
    case TS_ENOTFOUND:
        return "NotFound";
    case TS_EFORBIDDEN:
        return "Forbidden";
    case TS_ECONFLICT:
        return "Conflict";
    case TS_EFUNDS:
        return "InsufficientFunds";
    case TS_ETOOBIG:
        return "TooBig";
    case TS_EBUSY:
        return "Busy";
    case TS_EIO:
        return "InternalError";
    case TS_EAUTH:
        return "AuthFailure";
    case TS_EDUPLICATE:
        return "DuplicateRequest";
    case TS_ETOOMANY:
        return "TooManyRequests";
    }
    return "InternalError";
}

_Noreturn void ts__bug(const char *file, int line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
        msg[0] = '\0';
    va_end(ap);
    log_error("BUG %s:%d: %s", file, line, msg);
    abort();
}
