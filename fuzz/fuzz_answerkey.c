/* fuzz_answerkey.c: fuzzes answerkey_parse, the reader of requester-supplied AnswerKey
 * XML, and answerkey_score over a fixed set of answers. An accepted key must keep the
 * limits it promises (questions, options, selections, ranges, a positive
 * MaximumSummedScore, ordered ranges) and score to a 32-bit value; a refused one must
 * say why. A violation aborts, which the fuzzer and replay.c report. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "doc/answerkey.h"
#include "util/err.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const answers[] = {"{}", "{\"q1\":\"a\"}", "{\"q1\":[\"a\",\"b\"]}",
                                          "{\"q2\":\"x\",\"q1\":\"c\"}"};
    struct answerkey k;
    struct ts_error err = {0};

    memset(&k, 0, sizeof k);
    if (answerkey_parse((const char *)data, size, &k, &err) != 0) {
        if (err.msg[0] == '\0' || k.n_q || k.q)
            abort(); /* a failure must leave k untouched and say why */
        return 0;
    }
    if (k.n_q < 1 || k.n_q > ANSWERKEY_MAX_QUESTIONS || k.n_range > ANSWERKEY_MAX_RANGES)
        abort();
    if (k.mapping == ANSWERKEY_PERCENT && k.max_summed < 1)
        abort();
    for (size_t i = 0; i < k.n_range; i++)
        if (k.range[i].lo > k.range[i].hi)
            abort();
    for (size_t i = 0; i < k.n_q; i++) {
        if (!k.q[i].id || !k.q[i].id[0] || k.q[i].n_opt > ANSWERKEY_MAX_OPTIONS)
            abort();
        for (size_t j = 0; j < k.q[i].n_opt; j++)
            if (k.q[i].opt[j].n_sel < 1 || k.q[i].opt[j].n_sel > ANSWERKEY_MAX_SELECTIONS)
                abort();
    }
    for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
        json_t *a = json_loads(answers[i], 0, NULL);
        int64_t sum = 0, value = 0;
        if (answerkey_score(&k, a, &sum, &value) && (value < INT32_MIN || value > INT32_MAX))
            abort();
        json_decref(a);
    }
    answerkey_release(&k);
    return 0;
}
