/* server.h: the HTTP listener (libmicrohttpd): bounded body reads, routing to the doors,
 * and answering each request only after the executor has made its outcome durable. */
#ifndef TS_SERVER_H
#define TS_SERVER_H
#include "../api/exec.h"

struct http_server;

/* Limits on connections, against one client holding them all (`tessera serve` flags). */
struct http_limits {
    unsigned per_address;      /* connections open at once from one IP address; 0: any */
    unsigned header_timeout_s; /* seconds to finish a request's headers; 0: no deadline */
};
#define HTTP_PER_ADDRESS_DEFAULT 64u
#define HTTP_HEADER_TIMEOUT_DEFAULT 10u
#define HTTP_LIMITS_DEFAULT {HTTP_PER_ADDRESS_DEFAULT, HTTP_HEADER_TIMEOUT_DEFAULT}

/* Listens on listen ("HOST:PORT", an IPv4 address; port 0 picks a free one) and serves
 * through x (borrowed until http_stop), within lim (copied). */
int http_start(const char *listen, const struct http_limits *lim, struct exec *x,
               struct http_server **out, struct ts_error *err);
unsigned http_port(const struct http_server *s);
/* Stops taking requests, lets the executor finish those it has (stopping x), then closes
 * every connection. */
void http_stop(struct http_server *s);

#endif
