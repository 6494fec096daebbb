/* serve.c: `tessera serve`: the executor and the HTTP listener, until SIGINT or SIGTERM
 * stops them cleanly (every queued request is finished and committed first). */
#include "cli.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "../api/exec.h"
#include "../core/secrets.h"
#include "../http/server.h"
#include "../util/log.h"
#include "../util/banned.h"

int cli_serve_until_signal(const struct cli_common *o, void (*banner)(void *, unsigned),
                           void *arg)
{
    struct store *st;
    struct secrets *sec;
    struct core_config cfg;
    struct exec *x = NULL;
    struct http_server *http = NULL;
    struct ts_error err = {0};
    sigset_t set;
    int sig = 0;
    char base[128];

    if (cli_open(o, &st, &sec, &cfg))
        return 1;
    store_close(st); /* the executor opens its own connection */

    /* Block the stop signals in every thread; this one waits for them. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    snprintf(base, sizeof base, "http://%s", o->listen);
    cfg.base_url = base;
    if (exec_start(o->db, sec, &cfg, &x, &err) || http_start(o->listen, x, &http, &err)) {
        fprintf(stderr, "tessera: %s\n", err.msg);
        exec_stop(x);
        secrets_free(sec);
        return 1;
    }
    log_info("tessera serving %s on http://%s (port %u), fee %d.%02d%%", o->db, o->listen,
             http_port(http), cfg.fee_bp / 100, cfg.fee_bp % 100);
    if (banner)
        banner(arg, http_port(http));
    sigwait(&set, &sig);
    log_info("signal %d: stopping", sig);
    http_stop(http); /* stops the executor too */
    secrets_free(sec);
    log_info("stopped");
    return 0;
}

int cli_serve(int argc, char **argv)
{
    struct cli_common o;
    if (cli_parse_common(&argc, argv, &o))
        return 2;
    if (argc > 1) {
        fprintf(stderr, "tessera serve: unexpected argument \"%s\"\n", argv[1]);
        return 2;
    }
    return cli_serve_until_signal(&o, NULL, NULL);
}
