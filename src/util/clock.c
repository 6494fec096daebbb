/* clock.c: wall-clock and monotonic time, and UTC formatting for logs, JSON and HTTP
 * Date headers. Formatting uses gmtime_r (thread-safe) and fixed English names, never the
 * locale, so output does not depend on the environment. */
#include "clock.h"

#include <stdio.h>
#include <time.h>

#include "banned.h"

/* 9999-12-31T23:59:59Z: times are clamped to years 1970..9999 so the text has a fixed
 * shape and always fits the caller's buffer. */
#define CLOCK_MAX_SEC 253402300799LL

static int64_t clock_offset_ms;

void clock_set_offset_ms(int64_t offset_ms)
{
    clock_offset_ms = offset_ms;
}

int64_t clock_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + (int64_t)ts.tv_nsec / 1000000 + clock_offset_ms;
}

int64_t clock_mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + (int64_t)ts.tv_nsec;
}

/* Breaks ms into UTC fields; returns 0, or -1 if gmtime_r fails (it cannot in range). */
static int to_tm(int64_t ms, struct tm *tm)
{
    int64_t sec = ms < 0 ? 0 : ms / 1000;
    time_t t;

    if (sec > CLOCK_MAX_SEC)
        sec = CLOCK_MAX_SEC;
    t = (time_t)sec;
    return gmtime_r(&t, tm) ? 0 : -1;
}

void clock_iso8601(int64_t ms, char out[32])
{
    struct tm tm;

    if (to_tm(ms, &tm)) {
        snprintf(out, 32, "1970-01-01T00:00:00Z");
        return;
    }
    /* The modulos are no-ops in range; they let the compiler prove the text fits. */
    snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)(tm.tm_year + 1900) % 10000u,
             (unsigned)tm.tm_mon % 12u + 1u, (unsigned)tm.tm_mday % 32u,
             (unsigned)tm.tm_hour % 24u, (unsigned)tm.tm_min % 60u, (unsigned)tm.tm_sec % 61u);
}

void clock_http_date(int64_t ms, char out[40])
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;

    if (to_tm(ms, &tm)) {
        snprintf(out, 40, "Thu, 01 Jan 1970 00:00:00 GMT");
        return;
    }
    snprintf(out, 40, "%s, %02u %s %04u %02u:%02u:%02u GMT", days[(unsigned)tm.tm_wday % 7u],
             (unsigned)tm.tm_mday % 32u, months[(unsigned)tm.tm_mon % 12u],
             (unsigned)(tm.tm_year + 1900) % 10000u, (unsigned)tm.tm_hour % 24u,
             (unsigned)tm.tm_min % 60u, (unsigned)tm.tm_sec % 61u);
}
