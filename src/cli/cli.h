/* cli.h: the subcommands of the tessera program, and what they share. */
#ifndef TS_CLI_H
#define TS_CLI_H
#include <stdio.h>
#include "../core/core.h"
#include "../api/exec.h"

struct secrets;

int cli_serve(int argc, char **argv);
int cli_admin(int argc, char **argv);
int cli_demo(int argc, char **argv);
/* Truth inference on files: item,worker,label answers in, item,label,confidence out. */
int cli_aggregate(int argc, char **argv);


/* The options of the subcommands are tables of struct cli_opt, and one parser reads them
 * all (cli_parse): it applies the options a subcommand takes, refuses any other with the
 * subcommand's usage, and answers --help with that usage, generated from the same tables,
 * so an option added to a table is parsed, listed by --help and checked against README.md
 * (tests/e2e/test_cli.py) at once. */
struct cli_opt {
    const char *name; /* "--listen" */
    const char *arg;  /* its value as usage shows it ("HOST:PORT"), NULL for a switch */
    const char *help; /* one line for --help */
    /* Applies the option to the parser's ctx; v is NULL for a switch. 0, or prints a
     * message and returns -1. */
    int (*set)(void *ctx, const char *v);
};

/* A subcommand's usage: "usage: tessera <cmd> <synopsis>" (a synopsis of several lines
 * gives one usage line each), then every option of every table in opts. */
struct cli_usage {
    const char *cmd;                   /* "serve", "admin deposit" */
    const char *synopsis;              /* "[options]", "ACCOUNT_ID AMOUNT", ... */
    const struct cli_opt *const *opts; /* NULL-terminated; each table ends with name NULL */
    const char *notes;                 /* more lines after the options, or NULL */
};

void cli_usage_print(const struct cli_usage *u, FILE *f);

#define CLI_STOP_AT_ARG 1 /* options end at the first argument that is not one (admin) */
/* Parses argv[1..*argc-1] by u: each option found in u->opts is applied with its set(ctx)
 * (as "--name VALUE" or "--name=VALUE"); the other arguments stay in argv in order after
 * argv[0], and *argc counts them. "--" ends the options; "-" alone is an argument.
 * Returns 0; or CLI_HELP after printing the usage on stdout for --help or -h (the caller
 * exits 0); or 2, the usage error exit status, after printing a message and the usage on
 * stderr for an unknown option, a missing value or a value set() refused. */
#define CLI_HELP 1
int cli_parse(const struct cli_usage *u, void *ctx, int flags, int *argc, char **argv);

/* The settings the options below fill in. */
struct cli_common {
    const char *db;     /* --db, default tessera.db */
    char key[4096];     /* --key, default <db>.key */
    const char *listen; /* --listen, default 127.0.0.1:8080 */
    char base_url[256]; /* --base-url without a final '/', or "" for http://<listen> */
    int fee_bp;         /* --fee-percent * 100, or -1 */
    int64_t masters_approved; /* --masters-approved, or -1 */
    int64_t masters_percent;  /* --masters-percent, or -1 */
    unsigned per_address;      /* --max-connections-per-address, default 64; 0: no limit */
    unsigned header_timeout_s; /* --header-timeout seconds, default 10; 0: none */
    struct exec_limits limits; /* --login-* and --token-ttl-days, else the defaults */
};

/* Sets o to the defaults, before cli_parse. */
void cli_common_init(struct cli_common *o);
/* After cli_parse: derives what the options left open (the key beside the database).
 * Prints a message and returns -1 on error. */
int cli_common_finish(struct cli_common *o);
/* --db and --key, for every subcommand that opens the database; ctx is a struct
 * cli_common (or a struct whose first member is one). */
extern const struct cli_opt cli_store_opts[];
/* The options of a running server (serve and demo): --listen, --base-url and the
 * connection limits (--max-connections-per-address, --header-timeout), the login limits
 * (--login-*) and --token-ttl-days. A new server
 * option goes here, with its field in struct cli_common, and a line in README.md's usage
 * block (tests/e2e/test_cli.py checks it is there). */
extern const struct cli_opt cli_server_opts[];
/* The settings kept in the database (serve, demo and admin): --fee-percent,
 * --masters-approved, --masters-percent. */
extern const struct cli_opt cli_settings_opts[];
/* serve's and demo's tables: cli_server_opts, cli_settings_opts, cli_store_opts. */
extern const struct cli_opt *const cli_serve_tables[];

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

/* Where workers' browsers and requesters' scripts reach the server o describes, without a
 * final '/': --base-url, or http://<listen>. The task pages, form addresses and file
 * links are made with it. */
void cli_base_url(const struct cli_common *o, char *out, size_t cap);

/* Serves o's database until SIGINT or SIGTERM. banner (may be NULL) is called once the
 * server listens, with the port. */
int cli_serve_until_signal(const struct cli_common *o, void (*banner)(void *, unsigned),
                           void *arg);

#endif
