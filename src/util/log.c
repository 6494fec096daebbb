/* log.c: one line per event on stderr, "2026-11-28T15:00:00Z level message". The line
 * is built in one buffer and written with one call so concurrent threads do not
 * interleave mid-line, and control characters in the message (which may carry input)
 * are replaced so no one can forge a log line. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

#include "clock.h"
#include "banned.h"

#define LOG_LINE_MAX 2048

/* Set once at startup, before threads; read-only afterwards. */
static enum log_level log_level = LOG_INFO;

void log_set_level(enum log_level lvl)
{
    log_level = lvl;
}

static const char *level_name(enum log_level lvl)
{
    switch (lvl) {
    case LOG_DEBUG:
        return "debug";
    case LOG_INFO:
        return "info";
    case LOG_WARN:
        return "warn";
    case LOG_ERROR:
        return "error";
    }
    return "error";
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
    char line[LOG_LINE_MAX], when[32];
    va_list ap;
    int head, n;
    size_t i, end;

    if (lvl < log_level)
        return;
    clock_iso8601(clock_now_ms(), when);
    head = snprintf(line, sizeof line, "%s %s ", when, level_name(lvl));
    if (head < 0 || (size_t)head >= sizeof line)
        return;
    va_start(ap, fmt);
    n = vsnprintf(line + head, sizeof line - (size_t)head, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    end = (size_t)head + (size_t)n;
    if (end > sizeof line - 1)
        end = sizeof line - 1; /* truncated: keep what fits */
    for (i = (size_t)head; i < end; i++) {
        if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
            line[i] = ' ';
    }
    line[end] = '\0';
    fprintf(stderr, "%s\n", line);
}
