/* sql_sqlite.c: the SQL text of every statement of sql.h for SQLite. Static literals
 * only: values go through bind parameters (?N), never into the text. A second backend
 * has a table like this one, with the same parameters and columns in the same order. */
#include "sql_sqlite.h"

#include "../util/banned.h"


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

const char *const sql_sqlite[S__COUNT] = {
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
    /* Not the counters: the four counts and escrow move only by S_HIT_ADD_COUNTS,
     * max_assignments only by S_HIT_ADD_MAX. */
    [S_HIT_UPDATE] = "UPDATE hits SET expires_ms = ?2, reviewing = ?3, disposed = ?4, "
                     "expired = ?5, overlap_max = ?6 WHERE id = ?1",
    /* Only the columns an assignment moves, by deltas (several writers may move them at
     * once): SQLite then leaves hits_expiry alone. */
    [S_HIT_ADD_COUNTS] = "UPDATE hits SET pending = pending + ?2, submitted = submitted + ?3, "
                         "approved = approved + ?4, rejected = rejected + ?5, "
                         "escrow = escrow + ?6 WHERE id = ?1",
    /* The bound in the WHERE clause, so that it holds against any other writer: at most
     * ?3, never below the slots handed out. */
    [S_HIT_ADD_MAX] = "UPDATE hits SET max_assignments = max_assignments + ?2 WHERE id = ?1 "
                      "AND max_assignments + ?2 <= ?3 "
                      "AND max_assignments + ?2 >= pending + submitted + approved + rejected",
    [S_HIT_SET_CONSENSUS] = "UPDATE hits SET consensus = ?2, confidence = ?3 WHERE id = ?1",
    [S_HIT_SET_TYPE] = "UPDATE hits SET hit_type_id = ?2 WHERE id = ?1",
    /* store_asg_claim: the HIT it claims, whole; then the assignment's insert and
     * S_HIT_ADD_COUNTS in the caller's savepoint. */
    [S_HIT_CLAIM_ONE] = "SELECT " HIT_COLS " FROM hits WHERE id = ?1 AND " HIT_OPEN_WHERE,
    [S_HIT_CLAIM_NEXT] = "SELECT " HIT_COLS " FROM hits WHERE hit_type_id = ?1 AND is_gold = ?4 "
                         "AND " HIT_OPEN_WHERE " ORDER BY seq LIMIT 1",
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
