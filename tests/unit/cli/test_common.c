/* test_common.c: cli_parse, the one option parser of every subcommand: options anywhere
 * or only before the first argument, "--name VALUE" and "--name=VALUE", switches, "--"
 * and "-", and the refusals (unknown option, missing value, a value for a switch, a
 * value set() refuses), each with its exit status. */
#include "cli/cli.h"
#include "../../check.h"
#include "util/banned.h"

struct t_opts {
    struct cli_common common;
    int flag;
};

static int set_flag(void *ctx, const char *v)
{
    ((struct t_opts *)ctx)->flag = v ? -1 : 1;
    return 0;
}

static const struct cli_opt t_opts_table[] = {
    {"--flag", NULL, "a switch", set_flag},
    {NULL, NULL, NULL, NULL},
};
static const struct cli_opt *const t_tables[] = {t_opts_table, cli_server_opts, cli_settings_opts,
                                                 cli_store_opts,
                                                 NULL};
static const struct cli_usage t_usage = {"test", "[options] ARGS", t_tables, NULL};

static const struct {
    const char *args[6];
    int flags;
    int rc;
    const char *kept;   /* the arguments left, joined by ' ' */
    const char *db, *listen;
    int fee_bp, flag;
} cases[] = {
    {{"a", "--db", "x.db", "b"}, 0, 0, "a b", "x.db", "127.0.0.1:8080", -1, 0},
    {{"--db=y.db", "--listen=127.0.0.1:1"}, 0, 0, "", "y.db", "127.0.0.1:1", -1, 0},
    {{"--fee-percent", "15", "--flag"}, 0, 0, "", "tessera.db", "127.0.0.1:8080", 1500, 1},
    {{"--", "--db", "-"}, 0, 0, "--db -", "tessera.db", "127.0.0.1:8080", -1, 0},
    {{"-", "x"}, 0, 0, "- x", "tessera.db", "127.0.0.1:8080", -1, 0},
    {{"--db", "a.db", "cmd", "--db", "b.db"}, CLI_STOP_AT_ARG, 0, "cmd --db b.db", "a.db",
     "127.0.0.1:8080", -1, 0},
    {{"--nope"}, 0, 2, NULL, NULL, NULL, 0, 0},
    {{"-x"}, 0, 2, NULL, NULL, NULL, 0, 0},
    {{"--db"}, 0, 2, NULL, NULL, NULL, 0, 0},
    {{"--flag=1"}, 0, 2, NULL, NULL, NULL, 0, 0},
    {{"--fee-percent", "101"}, 0, 2, NULL, NULL, NULL, 0, 0},
    {{"--base-url", "ftp://x"}, 0, 2, NULL, NULL, NULL, 0, 0},
    {{"--dbx", "a"}, 0, 2, NULL, NULL, NULL, 0, 0},
    /* --help wins over what stands before or after it, errors included */
    {{"--nope", "--help"}, 0, CLI_HELP, NULL, NULL, NULL, 0, 0},
    {{"a", "-h", "--fee-percent", "500"}, 0, CLI_HELP, NULL, NULL, NULL, 0, 0},
    /* after the first argument, with CLI_STOP_AT_ARG, everything is the command's */
    {{"cmd", "--help"}, CLI_STOP_AT_ARG, 0, "cmd --help", "tessera.db", "127.0.0.1:8080", -1,
     0},
};

static void test_cases(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *argv[8] = {(char *)"tessera-test"};
        int argc = 1;
        struct t_opts o = {.flag = 0};
        char kept[256] = "";
        cli_common_init(&o.common);
        for (int k = 0; cases[i].args[k]; k++)
            argv[argc++] = (char *)cases[i].args[k];
        int rc = cli_parse(&t_usage, &o, cases[i].flags, &argc, argv);
        if (rc != cases[i].rc)
            fprintf(stderr, "case %zu\n", i);
        CHECK_EQ_INT(rc, cases[i].rc);
        if (rc || cases[i].rc)
            continue;
        for (int k = 1; k < argc; k++) {
            size_t n = strlen(kept);
            snprintf(kept + n, sizeof kept - n, "%s%s", k > 1 ? " " : "", argv[k]);
        }
        CHECK_EQ_STR(argv[0], "tessera-test");
        CHECK_EQ_STR(kept, cases[i].kept);
        CHECK_EQ_STR(o.common.db, cases[i].db);
        CHECK_EQ_STR(o.common.listen, cases[i].listen);
        CHECK_EQ_INT(o.common.fee_bp, cases[i].fee_bp);
        CHECK_EQ_INT(o.flag, cases[i].flag);
    }
}

static void test_usage_lists_every_option(void)
{
    char text[4096];
    FILE *f = fmemopen(text, sizeof text, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    cli_usage_print(&t_usage, f);
    fclose(f);
    CHECK(strncmp(text, "usage: tessera test [options] ARGS\n", 35) == 0);
    for (const struct cli_opt *const *t = t_tables; *t; t++)
        for (const struct cli_opt *op = *t; op->name; op++) {
            char line[64];
            snprintf(line, sizeof line, "\n  %s%s%s ", op->name, op->arg ? " " : "",
                     op->arg ? op->arg : "");
            CHECK(strstr(text, line) != NULL);
        }
    CHECK(strstr(text, "\n  --help ") != NULL);
}

static void test_key_default(void)
{
    struct cli_common o;
    cli_common_init(&o);
    o.db = "some/where.db";
    CHECK_EQ_INT(cli_common_finish(&o), 0);
    CHECK_EQ_STR(o.key, "some/where.db.key");
}

CHECK_MAIN(test_cases, test_usage_lists_every_option, test_key_default)
