/* clock.h: wall-clock time in milliseconds since the epoch, and UTC formatting. */
#ifndef TS_CLOCK_H
#define TS_CLOCK_H
#include <stdint.h>
#include <stddef.h>

int64_t clock_now_ms(void);      /* CLOCK_REALTIME, plus the offset below */
/* Moves clock_now_ms by offset_ms, for tests that need time to pass (the CLI sets it
 * from TESSERA_CLOCK_OFFSET_MS). Call before any thread starts. */
void clock_set_offset_ms(int64_t offset_ms);
int64_t clock_mono_ns(void);     /* CLOCK_MONOTONIC, for measuring */
/* "2026-11-28T15:00:00Z" into out (>= 21 bytes), via gmtime_r. */
void clock_iso8601(int64_t ms, char out[32]);
/* "Sat, 28 Nov 2026 15:00:00 GMT" (an HTTP Date) into out (>= 30 bytes). */
void clock_http_date(int64_t ms, char out[40]);

#endif
