/* serve.c: `tessera serve`: the executor and the HTTP listener, until SIGINT or SIGTERM
 * stops them cleanly (every queued request is finished and committed first). */
#include "cli.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../api/deliver.h"
#include "../api/exec.h"
#include "../core/secrets.h"
#include "../http/server.h"
#include "../store/faultvfs.h"
#include "../util/log.h"
#include "../util/parse.h"
#include "../util/banned.h"

/* The delivery policy of notifications, from TESSERA_NOTIFY_BACKOFF_MS (the first retry's
 * delay, 1 to 3600000) and TESSERA_NOTIFY_MAX_ATTEMPTS (1 to 1000). */
static int notify_policy_from_env(struct notify_policy *p)
{
    const char *v = getenv("TESSERA_NOTIFY_BACKOFF_MS");
    p->base_ms = NOTIFY_BASE_MS_DEFAULT;
    p->max_attempts = NOTIFY_ATTEMPTS_DEFAULT;
    if (v && parse_i64(v, strlen(v), 1, 3600000, &p->base_ms)) {
        fprintf(stderr, "tessera: TESSERA_NOTIFY_BACKOFF_MS must be 1 to 3600000\n");
        return -1;
    }
    v = getenv("TESSERA_NOTIFY_MAX_ATTEMPTS");
    if (v && parse_i64(v, strlen(v), 1, 1000, &p->max_attempts)) {
        fprintf(stderr, "tessera: TESSERA_NOTIFY_MAX_ATTEMPTS must be 1 to 1000\n");
        return -1;
    }
    return 0;
}

void cli_base_url(const struct cli_common *o, char *out, size_t cap)
{
    if (o->base_url[0])
        snprintf(out, cap, "%s", o->base_url);
    else
        snprintf(out, cap, "http://%s", o->listen);
}

/* The test build only: TESSERA_FAULT_FILE names the control file of the fault-injecting
 * VFS (src/store/faultvfs.h), which then sits under every connection. Elsewhere the
 * variable is ignored and SQLite's own VFS is used directly. */
static int faults_from_env(void)
{
#ifdef TESSERA_FAULTS
    const char *path = getenv("TESSERA_FAULT_FILE");
    if (!path || !path[0])
        return 0;
    if (faultvfs_install() != 0) {
        fprintf(stderr, "tessera: TESSERA_FAULT_FILE: cannot install the fault VFS\n");
        return -1;
    }
    faultvfs_watch(path);
    log_warn("store fault injection is on, controlled by %s", path);
#endif
    return 0;
}

int cli_serve_until_signal(const struct cli_common *o, void (*banner)(void *, unsigned),
                           void *arg)
{
    struct store *st;
    struct secrets *sec;
    struct core_config cfg;
    struct exec *x = NULL;
    struct http_server *http = NULL;
    struct deliver *dl = NULL;
    struct notify_policy policy;
    struct http_limits lim = {o->per_address, o->header_timeout_s};
    struct ts_error err = {0};
    sigset_t set;
    int sig = 0;
    char base[300];

    if (notify_policy_from_env(&policy) || faults_from_env() || cli_open(o, &st, &sec, &cfg))
        return 1;
    store_close(st); /* the executor opens its own connection */

    /* Block the stop signals in every thread; this one waits for them. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* Where workers' browsers and requesters' scripts reach this server: the links of
     * task pages, forms and files are made with it (behind a proxy: --base-url). */
    cli_base_url(o, base, sizeof base);
    cfg.base_url = base;
    if (exec_start(o->db, sec, &cfg, &x, &err) == 0)
        exec_set_limits(x, &o->limits); /* before the listener lets a request in */
    if (!x || deliver_start(o->db, sec, x, &policy, &dl, &err) ||
        http_start(o->listen, &lim, x, &http, &err)) {
        fprintf(stderr, "tessera: %s\n", err.msg);
        deliver_stop(dl);
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
    deliver_stop(dl); /* before the executor, which records its attempts */
    http_stop(http);  /* stops the executor too */
    secrets_free(sec);
    log_info("stopped");
    return 0;
}

static const struct cli_usage serve_usage = {
    "serve", "[options]", cli_serve_tables,
    "Serves the database until SIGINT or SIGTERM. See docs/api.md and docs/mturk.md.\n"};

int cli_serve(int argc, char **argv)
{
    struct cli_common o;
    int rc;
    cli_common_init(&o);
    rc = cli_parse(&serve_usage, &o, 0, &argc, argv);
    if (rc)
        return rc == CLI_HELP ? 0 : rc;
    if (argc > 1) {
        fprintf(stderr, "tessera serve: unexpected argument \"%s\"\n", argv[1]);
        cli_usage_print(&serve_usage, stderr);
        return 2;
    }
    if (cli_common_finish(&o))
        return 2;
    return cli_serve_until_signal(&o, NULL, NULL);
}
