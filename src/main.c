/* main.c: the tessera program: serve | admin | demo | aggregate. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "util/banned.h"

static void usage(FILE *f)
{
    fputs("usage: tessera serve [--db PATH] [--listen HOST:PORT] [--key PATH] [--fee-percent P]\n"
          "                    [--masters-approved N] [--masters-percent P]\n"
          "                    [--login-free-failures 5] [--login-max-delay 60]\n"
          "                    [--login-queue 64] [--login-queue-per-address 4]\n"
          "                    [--token-ttl-days 30]\n"
          "       tessera admin [--db PATH] requester-create NAME\n"
          "       tessera admin [--db PATH] worker-create NAME --country CC [--subdivision SD]\n"
          "                                 --password PW\n"
          "       tessera admin [--db PATH] deposit ACCOUNT_ID AMOUNT\n"
          "       tessera admin [--db PATH] token-create ACCOUNT_ID [--expires-days N]\n"
          "       tessera admin [--db PATH] token-list ACCOUNT_ID | token-revoke TOKEN_ID\n"
          "       tessera admin [--db PATH] key-create ACCOUNT_ID | key-revoke ACCESS_KEY_ID\n"
          "       tessera admin [--db PATH] check\n"
          "       tessera demo [--db PATH] [--listen HOST:PORT]\n"
          "       tessera aggregate [--method ds|hds|mv|mean|median] [--gold GOLD.csv]\n"
          "                         [--gold-for-training] [--tol X] [--max-iter N] ANSWERS.csv\n",
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
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "tessera: unknown command \"%s\"\n", argv[1]);
    usage(stderr);
    return 2;
}
