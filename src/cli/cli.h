/* cli.h: the subcommands of the tessera program, and what they share. */
#ifndef TS_CLI_H
#define TS_CLI_H
#include "../core/core.h"
#include "../api/exec.h"

struct secrets;

int cli_serve(int argc, char **argv);
int cli_admin(int argc, char **argv);
int cli_demo(int argc, char **argv);
/* Truth inference on files: item,worker,label answers in, item,label,confidence out. */
int cli_aggregate(int argc, char **argv);


/* Options every subcommand takes. */
struct cli_common {
    const char *db;     /* --db, default tessera.db */
    char key[4096];     /* --key, default <db>.key */
    const char *listen; /* --listen, default 127.0.0.1:8080 */
    char base_url[256]; /* --base-url without a final '/', or "" for http://<listen> */
    int fee_bp;         /* --fee-percent * 100, or -1 */
    int64_t masters_approved; /* --masters-approved, or -1 */
    int64_t masters_percent;  /* --masters-percent, or -1 */
    struct exec_limits limits; /* --login-* and --token-ttl-days (serve), else defaults */
};

/* Parses --db/--key/--listen/--base-url/--fee-percent/--masters-approved/--masters-percent
 * out of argv (removing them; other arguments are kept in order in argv, *argc updated).
 * Returns 0 or prints a message and -1. */
int cli_parse_common(int *argc, char **argv, struct cli_common *o);
/* Opens the store and the server key of o, and loads the configuration kept in the
 * database (the fee rate, the Masters thresholds), applying those o gives. Prints errors. */
int cli_open(const struct cli_common *o, struct store **st, struct secrets **sec,
             struct core_config *cfg);

/* Creates an account with a fresh bearer token (and for a requester an access key pair)
 * and prints it as JSON. country, subdivision (a checked ISO 3166-2 code) and password may
 * be NULL. */
int cli_account_create(struct core_ctx *c, int role, const char *name, const char *country,
                       const char *subdivision, const char *password, int print_json,
                       char *token_out, size_t cap);

/* Serves o's database until SIGINT or SIGTERM. banner (may be NULL) is called once the
 * server listens, with the port. */
int cli_serve_until_signal(const struct cli_common *o, void (*banner)(void *, unsigned),
                           void *arg);

#endif
