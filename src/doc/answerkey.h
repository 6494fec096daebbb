/* answerkey.h: MTurk AnswerKey documents, which score a qualification test (a
 * QuestionForm) and map the summed score to the qualification value the worker is given.
 *
 * <AnswerKey xmlns=ANSWERKEY_NS>
 *   <Question>                               one or more
 *     <QuestionIdentifier>q1</QuestionIdentifier>
 *     <AnswerOption>                         zero or more
 *       <SelectionIdentifier>a</SelectionIdentifier>   one or more
 *       <AnswerScore>10</AnswerScore>
 *     </AnswerOption>
 *     <DefaultScore>0</DefaultScore>         optional
 *   </Question>
 *   <QualificationValueMapping>              optional; without it the value is the sum
 *     <PercentageMapping><MaximumSummedScore>N</MaximumSummedScore></PercentageMapping>
 *   | <ScaleMapping><SummedScoreMultiplier>D</SummedScoreMultiplier></ScaleMapping>
 *   | <RangeMapping>
 *       <SummedScoreRange><InclusiveLowerBound/><InclusiveUpperBound/>
 *                         <QualificationValue/></SummedScoreRange>   one or more
 *       <OutOfRangeQualificationValue>N</OutOfRangeQualificationValue>   optional
 *     </RangeMapping>
 *   </QualificationValueMapping>
 * </AnswerKey>
 *
 * A question earns the score of the AnswerOption whose SelectionIdentifiers are exactly
 * the worker's selections (no more, no fewer), else its DefaultScore (0 when absent). */
#ifndef TS_ANSWERKEY_H
#define TS_ANSWERKEY_H
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "../util/err.h"

#define ANSWERKEY_NS \
    "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/AnswerKey.xsd"
#define ANSWERKEY_MAX_BYTES 65535
#define ANSWERKEY_MAX_QUESTIONS 200
#define ANSWERKEY_MAX_OPTIONS 200    /* AnswerOptions in one Question */
#define ANSWERKEY_MAX_SELECTIONS 200 /* SelectionIdentifiers in one AnswerOption */
#define ANSWERKEY_MAX_RANGES 100
#define ANSWERKEY_MAX_MULTIPLIER 1000000 /* SummedScoreMultiplier at most this */

struct answerkey_option {
    size_t n_sel;
    char **sel;     /* SelectionIdentifiers, owned */
    int64_t score;  /* AnswerScore, a 32-bit integer, may be negative */
};

struct answerkey_question {
    char *id; /* QuestionIdentifier, unique in the key; owned */
    size_t n_opt;
    struct answerkey_option *opt; /* owned */
    int64_t default_score;        /* 0 when absent */
};

enum answerkey_mapping {
    ANSWERKEY_SUM = 0,     /* no QualificationValueMapping: the value is the summed score */
    ANSWERKEY_PERCENT = 1, /* round(100 * sum / max_summed) */
    ANSWERKEY_SCALE = 2,   /* round(sum * multiplier_ppm / 10^6) */
    ANSWERKEY_RANGE = 3    /* the QualificationValue of the first range holding the sum */
};

struct answerkey_range {
    int64_t lo, hi, value;
};

struct answerkey {
    size_t n_q;
    struct answerkey_question *q; /* in document order; owned */
    enum answerkey_mapping mapping;
    int64_t max_summed;           /* ANSWERKEY_PERCENT, > 0 */
    int64_t multiplier_ppm;       /* ANSWERKEY_SCALE, millionths, >= 0 */
    size_t n_range;
    struct answerkey_range *range; /* ANSWERKEY_RANGE; owned */
    int has_out_of_range;
    int64_t out_of_range;
};

/* Parses the AnswerKey XML xml[0..n) (need not be NUL-terminated) into *out, which the
 * caller releases with answerkey_release. Safe as question_parse: size-capped
 * (TS_ETOOBIG past ANSWERKEY_MAX_BYTES), a DOCTYPE is refused before its internal subset
 * is read (so no entity is declared or expanded), nothing is fetched from the network.
 * Anything the schema does not allow, an unknown element, a repeated QuestionIdentifier,
 * a number that is not a 32-bit integer, a MaximumSummedScore under 1, a range whose
 * lower bound exceeds its upper bound: TS_EINVAL naming what is wrong. On failure *out
 * is untouched. Thread-safe. */
int answerkey_parse(const char *xml, size_t n, struct answerkey *out, struct ts_error *err);

/* Frees what answerkey_parse put in k and zeroes it. */
void answerkey_release(struct answerkey *k);

/* Scores answers, a JSON object {QuestionIdentifier: value} (qform.h's answers JSON: a
 * SelectionIdentifier string, an array of them, or anything else, which selects
 * nothing), and maps the sum. Returns 1 with *value (clamped to the 32-bit range) and
 * *sum, or 0 with *sum when a RangeMapping without OutOfRangeQualificationValue has no
 * range holding the sum (no value is given). No errors: any JSON is scored. */
int answerkey_score(const struct answerkey *k, json_t *answers, int64_t *sum, int64_t *value);

#endif
