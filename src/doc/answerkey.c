/* answerkey.c: the room where a requester's AnswerKey XML is read and a worker's test
 * answers are scored with it. The AnswerKey is hostile input: it is size-capped here
 * and parsed by xmldoc_read, as Question XML is (no network access, DTDs or entity
 * expansion; libxml2's errors captured per parse). */
#include "answerkey.h"
#include "xmldoc.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "../util/alloc.h"
#include "../util/parse.h"
#include "../util/banned.h"

/* ---- Reading the tree ---- */

/* The next element child of el after prev (NULL: the first); non-whitespace text
 * between elements is an error, reported through *bad. */
static xmlNodePtr next_el(xmlNodePtr parent, xmlNodePtr prev, int *bad)
{
    xmlNodePtr c = prev ? prev->next : parent->children;
    for (; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE)
            return c;
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (!xmldoc_is_blank(c->content))
                *bad = 1;
        } else if (c->type != XML_COMMENT_NODE && c->type != XML_PI_NODE) {
            *bad = 1;
        }
    }
    return NULL;
}

static int named(xmlNodePtr el, const char *name)
{
    return el && xmldoc_in_ns(el, ANSWERKEY_NS) && strcmp((const char *)el->name, name) == 0;
}

/* The trimmed text of an element that holds only text; caller frees. NULL with err. */
static char *text_of(xmlNodePtr el, struct ts_error *err)
{
    return xmldoc_text(el, "AnswerKey", 1, err);
}

static int int_of(xmlNodePtr el, int64_t *out, struct ts_error *err)
{
    char *t = text_of(el, err);
    int rc = 0;
    if (!t)
        return TS_EINVAL;
    if (parse_i64(t, strlen(t), INT32_MIN, INT32_MAX, out) != 0)
        rc = ts_fail(err, TS_EINVAL, "AnswerKey: <%s> must be a whole number (32-bit), not "
                                     "\"%.40s\"",
                     (const char *)el->name, t);
    free(t);
    return rc;
}

/* A decimal 0 <= D <= ANSWERKEY_MAX_MULTIPLIER with at most 6 decimals, in millionths;
 * read digit by digit, never through a double. */
static int ppm_of(xmlNodePtr el, int64_t *out, struct ts_error *err)
{
    char *t = text_of(el, err);
    const char *p, *dot;
    int64_t whole = 0, frac = 0;
    size_t nfrac = 0;
    int rc = 0;

    if (!t)
        return TS_EINVAL;
    p = t;
    dot = strchr(t, '.');
    if (parse_i64(p, dot ? (size_t)(dot - p) : strlen(p), 0, ANSWERKEY_MAX_MULTIPLIER,
                  &whole) != 0 ||
        (dot && dot == p))
        rc = TS_EINVAL;
    if (!rc && dot) {
        for (p = dot + 1; *p; p++, nfrac++) {
            if (*p < '0' || *p > '9' || nfrac >= 6) {
                rc = TS_EINVAL;
                break;
            }
            frac = frac * 10 + (*p - '0');
        }
        if (!rc && nfrac == 0)
            rc = TS_EINVAL;
        for (; nfrac < 6; nfrac++)
            frac *= 10;
    }
    if (!rc && whole == ANSWERKEY_MAX_MULTIPLIER && frac)
        rc = TS_EINVAL;
    if (rc)
        rc = ts_fail(err, TS_EINVAL, "AnswerKey: SummedScoreMultiplier must be a number from 0 "
                                     "to %d with at most 6 decimals, not \"%.40s\"",
                     ANSWERKEY_MAX_MULTIPLIER, t);
    else
        *out = whole * 1000000 + frac;
    free(t);
    return rc;
}

static int unexpected(xmlNodePtr el, const char *where, struct ts_error *err)
{
    return ts_fail(err, TS_EINVAL, "AnswerKey: <%.40s> is not allowed in <%s>%s",
                   (const char *)el->name, where,
                   xmldoc_in_ns(el, ANSWERKEY_NS) ? ""
                       : " (or is not in the AnswerKey namespace)");
}

static int text_between(const char *where, struct ts_error *err)
{
    return ts_fail(err, TS_EINVAL, "AnswerKey: <%s> holds text outside its elements", where);
}

static void key_option_release(struct answerkey_option *o)
{
    for (size_t i = 0; i < o->n_sel; i++)
        free(o->sel[i]);
    free(o->sel);
}

static void key_question_release(struct answerkey_question *q)
{
    for (size_t i = 0; i < q->n_opt; i++)
        key_option_release(&q->opt[i]);
    free(q->opt);
    free(q->id);
}

static int read_option(xmlNodePtr el, struct answerkey_option *o, struct ts_error *err)
{
    xmlNodePtr c = NULL;
    int bad = 0, have_score = 0, rc = 0;

    memset(o, 0, sizeof *o);
    while (!rc && (c = next_el(el, c, &bad))) {
        if (named(c, "SelectionIdentifier") && !have_score) {
            char *id = text_of(c, err);
            if (!id)
                return TS_EINVAL;
            if (!*id || o->n_sel >= ANSWERKEY_MAX_SELECTIONS) {
                free(id);
                return ts_fail(err, TS_EINVAL,
                               "AnswerKey: a SelectionIdentifier is empty, or an AnswerOption "
                               "has more than %d",
                               ANSWERKEY_MAX_SELECTIONS);
            }
            for (size_t i = 0; i < o->n_sel; i++) {
                if (strcmp(o->sel[i], id) == 0) {
                    rc = ts_fail(err, TS_EINVAL,
                                 "AnswerKey: SelectionIdentifier %.60s is repeated in an "
                                 "AnswerOption",
                                 id);
                    free(id);
                    return rc;
                }
            }
            o->sel = xrealloc(o->sel, st_mult(o->n_sel + 1, sizeof *o->sel));
            o->sel[o->n_sel++] = id;
        } else if (named(c, "AnswerScore") && !have_score && o->n_sel) {
            rc = int_of(c, &o->score, err);
            have_score = 1;
        } else {
            rc = unexpected(c, "AnswerOption", err);
        }
    }
    if (!rc && bad)
        rc = text_between("AnswerOption", err);
    if (!rc && !have_score)
        rc = ts_fail(err, TS_EINVAL, "AnswerKey: each AnswerOption needs one or more "
                                     "SelectionIdentifier and then an AnswerScore");
    return rc;
}

static int read_question(xmlNodePtr el, struct answerkey_question *q, struct ts_error *err)
{
    xmlNodePtr c = NULL;
    int bad = 0, rc = 0, have_default = 0;

    while (!rc && (c = next_el(el, c, &bad))) {
        if (named(c, "QuestionIdentifier") && !q->id) {
            q->id = text_of(c, err);
            if (!q->id)
                return TS_EINVAL;
            if (!*q->id)
                rc = ts_fail(err, TS_EINVAL, "AnswerKey: a QuestionIdentifier is empty");
        } else if (named(c, "AnswerOption") && q->id && !have_default) {
            if (q->n_opt >= ANSWERKEY_MAX_OPTIONS)
                return ts_fail(err, TS_EINVAL,
                               "AnswerKey: question %.60s has more than %d AnswerOptions",
                               q->id, ANSWERKEY_MAX_OPTIONS);
            q->opt = xrealloc(q->opt, st_mult(q->n_opt + 1, sizeof *q->opt));
            rc = read_option(c, &q->opt[q->n_opt], err);
            q->n_opt++; /* released with q even when half read */
        } else if (named(c, "DefaultScore") && q->id && !have_default) {
            rc = int_of(c, &q->default_score, err);
            have_default = 1;
        } else {
            rc = unexpected(c, "Question", err);
        }
    }
    if (!rc && bad)
        rc = text_between("Question", err);
    if (!rc && !q->id)
        rc = ts_fail(err, TS_EINVAL, "AnswerKey: each Question needs a QuestionIdentifier");
    return rc;
}

static int read_range(xmlNodePtr el, struct answerkey_range *r, struct ts_error *err)
{
    static const char *const names[] = {"InclusiveLowerBound", "InclusiveUpperBound",
                                        "QualificationValue"};
    int64_t *dst[] = {&r->lo, &r->hi, &r->value};
    xmlNodePtr c = NULL;
    int bad = 0, rc = 0;
    size_t i = 0;

    while (!rc && (c = next_el(el, c, &bad))) {
        if (i < 3 && named(c, names[i]))
            rc = int_of(c, dst[i++], err);
        else
            rc = unexpected(c, "SummedScoreRange", err);
    }
    if (!rc && bad)
        rc = text_between("SummedScoreRange", err);
    if (!rc && i < 3)
        rc = ts_fail(err, TS_EINVAL, "AnswerKey: SummedScoreRange needs InclusiveLowerBound, "
                                     "InclusiveUpperBound and QualificationValue, in order");
    if (!rc && r->lo > r->hi)
        rc = ts_fail(err, TS_EINVAL,
                     "AnswerKey: a SummedScoreRange's InclusiveLowerBound (%lld) exceeds its "
                     "InclusiveUpperBound (%lld)",
                     (long long)r->lo, (long long)r->hi);
    return rc;
}

static int read_mapping(xmlNodePtr el, struct answerkey *k, struct ts_error *err)
{
    xmlNodePtr m = NULL, c = NULL;
    int bad = 0, rc = 0;

    m = next_el(el, NULL, &bad);
    if (!m || next_el(el, m, &bad) || bad)
        return ts_fail(err, TS_EINVAL, "AnswerKey: QualificationValueMapping holds exactly one "
                                       "of PercentageMapping, ScaleMapping, RangeMapping");
    if (named(m, "PercentageMapping") || named(m, "ScaleMapping")) {
        int pct = named(m, "PercentageMapping");
        const char *want = pct ? "MaximumSummedScore" : "SummedScoreMultiplier";
        c = next_el(m, NULL, &bad);
        if (!c || !named(c, want) || next_el(m, c, &bad) || bad)
            return ts_fail(err, TS_EINVAL, "AnswerKey: %s holds one %s",
                           (const char *)m->name, want);
        k->mapping = pct ? ANSWERKEY_PERCENT : ANSWERKEY_SCALE;
        if (!pct)
            return ppm_of(c, &k->multiplier_ppm, err);
        rc = int_of(c, &k->max_summed, err);
        if (!rc && k->max_summed < 1)
            rc = ts_fail(err, TS_EINVAL, "AnswerKey: MaximumSummedScore must be at least 1");
        return rc;
    }
    if (!named(m, "RangeMapping"))
        return unexpected(m, "QualificationValueMapping", err);
    k->mapping = ANSWERKEY_RANGE;
    while (!rc && (c = next_el(m, c, &bad))) {
        if (named(c, "SummedScoreRange") && !k->has_out_of_range) {
            if (k->n_range >= ANSWERKEY_MAX_RANGES)
                return ts_fail(err, TS_EINVAL, "AnswerKey: more than %d SummedScoreRanges",
                               ANSWERKEY_MAX_RANGES);
            k->range = xrealloc(k->range, st_mult(k->n_range + 1, sizeof *k->range));
            rc = read_range(c, &k->range[k->n_range++], err);
        } else if (named(c, "OutOfRangeQualificationValue") && k->n_range &&
                   !k->has_out_of_range) {
            rc = int_of(c, &k->out_of_range, err);
            k->has_out_of_range = 1;
        } else {
            rc = unexpected(c, "RangeMapping", err);
        }
    }
    if (!rc && bad)
        rc = text_between("RangeMapping", err);
    if (!rc && !k->n_range)
        rc = ts_fail(err, TS_EINVAL, "AnswerKey: RangeMapping needs one or more "
                                     "SummedScoreRange");
    return rc;
}

static int read_key(xmlNodePtr root, struct answerkey *k, struct ts_error *err)
{
    xmlNodePtr c = NULL;
    int bad = 0, rc = 0, have_mapping = 0;

    while (!rc && (c = next_el(root, c, &bad))) {
        if (named(c, "Question") && !have_mapping) {
            if (k->n_q >= ANSWERKEY_MAX_QUESTIONS)
                return ts_fail(err, TS_EINVAL, "AnswerKey: more than %d Questions",
                               ANSWERKEY_MAX_QUESTIONS);
            k->q = xrealloc(k->q, st_mult(k->n_q + 1, sizeof *k->q));
            memset(&k->q[k->n_q], 0, sizeof *k->q);
            rc = read_question(c, &k->q[k->n_q++], err);
            for (size_t i = 0; !rc && i + 1 < k->n_q; i++)
                if (strcmp(k->q[i].id, k->q[k->n_q - 1].id) == 0)
                    rc = ts_fail(err, TS_EINVAL, "AnswerKey: question %.60s appears twice",
                                 k->q[i].id);
        } else if (named(c, "QualificationValueMapping") && k->n_q && !have_mapping) {
            rc = read_mapping(c, k, err);
            have_mapping = 1;
        } else {
            rc = unexpected(c, "AnswerKey", err);
        }
    }
    if (!rc && bad)
        rc = text_between("AnswerKey", err);
    if (!rc && !k->n_q)
        rc = ts_fail(err, TS_EINVAL, "AnswerKey needs at least one Question");
    return rc;
}

int answerkey_parse(const char *xml, size_t n, struct answerkey *out, struct ts_error *err)
{
    struct answerkey k;
    xmlDocPtr doc = NULL;
    xmlNodePtr root;
    int rc;

    if (n > ANSWERKEY_MAX_BYTES)
        return ts_fail(err, TS_ETOOBIG, "AnswerKey is longer than %d bytes",
                       ANSWERKEY_MAX_BYTES);
    rc = xmldoc_read(xml, n, "AnswerKey", 0, &doc, err);
    if (rc)
        return rc;
    memset(&k, 0, sizeof k);
    root = xmlDocGetRootElement(doc);
    if (!named(root, "AnswerKey"))
        rc = ts_fail(err, TS_EINVAL, "AnswerKey's root must be <AnswerKey xmlns=\"%s\">",
                     ANSWERKEY_NS);
    else
        rc = read_key(root, &k, err);
    xmlFreeDoc(doc);
    if (rc)
        answerkey_release(&k);
    else
        *out = k;
    return rc;
}

void answerkey_release(struct answerkey *k)
{
    for (size_t i = 0; i < k->n_q; i++)
        key_question_release(&k->q[i]);
    free(k->q);
    free(k->range);
    memset(k, 0, sizeof *k);
}

/* ---- Scoring ---- */

/* Whether the worker's answer v selects exactly o's SelectionIdentifiers. */
static int option_matches(const struct answerkey_option *o, json_t *v)
{
    size_t n, j;
    json_t *e;

    if (json_is_string(v))
        return o->n_sel == 1 && strcmp(o->sel[0], json_string_value(v)) == 0;
    if (!json_is_array(v))
        return 0;
    n = json_array_size(v);
    if (n != o->n_sel)
        return 0;
    /* Every element a string among o's (o has no repeats, so equal counts and no element
     * outside o means the same set when v has no repeats; a repeat leaves one of o's out
     * and is caught by counting). */
    for (size_t i = 0; i < o->n_sel; i++) {
        int found = 0;
        json_array_foreach(v, j, e)
        {
            if (!json_is_string(e))
                return 0;
            found += strcmp(json_string_value(e), o->sel[i]) == 0;
        }
        if (found != 1)
            return 0;
    }
    return 1;
}

static int64_t clamp32(int64_t v)
{
    return v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : v;
}

/* round(a / b) for b > 0, halves away from zero, without overflow for |a| < 2^62. */
static int64_t div_round(int64_t a, int64_t b)
{
    int64_t q = a / b, r = a % b;
    if (r < 0)
        r = -r;
    if (2 * r >= b)
        q += a < 0 ? -1 : 1;
    return q;
}

int answerkey_score(const struct answerkey *k, json_t *answers, int64_t *sum, int64_t *value)
{
    int64_t s = 0, p;

    for (size_t i = 0; i < k->n_q; i++) {
        const struct answerkey_question *q = &k->q[i];
        json_t *v = json_is_object(answers) ? json_object_get(answers, q->id) : NULL;
        int64_t got = q->default_score;
        for (size_t j = 0; v && j < q->n_opt; j++) {
            if (option_matches(&q->opt[j], v)) {
                got = q->opt[j].score;
                break;
            }
        }
        s += got; /* at most 200 scores of 32 bits: no overflow */
    }
    *sum = s;
    switch (k->mapping) {
    case ANSWERKEY_PERCENT:
        *value = clamp32(div_round(s * 100, k->max_summed));
        return 1;
    case ANSWERKEY_SCALE:
        if (__builtin_mul_overflow(s, k->multiplier_ppm, &p))
            *value = s < 0 ? INT32_MIN : INT32_MAX;
        else
            *value = clamp32(div_round(p, 1000000));
        return 1;
    case ANSWERKEY_RANGE:
        for (size_t i = 0; i < k->n_range; i++) {
            if (s >= k->range[i].lo && s <= k->range[i].hi) {
                *value = k->range[i].value;
                return 1;
            }
        }
        *value = k->out_of_range;
        return k->has_out_of_range;
    case ANSWERKEY_SUM:
    default:
        *value = clamp32(s);
        return 1;
    }
}
