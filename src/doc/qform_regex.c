/* qform_regex.c: an AnswerFormatRegex vetted before it is compiled. glibc's regcomp
 * copies a pattern's tree for every counted repetition, so the pattern's size once
 * expanded, its repeat counts and its nesting are counted here first and held to the
 * QFORM_REGEX_* limits of qform.h; back-references are refused. */
#include "qform_internal.h"

#include <regex.h>
#include <string.h>

#include "../util/banned.h"

/* The size glibc's regcomp would build for re, counted before it is asked to: every atom,
 * group and alternation is one element, and a repetition copies what it applies to (glibc
 * expands x{m,n} into n copies, x{m,} into m+1, x+ into 2), so nested counts multiply.
 * Values saturate just above QFORM_REGEX_MAX_SIZE. Brackets and escapes are read as glibc
 * reads them in REG_EXTENDED (a backslash is literal inside [...], "]" first in a bracket
 * is literal, [:class:], [.coll.] and [=equiv=] may hold "]"), so the count cannot be
 * fooled into skipping part of the pattern. 0 when re may be compiled; otherwise TS_EINVAL
 * naming the question. */
struct qform_rx_level {
    long alts, cur, last; /* finished alternatives, this branch before its last atom, it */
};

static long qform_rx_sat(long v)
{
    return v > QFORM_REGEX_MAX_SIZE ? QFORM_REGEX_MAX_SIZE + 1 : v;
}

/* Index just past the bracket expression opening at re[i] == '[', or 0 if unterminated. */
static size_t qform_rx_bracket(const char *re, size_t i)
{
    i++;
    if (re[i] == '^')
        i++;
    if (re[i] == ']')
        i++;
    while (re[i] && re[i] != ']') {
        if (re[i] == '[' && (re[i + 1] == ':' || re[i + 1] == '.' || re[i + 1] == '=')) {
            char d = re[i + 1];
            const char *e;
            i += 2;
            for (e = re + i; *e && !(e[0] == d && e[1] == ']'); e++)
                ;
            if (!*e)
                return 0;
            i = (size_t)(e - re) + 2;
        } else {
            i++;
        }
    }
    return re[i] == ']' ? i + 1 : 0;
}

/* Reads an interval "{m}", "{m,}", "{,n}", "{m,n}" at re[i] == '{': its copy count and the
 * largest bound written into *copies and *bound, the index past it returned; 0 when it is
 * not an interval (glibc then refuses the pattern or reads "{" as a character). */
static size_t qform_rx_interval(const char *re, size_t i, long *copies, long *bound)
{
    long lo = 0, hi = 0;
    int have_lo = 0, have_hi = 0, comma = 0;

    for (i++; re[i] >= '0' && re[i] <= '9'; i++, have_lo = 1)
        lo = lo > 100000 ? lo : lo * 10 + (re[i] - '0');
    if (re[i] == ',') {
        comma = 1;
        for (i++; re[i] >= '0' && re[i] <= '9'; i++, have_hi = 1)
            hi = hi > 100000 ? hi : hi * 10 + (re[i] - '0');
    }
    if (re[i] != '}' || (!have_lo && !comma))
        return 0;
    if (!comma)
        hi = lo, have_hi = 1;
    *bound = have_hi && hi > lo ? hi : lo;
    *copies = have_hi ? hi : lo + 1;
    if (*copies < 1)
        *copies = 1;
    return i + 1;
}

int qform__regex_check(const char *re, const char *qid, struct ts_error *err)
{
    struct qform_rx_level st[QFORM_REGEX_MAX_DEPTH + 1];
    size_t n = strlen(re), depth = 0;
    long copies, bound;

    if (n == 0 || n > QFORM_REGEX_MAX_BYTES)
        return ts_fail(err, TS_EINVAL,
                       "QuestionForm: question \"%.60s\": AnswerFormatRegex needs a regex "
                       "attribute of 1 to %d bytes", qid, QFORM_REGEX_MAX_BYTES);
    memset(st, 0, sizeof st);
    for (size_t i = 0; i < n;) {
        struct qform_rx_level *l = &st[depth];
        char c = re[i];
        size_t next = i + 1;
        if (c == '*' || c == '?' || c == '+' || (c == '{' && qform_rx_interval(re, i, &copies,
                                                                               &bound))) {
            if (c == '{') {
                next = qform_rx_interval(re, i, &copies, &bound);
                if (bound > QFORM_REGEX_MAX_REPEAT)
                    return ts_fail(err, TS_EINVAL,
                                   "QuestionForm: question \"%.60s\": AnswerFormatRegex repeats "
                                   "%ld times; the limit is %d per {m,n}", qid, bound,
                                   QFORM_REGEX_MAX_REPEAT);
            } else {
                copies = c == '+' ? 2 : 1;
            }
            l->last = qform_rx_sat(l->last * copies);
        } else if (c == '(') {
            if (depth == QFORM_REGEX_MAX_DEPTH)
                return ts_fail(err, TS_EINVAL,
                               "QuestionForm: question \"%.60s\": AnswerFormatRegex nests groups "
                               "more than %d deep", qid, QFORM_REGEX_MAX_DEPTH);
            l->cur = qform_rx_sat(l->cur + l->last);
            l->last = 0;
            depth++;
            memset(&st[depth], 0, sizeof st[depth]);
        } else if (c == ')' && depth > 0) {
            long g = qform_rx_sat(l->alts + l->cur + l->last + 1);
            depth--;
            st[depth].last = g;
        } else if (c == '|') {
            l->alts = qform_rx_sat(l->alts + l->cur + l->last + 1);
            l->cur = l->last = 0;
        } else {
            if (c == '[') {
                next = qform_rx_bracket(re, i);
                if (!next)
                    return ts_fail(err, TS_EINVAL,
                                   "QuestionForm: question \"%.60s\": AnswerFormatRegex has a "
                                   "\"[\" without its \"]\"", qid);
            } else if (c == '\\') {
                if (re[i + 1] >= '0' && re[i + 1] <= '9')
                    return ts_fail(err, TS_EINVAL,
                                   "QuestionForm: question \"%.60s\": AnswerFormatRegex may not "
                                   "use back-references (\\%c)", qid, re[i + 1]);
                next = re[i + 1] ? i + 2 : i + 1;
            }
            l->cur = qform_rx_sat(l->cur + l->last);
            l->last = 1;
        }
        i = next;
    }
    while (depth > 0) { /* an unclosed "(": regcomp refuses it; count it all the same */
        long g = qform_rx_sat(st[depth].alts + st[depth].cur + st[depth].last + 1);
        depth--;
        st[depth].last = g;
    }
    if (st[0].alts + st[0].cur + st[0].last > QFORM_REGEX_MAX_SIZE)
        return ts_fail(err, TS_EINVAL,
                       "QuestionForm: question \"%.60s\": AnswerFormatRegex expands to more than "
                       "%d elements (repetitions multiply when nested: (x{1,10}){1,10} is 110)",
                       qid, QFORM_REGEX_MAX_SIZE);
    return 0;
}

int qform__regex_compile(const char *re, int icase, regex_t *out)
{
    return regcomp(out, re, REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0));
}
