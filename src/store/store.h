/* store.h: the persistence interface. Everything Tessera keeps goes through these
 * functions. store.c implements them over a narrow database seam (db.h) with one engine
 * and one table of SQL text per backend: SQLite today (db_sqlite.c, sql_sqlite.c),
 * PostgreSQL next, behind this same contract. The core never sees SQL, and several
 * writers may keep the contract at once (docs/internals/store.md: counts move by
 * deltas, a claim is one call, a posting cannot overdraw).
 *
 * Conventions:
 * - Every function that can fail returns 0 or a negative enum ts_err and fills err.
 * - Times are int64_t milliseconds since the epoch; money is int64_t micro-units.
 * - The domain types (struct hit, struct assignment, ...) and their *_release functions
 *   live in model/model.h. Strings in them are heap copies owned by the struct: functions
 *   that read a struct from the store allocate them; functions that write one borrow them.
 * - Writes happen inside a transaction the caller opened with store_begin (or inside a
 *   savepoint within it). A failed call leaves the transaction usable; the caller rolls
 *   back to undo its partial work.
 * - List functions walk rows in insertion order (seq ascending) after `after_seq`,
 *   calling cb for at most `limit` rows; cb returning non-zero stops the walk. They
 *   report the seq of the last row visited in *last_seq (0 when none) and whether more
 *   rows follow in *more.
 */
#ifndef TS_STORE_H
#define TS_STORE_H
#include <stdint.h>
#include <stddef.h>
#include "../util/err.h"
#include "../model/model.h"

struct store;

/* ---- Opening and transactions ------------------------------------------------- */

/* Opens the database a connection string names and migrates its schema to the current
 * version. conninfo is an SQLite database file: a path, or "file:" / "sqlite:" and a path
 * (created when absent); "postgres://..." names the PostgreSQL backend, refused with
 * TS_EINVAL by a build without it. The connection waits for other writers (busy timeout)
 * rather than failing, and every commit is durable (WAL, synchronous=FULL on SQLite). */
int store_open(const char *conninfo, struct store **out, struct ts_error *err);
void store_close(struct store *st);
int store_schema_version(struct store *st);

int store_begin(struct store *st, struct ts_error *err);   /* a write transaction */
int store_commit(struct store *st, struct ts_error *err);
void store_rollback(struct store *st);
/* Commits when rc == 0, rolls back otherwise; returns rc, or the commit's failure. */
int store_end(struct store *st, int rc, struct ts_error *err);
/* A savepoint inside a transaction: the group-commit executor wraps each operation in
 * one so a failed operation undoes only itself. They nest (review policies wrap each
 * action in another): release and rollback act on the innermost. */
int store_savepoint(struct store *st, struct ts_error *err);
int store_savepoint_release(struct store *st, struct ts_error *err);
void store_savepoint_rollback(struct store *st); /* rolls back to it and releases it */
/* 1 while a transaction is open. After an I/O error or a full disk SQLite may roll the
 * whole transaction back by itself, savepoints and all: then this is 0, and what the
 * transaction held is gone (the executor answers its jobs accordingly). */
int store_in_transaction(struct store *st);

/* Server-wide settings and secrets-free metadata (key/value text). */
int store_meta_get(struct store *st, const char *key, char *val, size_t cap,
                   struct ts_error *err); /* TS_ENOTFOUND when unset */
int store_meta_set(struct store *st, const char *key, const char *val, struct ts_error *err);

/* ---- Accounts and credentials ---------------------------------------------------- */

int store_account_insert(struct store *st, struct account *a, struct ts_error *err);
    /* fills a->id; TS_ECONFLICT when the name is taken */
int store_account_get(struct store *st, int64_t id, struct account *out, struct ts_error *err);
int store_account_by_name(struct store *st, const char *name, struct account *out,
                          struct ts_error *err);
/* Writes a's country, subdivision and adult flag. */
int store_account_profile_set(struct store *st, const struct account *a, struct ts_error *err);

/* Bearer tokens are stored only as their SHA-256 hash. */
int store_token_insert(struct store *st, const unsigned char hash[32], int64_t account_id,
                       int64_t now_ms, struct ts_error *err);

/* Access keys: the secret is stored only as a secretbox (nonce + ciphertext). */
int store_access_key_insert(struct store *st, const char *key_id, int64_t account_id,
                            const unsigned char *box, size_t box_len, int64_t now_ms,
                            struct ts_error *err);
int store_access_key_get(struct store *st, const char *key_id, int64_t *account_id,
                         unsigned char *box, size_t cap, size_t *box_len,
                         struct ts_error *err); /* TS_ENOTFOUND */

/* Credentials that end (schema v16). A token's public id is "tk" and the hex of the
 * first 8 bytes of its hash: it names the token in lists and revocations and does not
 * reveal it. An expiry of 0 means never. */
void store_token_id(const unsigned char hash[32], char id[STORE_TOKEN_ID_MAX]);
/* As store_token_insert, with an expiry (0: never) that store_token_extend may move
 * when sliding; writes the id to id_out (may be NULL). store_token_insert is this with
 * expires_ms 0. */
int store_token_insert_expiring(struct store *st, const unsigned char hash[32],
                                int64_t account_id, int64_t now_ms, int64_t expires_ms,
                                int sliding, char id_out[STORE_TOKEN_ID_MAX],
                                struct ts_error *err);
/* The token's account, expiry (0: never) and whether it slides, expired or not;
 * TS_ENOTFOUND. */
int store_token_find(struct store *st, const unsigned char hash[32], int64_t *account_id,
                     int64_t *expires_ms, int *sliding, struct ts_error *err);
/* Moves a sliding token's expiry later to expires_ms (never earlier; other tokens are
 * left as they are). */
int store_token_extend(struct store *st, const unsigned char hash[32], int64_t expires_ms,
                       struct ts_error *err);
/* Deletes the token; TS_ENOTFOUND when there is none. */
int store_token_delete_hash(struct store *st, const unsigned char hash[32], struct ts_error *err);
/* Deletes token id if it belongs to account_id (0: to anyone); TS_ENOTFOUND otherwise. */
int store_token_revoke(struct store *st, int64_t account_id, const char *id, struct ts_error *err);
typedef int (*store_token_cb)(void *ctx, const struct token_info *t);
/* The account's tokens not expired at now_ms, newest first, at most limit. A non-zero
 * return of cb stops the walk and is returned. */
int store_token_list(struct store *st, int64_t account_id, int64_t now_ms, int limit,
                     store_token_cb cb, void *ctx, struct ts_error *err);
/* Deletes up to limit tokens expired at now_ms; *deleted says how many. */
int store_token_prune(struct store *st, int64_t now_ms, int limit, int *deleted,
                      struct ts_error *err);
typedef int (*store_access_key_cb)(void *ctx, const struct access_key_info *k);
/* The account's access keys, oldest first, at most limit (no secrets). */
int store_access_key_list(struct store *st, int64_t account_id, int limit,
                          store_access_key_cb cb, void *ctx, struct ts_error *err);
/* Deletes access key key_id if it belongs to account_id (0: to anyone); TS_ENOTFOUND. */
int store_access_key_revoke(struct store *st, int64_t account_id, const char *key_id,
                            struct ts_error *err);

/* ---- Ledger ------------------------------------------------------------------- */

/* The ledger account of (owner, kind), created with balance 0 when absent. */
int store_ledger_account(struct store *st, int64_t owner, enum ledger_kind kind,
                         int64_t *ledger_id, struct ts_error *err);
int store_ledger_balance(struct store *st, int64_t ledger_id, int64_t *balance,
                         struct ts_error *err);

/* Inserts the entry and its postings and applies each amount to its account's stored
 * balance. The caller (core/ledger.c) has already checked the rules. */
int store_journal_insert(struct store *st, const struct journal_entry *e, int64_t *entry_id,
                         struct ts_error *err);
/* How many entries of kind carry ref. */
int store_journal_count(struct store *st, const char *kind, const char *ref, int64_t *n,
                        struct ts_error *err);

/* ---- Idempotency tokens (UniqueRequestToken) ------------------------------------ */

/* Looks up (requester, op, token) remembered at or after since_ms; writes the object it
 * produced into ref. TS_ENOTFOUND when not seen. */
int store_request_token_get(struct store *st, int64_t requester_id, const char *op,
                            const char *token, int64_t since_ms, char *ref, size_t cap,
                            struct ts_error *err);
int store_request_token_put(struct store *st, int64_t requester_id, const char *op,
                            const char *token, const char *ref, int64_t now_ms,
                            struct ts_error *err);

/* Signatures that took effect (SigV4 replay protection, docs/internals/sigv4.md).
 * Records (signed_ms, sig_hash, key_id): the request's X-Amz-Date in ms, the SHA-256 of
 * its signature, its access key. TS_ECONFLICT, with nothing written, when that triple is
 * already recorded. */
int store_signature_remember(struct store *st, int64_t signed_ms,
                             const unsigned char sig_hash[32], const char *key_id,
                             struct ts_error *err);
/* Deletes up to limit records signed before before_ms, oldest first; *deleted says how
 * many. */
int store_signature_prune(struct store *st, int64_t before_ms, int limit, int *deleted,
                          struct ts_error *err);

/* ---- HIT types ------------------------------------------------------------------ */

int store_hit_type_insert(struct store *st, const struct hit_type *t, struct ts_error *err);
int store_hit_type_get(struct store *st, const char *id, struct hit_type *out,
                       struct ts_error *err); /* TS_ENOTFOUND */
/* The id of this requester's type whose every property equals t's. TS_ENOTFOUND. */
int store_hit_type_find(struct store *st, const struct hit_type *t, char id[STORE_ID_MAX],
                        struct ts_error *err);

/* ---- HIT layouts ------------------------------------------------------------------ */

int store_layout_insert(struct store *st, struct hit_layout *l, struct ts_error *err); /* sets seq */
/* A layout that is not deleted; TS_ENOTFOUND otherwise. */
int store_layout_get(struct store *st, const char *id, struct hit_layout *out,
                     struct ts_error *err);
/* Marks it deleted: it can no longer be read or used; HITs made from it keep its id. */
int store_layout_delete(struct store *st, const char *id, struct ts_error *err);
typedef int (*store_layout_cb)(void *ctx, const struct hit_layout *l);
/* The requester's layouts that are not deleted, by seq. */
int store_layout_list(struct store *st, int64_t requester_id, int64_t after_seq, int limit,
                      store_layout_cb cb, void *ctx, int64_t *last_seq, int *more,
                      struct ts_error *err);

/* ---- HITs ----------------------------------------------------------------------- */

/* Sets seq; records layout_id when it is not "". */
int store_hit_insert(struct store *st, struct hit *h, struct ts_error *err);
/* Reads a HIT without its texts: question, input_json and annotation are NULL (they can
 * be large, and the hot paths never need them); store_hit_load_texts adds them. Lists
 * (store_hit_list) read the texts too. */
int store_hit_get(struct store *st, const char *id, struct hit *out, struct ts_error *err);
int store_hit_load_texts(struct store *st, struct hit *h, struct ts_error *err);
/* Writes the mutable fields but the counters: expires_ms, reviewing, disposed, expired,
 * overlap_max. The counters move only by deltas, never by a value computed from an
 * earlier read, so that several writers may move one HIT at once: the four counts and
 * escrow by store_hit_add_counts, max_assignments by store_hit_add_max. */
int store_hit_update(struct store *st, const struct hit *h, struct ts_error *err);
/* Moves the four counts and escrow of hit_id by d's amounts (UPDATE ... SET pending =
 * pending + ?): what an assignment's transitions and the escrow's movements (escrow.c,
 * which alone passes escrow) change. TS_ENOTFOUND when there is no such HIT. The
 * caller's own struct hit is not touched: it applies the same deltas if it reads the
 * counts afterwards. */
int store_hit_add_counts(struct store *st, const char *hit_id, const struct hit_counts *d,
                         struct ts_error *err);
/* Moves hit_id's max_assignments by delta when the result stays within its bounds, in
 * the statement itself: at most cap, and not below the slots handed out (pending +
 * submitted + approved + rejected). TS_ECONFLICT when there is no such HIT or a bound
 * does not hold (nothing changed). The caller's struct hit is not touched. */
int store_hit_add_max(struct store *st, const char *hit_id, int64_t delta, int64_t cap,
                      struct ts_error *err);
/* Moves h to another HIT type (h->hit_type_id). */
int store_hit_set_type(struct store *st, const struct hit *h, struct ts_error *err);
/* Writes consensus (may be NULL) and confidence. */
int store_hit_set_consensus(struct store *st, const struct hit *h, struct ts_error *err);

/* The first HIT (by seq) of the type that is not disposed, has a free slot
 * (max_assignments > pending + submitted + approved + rejected), expires after now_ms,
 * whose requester has not blocked worker_id, and on which worker_id has no assignment, among the gold HITs (gold = 1, those
 * with a known answer) or the others (gold = 0). One indexed lookup, never a scan of the
 * batch. TS_ENOTFOUND when there is none. */
int store_hit_next_open(struct store *st, const char *hit_type_id, int64_t worker_id,
                        int64_t now_ms, int gold, char hit_id[STORE_ID_MAX],
                        struct ts_error *err);

enum hit_list_mode {
    HIT_LIST_LIVE = 1,       /* every HIT not disposed */
    HIT_LIST_REVIEWABLE = 2, /* not disposed, not reviewing, pending == 0, and
                                (no free slot or expires_ms <= now_ms) */
    HIT_LIST_REVIEWING = 3   /* not disposed, reviewing */
};
struct hit_filter {
    int64_t requester_id;
    const char *hit_type_id; /* NULL: any */
    const char *batch_id;    /* NULL: any */
    enum hit_list_mode mode;
    int64_t now_ms;
    const char *qual_type_id; /* NULL: any; else HITs whose type has a requirement on it */
};
typedef int (*store_hit_cb)(void *ctx, const struct hit *h);
int store_hit_list(struct store *st, const struct hit_filter *f, int64_t after_seq, int limit,
                   store_hit_cb cb, void *ctx, int64_t *last_seq, int *more,
                   struct ts_error *err);

/* Up to cap ids of HITs not disposed, not yet expired-processed, with expires_ms <= now. */
int store_hit_due_expiry(struct store *st, int64_t now_ms, char (*ids)[STORE_ID_MAX], int cap,
                         int *n, struct ts_error *err);

/* For a worker: each HIT type with at least one HIT the worker could accept now (same
 * rule as store_hit_next_open), with how many such HITs. */
typedef int (*store_avail_cb)(void *ctx, const char *hit_type_id, int64_t hits);
int store_available_types(struct store *st, int64_t worker_id, int64_t now_ms,
                          store_avail_cb cb, void *ctx, struct ts_error *err);

/* ---- Assignments --------------------------------------------------------------- */

/* TS_ECONFLICT when the worker already has an assignment on this HIT. */
int store_asg_insert(struct store *st, struct assignment *a, struct ts_error *err);
/* What store_asg_claim claims: the first open HIT (by seq) of hit_type_id among the gold
 * HITs (gold = 1) or the others (gold = 0), by the rule of store_hit_next_open; or, when
 * hit_id is set, that HIT if it is open to the worker by the same rule. */
struct asg_claim {
    const char *hit_type_id;
    int gold;
    const char *hit_id;      /* or NULL */
    int64_t worker_id;
    int64_t now_ms;
    int64_t deadline_ms;     /* the assignment's deadline, as the core's timers set it */
};
/* Claims an assignment in one call: picks the HIT, inserts the Accepted assignment a
 * (the caller sets a->id; the store fills the HIT, type, worker, requester, status and
 * times) and moves the HIT's pending count by one. *h receives the HIT as it is after the
 * claim (without its texts; the caller releases it). TS_ENOTFOUND, with nothing written,
 * when no HIT is open to the worker. Several writers may claim at once: PostgreSQL serves
 * it with one UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1)
 * RETURNING; SQLite with the few statements it needs in the caller's savepoint. */
int store_asg_claim(struct store *st, const struct asg_claim *c, struct assignment *a,
                    struct hit *h, struct ts_error *err);
int store_asg_get(struct store *st, const char *id, struct assignment *out,
                  struct ts_error *err);
/* Writes status, the times, answer_json, feedback and label. */
int store_asg_update(struct store *st, const struct assignment *a, struct ts_error *err);

typedef int (*store_asg_cb)(void *ctx, const struct assignment *a);
struct asg_filter {
    const char *hit_id;    /* exactly one of hit_id, batch_id, worker_id is set */
    const char *batch_id;
    int64_t worker_id;
    unsigned status_mask;  /* ASG_MASK bits; 0 = any */
};
int store_asg_list(struct store *st, const struct asg_filter *f, int64_t after_seq, int limit,
                   store_asg_cb cb, void *ctx, int64_t *last_seq, int *more,
                   struct ts_error *err);

enum asg_due {
    ASG_DUE_DEADLINE = 1, /* Accepted with deadline_ms <= now */
    ASG_DUE_APPROVAL = 2  /* Submitted with auto_approve_ms <= now */
};
int store_asg_due(struct store *st, enum asg_due which, int64_t now_ms,
                  char (*ids)[STORE_ID_MAX], int cap, int *n, struct ts_error *err);

/* Median of (submitted_ms - accepted_ms) over submitted, approved and rejected
 * assignments of the type; *n is how many there are (median 0 when none). */
int store_type_median_work_ms(struct store *st, const char *hit_type_id, int64_t *median_ms,
                              int64_t *n, struct ts_error *err);

int store_worker_stats(struct store *st, int64_t worker_id, struct worker_stats *out,
                       struct ts_error *err);

/* ---- Bonuses -------------------------------------------------------------------- */

int store_bonus_insert(struct store *st, struct bonus *b, struct ts_error *err);
struct bonus_filter {
    int64_t requester_id;
    const char *hit_id;        /* NULL: any */
    const char *assignment_id; /* NULL: any */
};
typedef int (*store_bonus_cb)(void *ctx, const struct bonus *b);
int store_bonus_list(struct store *st, const struct bonus_filter *f, int64_t after_seq,
                     int limit, store_bonus_cb cb, void *ctx, int64_t *last_seq, int *more,
                     struct ts_error *err);

/* ---- Batches -------------------------------------------------------------------- */

int store_batch_insert(struct store *st, const struct batch *b, struct ts_error *err);
int store_batch_get(struct store *st, const char *id, struct batch *out, struct ts_error *err);
int store_batch_set_labels(struct store *st, const struct batch *b, struct ts_error *err);

/* A worker's gold answers in a batch: how many, how many right (0, 0 when none). */
int store_worker_gold_get(struct store *st, const char *batch_id, int64_t worker_id,
                          int64_t *seen, int64_t *correct, struct ts_error *err);
int store_worker_gold_add(struct store *st, const char *batch_id, int64_t worker_id,
                          int correct, struct ts_error *err);

/* ---- Pseudonyms and worker blocks ------------------------------------------------ */

/* Remembers that requester_id knows worker_id as pseudonym (idempotent). */
int store_pseudonym_note(struct store *st, int64_t requester_id, const char *pseudonym,
                         int64_t worker_id, struct ts_error *err);
/* The worker requester_id knows as pseudonym; TS_ENOTFOUND when none. */
int store_pseudonym_find(struct store *st, int64_t requester_id, const char *pseudonym,
                         int64_t *worker_id, struct ts_error *err);
/* Blocks worker_id from requester_id's HITs, or changes the reason of a block. */
int store_block_put(struct store *st, int64_t requester_id, int64_t worker_id,
                    const char *reason, int64_t now_ms, struct ts_error *err);
/* TS_ENOTFOUND when there was no such block. */
int store_block_delete(struct store *st, int64_t requester_id, int64_t worker_id,
                       struct ts_error *err);
/* The reason of the block (allocated) into *reason, or TS_ENOTFOUND. */
int store_block_get(struct store *st, int64_t requester_id, int64_t worker_id,
                    char **reason, struct ts_error *err);
typedef int (*store_block_cb)(void *ctx, int64_t worker_id, const char *reason);
int store_block_list(struct store *st, int64_t requester_id, int64_t after_seq, int limit,
                     store_block_cb cb, void *ctx, int64_t *last_seq, int *more,
                     struct ts_error *err);

/* TS_ECONFLICT when the requester has a type of that name already. */
int store_qual_type_insert(struct store *st, struct qual_type *q, struct ts_error *err);
int store_qual_type_get(struct store *st, const char *id, struct qual_type *out,
                        struct ts_error *err); /* TS_ENOTFOUND */
/* Writes description, active, auto_granted, auto_value, deleted, test, answer_key,
 * test_duration_s and retry_delay_s. */
int store_qual_type_update(struct store *st, const struct qual_type *q, struct ts_error *err);
typedef int (*store_qual_type_cb)(void *ctx, const struct qual_type *q);
/* The requester's types not deleted, in creation order; query (or NULL) must occur in the
 * name, description or keywords. */
int store_qual_type_list(struct store *st, int64_t requester_id, const char *query,
                         int64_t after_seq, int limit, store_qual_type_cb cb, void *ctx,
                         int64_t *last_seq, int *more, struct ts_error *err);

int store_qual_put(struct store *st, const struct qual *q, struct ts_error *err); /* upsert */
int store_qual_get(struct store *st, const char *type_id, int64_t worker_id, struct qual *out,
                   struct ts_error *err); /* TS_ENOTFOUND */
typedef int (*store_qual_cb)(void *ctx, const struct qual *q);
/* The scores of a type, in order of first grant; granted < 0 for any status. */
int store_qual_list(struct store *st, const char *type_id, int granted, int64_t after_seq,
                    int limit, store_qual_cb cb, void *ctx, int64_t *last_seq, int *more,
                    struct ts_error *err);

/* TS_ECONFLICT when the worker already asked for this type. */
int store_qual_request_insert(struct store *st, const struct qual_request *r,
                              struct ts_error *err);
/* By id (type_id NULL) or by (type_id, worker_id) (id NULL). TS_ENOTFOUND. */
int store_qual_request_get(struct store *st, const char *id, const char *type_id,
                           int64_t worker_id, struct qual_request *out, struct ts_error *err);
/* Writes every member of r but type_id, worker_id and requester_id to the request now
 * called old_id (which may equal r->id: a retry gets a new id, and moves to the end of
 * the requester's list). */
int store_qual_request_set(struct store *st, const char *old_id, const struct qual_request *r,
                           struct ts_error *err);
typedef int (*store_qual_request_cb)(void *ctx, const struct qual_request *r);
/* A requester's pending requests, oldest first; type_id NULL for every type. */
int store_qual_request_list(struct store *st, int64_t requester_id, const char *type_id,
                            int64_t after_seq, int limit, store_qual_request_cb cb, void *ctx,
                            int64_t *last_seq, int *more, struct ts_error *err);

int store_message_insert(struct store *st, const struct message *m, struct ts_error *err);
typedef int (*store_message_cb)(void *ctx, const struct message *m);
/* A worker's messages, newest last. */
int store_message_list(struct store *st, int64_t worker_id, int64_t after_seq, int limit,
                       store_message_cb cb, void *ctx, int64_t *last_seq, int *more,
                       struct ts_error *err);
/* Whether requester_id has approved or rejected any work of worker_id: *yes 1 or 0. */
int store_reviewed_work_of(struct store *st, int64_t requester_id, int64_t worker_id, int *yes,
                           struct ts_error *err);

/* Each worker's approved and rejected assignments, kept as reviews happen. */
int store_worker_counts(struct store *st, int64_t worker_id, int64_t *approved,
                        int64_t *rejected, struct ts_error *err);
int store_worker_count_add(struct store *st, int64_t worker_id, int64_t d_approved,
                           int64_t d_rejected, struct ts_error *err);

/* ---- Uploaded files ------------------------------------------------------------- */

/* TS_ECONFLICT when the key, or the (assignment, field) pair, exists already. */
int store_upload_insert(struct store *st, const struct upload *u, struct ts_error *err);
/* By key (asg_id and field NULL) or by (asg_id, field) (key NULL); the bytes too when
 * with_data. TS_ENOTFOUND when there is none. */
int store_upload_get(struct store *st, const char *key, const char *asg_id, const char *field,
                     int with_data, struct upload *out, struct ts_error *err);

/* ---- Notifications ----------------------------------------------------------------- */

/* TS_ENOTFOUND (without a message: the caller says what it means) when the type has none.
 * One primary-key lookup: the event hooks call it on the hot path. */
int store_notify_settings_get(struct store *st, const char *hit_type_id,
                              struct notify_settings *out, struct ts_error *err);
int store_notify_settings_put(struct store *st, const struct notify_settings *s,
                              struct ts_error *err); /* insert or replace */

int store_notify_enqueue(struct store *st, const struct notify_msg *m, struct ts_error *err);
typedef int (*store_notify_cb)(void *ctx, const struct notify_msg *m);
/* The earliest next_ms of a pending message; TS_ENOTFOUND when none is pending. */
int store_notify_next_ms(struct store *st, int64_t *next_ms, struct ts_error *err);
/* The numbers and state of message seq; its string members are set to NULL. TS_ENOTFOUND
 * when there is no such message. */
int store_notify_get(struct store *st, int64_t seq, struct notify_msg *out,
                     struct ts_error *err);
/* Writes state, attempts, next_ms, last_status, last_error and done_ms of m->seq. */
int store_notify_update(struct store *st, const struct notify_msg *m, struct ts_error *err);
/* A requester's messages, oldest first (seq order). */
int store_notify_list(struct store *st, int64_t requester_id, int64_t after_seq, int limit,
                      store_notify_cb cb, void *ctx, int64_t *last_seq, int *more,
                      struct ts_error *err);
/* Up to limit pending messages with next_ms <= now_ms after (after_next_ms, after_seq), in
 * that order (INT64_MIN, 0: from the first): the delivery threads page through all due
 * messages with it. */
int store_notify_due_after(struct store *st, int64_t now_ms, int64_t after_next_ms,
                           int64_t after_seq, int limit, store_notify_cb cb, void *ctx,
                           struct ts_error *err);
/* Deletes up to limit messages delivered or given up before before_ms (done_ms), oldest
 * first; *deleted says how many. */
int store_notify_prune(struct store *st, int64_t before_ms, int limit, int *deleted,
                       struct ts_error *err);
/* How many of the requester's test messages (no HIT type) are still pending. */
int store_notify_test_pending(struct store *st, int64_t requester_id, int64_t *n,
                              struct ts_error *err);
/* The id of the requester's oldest access key; TS_ENOTFOUND when it has none. */
int store_access_key_first(struct store *st, int64_t account_id, char key_id[STORE_ID_MAX],
                           struct ts_error *err);

/* ---- Review policies (core/review.c) ------------------------------------------------ */

/* Stores hit_id's policy at p->level and sets its bit in the HIT's policies. A second
 * policy at the same level is TS_ECONFLICT. */
int store_review_policy_put(struct store *st, const char *hit_id, const struct review_policy *p,
                            struct ts_error *err);
/* TS_ENOTFOUND when the HIT has no policy at level. The caller releases out. */
int store_review_policy_get(struct store *st, const char *hit_id, int level,
                            struct review_policy *out, struct ts_error *err);
int store_review_policy_mark(struct store *st, const char *hit_id, int level, int64_t reviewed,
                             struct ts_error *err);

int store_review_item_insert(struct store *st, const char *hit_id, const struct review_item *it,
                             struct ts_error *err);
typedef int (*store_review_item_cb)(void *ctx, const struct review_item *it);
/* hit_id's items in the order they were recorded, of the levels in level_mask
 * (REVIEW_LEVEL_BIT) and the kinds in kind_mask (1 << kind). */
int store_review_item_list(struct store *st, const char *hit_id, int level_mask, int kind_mask,
                           int64_t after_seq, int limit, store_review_item_cb cb, void *ctx,
                           int64_t *last_seq, int *more, struct ts_error *err);

/* ---- Consistency ----------------------------------------------------------------- */

/* Runs every invariant check over the stored data (see docs/internals/store.md) and
 * calls report once per violation with a sentence naming the object and what is wrong.
 * *violations counts them. Returns 0 when the checks ran (whatever they found). */
int store_check(struct store *st, void (*report)(void *ctx, const char *msg), void *ctx,
                int *violations, struct ts_error *err);

#endif
