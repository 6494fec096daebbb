/* server.h: the HTTP listener (libmicrohttpd): bounded body reads, routing to the doors,
 * and answering each request only after the executor has made its outcome durable. */
#ifndef TS_SERVER_H
#define TS_SERVER_H
#include "../api/exec.h"

struct http_server;

/* Listens on listen ("HOST:PORT", an IPv4 address; port 0 picks a free one) and serves
 * through x (borrowed until http_stop). */
int http_start(const char *listen, struct exec *x, struct http_server **out,
               struct ts_error *err);
unsigned http_port(const struct http_server *s);
/* Stops taking requests, lets the executor finish those it has (stopping x), then closes
 * every connection. */
void http_stop(struct http_server *s);

#endif
