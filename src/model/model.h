/* model.h: Tessera's domain types: accounts, HIT types, HITs, assignments, the ledger's
 * postings, qualifications, notifications, review policies. The store reads and writes
 * them (store/store.h); the core decides what they may become. This header is a leaf: it
 * includes nothing of the store or the core, so a backend and the rules share one picture
 * of the data.
 *
 * Conventions: times are int64_t milliseconds since the epoch; money is int64_t
 * micro-units. Strings in the structs are heap copies owned by the struct, freed by its
 * _release function (model.c), unless a member says it is borrowed.
 */
#ifndef TS_MODEL_H
#define TS_MODEL_H
#include <stdint.h>
#include <stddef.h>

#define STORE_ID_MAX 32 /* ids are at most 30 characters plus NUL */

/* ---- Accounts and credentials ---------------------------------------------------- */

enum role { ROLE_NONE = 0, ROLE_REQUESTER = 1, ROLE_WORKER = 2, ROLE_ADMIN = 4 };

struct account {
    int64_t id;
    int role;          /* one enum role value */
    char name[128];    /* unique */
    char country[3];   /* ISO 3166 alpha-2, or "" */
    char subdivision[4]; /* ISO 3166-2 subdivision code without the country, or "" */
    int adult;           /* the worker agreed to see adult content (Worker_Adult) */
    char pw_hash[128]; /* crypto_pwhash_str output, or "" */
    int64_t created_ms;
};

/* A token's public id: "tk" and the hex of the first 8 bytes of its hash (store_token_id). */
#define STORE_TOKEN_ID_MAX 19

struct token_info {
    char id[STORE_TOKEN_ID_MAX];
    int64_t account_id, created_ms, expires_ms;
    unsigned char hash[32]; /* to tell the caller's own token in a list */
};

struct access_key_info {
    char key_id[STORE_ID_MAX];
    int64_t account_id, created_ms;
};

/* ---- Ledger ------------------------------------------------------------------- */

enum ledger_kind {
    LEDGER_EXTERNAL = 1,  /* money from and to the outside world (owner 0); may go negative */
    LEDGER_AVAILABLE = 2, /* a requester's spendable balance */
    LEDGER_ESCROW = 3,    /* a requester's money held for HITs */
    LEDGER_EARNINGS = 4,  /* a worker's earned balance */
    LEDGER_FEES = 5       /* the platform's fee income (owner 0) */
};

struct posting {
    int64_t ledger_id;
    int64_t amount; /* signed; an entry's postings sum to zero */
};

struct journal_entry {
    const char *kind; /* "deposit", "escrow", "pay", "fee", "release", "bonus", ... */
    const char *ref;  /* what it is about: a HIT id, assignment id, bonus id, or "" */
    int64_t at_ms;
    const struct posting *postings;
    int n;
};

/* ---- HIT types ------------------------------------------------------------------ */

struct hit_type {
    char id[STORE_ID_MAX];
    int64_t requester_id;
    char *title, *description, *keywords; /* keywords may be "" */
    char *quals_json;                     /* QualificationRequirements as JSON text, or "[]" */
    int64_t reward;                       /* micro-units per assignment */
    int64_t duration_s, auto_approval_s;
    int64_t created_ms;
};
void store_hit_type_release(struct hit_type *t);

/* ---- HIT layouts ------------------------------------------------------------------ */

/* A requester's HTML page with ${name} placeholders, from which HITs are made. */
struct hit_layout {
    char id[STORE_ID_MAX];
    int64_t requester_id;
    int64_t seq;          /* insertion order, set by the store */
    char *name;
    char *content;        /* the page, with its placeholders */
    int64_t frame_height;
    char *params_json;    /* the placeholder names, a JSON array of strings in order */
    int64_t created_ms;
};
void store_layout_release(struct hit_layout *l);

/* ---- HITs ----------------------------------------------------------------------- */

struct hit {
    char id[STORE_ID_MAX];
    char hit_type_id[STORE_ID_MAX];
    char batch_id[STORE_ID_MAX]; /* "" when not part of a batch */
    int64_t requester_id;
    int64_t seq;                 /* insertion order, set by the store */
    char *question;              /* the Question XML as given */
    char *input_json;            /* the batch row's fields as a JSON object, or NULL */
    char *annotation;            /* RequesterAnnotation, or NULL */
    int64_t reward, fee;         /* per assignment, fixed when the HIT was created */
    int64_t max_assignments;
    int64_t pending;             /* accepted, not yet submitted */
    int64_t submitted;           /* submitted, awaiting review */
    int64_t approved, rejected;
    int64_t created_ms, expires_ms;
    int64_t escrow;              /* micro-units held in escrow for this HIT */
    int reviewing;               /* requester moved it to Reviewing */
    int disposed;                /* deleted */
    int expired;                 /* the expiry was processed: free slots' escrow released */
    /* Quality control (docs/quality.md). */
    char *gold;                  /* the known answer of a gold HIT, or NULL */
    char *consensus;             /* the current consensus label, or NULL */
    double confidence;           /* its posterior probability, 0 when none */
    int64_t overlap_max;         /* > 0: dynamic overlap, may grow to this many */
    int qc;                      /* its batch has quality settings */
    char layout_id[STORE_ID_MAX]; /* the HIT layout it was made from, or ""; read with the
                                   * texts (store_hit_load_texts, the lists) */
    int policies;                /* review policy levels it has: REVIEW_LEVEL_BIT bits */
    int form;                    /* its Question may be a QuestionForm (mentions it) */
};
void store_hit_release(struct hit *h);

/* How an assignment's transition moves a HIT's counts (store_hit_add_counts). */
struct hit_counts {
    int64_t pending, submitted, approved, rejected;
    int64_t escrow; /* micro-units */
};

/* ---- Assignments --------------------------------------------------------------- */

enum asg_status {
    ASG_ACCEPTED = 1,
    ASG_SUBMITTED = 2,
    ASG_APPROVED = 3,
    ASG_REJECTED = 4,
    ASG_RETURNED = 5,
    ASG_ABANDONED = 6
};
#define ASG_MASK(s) (1u << (s))

struct assignment {
    char id[STORE_ID_MAX];
    char hit_id[STORE_ID_MAX];
    char hit_type_id[STORE_ID_MAX];
    int64_t worker_id, requester_id;
    int64_t seq;
    enum asg_status status;
    int64_t accepted_ms, deadline_ms;
    int64_t submitted_ms, auto_approve_ms; /* 0 until submitted */
    int64_t approved_ms, rejected_ms;      /* 0 until then */
    int64_t returned_ms;                   /* returned or abandoned; 0 otherwise */
    char *answer_json;                     /* {"field":"value",...}, or NULL */
    char *feedback;                        /* RequesterFeedback, or NULL */
    char *label;                           /* the answer to the batch's label field */
};
void store_asg_release(struct assignment *a);

struct worker_stats {
    int64_t accepted, submitted, approved, rejected, returned, abandoned;
    int64_t approved_work_ms;   /* sum of submitted - accepted over approved assignments */
    int64_t approved_reward;    /* sum of rewards of approved assignments */
    int64_t bonuses;            /* sum of bonuses received */
};

/* ---- Bonuses -------------------------------------------------------------------- */

struct bonus {
    char id[STORE_ID_MAX];
    int64_t requester_id, worker_id;
    char assignment_id[STORE_ID_MAX];
    char hit_id[STORE_ID_MAX];
    int64_t amount, fee;
    char *reason;
    int64_t granted_ms;
    int64_t seq;
};
void store_bonus_release(struct bonus *b);

/* ---- Batches -------------------------------------------------------------------- */

struct batch {
    char id[STORE_ID_MAX];
    int64_t requester_id;
    char hit_type_id[STORE_ID_MAX];
    int64_t hits;
    int64_t created_ms;
    /* Quality settings (docs/quality.md); label_field "" means none. */
    char label_field[256];
    int64_t gold_rate_ppm;   /* share of a worker's accepts that go to gold HITs, ppm */
    int64_t min_assignments; /* dynamic overlap: at least this many answers */
    int64_t confidence_ppm;  /* ... until the consensus is this confident, ppm */
    char *labels_json;       /* the distinct labels answered so far, a JSON array */
};
void store_batch_release(struct batch *b);

/* ---- Qualifications and messages ------------------------------------------------- */

/* A requester's own qualification type. */
struct qual_type {
    char id[STORE_ID_MAX];
    int64_t seq;
    int64_t requester_id;
    char *name, *description, *keywords;
    int active;         /* QualificationTypeStatus Active (1) or Inactive (0) */
    int auto_granted;   /* a worker without a score counts as having auto_value */
    int64_t auto_value;
    int64_t created_ms;
    int deleted;
    char *test;              /* QuestionForm XML, or NULL */
    char *answer_key;        /* AnswerKey XML, or NULL */
    int64_t test_duration_s; /* with a test; else 0 */
    int64_t retry_delay_s;   /* -1: no retry */
};
void store_qual_type_release(struct qual_type *q);

/* A worker's score for a type. */
struct qual {
    char type_id[STORE_ID_MAX];
    int64_t worker_id;
    int64_t value;
    int granted;        /* Granted (1) or Revoked (0) */
    int64_t granted_ms;
};

/* A worker's request for a qualification type. */
enum qual_request_status {
    QREQ_PENDING = 1,  /* waiting for the requester */
    QREQ_ACCEPTED = 2, /* granted: by the requester, or at once for an auto-granted type */
    QREQ_REJECTED = 3,
    QREQ_TESTING = 4,  /* the worker has the test and has not handed it in */
    QREQ_SCORED = 5    /* the test was scored with the AnswerKey and the value granted */
};
struct qual_request {
    char id[STORE_ID_MAX];
    char type_id[STORE_ID_MAX];
    int64_t worker_id, requester_id;
    int status;            /* enum qual_request_status */
    char reason[1025];     /* the rejection's reason, or "" */
    int64_t submitted_ms;  /* asked for, or test handed in */
    char *test;            /* the test as the worker was given it, or NULL; owned */
    char *answer;          /* QuestionFormAnswers XML, or NULL; owned */
    int64_t deadline_ms;   /* the test must be handed in by then; 0 without a test */
    int64_t decided_ms;    /* accepted, rejected or scored then; 0 while undecided */
    int64_t value;         /* the value given (QREQ_ACCEPTED, QREQ_SCORED) */
};
/* Frees test and answer (read functions fill them; callbacks get them borrowed). */
void store_qual_request_release(struct qual_request *r);

/* Messages from requesters to workers. */
struct message {
    int64_t seq;
    int64_t worker_id, requester_id;
    const char *subject, *body; /* borrowed: valid during a callback only */
    int64_t sent_ms;
};

/* ---- Uploaded files ------------------------------------------------------------- */

/* A file a worker sent with a task's form (multipart/form-data). */
struct upload {
    char key[STORE_ID_MAX];    /* the UploadedFileKey the answer names */
    char asg_id[STORE_ID_MAX];
    char *field;               /* the form field (QuestionIdentifier); owned */
    int64_t size;              /* bytes */
    unsigned char sha256[32];
    char *data;                /* size bytes (+ a NUL), owned; NULL unless asked for */
    int64_t created_ms;
};
void store_upload_release(struct upload *u);

/* ---- Notifications ----------------------------------------------------------------- */

/* A HIT type's notification settings (UpdateNotificationSettings). */
#define STORE_URL_MAX 2048
struct notify_settings {
    char hit_type_id[STORE_ID_MAX];
    int64_t requester_id;
    char destination[STORE_URL_MAX + 1];
    char transport[8];   /* "HTTPS" or "HTTP" */
    char version[16];
    unsigned events;     /* enum notify_event bits (core/notify.h) */
    int active;
    char key_id[STORE_ID_MAX]; /* the access key whose secret signs the messages */
    int64_t updated_ms;
};

enum notify_state { NOTIFY_PENDING = 0, NOTIFY_DELIVERED = 1, NOTIFY_FAILED = 2 };
/* One message of the outbox. Strings are borrowed: valid during a callback only. */
struct notify_msg {
    int64_t seq;
    int64_t requester_id;
    const char *hit_type_id;  /* NULL for a test message */
    const char *destination;
    const char *key_id;
    const char *event_types;  /* the message's event types, comma-separated */
    const char *body;         /* the JSON document POSTed */
    int64_t created_ms;
    int state;                /* enum notify_state */
    int64_t attempts;
    int64_t next_ms;          /* when a pending message is next tried */
    int last_status;          /* the last HTTP status received, 0 when none */
    const char *last_error;   /* or NULL */
    int64_t done_ms;          /* when delivered or given up; 0 while pending */
};

/* ---- Review policies (core/review.c) ------------------------------------------------ */

enum review_level { REVIEW_ASSIGNMENT = 1, REVIEW_HIT = 2 };
#define REVIEW_LEVEL_BIT(l) (1 << ((l) - 1)) /* in hit.policies */

struct review_policy {
    int level;           /* enum review_level */
    char *name;          /* e.g. "ScoreMyKnownAnswers/2011-09-01" */
    char *params_json;   /* the validated Parameters array, as given */
    int64_t reviewed;    /* HIT level: finished assignments when it last ran, 0 never */
};
void store_review_policy_release(struct review_policy *p);

enum review_item_kind { REVIEW_RESULT = 1, REVIEW_ACTION = 2 };
/* One ReviewResult or ReviewAction. Strings are borrowed (valid during a callback). */
struct review_item {
    int64_t seq;
    int level, kind;
    const char *action_id;
    const char *object_id;   /* SubjectId / TargetId */
    const char *object_type; /* "Assignment" or "HIT" */
    const char *question_id; /* results only, or NULL */
    const char *name;        /* result Key / ActionName */
    const char *value;       /* result Value / action Result */
    const char *status;      /* actions: Succeeded, Failed; NULL for results */
    int64_t complete_ms;     /* actions */
    const char *error_code;  /* failed actions, else NULL */
};

#endif
