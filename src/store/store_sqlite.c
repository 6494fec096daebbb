/* store_sqlite.c: the SQLite backend of store.h. One connection per thread (NOMUTEX),
 * WAL with synchronous=FULL so every commit is durable, a 10 s busy timeout so writers
 * queue instead of failing. Every statement is a static literal below, prepared once per
 * connection on first use and reset after each use; values only ever go through
 * sqlite3_bind_*. The schema lives in schema_sqlite.h; the design in
 * docs/internals/store.md. */
#include "store.h"

#include <inttypes.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "../util/alloc.h"
#include "schema_sqlite.h"
#include "../util/banned.h"

/* ---- Statements ------------------------------------------------------------------- */

/* HIT_COLS reads a HIT without its texts and layout (NULLs in their place);
 * HIT_COLS_TEXTS with them, from hits JOIN hit_texts. */
#define HIT_COLS_BEFORE "seq, id, hit_type_id, batch_id, requester_id, "
#define HIT_COLS_AFTER                                                                    \
    ", reward, fee, max_assignments, pending, submitted, approved, rejected, created_ms, " \
    "expires_ms, escrow, reviewing, disposed, expired, gold, consensus, confidence, "      \
    "overlap_max, qc, policies, form, "
/* The layout a HIT was made from goes with its texts: only a rendered HIT shows it. */
#define HIT_LAYOUT_OF(seq)                                                                \
    "(SELECT layout_id FROM hit_layout_uses WHERE hit_layout_uses.hit_seq = " seq ")"
#define HIT_COLS HIT_COLS_BEFORE "NULL, NULL, NULL" HIT_COLS_AFTER "NULL"
#define HIT_COLS_TEXTS                                                                     \
    HIT_COLS_BEFORE "question, input_json, annotation" HIT_COLS_AFTER HIT_LAYOUT_OF("hits.seq")
#define HIT_JOIN_TEXTS "hits JOIN hit_texts ON hit_texts.hit_seq = hits.seq"
#define ASG_COLS                                                                          \
    "seq, id, hit_id, hit_type_id, worker_id, requester_id, status, accepted_ms, "        \
    "deadline_ms, submitted_ms, auto_approve_ms, approved_ms, rejected_ms, returned_ms, " \
    "answer_json, feedback, label"
#define ASG_COLS_A                                                                        \
    "a.seq, a.id, a.hit_id, a.hit_type_id, a.worker_id, a.requester_id, a.status, "       \
    "a.accepted_ms, a.deadline_ms, a.submitted_ms, a.auto_approve_ms, a.approved_ms, "    \
    "a.rejected_ms, a.returned_ms, a.answer_json, a.feedback, a.label"
#define BONUS_COLS                                                                        \
    "seq, id, requester_id, worker_id, assignment_id, hit_id, amount, fee, reason, "      \
    "granted_ms"
/* A HIT the worker (?2) could accept at now (?3): the rule of store_hit_next_open. The
 * terms disposed = 0 AND free > 0 match the partial index hits_open. */
#define HIT_OPEN_WHERE                                                                    \
    "disposed = 0 AND free > 0 AND expires_ms > ?3 AND NOT EXISTS "                      \
    "(SELECT 1 FROM assignments a WHERE a.hit_id = hits.id AND a.worker_id = ?2) "       \
    "AND NOT EXISTS (SELECT 1 FROM worker_blocks b WHERE b.requester_id = "              \
    "hits.requester_id AND b.worker_id = ?2)"
#define QT_COLS                                                                           \
    "seq, id, requester_id, name, description, keywords, active, auto_granted, auto_value, " \
    "created_ms, deleted, test, answer_key, test_duration_s, retry_delay_s"
#define LAYOUT_COLS "seq, id, requester_id, name, content, frame_height, params_json, created_ms"
#define QR_COLS                                                                           \
    "seq, id, type_id, worker_id, requester_id, status, reason, submitted_ms, test, answer, " \
    "deadline_ms, decided_ms, value"
#define NOUT_COLS                                                                         \
    "seq, requester_id, hit_type_id, destination, key_id, event_types, body, created_ms, "  \
    "state, attempts, next_ms, last_status, last_error, done_ms"
#define ASG_MASK_WHERE "(?3 = 0 OR ((?3 >> a.status) & 1) = 1)"

enum stmt_id {
    S_BEGIN, S_COMMIT, S_ROLLBACK, S_SAVEPOINT, S_RELEASE, S_ROLLBACK_TO,
    S_JSAVEPOINT, S_JRELEASE, S_JROLLBACK_TO,
    S_META_GET, S_META_SET,
    S_ACCOUNT_INSERT, S_ACCOUNT_GET, S_ACCOUNT_BY_NAME, S_ACCOUNT_PROFILE,
    S_TOKEN_INSERT, S_AKEY_INSERT, S_AKEY_GET,
    S_LEDGER_FIND, S_LEDGER_CREATE, S_LEDGER_BALANCE, S_LEDGER_ADD,
    S_JOURNAL_INSERT, S_POSTING_INSERT, S_JOURNAL_COUNT,
    S_RTOKEN_GET, S_RTOKEN_PUT,
    S_TYPE_INSERT, S_TYPE_GET, S_TYPE_FIND,
    S_HIT_INSERT, S_HIT_TEXTS_INSERT, S_HIT_GET, S_HIT_TEXTS_GET, S_HIT_UPDATE,
    S_HIT_UPDATE_COUNTS, S_HIT_SET_CONSENSUS, S_HIT_SET_TYPE, S_BATCH_SET_LABELS,
    S_WGOLD_GET, S_WGOLD_ADD,
    S_HIT_NEXT_OPEN,
    S_HIT_LIST_REQ, S_HIT_LIST_BATCH, S_HIT_DUE_EXPIRY, S_AVAILABLE_TYPES,
    S_ASG_INSERT, S_ASG_GET, S_ASG_UPDATE,
    S_ASG_LIST_HIT, S_ASG_LIST_WORKER, S_ASG_LIST_BATCH,
    S_ASG_DUE_DEADLINE, S_ASG_DUE_APPROVAL,
    S_MEDIAN_COUNT, S_MEDIAN_AT, S_WORKER_STATS, S_WORKER_BONUSES,
    S_BONUS_INSERT, S_BONUS_LIST,
    S_QT_INSERT, S_QT_GET, S_QT_UPDATE, S_QT_LIST, S_Q_PUT, S_Q_GET, S_Q_LIST,
    S_MSG_INSERT, S_MSG_LIST, S_REVIEWED,
    S_QR_INSERT, S_QR_GET, S_QR_GET_PAIR, S_QR_SET, S_QR_LIST,
    S_WCOUNT_GET, S_WCOUNT_ADD, S_PSEUD_NOTE, S_PSEUD_FIND, S_BLOCK_PUT, S_BLOCK_DELETE, S_BLOCK_GET, S_BLOCK_LIST,
    S_BATCH_INSERT, S_BATCH_GET,
    S_UPLOAD_INSERT, S_UPLOAD_GET_KEY, S_UPLOAD_GET_FIELD,
    S_NSET_ANY, S_NSET_GET, S_NSET_PUT, S_NOUT_INSERT, S_NOUT_NEXT, S_NOUT_GET, S_NOUT_UPDATE,
    S_NOUT_LIST, S_AKEY_FIRST,
    S_CHECK_ENTRY_SUM, S_CHECK_BALANCE_SUM, S_CHECK_NEGATIVE, S_CHECK_PAY_TWICE,
    S_CHECK_PAY_STATUS, S_CHECK_HIT_COUNTS, S_CHECK_HIT_MAX, S_CHECK_PAIR,
    S_CHECK_HIT_ESCROW, S_CHECK_REQ_ESCROW, S_CHECK_TOTAL, S_CHECK_WORKER_COUNTS,
    S_LAYOUT_INSERT, S_LAYOUT_GET, S_LAYOUT_DELETE, S_LAYOUT_LIST, S_HIT_LAYOUT_INSERT,
    S_CHECK_LAYOUT_OWNER,
    S_CHECK_UPLOADS,
    S_CHECK_NOTIFY,
    S_RP_INSERT, S_RP_FLAG, S_RP_GET, S_RP_MARK, S_RI_INSERT, S_RI_LIST,
    S_CHECK_REVIEW_FLAGS, S_CHECK_REVIEW_ITEMS, S_CHECK_REVIEW_APPROVED,
    S_CHECK_QUAL_REQUEST,
    S_NOUT_DUE_AFTER, S_NOUT_PRUNE, S_NOUT_TEST_PENDING,
    S_SIG_REMEMBER, S_SIG_PRUNE,
    S_TOKEN_FIND, S_TOKEN_EXTEND, S_TOKEN_DELETE_HASH, S_TOKEN_REVOKE, S_TOKEN_LIST,
    S_TOKEN_PRUNE, S_AKEY_LIST, S_AKEY_REVOKE,
    S__COUNT
};

static const char *const stmt_sql[S__COUNT] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_SAVEPOINT] = "SAVEPOINT ts_op",
    [S_RELEASE] = "RELEASE ts_op",
    [S_ROLLBACK_TO] = "ROLLBACK TO ts_op",
    [S_JSAVEPOINT] = "SAVEPOINT ts_journal",
    [S_JRELEASE] = "RELEASE ts_journal",
    [S_JROLLBACK_TO] = "ROLLBACK TO ts_journal",

    [S_META_GET] = "SELECT val FROM meta WHERE key = ?1",
    [S_META_SET] = "INSERT INTO meta(key, val) VALUES (?1, ?2) "
                   "ON CONFLICT(key) DO UPDATE SET val = excluded.val",

    [S_ACCOUNT_INSERT] = "INSERT INTO accounts(role, name, country, pw_hash, created_ms, "
                         "subdivision, adult) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [S_ACCOUNT_GET] = "SELECT id, role, name, country, pw_hash, created_ms, subdivision, adult "
                      "FROM accounts WHERE id = ?1",
    [S_ACCOUNT_BY_NAME] = "SELECT id, role, name, country, pw_hash, created_ms, subdivision, "
                          "adult FROM accounts WHERE name = ?1",
    [S_ACCOUNT_PROFILE] = "UPDATE accounts SET country = ?2, subdivision = ?3, adult = ?4 "
                          "WHERE id = ?1",

    [S_TOKEN_INSERT] = "INSERT INTO tokens(hash, account_id, created_ms, id, expires_ms, "
                       "sliding) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [S_AKEY_INSERT] = "INSERT INTO access_keys(key_id, account_id, box, created_ms) "
                      "VALUES (?1, ?2, ?3, ?4)",
    [S_AKEY_GET] = "SELECT account_id, box FROM access_keys WHERE key_id = ?1",

    [S_LEDGER_FIND] = "SELECT id FROM ledger_accounts WHERE owner = ?1 AND kind = ?2",
    [S_LEDGER_CREATE] = "INSERT INTO ledger_accounts(owner, kind) VALUES (?1, ?2) "
                        "ON CONFLICT(owner, kind) DO NOTHING",
    [S_LEDGER_BALANCE] = "SELECT balance FROM ledger_accounts WHERE id = ?1",
    [S_LEDGER_ADD] = "UPDATE ledger_accounts SET balance = balance + ?2 WHERE id = ?1",
    [S_JOURNAL_INSERT] = "INSERT INTO journal(kind, ref, at_ms) VALUES (?1, ?2, ?3)",
    [S_POSTING_INSERT] = "INSERT INTO postings(entry_id, ledger_id, amount) "
                         "VALUES (?1, ?2, ?3)",
    [S_JOURNAL_COUNT] = "SELECT count(*) FROM journal WHERE kind = ?1 AND ref = ?2",

    [S_RTOKEN_GET] = "SELECT ref FROM request_tokens WHERE requester_id = ?1 AND op = ?2 "
                     "AND token = ?3 AND at_ms >= ?4",
    [S_RTOKEN_PUT] = "INSERT INTO request_tokens(requester_id, op, token, ref, at_ms) "
                     "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(requester_id, op, token) "
                     "DO UPDATE SET ref = excluded.ref, at_ms = excluded.at_ms",

    [S_TYPE_INSERT] = "INSERT INTO hit_types(id, requester_id, title, description, keywords, "
                      "quals_json, reward, duration_s, auto_approval_s, created_ms) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [S_TYPE_GET] = "SELECT id, requester_id, title, description, keywords, quals_json, "
                   "reward, duration_s, auto_approval_s, created_ms "
                   "FROM hit_types WHERE id = ?1",
    [S_TYPE_FIND] = "SELECT id FROM hit_types WHERE requester_id = ?1 AND title = ?2 "
                    "AND description = ?3 AND keywords = ?4 AND quals_json = ?5 "
                    "AND reward = ?6 AND duration_s = ?7 AND auto_approval_s = ?8 "
                    "ORDER BY created_ms LIMIT 1",

    [S_HIT_INSERT] = "INSERT INTO hits(id, hit_type_id, batch_id, requester_id, "
                     "reward, fee, max_assignments, pending, "
                     "submitted, approved, rejected, created_ms, expires_ms, escrow, "
                     "reviewing, disposed, expired, gold, overlap_max, qc, form) VALUES (?1, "
                     "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
                     "?18, ?19, ?20, ?21)",
    [S_HIT_TEXTS_INSERT] = "INSERT INTO hit_texts(hit_seq, question, input_json, annotation) "
                           "VALUES (?1, ?2, ?3, ?4)",
    [S_HIT_GET] = "SELECT " HIT_COLS " FROM hits WHERE id = ?1",
    [S_HIT_TEXTS_GET] = "SELECT question, input_json, annotation, " HIT_LAYOUT_OF("?1")
                        " FROM hit_texts WHERE hit_seq = ?1",
    [S_HIT_UPDATE] = "UPDATE hits SET max_assignments = ?2, pending = ?3, submitted = ?4, "
                     "approved = ?5, rejected = ?6, expires_ms = ?7, escrow = ?8, "
                     "reviewing = ?9, disposed = ?10, expired = ?11, overlap_max = ?12 "
                     "WHERE id = ?1",
    /* Only the columns an assignment moves: SQLite then leaves hits_expiry alone. */
    [S_HIT_UPDATE_COUNTS] = "UPDATE hits SET pending = ?2, submitted = ?3, approved = ?4, "
                            "rejected = ?5, escrow = ?6 WHERE id = ?1",
    [S_HIT_SET_CONSENSUS] = "UPDATE hits SET consensus = ?2, confidence = ?3 WHERE id = ?1",
    [S_HIT_SET_TYPE] = "UPDATE hits SET hit_type_id = ?2 WHERE id = ?1",
    [S_HIT_NEXT_OPEN] = "SELECT id FROM hits WHERE hit_type_id = ?1 AND is_gold = ?4 AND "
                        HIT_OPEN_WHERE " ORDER BY seq LIMIT 1",
    /* ?3 type or NULL, ?4 mode, ?5 now. */
    [S_HIT_LIST_REQ] = "SELECT " HIT_COLS_TEXTS " FROM " HIT_JOIN_TEXTS
                       " WHERE requester_id = ?1 AND seq > ?2 "
                       "AND (?3 IS NULL OR hit_type_id = ?3) AND disposed = 0 "
                       "AND (?4 <> 2 OR (reviewing = 0 AND pending = 0 "
                       "AND (free <= 0 OR expires_ms <= ?5))) "
                       "AND (?4 <> 3 OR reviewing = 1) "
                       "AND (?8 IS NULL OR hit_type_id IN (SELECT t.id FROM hit_types t "
                       "WHERE t.requester_id = ?1 AND instr(t.quals_json, ?8) > 0)) "
                       "ORDER BY seq LIMIT ?6",
    [S_HIT_LIST_BATCH] = "SELECT " HIT_COLS_TEXTS " FROM " HIT_JOIN_TEXTS
                         " WHERE batch_id = ?7 AND seq > ?2 "
                         "AND requester_id = ?1 "
                         "AND (?3 IS NULL OR hit_type_id = ?3) AND disposed = 0 "
                         "AND (?4 <> 2 OR (reviewing = 0 AND pending = 0 "
                         "AND (free <= 0 OR expires_ms <= ?5))) "
                         "AND (?4 <> 3 OR reviewing = 1) "
                         "AND (?8 IS NULL OR hit_type_id IN (SELECT t.id FROM hit_types t "
                       "WHERE t.requester_id = ?1 AND instr(t.quals_json, ?8) > 0)) "
                         "ORDER BY seq LIMIT ?6",
    [S_HIT_DUE_EXPIRY] = "SELECT id FROM hits WHERE disposed = 0 AND expired = 0 "
                         "AND expires_ms <= ?1 ORDER BY expires_ms LIMIT ?2",
    [S_AVAILABLE_TYPES] = "SELECT hit_type_id, count(*) FROM hits WHERE " HIT_OPEN_WHERE
                          " GROUP BY hit_type_id ORDER BY hit_type_id",

    [S_ASG_INSERT] = "INSERT INTO assignments(id, hit_id, hit_type_id, worker_id, "
                     "requester_id, status, accepted_ms, deadline_ms, submitted_ms, "
                     "auto_approve_ms, approved_ms, rejected_ms, returned_ms, answer_json, "
                     "feedback, label) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                     "?12, ?13, ?14, ?15, ?16)",
    [S_ASG_GET] = "SELECT " ASG_COLS " FROM assignments WHERE id = ?1",
    [S_ASG_UPDATE] = "UPDATE assignments SET status = ?2, accepted_ms = ?3, deadline_ms = ?4, "
                     "submitted_ms = ?5, auto_approve_ms = ?6, approved_ms = ?7, "
                     "rejected_ms = ?8, returned_ms = ?9, answer_json = ?10, feedback = ?11, "
                     "label = ?12 WHERE id = ?1",
    [S_ASG_LIST_HIT] = "SELECT " ASG_COLS_A " FROM assignments a WHERE a.hit_id = ?1 "
                       "AND a.seq > ?2 AND " ASG_MASK_WHERE " ORDER BY a.seq LIMIT ?4",
    [S_ASG_LIST_WORKER] = "SELECT " ASG_COLS_A " FROM assignments a WHERE a.worker_id = ?1 "
                          "AND a.seq > ?2 AND " ASG_MASK_WHERE " ORDER BY a.seq LIMIT ?4",
    [S_ASG_LIST_BATCH] = "SELECT " ASG_COLS_A " FROM hits h JOIN assignments a "
                         "ON a.hit_id = h.id WHERE h.batch_id = ?1 AND a.seq > ?2 AND "
                         ASG_MASK_WHERE " ORDER BY a.seq LIMIT ?4",
    [S_ASG_DUE_DEADLINE] = "SELECT id FROM assignments WHERE status = 1 "
                           "AND deadline_ms <= ?1 ORDER BY deadline_ms LIMIT ?2",
    [S_ASG_DUE_APPROVAL] = "SELECT id FROM assignments WHERE status = 2 "
                           "AND auto_approve_ms <= ?1 ORDER BY auto_approve_ms LIMIT ?2",
    [S_MEDIAN_COUNT] = "SELECT count(*) FROM assignments "
                       "WHERE hit_type_id = ?1 AND work_ms IS NOT NULL",
    [S_MEDIAN_AT] = "SELECT work_ms FROM assignments WHERE hit_type_id = ?1 "
                    "AND work_ms IS NOT NULL ORDER BY work_ms LIMIT 2 OFFSET ?2",
    [S_WORKER_STATS] =
        "SELECT count(*), "
        "coalesce(sum(a.status IN (2, 3, 4)), 0), coalesce(sum(a.status = 3), 0), "
        "coalesce(sum(a.status = 4), 0), coalesce(sum(a.status = 5), 0), "
        "coalesce(sum(a.status = 6), 0), "
        "coalesce(sum(CASE WHEN a.status = 3 THEN a.submitted_ms - a.accepted_ms END), 0), "
        "coalesce(sum(CASE WHEN a.status = 3 THEN h.reward END), 0) "
        "FROM assignments a JOIN hits h ON h.id = a.hit_id WHERE a.worker_id = ?1",
    [S_WORKER_BONUSES] = "SELECT coalesce(sum(amount), 0) FROM bonuses WHERE worker_id = ?1",

    [S_BONUS_INSERT] = "INSERT INTO bonuses(id, requester_id, worker_id, assignment_id, "
                       "hit_id, amount, fee, reason, granted_ms) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [S_BONUS_LIST] = "SELECT " BONUS_COLS " FROM bonuses WHERE requester_id = ?1 "
                     "AND seq > ?2 AND (?3 IS NULL OR hit_id = ?3) "
                     "AND (?4 IS NULL OR assignment_id = ?4) ORDER BY seq LIMIT ?5",

    [S_BATCH_INSERT] = "INSERT INTO batches(id, requester_id, hit_type_id, hits, created_ms, "
                       "label_field, gold_rate_ppm, min_assignments, confidence_ppm, "
                       "labels_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [S_BATCH_GET] = "SELECT id, requester_id, hit_type_id, hits, created_ms, label_field, "
                    "gold_rate_ppm, min_assignments, confidence_ppm, labels_json "
                    "FROM batches WHERE id = ?1",
    [S_LAYOUT_INSERT] = "INSERT INTO hit_layouts(id, requester_id, name, content, "
                        "frame_height, params_json, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [S_LAYOUT_GET] = "SELECT " LAYOUT_COLS " FROM hit_layouts WHERE id = ?1 AND deleted = 0",
    [S_LAYOUT_DELETE] = "UPDATE hit_layouts SET deleted = 1 WHERE id = ?1 AND deleted = 0",
    [S_LAYOUT_LIST] = "SELECT " LAYOUT_COLS " FROM hit_layouts WHERE requester_id = ?1 AND "
                      "seq > ?2 AND deleted = 0 ORDER BY seq LIMIT ?3",
    [S_HIT_LAYOUT_INSERT] = "INSERT INTO hit_layout_uses(hit_seq, layout_id) VALUES (?1, ?2)",
    /* A HIT made from a layout belongs to the layout's owner. */
    [S_CHECK_LAYOUT_OWNER] = "SELECT h.id, l.id FROM hit_layout_uses u JOIN hits h ON h.seq = "
                             "u.hit_seq JOIN hit_layouts l ON l.id = u.layout_id "
                             "WHERE h.requester_id <> l.requester_id",
    [S_QT_INSERT] = "INSERT INTO qual_types(id, requester_id, name, description, keywords, "
                    "active, auto_granted, auto_value, created_ms, test, answer_key, "
                    "test_duration_s, retry_delay_s) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    [S_QT_GET] = "SELECT " QT_COLS " FROM qual_types WHERE id = ?1",
    [S_QT_UPDATE] = "UPDATE qual_types SET description = ?2, active = ?3, auto_granted = ?4, "
                    "auto_value = ?5, deleted = ?6, test = ?7, answer_key = ?8, "
                    "test_duration_s = ?9, retry_delay_s = ?10 WHERE id = ?1",
    [S_QT_LIST] = "SELECT " QT_COLS " FROM qual_types WHERE requester_id = ?1 AND seq > ?2 "
                  "AND deleted = 0 AND (?3 IS NULL OR instr(name, ?3) > 0 OR "
                  "instr(description, ?3) > 0 OR instr(keywords, ?3) > 0) "
                  "ORDER BY seq LIMIT ?4",
    [S_Q_PUT] = "INSERT INTO quals(type_id, worker_id, value, granted, granted_ms) "
                "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(type_id, worker_id) DO UPDATE SET "
                "value = excluded.value, granted = excluded.granted, "
                "granted_ms = excluded.granted_ms",
    [S_Q_GET] = "SELECT seq, type_id, worker_id, value, granted, granted_ms FROM quals "
                "WHERE type_id = ?1 AND worker_id = ?2",
    [S_Q_LIST] = "SELECT seq, type_id, worker_id, value, granted, granted_ms FROM quals "
                 "WHERE type_id = ?1 AND seq > ?2 AND (?3 < 0 OR granted = ?3) "
                 "ORDER BY seq LIMIT ?4",
    [S_QR_INSERT] = "INSERT INTO qual_requests(id, type_id, worker_id, requester_id, status, "
                    "reason, submitted_ms, test, answer, deadline_ms, decided_ms, value) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [S_QR_GET] = "SELECT " QR_COLS " FROM qual_requests WHERE id = ?1",
    [S_QR_GET_PAIR] = "SELECT " QR_COLS " FROM qual_requests WHERE type_id = ?1 "
                      "AND worker_id = ?2",
    [S_QR_SET] = "UPDATE qual_requests SET status = ?3, reason = ?4, submitted_ms = ?5, "
                 "test = ?6, answer = ?7, deadline_ms = ?8, decided_ms = ?9, value = ?10, "
                 "seq = CASE WHEN ?1 = ?2 THEN seq "
                 "ELSE (SELECT max(seq) + 1 FROM qual_requests) END, id = ?2 WHERE id = ?1",
    [S_QR_LIST] = "SELECT " QR_COLS " FROM qual_requests WHERE requester_id = ?1 AND status = 1 "
                  "AND seq > ?2 AND (?3 IS NULL OR type_id = ?3) ORDER BY seq LIMIT ?4",
    [S_NSET_ANY] = "SELECT EXISTS (SELECT 1 FROM notify_settings)",
    [S_NSET_GET] = "SELECT hit_type_id, requester_id, destination, transport, version, events, "
                   "active, key_id, updated_ms FROM notify_settings WHERE hit_type_id = ?1",
    [S_NSET_PUT] = "INSERT OR REPLACE INTO notify_settings(hit_type_id, requester_id, "
                   "destination, transport, version, events, active, key_id, updated_ms) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [S_NOUT_INSERT] = "INSERT INTO notify_outbox(requester_id, hit_type_id, destination, key_id, "
                      "event_types, body, created_ms, next_ms) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [S_NOUT_NEXT] = "SELECT min(next_ms) FROM notify_outbox WHERE state = 0",
    [S_NOUT_GET] = "SELECT " NOUT_COLS " FROM notify_outbox WHERE seq = ?1",
    [S_NOUT_UPDATE] = "UPDATE notify_outbox SET state = ?2, attempts = ?3, next_ms = ?4, "
                      "last_status = ?5, last_error = ?6, done_ms = ?7 WHERE seq = ?1",
    [S_NOUT_LIST] = "SELECT " NOUT_COLS " FROM notify_outbox WHERE requester_id = ?1 "
                    "AND seq > ?2 ORDER BY seq LIMIT ?3",
    [S_AKEY_FIRST] = "SELECT key_id FROM access_keys WHERE account_id = ?1 "
                     "ORDER BY created_ms, key_id LIMIT 1",
    [S_MSG_INSERT] = "INSERT INTO messages(worker_id, requester_id, subject, body, sent_ms) "
                     "VALUES (?1, ?2, ?3, ?4, ?5)",
    [S_MSG_LIST] = "SELECT seq, worker_id, requester_id, subject, body, sent_ms FROM messages "
                   "WHERE worker_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
    [S_REVIEWED] = "SELECT EXISTS (SELECT 1 FROM assignments WHERE worker_id = ?1 "
                   "AND requester_id = ?2 AND status IN (3, 4))",
    [S_WCOUNT_GET] = "SELECT approved, rejected FROM worker_counts WHERE worker_id = ?1",
    [S_WCOUNT_ADD] = "INSERT INTO worker_counts(worker_id, approved, rejected) "
                     "VALUES (?1, ?2, ?3) ON CONFLICT(worker_id) DO UPDATE SET "
                     "approved = approved + excluded.approved, "
                     "rejected = rejected + excluded.rejected",
    [S_PSEUD_NOTE] = "INSERT OR IGNORE INTO pseudonyms(requester_id, pseudonym, worker_id) "
                     "VALUES (?1, ?2, ?3)",
    [S_PSEUD_FIND] = "SELECT worker_id FROM pseudonyms WHERE requester_id = ?1 "
                     "AND pseudonym = ?2",
    [S_BLOCK_PUT] = "INSERT INTO worker_blocks(requester_id, worker_id, reason, created_ms) "
                    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(requester_id, worker_id) "
                    "DO UPDATE SET reason = excluded.reason",
    [S_BLOCK_DELETE] = "DELETE FROM worker_blocks WHERE requester_id = ?1 AND worker_id = ?2",
    [S_BLOCK_GET] = "SELECT reason FROM worker_blocks WHERE requester_id = ?1 "
                    "AND worker_id = ?2",
    [S_BLOCK_LIST] = "SELECT seq, worker_id, reason FROM worker_blocks WHERE requester_id = ?1 "
                     "AND seq > ?2 ORDER BY seq LIMIT ?3",
    [S_BATCH_SET_LABELS] = "UPDATE batches SET labels_json = ?2 WHERE id = ?1",
    [S_WGOLD_GET] = "SELECT seen, correct FROM worker_gold WHERE batch_id = ?1 "
                    "AND worker_id = ?2",
    [S_WGOLD_ADD] = "INSERT INTO worker_gold(batch_id, worker_id, seen, correct) "
                    "VALUES (?1, ?2, 1, ?3) ON CONFLICT(batch_id, worker_id) DO UPDATE SET "
                    "seen = seen + 1, correct = correct + excluded.correct",

    /* store_check: each row is one violation. */
    [S_CHECK_ENTRY_SUM] = "SELECT j.id, j.kind, j.ref, sum(p.amount) FROM journal j "
                          "JOIN postings p ON p.entry_id = j.id GROUP BY j.id "
                          "HAVING sum(p.amount) <> 0 ORDER BY j.id",
    [S_CHECK_BALANCE_SUM] = "SELECT id, owner, kind, balance, s FROM (SELECT la.id, la.owner, "
                            "la.kind, la.balance, (SELECT coalesce(sum(p.amount), 0) "
                            "FROM postings p WHERE p.ledger_id = la.id) AS s "
                            "FROM ledger_accounts la) WHERE balance <> s ORDER BY id",
    [S_CHECK_NEGATIVE] = "SELECT id, owner, kind, balance FROM ledger_accounts "
                         "WHERE balance < 0 AND kind <> 1 ORDER BY id",
    [S_CHECK_PAY_TWICE] = "SELECT ref, count(*) FROM journal WHERE kind = 'pay' "
                          "GROUP BY ref HAVING count(*) > 1 ORDER BY ref",
    [S_CHECK_PAY_STATUS] = "SELECT id, status, n FROM (SELECT a.id, a.status, "
                           "(SELECT count(*) FROM journal j WHERE j.kind = 'pay' "
                           "AND j.ref = a.id) AS n, a.seq FROM assignments a) "
                           "WHERE (status = 3 AND n = 0) OR (status <> 3 AND n > 0) "
                           "ORDER BY seq",
    [S_CHECK_HIT_COUNTS] = "SELECT h.id, h.pending, h.submitted, h.approved, h.rejected, "
                           "coalesce(c.p, 0), coalesce(c.s, 0), coalesce(c.a, 0), "
                           "coalesce(c.r, 0) FROM hits h LEFT JOIN (SELECT hit_id, "
                           "sum(status = 1) AS p, sum(status = 2) AS s, "
                           "sum(status = 3) AS a, sum(status = 4) AS r "
                           "FROM assignments GROUP BY hit_id) c ON c.hit_id = h.id "
                           "WHERE h.pending <> coalesce(c.p, 0) "
                           "OR h.submitted <> coalesce(c.s, 0) "
                           "OR h.approved <> coalesce(c.a, 0) "
                           "OR h.rejected <> coalesce(c.r, 0) ORDER BY h.seq",
    [S_CHECK_HIT_MAX] = "SELECT id, pending + submitted + approved + rejected, "
                        "max_assignments FROM hits "
                        "WHERE pending + submitted + approved + rejected > max_assignments "
                        "ORDER BY seq",
    [S_CHECK_PAIR] = "SELECT hit_id, worker_id, count(*) FROM assignments "
                     "GROUP BY hit_id, worker_id HAVING count(*) > 1",
    [S_CHECK_HIT_ESCROW] = "SELECT id, escrow, e FROM (SELECT id, seq, escrow, "
                           "(reward + fee) * (pending + submitted + CASE WHEN expired <> 0 "
                           "OR disposed <> 0 THEN 0 ELSE max_assignments - pending "
                           "- submitted - approved - rejected + CASE WHEN overlap_max > "
                           "max_assignments THEN overlap_max - max_assignments ELSE 0 END "
                           "END) AS e FROM hits) "
                           "WHERE escrow <> e ORDER BY seq",
    [S_CHECK_REQ_ESCROW] = "SELECT r.owner, coalesce(la.balance, 0), "
                           "coalesce((SELECT sum(h.escrow) FROM hits h "
                           "WHERE h.requester_id = r.owner), 0) AS held "
                           "FROM (SELECT requester_id AS owner FROM hits UNION "
                           "SELECT owner FROM ledger_accounts WHERE kind = 3) r "
                           "LEFT JOIN ledger_accounts la ON la.owner = r.owner "
                           "AND la.kind = 3 WHERE coalesce(la.balance, 0) <> "
                           "coalesce((SELECT sum(h.escrow) FROM hits h "
                           "WHERE h.requester_id = r.owner), 0) ORDER BY r.owner",
    [S_CHECK_TOTAL] = "SELECT coalesce(sum(balance), 0) FROM ledger_accounts",
    [S_CHECK_WORKER_COUNTS] = "SELECT a.worker_id, sum(a.status = 3), sum(a.status = 4), "
                              "coalesce(max(c.approved), 0), coalesce(max(c.rejected), 0) "
                              "FROM assignments a LEFT JOIN worker_counts c "
                              "ON c.worker_id = a.worker_id GROUP BY a.worker_id "
                              "HAVING sum(a.status = 3) <> coalesce(max(c.approved), 0) "
                              "OR sum(a.status = 4) <> coalesce(max(c.rejected), 0)",
    [S_UPLOAD_INSERT] = "INSERT INTO uploads(key, assignment_id, field, size, sha256, data, "
                        "created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [S_UPLOAD_GET_KEY] = "SELECT key, assignment_id, field, size, sha256, created_ms, "
                         "CASE WHEN ?2 THEN data END FROM uploads WHERE key = ?1",
    [S_UPLOAD_GET_FIELD] = "SELECT key, assignment_id, field, size, sha256, created_ms, "
                           "CASE WHEN ?3 THEN data END FROM uploads "
                           "WHERE assignment_id = ?1 AND field = ?2",
    [S_CHECK_UPLOADS] = "SELECT u.key, u.assignment_id, coalesce(a.status, 0), u.size, "
                        "length(u.data), length(u.sha256) FROM uploads u "
                        "LEFT JOIN assignments a ON a.id = u.assignment_id "
                        "WHERE coalesce(a.status, 0) NOT IN (2, 3, 4) "
                        "OR u.size <> length(u.data) OR length(u.sha256) <> 32",
    /* Notification settings belong to their HIT type's requester; outbox states are
     * known ones, and a message is done (done_ms) exactly when it is not pending. */
    [S_CHECK_NOTIFY] = "SELECT 'settings', n.hit_type_id FROM notify_settings n "
                       "LEFT JOIN hit_types t ON t.id = n.hit_type_id "
                       "WHERE t.requester_id IS NOT n.requester_id "
                       "UNION ALL SELECT 'message', seq FROM notify_outbox "
                       "WHERE state NOT IN (0, 1, 2) OR attempts < 0 "
                       "OR (state = 0) <> (done_ms = 0)",
    [S_RP_INSERT] = "INSERT INTO review_policies(hit_id, level, name, params_json, reviewed) "
                    "VALUES (?1, ?2, ?3, ?4, 0)",
    [S_RP_FLAG] = "UPDATE hits SET policies = policies | ?2 WHERE id = ?1",
    [S_RP_GET] = "SELECT name, params_json, reviewed FROM review_policies "
                 "WHERE hit_id = ?1 AND level = ?2",
    [S_RP_MARK] = "UPDATE review_policies SET reviewed = ?3 WHERE hit_id = ?1 AND level = ?2",
    [S_RI_INSERT] = "INSERT INTO review_items(hit_id, level, kind, action_id, object_id, "
                    "object_type, question_id, name, value, status, complete_ms, error_code) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [S_RI_LIST] = "SELECT seq, level, kind, action_id, object_id, object_type, question_id, "
                  "name, value, status, complete_ms, error_code FROM review_items "
                  "WHERE hit_id = ?1 AND seq > ?2 AND ((?3 >> (level - 1)) & 1) = 1 "
                  "AND ((?4 >> kind) & 1) = 1 ORDER BY seq LIMIT ?5",
    [S_CHECK_REVIEW_FLAGS] = "SELECT h.id, h.policies, coalesce((SELECT sum(1 << (p.level - 1)) "
                             "FROM review_policies p WHERE p.hit_id = h.id), 0) AS want "
                             "FROM hits h WHERE h.policies <> want",
    [S_CHECK_REVIEW_ITEMS] = "SELECT i.hit_id, i.level, count(*) FROM review_items i "
                             "LEFT JOIN review_policies p ON p.hit_id = i.hit_id "
                             "AND p.level = i.level WHERE p.hit_id IS NULL "
                             "GROUP BY i.hit_id, i.level",
    [S_CHECK_REVIEW_APPROVED] = "SELECT i.object_id, a.status FROM review_items i "
                                "JOIN assignments a ON a.id = i.object_id "
                                "WHERE i.kind = 2 AND i.name = 'approve' "
                                "AND i.status = 'Succeeded' AND a.status <> 3",
    /* Granted (2) and scored (5) requests have the worker's score; a test taken (4) or
     * scored has the test, a scored one the answers. */
    [S_CHECK_QUAL_REQUEST] = "SELECT r.id, r.status FROM qual_requests r WHERE "
                             "(r.status IN (2, 5) AND NOT EXISTS (SELECT 1 FROM quals q "
                             "WHERE q.type_id = r.type_id AND q.worker_id = r.worker_id)) "
                             "OR (r.status IN (4, 5) AND r.test IS NULL) "
                             "OR (r.status = 5 AND r.answer IS NULL) ORDER BY r.seq",
    [S_NOUT_DUE_AFTER] = "SELECT " NOUT_COLS " FROM notify_outbox WHERE state = 0 "
                         "AND next_ms <= ?1 AND next_ms >= ?2 AND (next_ms > ?2 OR seq > ?3) "
                         "ORDER BY next_ms, seq LIMIT ?4",
    /* by the partial index notify_outbox_done (schema v15) */
    [S_NOUT_PRUNE] = "DELETE FROM notify_outbox WHERE seq IN (SELECT seq FROM notify_outbox "
                     "WHERE state <> 0 AND done_ms < ?1 ORDER BY done_ms LIMIT ?2)",
    /* by the partial index notify_outbox_test_pending (schema v15) */
    [S_NOUT_TEST_PENDING] = "SELECT count(*) FROM notify_outbox WHERE requester_id = ?1 "
                            "AND state = 0 AND hit_type_id IS NULL",
    /* schema v16: both by the primary key (signed_ms, sig_hash, key_id) */
    [S_SIG_REMEMBER] = "INSERT INTO signatures_used(signed_ms, sig_hash, key_id) "
                       "VALUES (?1, ?2, ?3)",
    [S_SIG_PRUNE] = "DELETE FROM signatures_used WHERE signed_ms < ?1 AND "
                    "(signed_ms, sig_hash, key_id) IN (SELECT signed_ms, sig_hash, key_id "
                    "FROM signatures_used WHERE signed_ms < ?1 ORDER BY signed_ms LIMIT ?2)",
    /* Credentials that end (schema v17). */
    [S_TOKEN_FIND] = "SELECT account_id, coalesce(expires_ms, 0), sliding FROM tokens "
                     "WHERE hash = ?1",
    [S_TOKEN_EXTEND] = "UPDATE tokens SET expires_ms = ?2 WHERE hash = ?1 "
                       "AND sliding = 1 AND expires_ms < ?2",
    [S_TOKEN_DELETE_HASH] = "DELETE FROM tokens WHERE hash = ?1",
    [S_TOKEN_REVOKE] = "DELETE FROM tokens WHERE id = ?1 AND (?2 = 0 OR account_id = ?2)",
    [S_TOKEN_LIST] = "SELECT id, account_id, created_ms, coalesce(expires_ms, 0), hash FROM tokens "
                     "WHERE account_id = ?1 AND (expires_ms IS NULL OR expires_ms > ?2) "
                     "ORDER BY created_ms DESC, id LIMIT ?3",
    [S_TOKEN_PRUNE] = "DELETE FROM tokens WHERE hash IN (SELECT hash FROM tokens "
                      "WHERE expires_ms IS NOT NULL AND expires_ms <= ?1 LIMIT ?2)",
    [S_AKEY_LIST] = "SELECT key_id, account_id, created_ms FROM access_keys WHERE account_id = ?1 "
                    "ORDER BY created_ms, key_id LIMIT ?2",
    [S_AKEY_REVOKE] = "DELETE FROM access_keys WHERE key_id = ?1 AND (?2 = 0 OR account_id = ?2)",
};

struct store {
    sqlite3 *db;
    int version;
    sqlite3_stmt *stmt[S__COUNT];
    /* Whether notify_settings may have a row: -1 not known yet, 0 none (every HIT event
     * asks, and almost always in vain, so "none" is answered without a query), 1 maybe.
     * Only this connection's writer adds rows; a put that rolls back leaves 1, which costs
     * a lookup and nothing else. */
    int nset_any;
};

/* ---- Helpers ---------------------------------------------------------------------- */

/* Maps an SQLite failure to a ts_err with a message saying what was being done. */
static int db_fail(struct store *st, int rc, const char *what, struct ts_error *err)
{
    const char *msg = sqlite3_errmsg(st->db);

    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return ts_fail(err, TS_EBUSY, "the database is busy (%s); try again", what);
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            return ts_fail(err, TS_ECONFLICT, "%s: it already exists", what);
        if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
            return ts_fail(err, TS_ENOTFOUND, "%s: it refers to an object that does not exist",
                           what);
        return ts_fail(err, TS_EINVAL, "%s: %s", what, msg);
    case SQLITE_TOOBIG:
        return ts_fail(err, TS_ETOOBIG, "%s: value too big", what);
    case SQLITE_FULL:
    case SQLITE_IOERR:
        /* The storage failed (docs/internals/faults.md): a retry may succeed. */
        return ts_fail(err, TS_EBUSY,
                       "the database storage failed (%s: %s); nothing was changed, "
                       "try again",
                       what, sqlite3_errstr(rc));
    default:
        return ts_fail(err, TS_EIO, "%s: %s", what, msg);
    }
}

/* The cached statement id, prepared on first use. */
static int stmt_get(struct store *st, enum stmt_id id, sqlite3_stmt **out, struct ts_error *err)
{
    int rc;

    if (!st->stmt[id]) {
        rc = sqlite3_prepare_v3(st->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                                &st->stmt[id], NULL);
        if (rc != SQLITE_OK) {
            st->stmt[id] = NULL;
            return db_fail(st, rc, "preparing a statement", err);
        }
    }
    *out = st->stmt[id];
    return 0;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

/* Binds "" as NULL (batch ids). */
static void bind_text_opt(sqlite3_stmt *s, int i, const char *v)
{
    bind_text(s, i, v && v[0] ? v : NULL);
}

static void bind_i64(sqlite3_stmt *s, int i, int64_t v)
{
    sqlite3_bind_int64(s, i, (sqlite3_int64)v);
}

static int64_t col_i64(sqlite3_stmt *s, int i)
{
    return (int64_t)sqlite3_column_int64(s, i);
}

/* Copies a text column into a fixed array, truncating; NULL gives "". */
static void col_copy(sqlite3_stmt *s, int i, char *dst, size_t cap)
{
    const char *v = (const char *)sqlite3_column_text(s, i);
    size_t n = v ? strlen(v) : 0;

    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, v, n);
    dst[n] = '\0';
}

static const char *ctext(sqlite3_stmt *s, int i)
{
    const char *v = (const char *)sqlite3_column_text(s, i);
    return v ? v : "";
}

static char *col_dup(sqlite3_stmt *s, int i) /* NULL stays NULL */
{
    const char *v = (const char *)sqlite3_column_text(s, i);
    return v ? xstrdup(v) : NULL;
}

static char *col_dup_nn(sqlite3_stmt *s, int i) /* NULL becomes "" */
{
    const char *v = (const char *)sqlite3_column_text(s, i);
    return xstrdup(v ? v : "");
}

/* Steps a statement that returns no rows, then resets it. */
static int exec_stmt(struct store *st, sqlite3_stmt *s, const char *what, struct ts_error *err)
{
    int rc = sqlite3_step(s);

    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        rc = db_fail(st, rc, what, err);
    else
        rc = 0;
    sqlite3_reset(s);
    return rc;
}

static int exec_id(struct store *st, enum stmt_id id, const char *what, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, id, &s, err);

    if (rc)
        return rc;
    return exec_stmt(st, s, what, err);
}

static int check_id(const char *id, const char *what, struct ts_error *err)
{
    if (!id || !id[0] || strlen(id) >= STORE_ID_MAX)
        return ts_fail(err, TS_EINVAL, "%s id must be 1 to %d characters", what,
                       STORE_ID_MAX - 2);
    return 0;
}

/* ---- Opening and transactions ------------------------------------------------------ */

static int exec_script(struct store *st, const char *sql, const char *what,
                       struct ts_error *err)
{
    char *emsg = NULL;
    int rc = sqlite3_exec(st->db, sql, NULL, NULL, &emsg);

    if (rc != SQLITE_OK) {
        if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
            rc = ts_fail(err, TS_EBUSY, "the database is busy (%s); try again", what);
        else
            rc = ts_fail(err, TS_EIO, "%s: %s", what, emsg ? emsg : sqlite3_errstr(rc));
        sqlite3_free(emsg);
        return rc;
    }
    return 0;
}

static const char sql_has_meta[] =
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'";
static const char sql_get_version[] =
    "SELECT CAST(val AS INTEGER) FROM meta WHERE key = 'schema_version'";
static const char sql_set_version[] =
    "INSERT INTO meta(key, val) VALUES ('schema_version', CAST(?1 AS TEXT)) "
    "ON CONFLICT(key) DO UPDATE SET val = excluded.val";

/* Runs a one-off single-value query (migration only; not worth caching). */
static int query_int(struct store *st, const char *sql, int64_t bindv, int64_t *out,
                     struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

    if (rc != SQLITE_OK)
        return db_fail(st, rc, "reading the schema version", err);
    if (sqlite3_bind_parameter_count(s) > 0)
        bind_i64(s, 1, bindv);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *out = col_i64(s, 0);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        *out = 0;
        rc = 0;
    } else {
        rc = db_fail(st, rc, "reading the schema version", err);
    }
    sqlite3_finalize(s);
    return rc;
}

static int migrate(struct store *st, struct ts_error *err)
{
    int64_t has_meta = 0, version = 0, dummy;
    int rc = exec_script(st, "BEGIN IMMEDIATE", "starting the schema migration", err);

    if (rc)
        return rc;
    rc = query_int(st, sql_has_meta, 0, &has_meta, err);
    if (!rc && has_meta)
        rc = query_int(st, sql_get_version, 0, &version, err);
    if (!rc && (version < 0 || version > SCHEMA_VERSION))
        rc = ts_fail(err, TS_EIO,
                     "the database has schema version %" PRId64
                     ", newer than this build understands (%d)",
                     version, SCHEMA_VERSION);
    for (int64_t v = version; !rc && v < SCHEMA_VERSION; v++) {
        for (const char *const *part = schema_migrations[v]; !rc && *part; part++)
            rc = exec_script(st, *part, "migrating the schema", err);
        if (!rc)
            rc = query_int(st, sql_set_version, v + 1, &dummy, err);
    }
    if (rc) {
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    rc = exec_script(st, "COMMIT", "committing the schema migration", err);
    if (rc) {
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    st->version = SCHEMA_VERSION;
    return 0;
}

int store_open(const char *path, struct store **out, struct ts_error *err)
{
    struct store *st = xcalloc(1, sizeof *st);
    st->nset_any = -1;
    int rc = sqlite3_open_v2(path, &st->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);

    *out = NULL;
    if (rc != SQLITE_OK) {
        rc = ts_fail(err, TS_EIO, "cannot open the database %s: %s", path,
                     st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, 10000);
    rc = exec_script(st, "PRAGMA journal_mode = WAL", "setting WAL mode", err);
    if (!rc)
        rc = exec_script(st, "PRAGMA synchronous = FULL", "setting synchronous", err);
    if (!rc)
        rc = exec_script(st, "PRAGMA foreign_keys = ON", "enabling foreign keys", err);
    /* 64 MiB of page cache (the default is 2 MiB): the server's one writer connection
     * keeps the hot pages of hits and assignments in memory across transactions. */
    if (!rc)
        rc = exec_script(st, "PRAGMA cache_size = -65536", "setting the cache size", err);
    if (!rc)
        rc = migrate(st, err);
    if (rc)
        goto fail;
    *out = st;
    return 0;
fail:
    sqlite3_close(st->db);
    free(st);
    return rc;
}

void store_close(struct store *st)
{
    if (!st)
        return;
    for (int i = 0; i < S__COUNT; i++)
        sqlite3_finalize(st->stmt[i]);
    sqlite3_close(st->db);
    free(st);
}

int store_schema_version(struct store *st)
{
    return st->version;
}

int store_begin(struct store *st, struct ts_error *err)
{
    return exec_id(st, S_BEGIN, "starting a transaction", err);
}

int store_commit(struct store *st, struct ts_error *err)
{
    return exec_id(st, S_COMMIT, "committing a transaction", err);
}

void store_rollback(struct store *st)
{
    /* SQLite may already have rolled back by itself (e.g. after an I/O error). */
    if (!sqlite3_get_autocommit(st->db))
        exec_id(st, S_ROLLBACK, "rolling back", NULL);
}

int store_end(struct store *st, int rc, struct ts_error *err)
{
    if (rc) {
        store_rollback(st);
        return rc;
    }
    rc = store_commit(st, err);
    if (rc)
        store_rollback(st);
    return rc;
}

int store_savepoint(struct store *st, struct ts_error *err)
{
    return exec_id(st, S_SAVEPOINT, "opening a savepoint", err);
}

int store_savepoint_release(struct store *st, struct ts_error *err)
{
    return exec_id(st, S_RELEASE, "releasing a savepoint", err);
}

void store_savepoint_rollback(struct store *st)
{
    if (sqlite3_get_autocommit(st->db))
        return;
    exec_id(st, S_ROLLBACK_TO, "rolling back to a savepoint", NULL);
    exec_id(st, S_RELEASE, "releasing a savepoint", NULL);
}

int store_in_transaction(struct store *st)
{
    return !sqlite3_get_autocommit(st->db);
}

int store_meta_get(struct store *st, const char *key, char *val, size_t cap,
                   struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_META_GET, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, key);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(s, 0);
        size_t n = v ? strlen(v) : 0;
        if (n >= cap) {
            rc = ts_fail(err, TS_ETOOBIG, "setting %s is longer than %zu bytes", key, cap);
        } else {
            if (n)
                memcpy(val, v, n);
            val[n] = '\0';
            rc = 0;
        }
    } else if (rc == SQLITE_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "setting %s is not set", key);
    } else {
        rc = db_fail(st, rc, "reading a setting", err);
    }
    sqlite3_reset(s);
    return rc;
}

int store_meta_set(struct store *st, const char *key, const char *val, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_META_SET, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, key);
    bind_text(s, 2, val);
    return exec_stmt(st, s, "writing a setting", err);
}

/* ---- Accounts and credentials ------------------------------------------------------ */

int store_account_insert(struct store *st, struct account *a, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_ACCOUNT_INSERT, &s, err);

    if (rc)
        return rc;
    sqlite3_bind_int(s, 1, a->role);
    bind_text(s, 2, a->name);
    bind_text(s, 3, a->country);
    bind_text(s, 4, a->pw_hash);
    bind_i64(s, 5, a->created_ms);
    bind_text(s, 6, a->subdivision);
    sqlite3_bind_int(s, 7, a->adult);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        a->id = (int64_t)sqlite3_last_insert_rowid(st->db);
        rc = 0;
    } else if (rc == SQLITE_CONSTRAINT_UNIQUE) {
        rc = ts_fail(err, TS_ECONFLICT, "the account name %s is already taken", a->name);
    } else {
        rc = db_fail(st, rc, "creating an account", err);
    }
    sqlite3_reset(s);
    return rc;
}

static void read_account(sqlite3_stmt *s, struct account *out)
{
    memset(out, 0, sizeof *out);
    out->id = col_i64(s, 0);
    out->role = sqlite3_column_int(s, 1);
    col_copy(s, 2, out->name, sizeof out->name);
    col_copy(s, 3, out->country, sizeof out->country);
    col_copy(s, 4, out->pw_hash, sizeof out->pw_hash);
    out->created_ms = col_i64(s, 5);
    col_copy(s, 6, out->subdivision, sizeof out->subdivision);
    out->adult = sqlite3_column_int(s, 7);
}

int store_account_profile_set(struct store *st, const struct account *a, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_ACCOUNT_PROFILE, &s, err);

    if (rc)
        return rc;
    bind_i64(s, 1, a->id);
    bind_text(s, 2, a->country);
    bind_text(s, 3, a->subdivision);
    sqlite3_bind_int(s, 4, a->adult);
    return exec_stmt(st, s, "updating a worker's profile", err);
}

static int account_fetch(struct store *st, sqlite3_stmt *s, struct account *out,
                         const char *what, struct ts_error *err)
{
    int rc = sqlite3_step(s);

    if (rc == SQLITE_ROW) {
        read_account(s, out);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = TS_ENOTFOUND;
    } else {
        rc = db_fail(st, rc, what, err);
    }
    sqlite3_reset(s);
    return rc;
}

int store_account_get(struct store *st, int64_t id, struct account *out, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_ACCOUNT_GET, &s, err);

    if (rc)
        return rc;
    bind_i64(s, 1, id);
    rc = account_fetch(st, s, out, "reading an account", err);
    if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_ENOTFOUND, "account %" PRId64 " does not exist", id);
    return rc;
}

int store_account_by_name(struct store *st, const char *name, struct account *out,
                          struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_ACCOUNT_BY_NAME, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, name);
    rc = account_fetch(st, s, out, "reading an account", err);
    if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_ENOTFOUND, "account %s does not exist", name);
    return rc;
}

int store_token_insert(struct store *st, const unsigned char hash[32], int64_t account_id,
                       int64_t now_ms, struct ts_error *err)
{
    return store_token_insert_expiring(st, hash, account_id, now_ms, 0, 0, NULL, err);
}

int store_access_key_insert(struct store *st, const char *key_id, int64_t account_id,
                            const unsigned char *box, size_t box_len, int64_t now_ms,
                            struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc;

    if (box_len > INT_MAX)
        return ts_fail(err, TS_ETOOBIG, "the access key secret is too long");
    rc = stmt_get(st, S_AKEY_INSERT, &s, err);
    if (rc)
        return rc;
    bind_text(s, 1, key_id);
    bind_i64(s, 2, account_id);
    sqlite3_bind_blob(s, 3, box_len ? (const void *)box : "", (int)box_len, SQLITE_STATIC);
    bind_i64(s, 4, now_ms);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE)
        rc = 0;
    else if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        rc = ts_fail(err, TS_ECONFLICT, "access key %s already exists", key_id);
    else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        rc = ts_fail(err, TS_ENOTFOUND, "account %" PRId64 " does not exist", account_id);
    else
        rc = db_fail(st, rc, "storing an access key", err);
    sqlite3_reset(s);
    return rc;
}

int store_access_key_get(struct store *st, const char *key_id, int64_t *account_id,
                         unsigned char *box, size_t cap, size_t *box_len,
                         struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_AKEY_GET, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, key_id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const void *p = sqlite3_column_blob(s, 1);
        size_t n = (size_t)sqlite3_column_bytes(s, 1);
        if (n > cap) {
            rc = ts_fail(err, TS_ETOOBIG, "access key %s: stored secret is %zu bytes, more "
                         "than %zu", key_id, n, cap);
        } else {
            *account_id = col_i64(s, 0);
            if (n)
                memcpy(box, p, n);
            *box_len = n;
            rc = 0;
        }
    } else if (rc == SQLITE_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "access key %s does not exist", key_id);
    } else {
        rc = db_fail(st, rc, "reading an access key", err);
    }
    sqlite3_reset(s);
    return rc;
}

/* ---- Credentials that end (schema v17) -------------------------------------------- */

void store_token_id(const unsigned char hash[32], char id[STORE_TOKEN_ID_MAX])
{
    static const char hex[] = "0123456789abcdef";
    id[0] = 't';
    id[1] = 'k';
    for (int i = 0; i < 8; i++) {
        id[2 + 2 * i] = hex[hash[i] >> 4];
        id[3 + 2 * i] = hex[hash[i] & 15];
    }
    id[18] = '\0';
}

int store_token_insert_expiring(struct store *st, const unsigned char hash[32],
                                int64_t account_id, int64_t now_ms, int64_t expires_ms,
                                int sliding, char id_out[STORE_TOKEN_ID_MAX],
                                struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    char id[STORE_TOKEN_ID_MAX];
    int rc = stmt_get(st, S_TOKEN_INSERT, &s, err);

    if (rc)
        return rc;
    store_token_id(hash, id);
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    bind_i64(s, 2, account_id);
    bind_i64(s, 3, now_ms);
    bind_text(s, 4, id);
    if (expires_ms > 0)
        bind_i64(s, 5, expires_ms);
    else
        sqlite3_bind_null(s, 5);
    bind_i64(s, 6, expires_ms > 0 && sliding);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE)
        rc = 0;
    else if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
        rc = ts_fail(err, TS_ECONFLICT, "this token is already registered");
    else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        rc = ts_fail(err, TS_ENOTFOUND, "account %" PRId64 " does not exist", account_id);
    else
        rc = db_fail(st, rc, "storing a token", err);
    sqlite3_reset(s);
    if (!rc && id_out)
        memcpy(id_out, id, sizeof id);
    return rc;
}

int store_token_find(struct store *st, const unsigned char hash[32], int64_t *account_id,
                     int64_t *expires_ms, int *sliding, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_TOKEN_FIND, &s, err);

    if (rc)
        return rc;
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *account_id = col_i64(s, 0);
        *expires_ms = col_i64(s, 1);
        *sliding = col_i64(s, 2) != 0;
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "the token is unknown");
    } else {
        rc = db_fail(st, rc, "looking up a token", err);
    }
    sqlite3_reset(s);
    return rc;
}

int store_token_extend(struct store *st, const unsigned char hash[32], int64_t expires_ms,
                       struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_TOKEN_EXTEND, &s, err);

    if (rc)
        return rc;
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    bind_i64(s, 2, expires_ms);
    return exec_stmt(st, s, "extending a token", err);
}

/* Runs a DELETE prepared and bound in s; TS_ENOTFOUND (with what) when it deleted none. */
static int delete_one(struct store *st, sqlite3_stmt *s, const char *what, struct ts_error *err)
{
    int rc = exec_stmt(st, s, what, err);
    if (!rc && sqlite3_changes(st->db) == 0)
        rc = TS_ENOTFOUND;
    return rc;
}

int store_token_delete_hash(struct store *st, const unsigned char hash[32], struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_TOKEN_DELETE_HASH, &s, err);

    if (rc)
        return rc;
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    rc = delete_one(st, s, "revoking a token", err);
    return rc == TS_ENOTFOUND ? ts_fail(err, rc, "the token is unknown") : rc;
}

int store_token_revoke(struct store *st, int64_t account_id, const char *id, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_TOKEN_REVOKE, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, id);
    bind_i64(s, 2, account_id);
    rc = delete_one(st, s, "revoking a token", err);
    return rc == TS_ENOTFOUND ? ts_fail(err, rc, "there is no token %.40s", id) : rc;
}

int store_token_list(struct store *st, int64_t account_id, int64_t now_ms, int limit,
                     store_token_cb cb, void *ctx, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_TOKEN_LIST, &s, err);

    if (rc)
        return rc;
    bind_i64(s, 1, account_id);
    bind_i64(s, 2, now_ms);
    bind_i64(s, 3, limit);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct token_info t;
        const void *h = sqlite3_column_blob(s, 4);
        col_copy(s, 0, t.id, sizeof t.id);
        t.account_id = col_i64(s, 1);
        t.created_ms = col_i64(s, 2);
        t.expires_ms = col_i64(s, 3);
        memset(t.hash, 0, sizeof t.hash);
        if (h && sqlite3_column_bytes(s, 4) == 32)
            memcpy(t.hash, h, 32);
        rc = cb(ctx, &t);
        if (rc) {
            sqlite3_reset(s);
            return rc;
        }
    }
    rc = rc == SQLITE_DONE ? 0 : db_fail(st, rc, "listing tokens", err);
    sqlite3_reset(s);
    return rc;
}

int store_token_prune(struct store *st, int64_t now_ms, int limit, int *deleted,
                      struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_TOKEN_PRUNE, &s, err);

    *deleted = 0;
    if (rc)
        return rc;
    bind_i64(s, 1, now_ms);
    bind_i64(s, 2, limit);
    rc = exec_stmt(st, s, "pruning expired tokens", err);
    if (!rc)
        *deleted = sqlite3_changes(st->db);
    return rc;
}

int store_access_key_list(struct store *st, int64_t account_id, int limit,
                          store_access_key_cb cb, void *ctx, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_AKEY_LIST, &s, err);

    if (rc)
        return rc;
    bind_i64(s, 1, account_id);
    bind_i64(s, 2, limit);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct access_key_info k;
        col_copy(s, 0, k.key_id, sizeof k.key_id);
        k.account_id = col_i64(s, 1);
        k.created_ms = col_i64(s, 2);
        rc = cb(ctx, &k);
        if (rc) {
            sqlite3_reset(s);
            return rc;
        }
    }
    rc = rc == SQLITE_DONE ? 0 : db_fail(st, rc, "listing access keys", err);
    sqlite3_reset(s);
    return rc;
}

int store_access_key_revoke(struct store *st, int64_t account_id, const char *key_id,
                            struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_AKEY_REVOKE, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, key_id);
    bind_i64(s, 2, account_id);
    rc = delete_one(st, s, "revoking an access key", err);
    return rc == TS_ENOTFOUND ? ts_fail(err, rc, "there is no access key %.40s", key_id) : rc;
}

/* ---- Ledger ----------------------------------------------------------------------- */

static int ledger_find(struct store *st, int64_t owner, enum ledger_kind kind, int64_t *id,
                       struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_LEDGER_FIND, &s, err);

    if (rc)
        return rc;
    bind_i64(s, 1, owner);
    sqlite3_bind_int(s, 2, (int)kind);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *id = col_i64(s, 0);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = TS_ENOTFOUND;
    } else {
        rc = db_fail(st, rc, "finding a ledger account", err);
    }
    sqlite3_reset(s);
    return rc;
}

int store_ledger_account(struct store *st, int64_t owner, enum ledger_kind kind,
                         int64_t *ledger_id, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = ledger_find(st, owner, kind, ledger_id, err);

    if (rc != TS_ENOTFOUND)
        return rc;
    rc = stmt_get(st, S_LEDGER_CREATE, &s, err);
    if (rc)
        return rc;
    bind_i64(s, 1, owner);
    sqlite3_bind_int(s, 2, (int)kind);
    rc = exec_stmt(st, s, "creating a ledger account", err);
    if (rc)
        return rc;
    rc = ledger_find(st, owner, kind, ledger_id, err);
    if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_EIO, "ledger account (%" PRId64 ", %d) vanished after creation",
                     owner, (int)kind);
    return rc;
}

int store_ledger_balance(struct store *st, int64_t ledger_id, int64_t *balance,
                         struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_LEDGER_BALANCE, &s, err);

    if (rc)
        return rc;
    bind_i64(s, 1, ledger_id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *balance = col_i64(s, 0);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "ledger account %" PRId64 " does not exist",
                     ledger_id);
    } else {
        rc = db_fail(st, rc, "reading a balance", err);
    }
    sqlite3_reset(s);
    return rc;
}

static int journal_post(struct store *st, int64_t entry, const struct posting *p,
                        struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_POSTING_INSERT, &s, err);

    if (rc)
        return rc;
    bind_i64(s, 1, entry);
    bind_i64(s, 2, p->ledger_id);
    bind_i64(s, 3, p->amount);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return ts_fail(err, TS_ENOTFOUND, "ledger account %" PRId64 " does not exist",
                       p->ledger_id);
    if (rc != SQLITE_DONE)
        return db_fail(st, rc, "inserting a posting", err);
    rc = stmt_get(st, S_LEDGER_ADD, &s, err);
    if (rc)
        return rc;
    bind_i64(s, 1, p->ledger_id);
    bind_i64(s, 2, p->amount);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    /* The CHECK on balance catches SQLite's silent overflow into a real. */
    if (rc == SQLITE_CONSTRAINT_CHECK)
        return ts_fail(err, TS_EINVAL, "ledger account %" PRId64 ": balance would overflow",
                       p->ledger_id);
    if (rc != SQLITE_DONE)
        return db_fail(st, rc, "updating a balance", err);
    if (sqlite3_changes(st->db) != 1)
        return ts_fail(err, TS_ENOTFOUND, "ledger account %" PRId64 " does not exist",
                       p->ledger_id);
    return 0;
}

int store_journal_insert(struct store *st, const struct journal_entry *e, int64_t *entry_id,
                         struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int64_t id = 0;
    /* An inner savepoint makes a failed insert leave nothing behind. */
    int rc = exec_id(st, S_JSAVEPOINT, "opening a savepoint", err);

    if (rc)
        return rc;
    rc = stmt_get(st, S_JOURNAL_INSERT, &s, err);
    if (rc)
        goto out;
    bind_text(s, 1, e->kind);
    bind_text(s, 2, e->ref ? e->ref : "");
    bind_i64(s, 3, e->at_ms);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        id = (int64_t)sqlite3_last_insert_rowid(st->db);
        rc = 0;
    } else {
        rc = db_fail(st, rc, "inserting a journal entry", err);
    }
    sqlite3_reset(s);
    for (int i = 0; !rc && i < e->n; i++)
        rc = journal_post(st, id, &e->postings[i], err);
out:
    if (rc) {
        if (!sqlite3_get_autocommit(st->db)) {
            exec_id(st, S_JROLLBACK_TO, "rolling back a journal entry", NULL);
            exec_id(st, S_JRELEASE, "releasing a savepoint", NULL);
        }
        return rc;
    }
    rc = exec_id(st, S_JRELEASE, "releasing a savepoint", err);
    if (!rc && entry_id)
        *entry_id = id;
    return rc;
}

int store_journal_count(struct store *st, const char *kind, const char *ref, int64_t *n,
                        struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_JOURNAL_COUNT, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, kind);
    bind_text(s, 2, ref ? ref : "");
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *n = col_i64(s, 0);
        rc = 0;
    } else {
        rc = db_fail(st, rc, "counting journal entries", err);
    }
    sqlite3_reset(s);
    return rc;
}

/* ---- Idempotency tokens ------------------------------------------------------------ */

int store_request_token_get(struct store *st, int64_t requester_id, const char *op,
                            const char *token, int64_t since_ms, char *ref, size_t cap,
                            struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_RTOKEN_GET, &s, err);

    if (rc)
        return rc;
    bind_i64(s, 1, requester_id);
    bind_text(s, 2, op);
    bind_text(s, 3, token);
    bind_i64(s, 4, since_ms);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        col_copy(s, 0, ref, cap);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "request token %s has not been seen", token);
    } else {
        rc = db_fail(st, rc, "reading a request token", err);
    }
    sqlite3_reset(s);
    return rc;
}

int store_request_token_put(struct store *st, int64_t requester_id, const char *op,
                            const char *token, const char *ref, int64_t now_ms,
                            struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_RTOKEN_PUT, &s, err);

    if (rc)
        return rc;
    bind_i64(s, 1, requester_id);
    bind_text(s, 2, op);
    bind_text(s, 3, token);
    bind_text(s, 4, ref ? ref : "");
    bind_i64(s, 5, now_ms);
    return exec_stmt(st, s, "storing a request token", err);
}

/* ---- HIT types -------------------------------------------------------------------- */

int store_hit_type_insert(struct store *st, const struct hit_type *t, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = check_id(t->id, "HIT type", err);

    if (!rc)
        rc = stmt_get(st, S_TYPE_INSERT, &s, err);
    if (rc)
        return rc;
    bind_text(s, 1, t->id);
    bind_i64(s, 2, t->requester_id);
    bind_text(s, 3, t->title ? t->title : "");
    bind_text(s, 4, t->description ? t->description : "");
    bind_text(s, 5, t->keywords ? t->keywords : "");
    bind_text(s, 6, t->quals_json ? t->quals_json : "[]");
    bind_i64(s, 7, t->reward);
    bind_i64(s, 8, t->duration_s);
    bind_i64(s, 9, t->auto_approval_s);
    bind_i64(s, 10, t->created_ms);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE)
        rc = 0;
    else if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
        rc = ts_fail(err, TS_ECONFLICT, "HIT type %s already exists", t->id);
    else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        rc = ts_fail(err, TS_ENOTFOUND, "requester %" PRId64 " does not exist",
                     t->requester_id);
    else
        rc = db_fail(st, rc, "creating a HIT type", err);
    sqlite3_reset(s);
    return rc;
}

int store_hit_type_get(struct store *st, const char *id, struct hit_type *out,
                       struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_TYPE_GET, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        col_copy(s, 0, out->id, sizeof out->id);
        out->requester_id = col_i64(s, 1);
        out->title = col_dup_nn(s, 2);
        out->description = col_dup_nn(s, 3);
        out->keywords = col_dup_nn(s, 4);
        out->quals_json = col_dup_nn(s, 5);
        out->reward = col_i64(s, 6);
        out->duration_s = col_i64(s, 7);
        out->auto_approval_s = col_i64(s, 8);
        out->created_ms = col_i64(s, 9);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "HIT type %s does not exist", id);
    } else {
        rc = db_fail(st, rc, "reading a HIT type", err);
    }
    sqlite3_reset(s);
    return rc;
}

int store_hit_type_find(struct store *st, const struct hit_type *t, char id[STORE_ID_MAX],
                        struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_TYPE_FIND, &s, err);

    if (rc)
        return rc;
    bind_i64(s, 1, t->requester_id);
    bind_text(s, 2, t->title ? t->title : "");
    bind_text(s, 3, t->description ? t->description : "");
    bind_text(s, 4, t->keywords ? t->keywords : "");
    bind_text(s, 5, t->quals_json ? t->quals_json : "[]");
    bind_i64(s, 6, t->reward);
    bind_i64(s, 7, t->duration_s);
    bind_i64(s, 8, t->auto_approval_s);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        col_copy(s, 0, id, STORE_ID_MAX);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "no HIT type with these properties exists");
    } else {
        rc = db_fail(st, rc, "finding a HIT type", err);
    }
    sqlite3_reset(s);
    return rc;
}

/* ---- HITs ------------------------------------------------------------------------- */

static void read_hit(sqlite3_stmt *s, struct hit *h) /* columns: HIT_COLS */
{
    memset(h, 0, sizeof *h);
    h->seq = col_i64(s, 0);
    col_copy(s, 1, h->id, sizeof h->id);
    col_copy(s, 2, h->hit_type_id, sizeof h->hit_type_id);
    col_copy(s, 3, h->batch_id, sizeof h->batch_id);
    h->requester_id = col_i64(s, 4);
    h->question = col_dup(s, 5);
    h->input_json = col_dup(s, 6);
    h->annotation = col_dup(s, 7);
    h->reward = col_i64(s, 8);
    h->fee = col_i64(s, 9);
    h->max_assignments = col_i64(s, 10);
    h->pending = col_i64(s, 11);
    h->submitted = col_i64(s, 12);
    h->approved = col_i64(s, 13);
    h->rejected = col_i64(s, 14);
    h->created_ms = col_i64(s, 15);
    h->expires_ms = col_i64(s, 16);
    h->escrow = col_i64(s, 17);
    h->reviewing = sqlite3_column_int(s, 18);
    h->disposed = sqlite3_column_int(s, 19);
    h->expired = sqlite3_column_int(s, 20);
    h->gold = col_dup(s, 21);
    h->consensus = col_dup(s, 22);
    h->confidence = sqlite3_column_double(s, 23);
    h->overlap_max = col_i64(s, 24);
    h->qc = sqlite3_column_int(s, 25);
    h->policies = sqlite3_column_int(s, 26);
    h->form = sqlite3_column_int(s, 27);
    col_copy(s, 28, h->layout_id, sizeof h->layout_id);
}

int store_hit_insert(struct store *st, struct hit *h, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = check_id(h->id, "HIT", err);

    if (!rc)
        rc = stmt_get(st, S_HIT_INSERT, &s, err);
    if (rc)
        return rc;
    bind_text(s, 1, h->id);
    bind_text(s, 2, h->hit_type_id);
    bind_text_opt(s, 3, h->batch_id);
    bind_i64(s, 4, h->requester_id);
    bind_i64(s, 5, h->reward);
    bind_i64(s, 6, h->fee);
    bind_i64(s, 7, h->max_assignments);
    bind_i64(s, 8, h->pending);
    bind_i64(s, 9, h->submitted);
    bind_i64(s, 10, h->approved);
    bind_i64(s, 11, h->rejected);
    bind_i64(s, 12, h->created_ms);
    bind_i64(s, 13, h->expires_ms);
    bind_i64(s, 14, h->escrow);
    sqlite3_bind_int(s, 15, h->reviewing);
    sqlite3_bind_int(s, 16, h->disposed);
    sqlite3_bind_int(s, 17, h->expired);
    bind_text(s, 18, h->gold);
    bind_i64(s, 19, h->overlap_max);
    sqlite3_bind_int(s, 20, h->qc);
    sqlite3_bind_int(s, 21, h->form);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        h->seq = (int64_t)sqlite3_last_insert_rowid(st->db);
        sqlite3_reset(s);
        if (h->layout_id[0]) {
            rc = stmt_get(st, S_HIT_LAYOUT_INSERT, &s, err);
            if (rc)
                return rc;
            bind_i64(s, 1, h->seq);
            bind_text(s, 2, h->layout_id);
            rc = exec_stmt(st, s, "recording a HIT's layout", err);
            if (rc)
                return rc;
        }
        rc = stmt_get(st, S_HIT_TEXTS_INSERT, &s, err);
        if (rc)
            return rc;
        bind_i64(s, 1, h->seq);
        bind_text(s, 2, h->question ? h->question : "");
        bind_text(s, 3, h->input_json);
        bind_text(s, 4, h->annotation);
        rc = exec_stmt(st, s, "storing a HIT's question", err);
        return rc;
    } else if (rc == SQLITE_CONSTRAINT_UNIQUE) {
        rc = ts_fail(err, TS_ECONFLICT, "HIT %s already exists", h->id);
    } else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
        rc = ts_fail(err, TS_ENOTFOUND,
                     "HIT %s: HIT type %s or requester %" PRId64 " does not exist", h->id,
                     h->hit_type_id, h->requester_id);
    } else {
        rc = db_fail(st, rc, "creating a HIT", err);
    }
    sqlite3_reset(s);
    return rc;
}

int store_hit_get(struct store *st, const char *id, struct hit *out, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_HIT_GET, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_hit(s, out);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "HIT %s does not exist", id);
    } else {
        rc = db_fail(st, rc, "reading a HIT", err);
    }
    sqlite3_reset(s);
    return rc;
}

int store_hit_set_type(struct store *st, const struct hit *h, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_HIT_SET_TYPE, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, h->id);
    bind_text(s, 2, h->hit_type_id);
    return exec_stmt(st, s, "changing a HIT's type", err);
}

int store_hit_set_consensus(struct store *st, const struct hit *h, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_HIT_SET_CONSENSUS, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, h->id);
    bind_text(s, 2, h->consensus);
    sqlite3_bind_double(s, 3, h->confidence);
    return exec_stmt(st, s, "storing a HIT's consensus", err);
}

int store_hit_load_texts(struct store *st, struct hit *h, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_HIT_TEXTS_GET, &s, err);

    if (rc)
        return rc;
    bind_i64(s, 1, h->seq);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        free(h->question);
        free(h->input_json);
        free(h->annotation);
        h->question = col_dup_nn(s, 0);
        h->input_json = col_dup(s, 1);
        h->annotation = col_dup(s, 2);
        col_copy(s, 3, h->layout_id, sizeof h->layout_id);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = ts_fail(err, TS_EIO, "HIT %s has no stored question", h->id);
    } else {
        rc = db_fail(st, rc, "reading a HIT's question", err);
    }
    sqlite3_reset(s);
    return rc;
}

/* Runs a bound UPDATE of one HIT. */
static int hit_update_step(struct store *st, sqlite3_stmt *s, const struct hit *h,
                           struct ts_error *err)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return db_fail(st, rc, "updating a HIT", err);
    if (sqlite3_changes(st->db) == 0)
        return ts_fail(err, TS_ENOTFOUND, "HIT %s does not exist", h->id);
    return 0;
}

int store_hit_update(struct store *st, const struct hit *h, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_HIT_UPDATE, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, h->id);
    bind_i64(s, 2, h->max_assignments);
    bind_i64(s, 3, h->pending);
    bind_i64(s, 4, h->submitted);
    bind_i64(s, 5, h->approved);
    bind_i64(s, 6, h->rejected);
    bind_i64(s, 7, h->expires_ms);
    bind_i64(s, 8, h->escrow);
    sqlite3_bind_int(s, 9, h->reviewing);
    sqlite3_bind_int(s, 10, h->disposed);
    sqlite3_bind_int(s, 11, h->expired);
    bind_i64(s, 12, h->overlap_max);
    return hit_update_step(st, s, h, err);
}

int store_hit_update_counts(struct store *st, const struct hit *h, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_HIT_UPDATE_COUNTS, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, h->id);
    bind_i64(s, 2, h->pending);
    bind_i64(s, 3, h->submitted);
    bind_i64(s, 4, h->approved);
    bind_i64(s, 5, h->rejected);
    bind_i64(s, 6, h->escrow);
    return hit_update_step(st, s, h, err);
}

int store_hit_next_open(struct store *st, const char *hit_type_id, int64_t worker_id,
                        int64_t now_ms, int gold, char hit_id[STORE_ID_MAX],
                        struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_HIT_NEXT_OPEN, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, hit_type_id);
    bind_i64(s, 2, worker_id);
    bind_i64(s, 3, now_ms);
    sqlite3_bind_int(s, 4, gold ? 1 : 0);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        col_copy(s, 0, hit_id, STORE_ID_MAX);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "HIT type %s has no %sHIT open to worker %" PRId64,
                     hit_type_id, gold ? "gold " : "", worker_id);
    } else {
        rc = db_fail(st, rc, "finding an open HIT", err);
    }
    sqlite3_reset(s);
    return rc;
}

/* Walks a bound list statement whose first column is seq: calls visit for up to limit
 * rows (the statement was bound with LIMIT limit + 1), then resets it. */
struct list_cb {
    store_layout_cb layout;
    store_hit_cb hit;
    store_asg_cb asg;
    store_bonus_cb bonus;
    store_block_cb block;
    store_qual_type_cb qual_type;
    store_qual_cb qual;
    store_message_cb message;
    store_qual_request_cb qual_request;
    store_notify_cb notify;
    void *ctx;
};
typedef int (*row_visit)(sqlite3_stmt *s, const struct list_cb *cb);

static int walk_rows(struct store *st, sqlite3_stmt *s, int limit, row_visit visit,
                     const struct list_cb *cb, int64_t *last_seq, int *more, const char *what,
                     struct ts_error *err)
{
    int rc, visited = 0, stop = 0;

    *last_seq = 0;
    *more = 0;
    for (;;) {
        rc = sqlite3_step(s);
        if (rc == SQLITE_DONE) {
            rc = 0;
            break;
        }
        if (rc != SQLITE_ROW) {
            rc = db_fail(st, rc, what, err);
            break;
        }
        if (visited >= limit || stop) {
            *more = 1;
            rc = 0;
            break;
        }
        visited++;
        *last_seq = col_i64(s, 0);
        stop = visit(s, cb) != 0;
    }
    sqlite3_reset(s);
    return rc;
}

static int visit_hit(sqlite3_stmt *s, const struct list_cb *cb)
{
    struct hit h;
    int r;

    read_hit(s, &h);
    r = cb->hit(cb->ctx, &h);
    store_hit_release(&h);
    return r;
}

int store_hit_list(struct store *st, const struct hit_filter *f, int64_t after_seq, int limit,
                   store_hit_cb cb, void *ctx, int64_t *last_seq, int *more,
                   struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int by_batch = f->batch_id && f->batch_id[0];
    struct list_cb lcb = {.hit = cb, .ctx = ctx};
    int rc;

    if (limit < 0)
        return ts_fail(err, TS_EINVAL, "the list limit must not be negative");
    rc = stmt_get(st, by_batch ? S_HIT_LIST_BATCH : S_HIT_LIST_REQ, &s, err);
    if (rc)
        return rc;
    bind_i64(s, 1, f->requester_id);
    bind_i64(s, 2, after_seq);
    bind_text(s, 3, f->hit_type_id);
    sqlite3_bind_int(s, 4, (int)f->mode);
    bind_i64(s, 5, f->now_ms);
    bind_i64(s, 6, (int64_t)limit + 1);
    if (by_batch)
        bind_text(s, 7, f->batch_id);
    if (f->qual_type_id) {
        char quoted[72]; /* ids are at most 64 characters */
        snprintf(quoted, sizeof quoted, "\"%s\"", f->qual_type_id);
        sqlite3_bind_text(s, 8, quoted, -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_null(s, 8);
    }
    return walk_rows(st, s, limit, visit_hit, &lcb, last_seq, more, "listing HITs", err);
}

static int collect_ids(struct store *st, sqlite3_stmt *s, char (*ids)[STORE_ID_MAX], int cap,
                       int *n, const char *what, struct ts_error *err)
{
    int rc;

    *n = 0;
    for (;;) {
        rc = sqlite3_step(s);
        if (rc != SQLITE_ROW || *n >= cap)
            break;
        col_copy(s, 0, ids[*n], STORE_ID_MAX);
        (*n)++;
    }
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        rc = 0;
    else
        rc = db_fail(st, rc, what, err);
    sqlite3_reset(s);
    return rc;
}

int store_hit_due_expiry(struct store *st, int64_t now_ms, char (*ids)[STORE_ID_MAX], int cap,
                         int *n, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_HIT_DUE_EXPIRY, &s, err);

    *n = 0;
    if (rc)
        return rc;
    bind_i64(s, 1, now_ms);
    bind_i64(s, 2, cap < 0 ? 0 : cap);
    return collect_ids(st, s, ids, cap, n, "listing expired HITs", err);
}

int store_available_types(struct store *st, int64_t worker_id, int64_t now_ms,
                          store_avail_cb cb, void *ctx, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_AVAILABLE_TYPES, &s, err);

    if (rc)
        return rc;
    bind_i64(s, 2, worker_id);
    bind_i64(s, 3, now_ms);
    for (;;) {
        rc = sqlite3_step(s);
        if (rc != SQLITE_ROW)
            break;
        if (cb(ctx, ctext(s, 0), col_i64(s, 1)) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    rc = rc == SQLITE_DONE ? 0 : db_fail(st, rc, "listing available HIT types", err);
    sqlite3_reset(s);
    return rc;
}

/* ---- Assignments ------------------------------------------------------------------ */

static void read_asg(sqlite3_stmt *s, struct assignment *a) /* columns: ASG_COLS */
{
    memset(a, 0, sizeof *a);
    a->seq = col_i64(s, 0);
    col_copy(s, 1, a->id, sizeof a->id);
    col_copy(s, 2, a->hit_id, sizeof a->hit_id);
    col_copy(s, 3, a->hit_type_id, sizeof a->hit_type_id);
    a->worker_id = col_i64(s, 4);
    a->requester_id = col_i64(s, 5);
    a->status = (enum asg_status)sqlite3_column_int(s, 6);
    a->accepted_ms = col_i64(s, 7);
    a->deadline_ms = col_i64(s, 8);
    a->submitted_ms = col_i64(s, 9);
    a->auto_approve_ms = col_i64(s, 10);
    a->approved_ms = col_i64(s, 11);
    a->rejected_ms = col_i64(s, 12);
    a->returned_ms = col_i64(s, 13);
    a->answer_json = col_dup(s, 14);
    a->feedback = col_dup(s, 15);
    a->label = col_dup(s, 16);
}

int store_asg_insert(struct store *st, struct assignment *a, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = check_id(a->id, "assignment", err);

    if (!rc)
        rc = stmt_get(st, S_ASG_INSERT, &s, err);
    if (rc)
        return rc;
    bind_text(s, 1, a->id);
    bind_text(s, 2, a->hit_id);
    bind_text(s, 3, a->hit_type_id);
    bind_i64(s, 4, a->worker_id);
    bind_i64(s, 5, a->requester_id);
    sqlite3_bind_int(s, 6, (int)a->status);
    bind_i64(s, 7, a->accepted_ms);
    bind_i64(s, 8, a->deadline_ms);
    bind_i64(s, 9, a->submitted_ms);
    bind_i64(s, 10, a->auto_approve_ms);
    bind_i64(s, 11, a->approved_ms);
    bind_i64(s, 12, a->rejected_ms);
    bind_i64(s, 13, a->returned_ms);
    bind_text(s, 14, a->answer_json);
    bind_text(s, 15, a->feedback);
    bind_text(s, 16, a->label);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        a->seq = (int64_t)sqlite3_last_insert_rowid(st->db);
        rc = 0;
    } else if (rc == SQLITE_CONSTRAINT_UNIQUE && strstr(sqlite3_errmsg(st->db), "worker_id")) {
        rc = ts_fail(err, TS_ECONFLICT, "worker %" PRId64 " already has an assignment on HIT %s",
                     a->worker_id, a->hit_id);
    } else if (rc == SQLITE_CONSTRAINT_UNIQUE) {
        rc = ts_fail(err, TS_ECONFLICT, "assignment %s already exists", a->id);
    } else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
        rc = ts_fail(err, TS_ENOTFOUND,
                     "assignment %s: HIT %s or worker %" PRId64 " does not exist", a->id,
                     a->hit_id, a->worker_id);
    } else {
        rc = db_fail(st, rc, "creating an assignment", err);
    }
    sqlite3_reset(s);
    return rc;
}

int store_asg_get(struct store *st, const char *id, struct assignment *out,
                  struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_ASG_GET, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_asg(s, out);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "assignment %s does not exist", id);
    } else {
        rc = db_fail(st, rc, "reading an assignment", err);
    }
    sqlite3_reset(s);
    return rc;
}

int store_asg_update(struct store *st, const struct assignment *a, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_ASG_UPDATE, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, a->id);
    sqlite3_bind_int(s, 2, (int)a->status);
    bind_i64(s, 3, a->accepted_ms);
    bind_i64(s, 4, a->deadline_ms);
    bind_i64(s, 5, a->submitted_ms);
    bind_i64(s, 6, a->auto_approve_ms);
    bind_i64(s, 7, a->approved_ms);
    bind_i64(s, 8, a->rejected_ms);
    bind_i64(s, 9, a->returned_ms);
    bind_text(s, 10, a->answer_json);
    bind_text(s, 11, a->feedback);
    bind_text(s, 12, a->label);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return db_fail(st, rc, "updating an assignment", err);
    if (sqlite3_changes(st->db) == 0)
        return ts_fail(err, TS_ENOTFOUND, "assignment %s does not exist", a->id);
    return 0;
}

static int visit_asg(sqlite3_stmt *s, const struct list_cb *cb)
{
    struct assignment a;
    int r;

    read_asg(s, &a);
    r = cb->asg(cb->ctx, &a);
    store_asg_release(&a);
    return r;
}

int store_asg_list(struct store *st, const struct asg_filter *f, int64_t after_seq, int limit,
                   store_asg_cb cb, void *ctx, int64_t *last_seq, int *more,
                   struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    enum stmt_id id;
    int set = (f->hit_id != NULL) + (f->batch_id != NULL) + (f->worker_id != 0);
    struct list_cb lcb = {.asg = cb, .ctx = ctx};
    int rc;

    *last_seq = 0;
    *more = 0;
    if (set != 1)
        return ts_fail(err, TS_EINVAL, "list assignments by exactly one of HIT, batch or "
                       "worker");
    if (limit < 0)
        return ts_fail(err, TS_EINVAL, "the list limit must not be negative");
    id = f->hit_id ? S_ASG_LIST_HIT : f->batch_id ? S_ASG_LIST_BATCH : S_ASG_LIST_WORKER;
    rc = stmt_get(st, id, &s, err);
    if (rc)
        return rc;
    if (f->hit_id)
        bind_text(s, 1, f->hit_id);
    else if (f->batch_id)
        bind_text(s, 1, f->batch_id);
    else
        bind_i64(s, 1, f->worker_id);
    bind_i64(s, 2, after_seq);
    bind_i64(s, 3, (int64_t)f->status_mask);
    bind_i64(s, 4, (int64_t)limit + 1);
    return walk_rows(st, s, limit, visit_asg, &lcb, last_seq, more, "listing assignments",
                     err);
}

int store_asg_due(struct store *st, enum asg_due which, int64_t now_ms,
                  char (*ids)[STORE_ID_MAX], int cap, int *n, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc;

    *n = 0;
    if (which != ASG_DUE_DEADLINE && which != ASG_DUE_APPROVAL)
        return ts_fail(err, TS_EINVAL, "unknown due list %d", (int)which);
    rc = stmt_get(st, which == ASG_DUE_DEADLINE ? S_ASG_DUE_DEADLINE : S_ASG_DUE_APPROVAL, &s,
                  err);
    if (rc)
        return rc;
    bind_i64(s, 1, now_ms);
    bind_i64(s, 2, cap < 0 ? 0 : cap);
    return collect_ids(st, s, ids, cap, n, "listing due assignments", err);
}

static int step_i64(struct store *st, sqlite3_stmt *s, int64_t *v, const char *what,
                    struct ts_error *err)
{
    int rc = sqlite3_step(s);

    if (rc == SQLITE_ROW) {
        *v = col_i64(s, 0);
        rc = 0;
    } else {
        rc = db_fail(st, rc, what, err);
    }
    sqlite3_reset(s);
    return rc;
}

int store_type_median_work_ms(struct store *st, const char *hit_type_id, int64_t *median_ms,
                              int64_t *n, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int64_t count = 0, a = 0, b = 0;
    int rc = stmt_get(st, S_MEDIAN_COUNT, &s, err);

    *median_ms = 0;
    *n = 0;
    if (rc)
        return rc;
    bind_text(s, 1, hit_type_id);
    rc = step_i64(st, s, &count, "counting work times", err);
    if (rc || count == 0)
        return rc;
    rc = stmt_get(st, S_MEDIAN_AT, &s, err);
    if (rc)
        return rc;
    bind_text(s, 1, hit_type_id);
    bind_i64(s, 2, (count - 1) / 2);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        a = b = col_i64(s, 0);
        if (count % 2 == 0 && sqlite3_step(s) == SQLITE_ROW)
            b = col_i64(s, 0);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = 0; /* the rows changed under us: report none */
        count = 0;
    } else {
        rc = db_fail(st, rc, "reading the median work time", err);
    }
    sqlite3_reset(s);
    if (rc)
        return rc;
    *median_ms = a + (b - a) / 2; /* no overflow for a <= b */
    *n = count;
    return 0;
}

/* The funnel: accepted counts every assignment the worker ever accepted, submitted those
 * ever submitted (now Submitted, Approved or Rejected), and approved, rejected, returned,
 * abandoned count the current status. approved_work_ms and approved_reward sum over the
 * Approved ones; bonuses over the bonuses table. */
int store_worker_stats(struct store *st, int64_t worker_id, struct worker_stats *out,
                       struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_WORKER_STATS, &s, err);

    memset(out, 0, sizeof *out);
    if (rc)
        return rc;
    bind_i64(s, 1, worker_id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->accepted = col_i64(s, 0);
        out->submitted = col_i64(s, 1);
        out->approved = col_i64(s, 2);
        out->rejected = col_i64(s, 3);
        out->returned = col_i64(s, 4);
        out->abandoned = col_i64(s, 5);
        out->approved_work_ms = col_i64(s, 6);
        out->approved_reward = col_i64(s, 7);
        rc = 0;
    } else {
        rc = db_fail(st, rc, "reading worker statistics", err);
    }
    sqlite3_reset(s);
    if (rc)
        return rc;
    rc = stmt_get(st, S_WORKER_BONUSES, &s, err);
    if (rc)
        return rc;
    bind_i64(s, 1, worker_id);
    return step_i64(st, s, &out->bonuses, "summing bonuses", err);
}

/* ---- Bonuses ---------------------------------------------------------------------- */

int store_bonus_insert(struct store *st, struct bonus *b, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = check_id(b->id, "bonus", err);

    if (!rc)
        rc = stmt_get(st, S_BONUS_INSERT, &s, err);
    if (rc)
        return rc;
    bind_text(s, 1, b->id);
    bind_i64(s, 2, b->requester_id);
    bind_i64(s, 3, b->worker_id);
    bind_text(s, 4, b->assignment_id);
    bind_text(s, 5, b->hit_id);
    bind_i64(s, 6, b->amount);
    bind_i64(s, 7, b->fee);
    bind_text(s, 8, b->reason ? b->reason : "");
    bind_i64(s, 9, b->granted_ms);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        b->seq = (int64_t)sqlite3_last_insert_rowid(st->db);
        rc = 0;
    } else if (rc == SQLITE_CONSTRAINT_UNIQUE) {
        rc = ts_fail(err, TS_ECONFLICT, "bonus %s already exists", b->id);
    } else {
        rc = db_fail(st, rc, "recording a bonus", err);
    }
    sqlite3_reset(s);
    return rc;
}

static int visit_bonus(sqlite3_stmt *s, const struct list_cb *cb)
{
    struct bonus b;
    int r;

    memset(&b, 0, sizeof b);
    b.seq = col_i64(s, 0);
    col_copy(s, 1, b.id, sizeof b.id);
    b.requester_id = col_i64(s, 2);
    b.worker_id = col_i64(s, 3);
    col_copy(s, 4, b.assignment_id, sizeof b.assignment_id);
    col_copy(s, 5, b.hit_id, sizeof b.hit_id);
    b.amount = col_i64(s, 6);
    b.fee = col_i64(s, 7);
    b.reason = col_dup_nn(s, 8);
    b.granted_ms = col_i64(s, 9);
    r = cb->bonus(cb->ctx, &b);
    store_bonus_release(&b);
    return r;
}

int store_bonus_list(struct store *st, const struct bonus_filter *f, int64_t after_seq,
                     int limit, store_bonus_cb cb, void *ctx, int64_t *last_seq, int *more,
                     struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    struct list_cb lcb = {.bonus = cb, .ctx = ctx};
    int rc;

    *last_seq = 0;
    *more = 0;
    if (limit < 0)
        return ts_fail(err, TS_EINVAL, "the list limit must not be negative");
    rc = stmt_get(st, S_BONUS_LIST, &s, err);
    if (rc)
        return rc;
    bind_i64(s, 1, f->requester_id);
    bind_i64(s, 2, after_seq);
    bind_text(s, 3, f->hit_id);
    bind_text(s, 4, f->assignment_id);
    bind_i64(s, 5, (int64_t)limit + 1);
    return walk_rows(st, s, limit, visit_bonus, &lcb, last_seq, more, "listing bonuses",
                     err);
}

/* ---- Batches ---------------------------------------------------------------------- */

int store_batch_set_labels(struct store *st, const struct batch *b, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_BATCH_SET_LABELS, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, b->id);
    bind_text(s, 2, b->labels_json ? b->labels_json : "[]");
    return exec_stmt(st, s, "updating a batch's labels", err);
}

int store_worker_gold_get(struct store *st, const char *batch_id, int64_t worker_id,
                          int64_t *seen, int64_t *correct, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_WGOLD_GET, &s, err);

    *seen = *correct = 0;
    if (rc)
        return rc;
    bind_text(s, 1, batch_id);
    bind_i64(s, 2, worker_id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *seen = col_i64(s, 0);
        *correct = col_i64(s, 1);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = 0;
    } else {
        rc = db_fail(st, rc, "reading a worker's gold answers", err);
    }
    sqlite3_reset(s);
    return rc;
}

int store_worker_gold_add(struct store *st, const char *batch_id, int64_t worker_id,
                          int correct, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_WGOLD_ADD, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, batch_id);
    bind_i64(s, 2, worker_id);
    sqlite3_bind_int(s, 3, correct ? 1 : 0);
    return exec_stmt(st, s, "counting a gold answer", err);
}

int store_batch_insert(struct store *st, const struct batch *b, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = check_id(b->id, "batch", err);

    if (!rc)
        rc = stmt_get(st, S_BATCH_INSERT, &s, err);
    if (rc)
        return rc;
    bind_text(s, 1, b->id);
    bind_i64(s, 2, b->requester_id);
    bind_text(s, 3, b->hit_type_id);
    bind_i64(s, 4, b->hits);
    bind_i64(s, 5, b->created_ms);
    bind_text(s, 6, b->label_field[0] ? b->label_field : NULL);
    bind_i64(s, 7, b->gold_rate_ppm);
    bind_i64(s, 8, b->min_assignments);
    bind_i64(s, 9, b->confidence_ppm);
    bind_text(s, 10, b->labels_json ? b->labels_json : "[]");
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE)
        rc = 0;
    else if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
        rc = ts_fail(err, TS_ECONFLICT, "batch %s already exists", b->id);
    else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        rc = ts_fail(err, TS_ENOTFOUND,
                     "batch %s: requester %" PRId64 " or HIT type %s does not exist", b->id,
                     b->requester_id, b->hit_type_id);
    else
        rc = db_fail(st, rc, "creating a batch", err);
    sqlite3_reset(s);
    return rc;
}

int store_batch_get(struct store *st, const char *id, struct batch *out, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_BATCH_GET, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        col_copy(s, 0, out->id, sizeof out->id);
        out->requester_id = col_i64(s, 1);
        col_copy(s, 2, out->hit_type_id, sizeof out->hit_type_id);
        out->hits = col_i64(s, 3);
        out->created_ms = col_i64(s, 4);
        col_copy(s, 5, out->label_field, sizeof out->label_field);
        out->gold_rate_ppm = col_i64(s, 6);
        out->min_assignments = col_i64(s, 7);
        out->confidence_ppm = col_i64(s, 8);
        out->labels_json = col_dup_nn(s, 9);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "batch %s does not exist", id);
    } else {
        rc = db_fail(st, rc, "reading a batch", err);
    }
    sqlite3_reset(s);
    return rc;
}

/* ---- Consistency ------------------------------------------------------------------ */

struct check_run {
    void (*report)(void *ctx, const char *msg);
    void *ctx;
    int *violations;
};

static void say(struct check_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct check_run *r, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
        msg[0] = '\0';
    va_end(ap);
    (*r->violations)++;
    if (r->report)
        r->report(r->ctx, msg);
}

static const char *kind_name(int64_t kind)
{
    switch (kind) {
    case LEDGER_EXTERNAL: return "external";
    case LEDGER_AVAILABLE: return "available";
    case LEDGER_ESCROW: return "escrow";
    case LEDGER_EARNINGS: return "earnings";
    case LEDGER_FEES: return "fees";
    default: return "unknown-kind";
    }
}

static void say_row(struct check_run *r, enum stmt_id id, sqlite3_stmt *s)
{
    switch (id) {
    case S_CHECK_ENTRY_SUM:
        say(r, "journal entry %" PRId64 " (%s %s) does not balance: postings sum to %" PRId64,
            col_i64(s, 0), ctext(s, 1), ctext(s, 2), col_i64(s, 3));
        break;
    case S_CHECK_BALANCE_SUM:
        say(r, "ledger account %" PRId64 " (%s of owner %" PRId64 ") has balance %" PRId64
            " but its postings sum to %" PRId64, col_i64(s, 0), kind_name(col_i64(s, 2)),
            col_i64(s, 1), col_i64(s, 3), col_i64(s, 4));
        break;
    case S_CHECK_NEGATIVE:
        say(r, "ledger account %" PRId64 " (%s of owner %" PRId64 ") is negative: %" PRId64,
            col_i64(s, 0), kind_name(col_i64(s, 2)), col_i64(s, 1), col_i64(s, 3));
        break;
    case S_CHECK_PAY_TWICE:
        say(r, "assignment %s is paid %" PRId64 " times", ctext(s, 0), col_i64(s, 1));
        break;
    case S_CHECK_PAY_STATUS:
        if (col_i64(s, 1) == ASG_APPROVED)
            say(r, "assignment %s is Approved but has no pay entry", ctext(s, 0));
        else
            say(r, "assignment %s has status %" PRId64 " but %" PRId64 " pay entries",
                ctext(s, 0), col_i64(s, 1), col_i64(s, 2));
        break;
    case S_CHECK_HIT_COUNTS:
        say(r, "HIT %s counts pending=%" PRId64 " submitted=%" PRId64 " approved=%" PRId64
            " rejected=%" PRId64 " but has %" PRId64 " Accepted, %" PRId64 " Submitted, %"
            PRId64 " Approved, %" PRId64 " Rejected assignments", ctext(s, 0), col_i64(s, 1),
            col_i64(s, 2), col_i64(s, 3), col_i64(s, 4), col_i64(s, 5), col_i64(s, 6),
            col_i64(s, 7), col_i64(s, 8));
        break;
    case S_CHECK_HIT_MAX:
        say(r, "HIT %s has %" PRId64 " live and finished assignments, more than its maximum %"
            PRId64, ctext(s, 0), col_i64(s, 1), col_i64(s, 2));
        break;
    case S_CHECK_PAIR:
        say(r, "worker %" PRId64 " holds %" PRId64 " assignments on HIT %s", col_i64(s, 1),
            col_i64(s, 2), ctext(s, 0));
        break;
    case S_CHECK_HIT_ESCROW:
        say(r, "HIT %s holds escrow %" PRId64 " but should hold %" PRId64, ctext(s, 0),
            col_i64(s, 1), col_i64(s, 2));
        break;
    case S_CHECK_REQ_ESCROW:
        say(r, "requester %" PRId64 " has escrow balance %" PRId64 " but its HITs hold %" PRId64,
            col_i64(s, 0), col_i64(s, 1), col_i64(s, 2));
        break;
    case S_CHECK_TOTAL:
        if (col_i64(s, 0) != 0)
            say(r, "the ledger balances sum to %" PRId64 ", not 0", col_i64(s, 0));
        break;
    case S_CHECK_WORKER_COUNTS:
        say(r, "worker %" PRId64 " has %" PRId64 " Approved and %" PRId64 " Rejected "
            "assignments but counts %" PRId64 " and %" PRId64, col_i64(s, 0), col_i64(s, 1),
            col_i64(s, 2), col_i64(s, 3), col_i64(s, 4));
        break;
    case S_CHECK_LAYOUT_OWNER:
        say(r, "HIT %s was made from layout %s of another requester", ctext(s, 0), ctext(s, 1));
        break;
    case S_CHECK_UPLOADS:
        say(r, "upload %s of assignment %s (status %" PRId64 ") is not a stored file of "
            "submitted work: size %" PRId64 ", %" PRId64 " bytes, hash of %" PRId64 " bytes",
            ctext(s, 0), ctext(s, 1), col_i64(s, 2), col_i64(s, 3), col_i64(s, 4),
            col_i64(s, 5));
        break;
    case S_CHECK_NOTIFY:
        say(r, "notification %s %s is inconsistent (settings of another requester's HIT "
            "type, or a message whose state, attempts and done time disagree)",
            ctext(s, 0), ctext(s, 1));
        break;
    case S_CHECK_REVIEW_FLAGS:
        say(r, "HIT %s marks review policy levels %" PRId64 " but has policies for %" PRId64,
            ctext(s, 0), col_i64(s, 1), col_i64(s, 2));
        break;
    case S_CHECK_REVIEW_ITEMS:
        say(r, "HIT %s has %" PRId64 " review results or actions at level %" PRId64
            " but no policy there", ctext(s, 0), col_i64(s, 2), col_i64(s, 1));
        break;
    case S_CHECK_REVIEW_APPROVED:
        say(r, "assignment %s was approved by a review policy but has status %" PRId64,
            ctext(s, 0), col_i64(s, 1));
        break;
    case S_CHECK_QUAL_REQUEST:
        say(r, "qualification request %s (status %" PRId64 ") lacks the score, test or "
            "answers its status needs", ctext(s, 0), col_i64(s, 1));
        break;
    default:
        TS_BUG("store_check: statement %d is not a check", (int)id);
    }
}

static const enum stmt_id check_stmts[] = {
    S_CHECK_ENTRY_SUM, S_CHECK_BALANCE_SUM, S_CHECK_NEGATIVE, S_CHECK_PAY_TWICE,
    S_CHECK_PAY_STATUS, S_CHECK_HIT_COUNTS, S_CHECK_HIT_MAX, S_CHECK_PAIR,
    S_CHECK_HIT_ESCROW, S_CHECK_REQ_ESCROW, S_CHECK_TOTAL, S_CHECK_WORKER_COUNTS,
    S_CHECK_LAYOUT_OWNER,
    S_CHECK_UPLOADS,
    S_CHECK_NOTIFY, S_CHECK_REVIEW_FLAGS, S_CHECK_REVIEW_ITEMS, S_CHECK_REVIEW_APPROVED,
    S_CHECK_QUAL_REQUEST,
};

int store_check(struct store *st, void (*report)(void *ctx, const char *msg), void *ctx,
                int *violations, struct ts_error *err)
{
    struct check_run r = {report, ctx, violations};
    sqlite3_stmt *s = NULL;
    int rc = 0;

    *violations = 0;
    for (size_t i = 0; !rc && i < sizeof check_stmts / sizeof check_stmts[0]; i++) {
        rc = stmt_get(st, check_stmts[i], &s, err);
        if (rc)
            break;
        for (;;) {
            rc = sqlite3_step(s);
            if (rc != SQLITE_ROW)
                break;
            say_row(&r, check_stmts[i], s);
        }
        rc = rc == SQLITE_DONE ? 0 : db_fail(st, rc, "checking consistency", err);
        sqlite3_reset(s);
    }
    return rc;
}

/* ---- Pseudonyms and worker blocks ---------------------------------------------------- */

int store_pseudonym_note(struct store *st, int64_t requester_id, const char *pseudonym,
                         int64_t worker_id, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_PSEUD_NOTE, &s, err);

    if (rc)
        return rc;
    bind_i64(s, 1, requester_id);
    bind_text(s, 2, pseudonym);
    bind_i64(s, 3, worker_id);
    return exec_stmt(st, s, "remembering a pseudonym", err);
}

/* Prepares statement id and binds key (a requester or worker id) as its ?1. */
static int find_one(struct store *st, enum stmt_id id, int64_t key, sqlite3_stmt **out,
                    struct ts_error *err)
{
    int rc = stmt_get(st, id, out, err);
    if (rc)
        return rc;
    bind_i64(*out, 1, key);
    return 0;
}

/* The common shape of a keyed list: ?1 key, ?2 after_seq, then (when has_text) ?3 text,
 * then the limit + 1 (see walk_rows). */
static int list_keyed(struct store *st, enum stmt_id id, int64_t key, int has_text,
                      const char *text, int64_t after_seq, int limit, row_visit visit,
                      const struct list_cb *lcb, int64_t *last_seq, int *more, const char *what,
                      struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc;

    *last_seq = 0;
    *more = 0;
    if (limit < 0)
        return ts_fail(err, TS_EINVAL, "the list limit must not be negative");
    rc = find_one(st, id, key, &s, err);
    if (rc)
        return rc;
    bind_i64(s, 2, after_seq);
    if (has_text)
        bind_text(s, 3, text);
    bind_i64(s, has_text ? 4 : 3, (int64_t)limit + 1);
    return walk_rows(st, s, limit, visit, lcb, last_seq, more, what, err);
}

int store_pseudonym_find(struct store *st, int64_t requester_id, const char *pseudonym,
                         int64_t *worker_id, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = find_one(st, S_PSEUD_FIND, requester_id, &s, err);

    if (rc)
        return rc;
    bind_text(s, 2, pseudonym);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *worker_id = col_i64(s, 0);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "no worker %s has worked for requester %" PRId64,
                     pseudonym, requester_id);
    } else {
        rc = db_fail(st, rc, "finding a pseudonym", err);
    }
    sqlite3_reset(s);
    return rc;
}

int store_block_put(struct store *st, int64_t requester_id, int64_t worker_id,
                    const char *reason, int64_t now_ms, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = find_one(st, S_BLOCK_PUT, requester_id, &s, err);

    if (rc)
        return rc;
    bind_i64(s, 2, worker_id);
    bind_text(s, 3, reason);
    bind_i64(s, 4, now_ms);
    return exec_stmt(st, s, "blocking a worker", err);
}

int store_block_delete(struct store *st, int64_t requester_id, int64_t worker_id,
                       struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = find_one(st, S_BLOCK_DELETE, requester_id, &s, err);

    if (rc)
        return rc;
    bind_i64(s, 2, worker_id);
    rc = exec_stmt(st, s, "unblocking a worker", err);
    if (!rc && sqlite3_changes(st->db) == 0)
        rc = ts_fail(err, TS_ENOTFOUND, "worker %" PRId64 " is not blocked", worker_id);
    return rc;
}

int store_block_get(struct store *st, int64_t requester_id, int64_t worker_id,
                    char **reason, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = find_one(st, S_BLOCK_GET, requester_id, &s, err);

    *reason = NULL;
    if (rc)
        return rc;
    bind_i64(s, 2, worker_id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *reason = col_dup_nn(s, 0);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = TS_ENOTFOUND; /* not an error a person sees: the caller branches on it */
    } else {
        rc = db_fail(st, rc, "reading a block", err);
    }
    sqlite3_reset(s);
    return rc;
}

static int visit_block(sqlite3_stmt *s, const struct list_cb *cb)
{
    return cb->block(cb->ctx, col_i64(s, 1), (const char *)sqlite3_column_text(s, 2));
}

int store_block_list(struct store *st, int64_t requester_id, int64_t after_seq, int limit,
                     store_block_cb cb, void *ctx, int64_t *last_seq, int *more,
                     struct ts_error *err)
{
    struct list_cb lcb = {.block = cb, .ctx = ctx};
    return list_keyed(st, S_BLOCK_LIST, requester_id, 0, NULL, after_seq, limit, visit_block,
                      &lcb, last_seq, more, "listing blocks", err);
}

int store_worker_counts(struct store *st, int64_t worker_id, int64_t *approved,
                        int64_t *rejected, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = find_one(st, S_WCOUNT_GET, worker_id, &s, err);

    *approved = *rejected = 0;
    if (rc)
        return rc;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *approved = col_i64(s, 0);
        *rejected = col_i64(s, 1);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = 0;
    } else {
        rc = db_fail(st, rc, "reading a worker's reviews", err);
    }
    sqlite3_reset(s);
    return rc;
}

int store_worker_count_add(struct store *st, int64_t worker_id, int64_t d_approved,
                           int64_t d_rejected, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = find_one(st, S_WCOUNT_ADD, worker_id, &s, err);

    if (rc)
        return rc;
    bind_i64(s, 2, d_approved);
    bind_i64(s, 3, d_rejected);
    return exec_stmt(st, s, "counting a worker's reviews", err);
}

/* ---- Qualification types and scores --------------------------------------------------- */

/* ---- HIT layouts ----------------------------------------------------------------------- */

static void read_layout(sqlite3_stmt *s, struct hit_layout *l) /* columns: LAYOUT_COLS */
{
    memset(l, 0, sizeof *l);
    l->seq = col_i64(s, 0);
    col_copy(s, 1, l->id, sizeof l->id);
    l->requester_id = col_i64(s, 2);
    l->name = col_dup_nn(s, 3);
    l->content = col_dup_nn(s, 4);
    l->frame_height = col_i64(s, 5);
    l->params_json = col_dup_nn(s, 6);
    l->created_ms = col_i64(s, 7);
}

int store_layout_insert(struct store *st, struct hit_layout *l, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = check_id(l->id, "HIT layout", err);

    if (!rc)
        rc = stmt_get(st, S_LAYOUT_INSERT, &s, err);
    if (rc)
        return rc;
    bind_text(s, 1, l->id);
    bind_i64(s, 2, l->requester_id);
    bind_text(s, 3, l->name);
    bind_text(s, 4, l->content);
    bind_i64(s, 5, l->frame_height);
    bind_text(s, 6, l->params_json);
    bind_i64(s, 7, l->created_ms);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        l->seq = (int64_t)sqlite3_last_insert_rowid(st->db);
        rc = 0;
    } else {
        rc = db_fail(st, rc, "creating a HIT layout", err);
    }
    sqlite3_reset(s);
    return rc;
}

int store_layout_get(struct store *st, const char *id, struct hit_layout *out,
                     struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_LAYOUT_GET, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_layout(s, out);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "HIT layout %s does not exist", id);
    } else {
        rc = db_fail(st, rc, "reading a HIT layout", err);
    }
    sqlite3_reset(s);
    return rc;
}

int store_layout_delete(struct store *st, const char *id, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_LAYOUT_DELETE, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, id);
    return exec_stmt(st, s, "deleting a HIT layout", err);
}

static int visit_layout(sqlite3_stmt *s, const struct list_cb *cb)
{
    struct hit_layout l;
    int r;

    read_layout(s, &l);
    r = cb->layout(cb->ctx, &l);
    store_layout_release(&l);
    return r;
}

int store_layout_list(struct store *st, int64_t requester_id, int64_t after_seq, int limit,
                      store_layout_cb cb, void *ctx, int64_t *last_seq, int *more,
                      struct ts_error *err)
{
    struct list_cb lcb = {.layout = cb, .ctx = ctx};
    return list_keyed(st, S_LAYOUT_LIST, requester_id, 0, NULL, after_seq, limit, visit_layout,
                      &lcb, last_seq, more, "listing HIT layouts", err);
}

static void read_qual_type(sqlite3_stmt *s, struct qual_type *q) /* columns: QT_COLS */
{
    memset(q, 0, sizeof *q);
    q->seq = col_i64(s, 0);
    col_copy(s, 1, q->id, sizeof q->id);
    q->requester_id = col_i64(s, 2);
    q->name = col_dup_nn(s, 3);
    q->description = col_dup_nn(s, 4);
    q->keywords = col_dup_nn(s, 5);
    q->active = sqlite3_column_int(s, 6);
    q->auto_granted = sqlite3_column_int(s, 7);
    q->auto_value = col_i64(s, 8);
    q->created_ms = col_i64(s, 9);
    q->deleted = sqlite3_column_int(s, 10);
    q->test = col_dup(s, 11);
    q->answer_key = col_dup(s, 12);
    q->test_duration_s = col_i64(s, 13);
    q->retry_delay_s = sqlite3_column_type(s, 14) == SQLITE_NULL ? -1 : col_i64(s, 14);
}

static void bind_qual_type_test(sqlite3_stmt *s, int i, const struct qual_type *q)
{
    bind_text(s, i, q->test);
    bind_text(s, i + 1, q->answer_key);
    bind_i64(s, i + 2, q->test_duration_s);
    if (q->retry_delay_s >= 0)
        bind_i64(s, i + 3, q->retry_delay_s);
    else
        sqlite3_bind_null(s, i + 3);
}

int store_qual_type_insert(struct store *st, struct qual_type *q, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = check_id(q->id, "qualification type", err);

    if (!rc)
        rc = stmt_get(st, S_QT_INSERT, &s, err);
    if (rc)
        return rc;
    bind_text(s, 1, q->id);
    bind_i64(s, 2, q->requester_id);
    bind_text(s, 3, q->name);
    bind_text(s, 4, q->description);
    bind_text(s, 5, q->keywords ? q->keywords : "");
    sqlite3_bind_int(s, 6, q->active);
    sqlite3_bind_int(s, 7, q->auto_granted);
    bind_i64(s, 8, q->auto_value);
    bind_i64(s, 9, q->created_ms);
    bind_qual_type_test(s, 10, q);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        q->seq = (int64_t)sqlite3_last_insert_rowid(st->db);
        rc = 0;
    } else if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        rc = ts_fail(err, TS_ECONFLICT, "you already have a qualification type called \"%s\"",
                     q->name);
    } else {
        rc = db_fail(st, rc, "creating a qualification type", err);
    }
    sqlite3_reset(s);
    return rc;
}

int store_qual_type_get(struct store *st, const char *id, struct qual_type *out,
                        struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_QT_GET, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_qual_type(s, out);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "qualification type %s does not exist", id);
    } else {
        rc = db_fail(st, rc, "reading a qualification type", err);
    }
    sqlite3_reset(s);
    return rc;
}

int store_qual_type_update(struct store *st, const struct qual_type *q, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_QT_UPDATE, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, q->id);
    bind_text(s, 2, q->description);
    sqlite3_bind_int(s, 3, q->active);
    sqlite3_bind_int(s, 4, q->auto_granted);
    bind_i64(s, 5, q->auto_value);
    sqlite3_bind_int(s, 6, q->deleted);
    bind_qual_type_test(s, 7, q);
    return exec_stmt(st, s, "updating a qualification type", err);
}

static int visit_qual_type(sqlite3_stmt *s, const struct list_cb *cb)
{
    struct qual_type q;
    int r;

    read_qual_type(s, &q);
    r = cb->qual_type(cb->ctx, &q);
    store_qual_type_release(&q);
    return r;
}

int store_qual_type_list(struct store *st, int64_t requester_id, const char *query,
                         int64_t after_seq, int limit, store_qual_type_cb cb, void *ctx,
                         int64_t *last_seq, int *more, struct ts_error *err)
{
    struct list_cb lcb = {.qual_type = cb, .ctx = ctx};
    return list_keyed(st, S_QT_LIST, requester_id, 1, query, after_seq, limit,
                      visit_qual_type, &lcb, last_seq, more, "listing qualification types",
                      err);
}

int store_qual_put(struct store *st, const struct qual *q, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_Q_PUT, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, q->type_id);
    bind_i64(s, 2, q->worker_id);
    bind_i64(s, 3, q->value);
    sqlite3_bind_int(s, 4, q->granted);
    bind_i64(s, 5, q->granted_ms);
    return exec_stmt(st, s, "storing a qualification score", err);
}

static void read_qual(sqlite3_stmt *s, struct qual *q)
{
    memset(q, 0, sizeof *q);
    col_copy(s, 1, q->type_id, sizeof q->type_id);
    q->worker_id = col_i64(s, 2);
    q->value = col_i64(s, 3);
    q->granted = sqlite3_column_int(s, 4);
    q->granted_ms = col_i64(s, 5);
}

int store_qual_get(struct store *st, const char *type_id, int64_t worker_id, struct qual *out,
                   struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_Q_GET, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, type_id);
    bind_i64(s, 2, worker_id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_qual(s, out);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = TS_ENOTFOUND; /* the caller says what it means */
    } else {
        rc = db_fail(st, rc, "reading a qualification score", err);
    }
    sqlite3_reset(s);
    return rc;
}

static int visit_qual(sqlite3_stmt *s, const struct list_cb *cb)
{
    struct qual q;
    read_qual(s, &q);
    return cb->qual(cb->ctx, &q);
}

int store_qual_list(struct store *st, const char *type_id, int granted, int64_t after_seq,
                    int limit, store_qual_cb cb, void *ctx, int64_t *last_seq, int *more,
                    struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    struct list_cb lcb = {.qual = cb, .ctx = ctx};
    int rc;

    *last_seq = 0;
    *more = 0;
    if (limit < 0)
        return ts_fail(err, TS_EINVAL, "the list limit must not be negative");
    rc = stmt_get(st, S_Q_LIST, &s, err);
    if (rc)
        return rc;
    bind_text(s, 1, type_id);
    bind_i64(s, 2, after_seq);
    sqlite3_bind_int(s, 3, granted);
    bind_i64(s, 4, (int64_t)limit + 1);
    return walk_rows(st, s, limit, visit_qual, &lcb, last_seq, more,
                     "listing qualification scores", err);
}

/* ---- Messages ------------------------------------------------------------------------ */

int store_message_insert(struct store *st, const struct message *m, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = find_one(st, S_MSG_INSERT, m->worker_id, &s, err);

    if (rc)
        return rc;
    bind_i64(s, 2, m->requester_id);
    bind_text(s, 3, m->subject);
    bind_text(s, 4, m->body);
    bind_i64(s, 5, m->sent_ms);
    return exec_stmt(st, s, "storing a message", err);
}

static int visit_message(sqlite3_stmt *s, const struct list_cb *cb)
{
    struct message m;
    m.seq = col_i64(s, 0);
    m.worker_id = col_i64(s, 1);
    m.requester_id = col_i64(s, 2);
    m.subject = (const char *)sqlite3_column_text(s, 3);
    m.body = (const char *)sqlite3_column_text(s, 4);
    m.sent_ms = col_i64(s, 5);
    return cb->message(cb->ctx, &m);
}

int store_message_list(struct store *st, int64_t worker_id, int64_t after_seq, int limit,
                       store_message_cb cb, void *ctx, int64_t *last_seq, int *more,
                       struct ts_error *err)
{
    struct list_cb lcb = {.message = cb, .ctx = ctx};
    return list_keyed(st, S_MSG_LIST, worker_id, 0, NULL, after_seq, limit, visit_message,
                      &lcb, last_seq, more, "listing messages", err);
}

int store_reviewed_work_of(struct store *st, int64_t requester_id, int64_t worker_id, int *yes,
                           struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = find_one(st, S_REVIEWED, worker_id, &s, err);

    *yes = 0;
    if (rc)
        return rc;
    bind_i64(s, 2, requester_id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *yes = sqlite3_column_int(s, 0);
        rc = 0;
    } else {
        rc = db_fail(st, rc, "looking for reviewed work", err);
    }
    sqlite3_reset(s);
    return rc;
}

/* ---- Qualification requests ----------------------------------------------------------- */

static void read_qual_request(sqlite3_stmt *s, struct qual_request *r) /* columns: QR_COLS */
{
    memset(r, 0, sizeof *r);
    col_copy(s, 1, r->id, sizeof r->id);
    col_copy(s, 2, r->type_id, sizeof r->type_id);
    r->worker_id = col_i64(s, 3);
    r->requester_id = col_i64(s, 4);
    r->status = sqlite3_column_int(s, 5);
    col_copy(s, 6, r->reason, sizeof r->reason);
    r->submitted_ms = col_i64(s, 7);
    r->test = col_dup(s, 8);
    r->answer = col_dup(s, 9);
    r->deadline_ms = col_i64(s, 10);
    r->decided_ms = col_i64(s, 11);
    r->value = col_i64(s, 12);
}

/* Binds the members that change after a request is made, from i on. */
static void bind_qual_request_state(sqlite3_stmt *s, int i, const struct qual_request *r)
{
    sqlite3_bind_int(s, i, r->status);
    bind_text(s, i + 1, r->reason[0] ? r->reason : NULL);
    bind_i64(s, i + 2, r->submitted_ms);
    bind_text(s, i + 3, r->test);
    bind_text(s, i + 4, r->answer);
    bind_i64(s, i + 5, r->deadline_ms);
    bind_i64(s, i + 6, r->decided_ms);
    bind_i64(s, i + 7, r->value);
}

int store_qual_request_insert(struct store *st, const struct qual_request *r,
                              struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = check_id(r->id, "qualification request", err);

    if (!rc)
        rc = stmt_get(st, S_QR_INSERT, &s, err);
    if (rc)
        return rc;
    bind_text(s, 1, r->id);
    bind_text(s, 2, r->type_id);
    bind_i64(s, 3, r->worker_id);
    bind_i64(s, 4, r->requester_id);
    bind_qual_request_state(s, 5, r);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE)
        rc = 0;
    else if ((rc & 0xff) == SQLITE_CONSTRAINT)
        rc = ts_fail(err, TS_ECONFLICT, "you have asked for qualification type %s already",
                     r->type_id);
    else
        rc = db_fail(st, rc, "storing a qualification request", err);
    sqlite3_reset(s);
    return rc;
}

int store_qual_request_get(struct store *st, const char *id, const char *type_id,
                           int64_t worker_id, struct qual_request *out, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, id ? S_QR_GET : S_QR_GET_PAIR, &s, err);

    if (rc)
        return rc;
    if (id) {
        bind_text(s, 1, id);
    } else {
        bind_text(s, 1, type_id);
        bind_i64(s, 2, worker_id);
    }
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_qual_request(s, out);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = TS_ENOTFOUND; /* the caller says what it means */
    } else {
        rc = db_fail(st, rc, "reading a qualification request", err);
    }
    sqlite3_reset(s);
    return rc;
}

int store_qual_request_set(struct store *st, const char *old_id, const struct qual_request *r,
                           struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = check_id(r->id, "qualification request", err);

    if (!rc)
        rc = stmt_get(st, S_QR_SET, &s, err);
    if (rc)
        return rc;
    bind_text(s, 1, old_id);
    bind_text(s, 2, r->id);
    bind_qual_request_state(s, 3, r);
    return exec_stmt(st, s, "updating a qualification request", err);
}

static int visit_qual_request(sqlite3_stmt *s, const struct list_cb *cb)
{
    struct qual_request r;
    int rv;
    read_qual_request(s, &r);
    rv = cb->qual_request(cb->ctx, &r);
    store_qual_request_release(&r);
    return rv;
}

int store_qual_request_list(struct store *st, int64_t requester_id, const char *type_id,
                            int64_t after_seq, int limit, store_qual_request_cb cb, void *ctx,
                            int64_t *last_seq, int *more, struct ts_error *err)
{
    struct list_cb lcb = {.qual_request = cb, .ctx = ctx};
    return list_keyed(st, S_QR_LIST, requester_id, 1, type_id, after_seq, limit,
                      visit_qual_request, &lcb, last_seq, more,
                      "listing qualification requests", err);
}

/* ---- Uploaded files --------------------------------------------------------------- */

int store_upload_insert(struct store *st, const struct upload *u, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_UPLOAD_INSERT, &s, err);

    if (rc)
        return rc;
    if (u->size < 0 || u->size > INT_MAX)
        return ts_fail(err, TS_ETOOBIG, "a file of %" PRId64 " bytes cannot be stored", u->size);
    bind_text(s, 1, u->key);
    bind_text(s, 2, u->asg_id);
    bind_text(s, 3, u->field);
    bind_i64(s, 4, u->size);
    sqlite3_bind_blob(s, 5, u->sha256, 32, SQLITE_STATIC);
    sqlite3_bind_blob(s, 6, u->size ? (const void *)u->data : "", (int)u->size, SQLITE_STATIC);
    bind_i64(s, 7, u->created_ms);
    return exec_stmt(st, s, "storing an uploaded file", err);
}

static int read_upload(struct store *st, sqlite3_stmt *s, int with_data, struct upload *out,
                       struct ts_error *err)
{
    int rc = sqlite3_step(s);

    if (rc == SQLITE_DONE) {
        rc = TS_ENOTFOUND;
        ts_fail(err, rc, "no such uploaded file");
    } else if (rc != SQLITE_ROW) {
        rc = db_fail(st, rc, "reading an uploaded file", err);
    } else {
        const void *h = sqlite3_column_blob(s, 4);
        memset(out, 0, sizeof *out);
        col_copy(s, 0, out->key, sizeof out->key);
        col_copy(s, 1, out->asg_id, sizeof out->asg_id);
        out->field = col_dup_nn(s, 2);
        out->size = col_i64(s, 3);
        if (h && sqlite3_column_bytes(s, 4) == 32)
            memcpy(out->sha256, h, 32);
        out->created_ms = col_i64(s, 5);
        if (with_data) {
            const void *p = sqlite3_column_blob(s, 6);
            size_t n = (size_t)sqlite3_column_bytes(s, 6);
            out->data = xmalloc(n + 1);
            if (n)
                memcpy(out->data, p, n);
            out->data[n] = '\0';
            out->size = (int64_t)n;
        }
        rc = 0;
    }
    sqlite3_reset(s);
    return rc;
}

int store_upload_get(struct store *st, const char *key, const char *asg_id, const char *field,
                     int with_data, struct upload *out, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, key ? S_UPLOAD_GET_KEY : S_UPLOAD_GET_FIELD, &s, err);

    if (rc)
        return rc;
    if (key) {
        bind_text(s, 1, key);
        bind_i64(s, 2, with_data != 0);
    } else {
        bind_text(s, 1, asg_id);
        bind_text(s, 2, field);
        bind_i64(s, 3, with_data != 0);
    }
    return read_upload(st, s, with_data, out, err);
}

/* ---- Notifications ------------------------------------------------------------------ */

int store_notify_settings_get(struct store *st, const char *hit_type_id,
                              struct notify_settings *out, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc;

    if (st->nset_any < 0) {
        int64_t n = 0;
        rc = stmt_get(st, S_NSET_ANY, &s, err);
        if (!rc)
            rc = step_i64(st, s, &n, "looking for notification settings", err);
        if (rc)
            return rc;
        st->nset_any = n != 0;
    }
    if (!st->nset_any)
        return TS_ENOTFOUND;
    rc = stmt_get(st, S_NSET_GET, &s, err);
    if (rc)
        return rc;
    bind_text(s, 1, hit_type_id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        col_copy(s, 0, out->hit_type_id, sizeof out->hit_type_id);
        out->requester_id = col_i64(s, 1);
        col_copy(s, 2, out->destination, sizeof out->destination);
        col_copy(s, 3, out->transport, sizeof out->transport);
        col_copy(s, 4, out->version, sizeof out->version);
        out->events = (unsigned)col_i64(s, 5);
        out->active = sqlite3_column_int(s, 6);
        col_copy(s, 7, out->key_id, sizeof out->key_id);
        out->updated_ms = col_i64(s, 8);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = TS_ENOTFOUND;
    } else {
        rc = db_fail(st, rc, "reading notification settings", err);
    }
    sqlite3_reset(s);
    return rc;
}

int store_notify_settings_put(struct store *st, const struct notify_settings *n,
                              struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_NSET_PUT, &s, err);

    st->nset_any = 1;

    if (rc)
        return rc;
    bind_text(s, 1, n->hit_type_id);
    bind_i64(s, 2, n->requester_id);
    bind_text(s, 3, n->destination);
    bind_text(s, 4, n->transport);
    bind_text(s, 5, n->version);
    bind_i64(s, 6, (int64_t)n->events);
    sqlite3_bind_int(s, 7, n->active);
    bind_text(s, 8, n->key_id);
    bind_i64(s, 9, n->updated_ms);
    return exec_stmt(st, s, "storing notification settings", err);
}

int store_notify_enqueue(struct store *st, const struct notify_msg *m, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_NOUT_INSERT, &s, err);

    if (rc)
        return rc;
    bind_i64(s, 1, m->requester_id);
    bind_text(s, 2, m->hit_type_id);
    bind_text(s, 3, m->destination);
    bind_text(s, 4, m->key_id);
    bind_text(s, 5, m->event_types);
    bind_text(s, 6, m->body);
    bind_i64(s, 7, m->created_ms);
    bind_i64(s, 8, m->next_ms);
    return exec_stmt(st, s, "queueing a notification", err);
}

static void read_notify(sqlite3_stmt *s, struct notify_msg *m) /* columns: NOUT_COLS */
{
    m->seq = col_i64(s, 0);
    m->requester_id = col_i64(s, 1);
    m->hit_type_id = (const char *)sqlite3_column_text(s, 2);
    m->destination = ctext(s, 3);
    m->key_id = ctext(s, 4);
    m->event_types = ctext(s, 5);
    m->body = ctext(s, 6);
    m->created_ms = col_i64(s, 7);
    m->state = sqlite3_column_int(s, 8);
    m->attempts = col_i64(s, 9);
    m->next_ms = col_i64(s, 10);
    m->last_status = sqlite3_column_int(s, 11);
    m->last_error = (const char *)sqlite3_column_text(s, 12);
    m->done_ms = col_i64(s, 13);
}

static int visit_notify(sqlite3_stmt *s, const struct list_cb *cb)
{
    struct notify_msg m;
    read_notify(s, &m);
    return cb->notify(cb->ctx, &m);
}

int store_notify_next_ms(struct store *st, int64_t *next_ms, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_NOUT_NEXT, &s, err);

    if (rc)
        return rc;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
        *next_ms = col_i64(s, 0);
        rc = 0;
    } else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
        rc = TS_ENOTFOUND;
    } else {
        rc = db_fail(st, rc, "reading the notification queue", err);
    }
    sqlite3_reset(s);
    return rc;
}

int store_notify_get(struct store *st, int64_t seq, struct notify_msg *out,
                     struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = find_one(st, S_NOUT_GET, seq, &s, err);

    if (rc)
        return rc;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_notify(s, out);
        out->hit_type_id = out->destination = out->key_id = NULL;
        out->event_types = out->body = out->last_error = NULL;
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "notification %" PRId64 " does not exist", seq);
    } else {
        rc = db_fail(st, rc, "reading a notification", err);
    }
    sqlite3_reset(s);
    return rc;
}

int store_notify_update(struct store *st, const struct notify_msg *m, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = find_one(st, S_NOUT_UPDATE, m->seq, &s, err);

    if (rc)
        return rc;
    sqlite3_bind_int(s, 2, m->state);
    bind_i64(s, 3, m->attempts);
    bind_i64(s, 4, m->next_ms);
    sqlite3_bind_int(s, 5, m->last_status);
    bind_text(s, 6, m->last_error);
    bind_i64(s, 7, m->done_ms);
    return exec_stmt(st, s, "updating a notification", err);
}

int store_notify_list(struct store *st, int64_t requester_id, int64_t after_seq, int limit,
                      store_notify_cb cb, void *ctx, int64_t *last_seq, int *more,
                      struct ts_error *err)
{
    struct list_cb lcb = {.notify = cb, .ctx = ctx};
    return list_keyed(st, S_NOUT_LIST, requester_id, 0, NULL, after_seq, limit, visit_notify,
                      &lcb, last_seq, more, "listing notifications", err);
}

int store_access_key_first(struct store *st, int64_t account_id, char key_id[STORE_ID_MAX],
                           struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = find_one(st, S_AKEY_FIRST, account_id, &s, err);

    if (rc)
        return rc;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        col_copy(s, 0, key_id, STORE_ID_MAX);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "account %" PRId64 " has no access key", account_id);
    } else {
        rc = db_fail(st, rc, "finding an access key", err);
    }
    sqlite3_reset(s);
    return rc;
}

/* ---- Review policies ----------------------------------------------------------------- */

int store_review_policy_put(struct store *st, const char *hit_id, const struct review_policy *p,
                            struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_RP_INSERT, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, hit_id);
    sqlite3_bind_int(s, 2, p->level);
    bind_text(s, 3, p->name);
    bind_text(s, 4, p->params_json);
    rc = exec_stmt(st, s, "storing a review policy", err);
    if (rc)
        return rc;
    rc = stmt_get(st, S_RP_FLAG, &s, err);
    if (rc)
        return rc;
    bind_text(s, 1, hit_id);
    sqlite3_bind_int(s, 2, REVIEW_LEVEL_BIT(p->level));
    return exec_stmt(st, s, "marking a HIT's review policies", err);
}

int store_review_policy_get(struct store *st, const char *hit_id, int level,
                            struct review_policy *out, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_RP_GET, &s, err);

    memset(out, 0, sizeof *out);
    if (rc)
        return rc;
    bind_text(s, 1, hit_id);
    sqlite3_bind_int(s, 2, level);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->level = level;
        out->name = col_dup_nn(s, 0);
        out->params_json = col_dup_nn(s, 1);
        out->reviewed = col_i64(s, 2);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "HIT %s has no review policy at level %d", hit_id,
                     level);
    } else {
        rc = db_fail(st, rc, "reading a review policy", err);
    }
    sqlite3_reset(s);
    return rc;
}

int store_review_policy_mark(struct store *st, const char *hit_id, int level, int64_t reviewed,
                             struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_RP_MARK, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, hit_id);
    sqlite3_bind_int(s, 2, level);
    bind_i64(s, 3, reviewed);
    return exec_stmt(st, s, "marking a review policy run", err);
}

int store_review_item_insert(struct store *st, const char *hit_id, const struct review_item *it,
                             struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt_get(st, S_RI_INSERT, &s, err);

    if (rc)
        return rc;
    bind_text(s, 1, hit_id);
    sqlite3_bind_int(s, 2, it->level);
    sqlite3_bind_int(s, 3, it->kind);
    bind_text(s, 4, it->action_id);
    bind_text(s, 5, it->object_id);
    bind_text(s, 6, it->object_type);
    bind_text_opt(s, 7, it->question_id);
    bind_text(s, 8, it->name);
    bind_text(s, 9, it->value);
    bind_text_opt(s, 10, it->status);
    bind_i64(s, 11, it->complete_ms);
    bind_text_opt(s, 12, it->error_code);
    return exec_stmt(st, s, "storing a review result", err);
}

int store_review_item_list(struct store *st, const char *hit_id, int level_mask, int kind_mask,
                           int64_t after_seq, int limit, store_review_item_cb cb, void *ctx,
                           int64_t *last_seq, int *more, struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc, visited = 0, stop = 0;

    *last_seq = 0;
    *more = 0;
    if (limit < 0)
        return ts_fail(err, TS_EINVAL, "the list limit must not be negative");
    rc = stmt_get(st, S_RI_LIST, &s, err);
    if (rc)
        return rc;
    bind_text(s, 1, hit_id);
    bind_i64(s, 2, after_seq);
    sqlite3_bind_int(s, 3, level_mask);
    sqlite3_bind_int(s, 4, kind_mask);
    bind_i64(s, 5, (int64_t)limit + 1);
    for (;;) {
        struct review_item it;
        rc = sqlite3_step(s);
        if (rc == SQLITE_DONE) {
            rc = 0;
            break;
        }
        if (rc != SQLITE_ROW) {
            rc = db_fail(st, rc, "listing review results", err);
            break;
        }
        if (visited >= limit || stop) {
            *more = 1;
            rc = 0;
            break;
        }
        visited++;
        it.seq = col_i64(s, 0);
        it.level = sqlite3_column_int(s, 1);
        it.kind = sqlite3_column_int(s, 2);
        it.action_id = ctext(s, 3);
        it.object_id = ctext(s, 4);
        it.object_type = ctext(s, 5);
        it.question_id = (const char *)sqlite3_column_text(s, 6);
        it.name = ctext(s, 7);
        it.value = ctext(s, 8);
        it.status = (const char *)sqlite3_column_text(s, 9);
        it.complete_ms = col_i64(s, 10);
        it.error_code = (const char *)sqlite3_column_text(s, 11);
        *last_seq = it.seq;
        stop = cb(ctx, &it) != 0;
    }
    sqlite3_reset(s);
    return rc;
}

/* ---- Notifications: paging the due messages, pruning, counting ----------------------- */

int store_notify_due_after(struct store *st, int64_t now_ms, int64_t after_next_ms,
                           int64_t after_seq, int limit, store_notify_cb cb, void *ctx,
                           struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    struct list_cb lcb = {.notify = cb, .ctx = ctx};
    int64_t last;
    int more;
    int rc = find_one(st, S_NOUT_DUE_AFTER, now_ms, &s, err);

    if (rc)
        return rc;
    bind_i64(s, 2, after_next_ms);
    bind_i64(s, 3, after_seq);
    bind_i64(s, 4, limit);
    return walk_rows(st, s, limit, visit_notify, &lcb, &last, &more, "reading due notifications",
                     err);
}

int store_notify_prune(struct store *st, int64_t before_ms, int limit, int *deleted,
                       struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = find_one(st, S_NOUT_PRUNE, before_ms, &s, err);

    *deleted = 0;
    if (rc)
        return rc;
    bind_i64(s, 2, limit);
    rc = exec_stmt(st, s, "pruning old notifications", err);
    if (!rc)
        *deleted = sqlite3_changes(st->db);
    return rc;
}

int store_notify_test_pending(struct store *st, int64_t requester_id, int64_t *n,
                              struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = find_one(st, S_NOUT_TEST_PENDING, requester_id, &s, err);

    *n = 0;
    return rc ? rc : step_i64(st, s, n, "counting pending test notifications", err);
}

int store_signature_remember(struct store *st, int64_t signed_ms,
                             const unsigned char sig_hash[32], const char *key_id,
                             struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = find_one(st, S_SIG_REMEMBER, signed_ms, &s, err);

    if (rc)
        return rc;
    sqlite3_bind_blob(s, 2, sig_hash, 32, SQLITE_STATIC);
    bind_text(s, 3, key_id);
    return exec_stmt(st, s, "remembering a request's signature", err);
}

int store_signature_prune(struct store *st, int64_t before_ms, int limit, int *deleted,
                          struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = find_one(st, S_SIG_PRUNE, before_ms, &s, err);

    *deleted = 0;
    if (rc)
        return rc;
    bind_i64(s, 2, limit);
    rc = exec_stmt(st, s, "forgetting expired signatures", err);
    if (!rc)
        *deleted = sqlite3_changes(st->db);
    return rc;
}
