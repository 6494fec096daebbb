/* fuzz_money.c: fuzzes money_parse, the parser for every dollar amount a requester or
 * an MTurk client sends. Any accepted amount must be in range, whole cents, and survive
 * parse -> format -> parse unchanged; money_format must print any int64_t as a short
 * "[-]D.CC" string. A violation aborts, which the fuzzer and replay.c report. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/err.h"
#include "util/money.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_format(int64_t v)
{
    char out[32];
    size_t len;

    money_format(v, out);
    len = strnlen(out, sizeof out);
    if (len < 4 || len >= sizeof out || out[len - 3] != '.')
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xmalloc(st_add(size, 1));
    struct ts_error err = {0};
    int64_t v = 0, w = 0;
    char out[32];

    memcpy(s, data, size);
    s[size] = '\0';
    if (money_parse(s, &v, "Reward", &err) == 0) {
        if (v < 0 || v > MONEY_MAX || v % MONEY_CENT != 0)
            abort();
        money_format(v, out);
        if (money_parse(out, &w, "Reward", &err) != 0 || w != v)
            abort();
    } else if (err.code != TS_EINVAL || err.msg[0] == '\0') {
        abort();
    }
    if (size >= sizeof v) {
        memcpy(&v, data, sizeof v);
        check_format(v);
    }
    free(s);
    return 0;
}
