/* quals.h: qualification requirements on HIT types (docs/mturk.md, "Qualifications").
 * Requirements may name the requester's own qualification types (scores given with
 * AssociateQualificationWithWorker, or by a test) and MTurk's system types, computed from
 * Tessera's own data: Worker_Locale (the worker's country and subdivision),
 * Worker_NumberHITsApproved, Worker_PercentAssignmentsApproved, the legacy
 * Worker_PercentAssignmentsRejected, Worker_Adult (the worker's own consent) and Masters
 * (a platform-defined "experienced" flag: core_config's masters thresholds). Requirements
 * on other types are refused when the HIT type is made, so a requester never believes a
 * restriction holds when it does not. */
#ifndef TS_QUALS_H
#define TS_QUALS_H
#include <jansson.h>
#include "core.h"

#define QUALS_LOCALE "00000000000000000071"
#define QUALS_NUMBER_APPROVED "00000000000000000040"
#define QUALS_PERCENT_APPROVED "000000000000000000L0"
#define QUALS_PERCENT_REJECTED "000000000000000000S0" /* legacy */
#define QUALS_ADULT "00000000000000000060"
#define QUALS_MASTERS "2F1QJWKUDD8XADTFD2Q0G6UTO95ALH"         /* production's id */
#define QUALS_MASTERS_SANDBOX "2ARFPLSP75KLA8M8DH1HTEQVJT3SY6" /* the sandbox's id */
/* Legacy ids Tessera does not compute: it keeps no count of submitted, abandoned and
 * returned assignments per worker. Refused with UnsupportedParameter. */
#define QUALS_PERCENT_SUBMITTED "00000000000000000000"
#define QUALS_PERCENT_ABANDONED "00000000000000000070"
#define QUALS_PERCENT_RETURNED "000000000000000000E0"

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
    char subdivision[4];      /* ISO 3166-2 subdivision code, or "" */
    int adult;                /* consented to adult content */
    int64_t approved;         /* assignments approved */
    int64_t rejected;         /* assignments rejected */
};
int quals_worker_load(struct core_ctx *c, int64_t worker_id, struct quals_worker *w,
                      struct ts_error *err);
/* What a worker may do with a HIT: find it in ListAvailableWork, preview it, accept it.
 * A requirement guards some of these (its ActionsGuarded; MTurk's default is Accept). */
enum quals_action { QUALS_DISCOVER = 1, QUALS_PREVIEW = 2, QUALS_ACCEPT = 4 };

/* 0 when w meets every requirement of quals_json (a validated list, "[]" or NULL for
 * none) that guards action; otherwise TS_EFORBIDDEN ("QualificationNotMet") saying which
 * is not met. quals_check is the same for QUALS_ACCEPT, which every requirement guards. */
int quals_check_action(struct core_ctx *c, const char *quals_json, const struct quals_worker *w,
                       enum quals_action action, struct ts_error *err);
int quals_check(struct core_ctx *c, const char *quals_json, const struct quals_worker *w,
                struct ts_error *err);
/* Every requirement of quals_json checked at once: *blocked gets the actions (enum
 * quals_action bits) that some requirement w does not meet guards; err then says which
 * requirement (the first). 0, or a failure of the store. */
int quals_blocked(struct core_ctx *c, const char *quals_json, const struct quals_worker *w,
                  unsigned *blocked, struct ts_error *err);
/* 1 when some requirement of quals_json guards action (nobody anonymous may do it). */
int quals_guards(const char *quals_json, enum quals_action action);
/* A worker's value for one of the requester-made types: 1 with *value when the worker
 * has a granted score (or the type is auto-granted and the worker has none), 0 when not;
 * negative on a store failure. */
int quals_value(struct core_ctx *c, const char *type_id, int64_t worker_id, int64_t *value,
                struct ts_error *err);

/* Loads requester_id's own qualification type id (a deleted one only when with_deleted).
 * Missing, deleted or another requester's: TS_ENOTFOUND ("QualificationTypeDoesNotExist"),
 * alike, so existence never shows, and nothing is left to release. On 0 the caller
 * releases *out (store_qual_type_release). */
int quals_type_get_owned(struct core_ctx *c, int64_t requester_id, const char *id,
                         int with_deleted, struct qual_type *out, struct ts_error *err);

/* What a type's test is to become (CreateQualificationType, UpdateQualificationType):
 * each member NULL or -1 when not given. */
struct quals_test_change {
    const char *test;        /* Test: a QuestionForm */
    const char *answer_key;  /* AnswerKey */
    int64_t duration_s;      /* TestDurationInSeconds */
    int64_t retry_delay_s;   /* RetryDelayInSeconds: can be set or changed, never removed */
};
/* Gives ch to q, which holds the type as it is (or a new type with its other members
 * set), after checking the type they make: no test on an auto-granted type, a duration
 * exactly with a test, a key only with a test and fitting it (qtest_check). The strings
 * are copied. TS_EINVAL ("ParameterValidationError") saying what is wrong; q may then
 * have its retry delay changed, nothing else. */
int quals_type_set_test(struct qual_type *q, const struct quals_test_change *ch,
                        struct ts_error *err);
/* Deletes requester's type q (loaded with quals_type_get_owned): kept, marked deleted
 * and inactive, so a requirement on it is then met by no one and the HITs of types that
 * need it are no longer offered. */
int quals_type_delete(struct core_ctx *c, struct qual_type *q, struct ts_error *err);

/* Gives worker_id a Granted score of value for type_id now, replacing any score it had
 * (AssociateQualificationWithWorker, a granted request, a scored test). */
int quals_grant(struct core_ctx *c, const char *type_id, int64_t worker_id, int64_t value,
                struct ts_error *err);
/* Revokes worker_id's score of type_id now, keeping its value
 * (DisassociateQualificationFromWorker). TS_ENOTFOUND ("QualificationDoesNotExist") when
 * the worker has no score of the type. */
int quals_revoke(struct core_ctx *c, const char *type_id, int64_t worker_id,
                 struct ts_error *err);
/* worker_id's score of type t into *out: the one given, or for an auto-granted type the
 * worker was never given one, the type's AutoGrantedValue, granted when the type was made.
 * TS_ENOTFOUND ("QualificationDoesNotExist") when neither. */
int quals_score(struct core_ctx *c, const struct qual_type *t, int64_t worker_id,
                struct qual *out, struct ts_error *err);

/* 1 when id is a system type this server computes (not the refused legacy ones). */
int quals_is_system(const char *id);

/* 0 when sd is a subdivision code a worker in country may declare: 1 to 3 capital
 * letters or digits (the part of an ISO 3166-2 code after "CC-"), and country set.
 * TS_EINVAL saying why not. */
int quals_subdivision_check(const char *country, const char *sd, struct ts_error *err);

#endif
