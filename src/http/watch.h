/* watch.h: the header deadline. A connection has timeout seconds to finish its request
 * headers, counted from when it was accepted or from when its previous answer was sent;
 * past that its socket is shut down, however many bytes it has trickled in meanwhile.
 * libmicrohttpd's own CONNECTION_TIMEOUT is an idle timeout, which a client sending one
 * byte now and then never trips. Once the headers are in, the deadline is lifted: a slow
 * body that keeps coming is governed by the idle timeout alone. */
#ifndef TS_WATCH_H
#define TS_WATCH_H
#include "../util/err.h"

struct watch;
struct watch_conn;

/* Starts the watch and its thread. timeout_s 0: no deadline, *out = NULL (every function
 * below takes a NULL watch and does nothing). The caller frees with watch_free. */
int watch_new(unsigned timeout_s, struct watch **out, struct ts_error *err);
/* Stops the thread and frees w (and any connection still tracked). NULL is fine. */
void watch_free(struct watch *w);

/* Tracks the connected socket fd, with a deadline timeout_s from now. The caller calls
 * watch_remove before fd is closed (fd is shut down, never closed, by the watch).
 * Returns NULL when w is NULL. */
struct watch_conn *watch_add(struct watch *w, int fd);
/* The connection's request headers are complete: no deadline until watch_idle. */
void watch_headers_done(struct watch *w, struct watch_conn *c);
/* The connection's answer is sent; the next request's headers are due timeout_s from now. */
void watch_idle(struct watch *w, struct watch_conn *c);
/* Forgets c and frees it (c NULL is fine). */
void watch_remove(struct watch *w, struct watch_conn *c);

/* How many connections the watch has shut down so far. */
unsigned long watch_shut_count(struct watch *w);

#endif
