/* main.c: the tessera program: serve | admin | demo | aggregate. Each subcommand parses
 * its own options with cli_parse (src/cli/common.c), which also answers --help. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "util/banned.h"

static void usage(FILE *f)
{
    fputs("usage: tessera serve [options]                  serve a database over HTTP\n"
          "       tessera demo [options]                   a demo requester, worker and "
          "tasks, served\n"
          "       tessera admin [options] COMMAND [ARGS]   accounts, deposits, tokens, the "
          "check\n"
          "       tessera aggregate [options] ANSWERS.csv  labels from redundant answers\n"
          "       tessera help                             this text\n"
          "tessera COMMAND --help lists the options of each.\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "serve") == 0)
        return cli_serve(argc - 1, argv + 1);
    if (strcmp(argv[1], "admin") == 0)
        return cli_admin(argc - 1, argv + 1);
    if (strcmp(argv[1], "demo") == 0)
        return cli_demo(argc - 1, argv + 1);
    if (strcmp(argv[1], "aggregate") == 0)
        return cli_aggregate(argc - 1, argv + 1);
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "tessera: unknown command \"%s\"\n", argv[1]);
    usage(stderr);
    return 2;
}
