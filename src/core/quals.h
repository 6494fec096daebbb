/* quals.h: qualification requirements on HIT types (docs/mturk.md, "Qualifications").
 * Requirements may name the requester's own qualification types (scores given with
 * AssociateQualificationWithWorker) and MTurk's system types, computed from Tessera's own
 * data: Worker_Locale (the worker's country), Worker_NumberHITsApproved and
 * Worker_PercentAssignmentsApproved. Requirements on other types are refused when the
 * HIT type is made, so a requester never believes a restriction holds when it does not. */
#ifndef TS_QUALS_H
#define TS_QUALS_H
#include <jansson.h>
#include "core.h"

#define QUALS_LOCALE "00000000000000000071"
#define QUALS_NUMBER_APPROVED "00000000000000000040"
#define QUALS_PERCENT_APPROVED "000000000000000000L0"

/* Checks a QualificationRequirements list against MTurk's rules: at most 10; a known
 * comparator; no values with Exists/DoesNotExist; LocaleValues only for Worker_Locale,
 * one with EqualTo/NotEqualTo, 1 to 30 with In/NotIn; IntegerValues not for
 * Worker_Locale, one with the ordering comparators, 1 to 15 with In/NotIn; ActionsGuarded
 * one of Accept, PreviewAndAccept, DiscoverPreviewAndAccept. TS_EINVAL naming the rule
 * ("ParameterValidationError", or "UnsupportedParameter" for a type this build does not
 * compute). */
int quals_validate(struct core_ctx *c, int64_t requester_id, json_t *reqs,
                   struct ts_error *err);

/* What a worker has, as the system types see it. */
struct quals_worker {
    int64_t id;
    char country[3];          /* ISO 3166 alpha-2, or "" */
    int64_t approved;         /* assignments approved */
    int64_t rejected;         /* assignments rejected */
};
int quals_worker_load(struct core_ctx *c, int64_t worker_id, struct quals_worker *w,
                      struct ts_error *err);
/* 0 when w meets every requirement of quals_json (a validated list, "[]" or NULL for
 * none); otherwise TS_EFORBIDDEN ("QualificationNotMet") saying which is not met. */
int quals_check(struct core_ctx *c, const char *quals_json, const struct quals_worker *w,
                struct ts_error *err);
/* A worker's value for one of the requester-made types: 1 with *value when the worker
 * has a granted score (or the type is auto-granted and the worker has none), 0 when not;
 * negative on a store failure. */
int quals_value(struct core_ctx *c, const char *type_id, int64_t worker_id, int64_t *value,
                struct ts_error *err);

#endif
