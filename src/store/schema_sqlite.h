/* schema_sqlite.h: the SQLite schema as migration scripts. Migration i (0-based) takes the
 * database from schema version i to i + 1; store_open applies the missing ones in order
 * inside one transaction and records the version in meta('schema_version'). Never edit a
 * released migration: append a new one. Included only by db_sqlite.c.
 *
 * Enums (roles, statuses, ledger kinds) are stored as their integer values. Money and
 * times are INTEGER micro-units and milliseconds. See docs/internals/store.md. */
#ifndef TS_SCHEMA_SQLITE_H
#define TS_SCHEMA_SQLITE_H

static const char *const schema_v1[] = {
    "CREATE TABLE meta ("
    "  key TEXT PRIMARY KEY,"
    "  val TEXT NOT NULL"
    ") WITHOUT ROWID;"

    "CREATE TABLE accounts ("
    "  id INTEGER PRIMARY KEY,"
    "  role INTEGER NOT NULL,"
    "  name TEXT NOT NULL UNIQUE,"
    "  country TEXT NOT NULL DEFAULT '',"
    "  pw_hash TEXT NOT NULL DEFAULT '',"
    "  created_ms INTEGER NOT NULL"
    ");"

    "CREATE TABLE tokens ("
    "  hash BLOB PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  created_ms INTEGER NOT NULL"
    ") WITHOUT ROWID;"

    "CREATE TABLE access_keys ("
    "  key_id TEXT PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  box BLOB NOT NULL,"
    "  created_ms INTEGER NOT NULL"
    ") WITHOUT ROWID;",

    /* balance is kept current by store_journal_insert; the CHECK turns SQLite's silent
     * integer-to-real overflow into a constraint error. */
    "CREATE TABLE ledger_accounts ("
    "  id INTEGER PRIMARY KEY,"
    "  owner INTEGER NOT NULL,"
    "  kind INTEGER NOT NULL,"
    "  balance INTEGER NOT NULL DEFAULT 0 CHECK (typeof(balance) = 'integer'),"
    "  UNIQUE (owner, kind)"
    ");"

    "CREATE TABLE journal ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL,"
    "  ref TEXT NOT NULL,"
    "  at_ms INTEGER NOT NULL"
    ");"
    "CREATE INDEX journal_kind_ref ON journal(kind, ref);"

    "CREATE TABLE postings ("
    "  id INTEGER PRIMARY KEY,"
    "  entry_id INTEGER NOT NULL REFERENCES journal(id),"
    "  ledger_id INTEGER NOT NULL REFERENCES ledger_accounts(id),"
    "  amount INTEGER NOT NULL CHECK (typeof(amount) = 'integer')"
    ");"
    "CREATE INDEX postings_entry ON postings(entry_id);"
    "CREATE INDEX postings_ledger ON postings(ledger_id);",

    "CREATE TABLE request_tokens ("
    "  requester_id INTEGER NOT NULL,"
    "  op TEXT NOT NULL,"
    "  token TEXT NOT NULL,"
    "  ref TEXT NOT NULL,"
    "  at_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (requester_id, op, token)"
    ") WITHOUT ROWID;"

    "CREATE TABLE hit_types ("
    "  id TEXT PRIMARY KEY,"
    "  requester_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  title TEXT NOT NULL,"
    "  description TEXT NOT NULL,"
    "  keywords TEXT NOT NULL,"
    "  quals_json TEXT NOT NULL,"
    "  reward INTEGER NOT NULL,"
    "  duration_s INTEGER NOT NULL,"
    "  auto_approval_s INTEGER NOT NULL,"
    "  created_ms INTEGER NOT NULL"
    ");"
    "CREATE INDEX hit_types_find ON hit_types(requester_id, title);"

    "CREATE TABLE batches ("
    "  id TEXT PRIMARY KEY,"
    "  requester_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  hit_type_id TEXT NOT NULL REFERENCES hit_types(id),"
    "  hits INTEGER NOT NULL,"
    "  created_ms INTEGER NOT NULL"
    ");",

    /* seq is the rowid. free is generated, so the partial index hits_open holds exactly
     * the HITs that are not disposed and have a free slot: next_open is one index probe
     * per candidate, in seq order. batch_id is NULL when the HIT is not in a batch. */
    "CREATE TABLE hits ("
    "  seq INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  hit_type_id TEXT NOT NULL REFERENCES hit_types(id),"
    "  batch_id TEXT,"
    "  requester_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  question TEXT NOT NULL,"
    "  input_json TEXT,"
    "  annotation TEXT,"
    "  reward INTEGER NOT NULL,"
    "  fee INTEGER NOT NULL,"
    "  max_assignments INTEGER NOT NULL,"
    "  pending INTEGER NOT NULL DEFAULT 0,"
    "  submitted INTEGER NOT NULL DEFAULT 0,"
    "  approved INTEGER NOT NULL DEFAULT 0,"
    "  rejected INTEGER NOT NULL DEFAULT 0,"
    "  created_ms INTEGER NOT NULL,"
    "  expires_ms INTEGER NOT NULL,"
    "  escrow INTEGER NOT NULL DEFAULT 0,"
    "  reviewing INTEGER NOT NULL DEFAULT 0,"
    "  disposed INTEGER NOT NULL DEFAULT 0,"
    "  expired INTEGER NOT NULL DEFAULT 0,"
    "  free INTEGER GENERATED ALWAYS AS"
    "    (max_assignments - pending - submitted - approved - rejected) VIRTUAL"
    ");"
    "CREATE INDEX hits_open ON hits(hit_type_id, seq) WHERE disposed = 0 AND free > 0;"
    "CREATE INDEX hits_requester ON hits(requester_id, seq);"
    "CREATE INDEX hits_batch ON hits(batch_id, seq) WHERE batch_id IS NOT NULL;"
    "CREATE INDEX hits_expiry ON hits(expires_ms) WHERE disposed = 0 AND expired = 0;",

    /* work_ms is generated and non-NULL only for Submitted/Approved/Rejected, so the
     * median walks the partial index assignments_work in order. */
    "CREATE TABLE assignments ("
    "  seq INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  hit_id TEXT NOT NULL REFERENCES hits(id),"
    "  hit_type_id TEXT NOT NULL,"
    "  worker_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  requester_id INTEGER NOT NULL,"
    "  status INTEGER NOT NULL,"
    "  accepted_ms INTEGER NOT NULL,"
    "  deadline_ms INTEGER NOT NULL,"
    "  submitted_ms INTEGER NOT NULL DEFAULT 0,"
    "  auto_approve_ms INTEGER NOT NULL DEFAULT 0,"
    "  approved_ms INTEGER NOT NULL DEFAULT 0,"
    "  rejected_ms INTEGER NOT NULL DEFAULT 0,"
    "  returned_ms INTEGER NOT NULL DEFAULT 0,"
    "  answer_json TEXT,"
    "  feedback TEXT,"
    "  work_ms INTEGER GENERATED ALWAYS AS"
    "    (CASE WHEN status IN (2, 3, 4) THEN submitted_ms - accepted_ms END) VIRTUAL,"
    "  UNIQUE (hit_id, worker_id)"
    ");"
    "CREATE INDEX assignments_hit ON assignments(hit_id, seq);"
    "CREATE INDEX assignments_worker ON assignments(worker_id, seq);"
    "CREATE INDEX assignments_deadline ON assignments(status, deadline_ms);"
    "CREATE INDEX assignments_approval ON assignments(status, auto_approve_ms);"
    "CREATE INDEX assignments_work ON assignments(hit_type_id, work_ms)"
    "  WHERE work_ms IS NOT NULL;"

    "CREATE TABLE bonuses ("
    "  seq INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  requester_id INTEGER NOT NULL,"
    "  worker_id INTEGER NOT NULL,"
    "  assignment_id TEXT NOT NULL,"
    "  hit_id TEXT NOT NULL,"
    "  amount INTEGER NOT NULL,"
    "  fee INTEGER NOT NULL,"
    "  reason TEXT NOT NULL,"
    "  granted_ms INTEGER NOT NULL"
    ");"
    "CREATE INDEX bonuses_requester ON bonuses(requester_id, seq);"
    "CREATE INDEX bonuses_worker ON bonuses(worker_id);",
    NULL,
};

/* v2, for the accept/submit path (docs/internals/store.md): assignments_hit duplicated
 * the UNIQUE (hit_id, worker_id) index for lookups by HIT, and cost every accept a write
 * to one more index. A HIT's texts (the Question XML,
 * up to 64 KiB, its batch row and annotation) move to hit_texts: they never change,
 * while the counters in hits change on every accept and submit, and SQLite rewrites a
 * whole row (overflow pages included) on each update. */
static const char *const schema_v2[] = {
    "DROP INDEX assignments_hit;"

    /* The sweeps look only at Accepted (deadline) and Submitted (auto-approval)
     * assignments: partial indexes hold just those, so they stay small, and an accept
     * or a submit touches one of them instead of both. */
    "DROP INDEX assignments_deadline;"
    "DROP INDEX assignments_approval;"
    "CREATE INDEX assignments_deadline ON assignments(deadline_ms) WHERE status = 1;"
    "CREATE INDEX assignments_approval ON assignments(auto_approve_ms) WHERE status = 2;"

    "CREATE TABLE hit_texts ("
    "  hit_seq INTEGER PRIMARY KEY REFERENCES hits(seq),"
    "  question TEXT NOT NULL,"
    "  input_json TEXT,"
    "  annotation TEXT"
    ");"
    "INSERT INTO hit_texts(hit_seq, question, input_json, annotation)"
    "  SELECT seq, question, input_json, annotation FROM hits;"
    "ALTER TABLE hits DROP COLUMN question;"
    "ALTER TABLE hits DROP COLUMN input_json;"
    "ALTER TABLE hits DROP COLUMN annotation;",
    NULL,
};

/* v3, quality control (docs/quality.md): a HIT may carry a known answer (gold) and keeps
 * its current consensus label and confidence; overlap_max > 0 marks dynamic overlap (the
 * HIT may grow to that many assignments until its consensus is confident); qc = 1 when
 * its batch has quality settings, so that a submit elsewhere never reads the batch. A submitted
 * assignment keeps its label (the answer to the batch's label field). A batch keeps its
 * quality settings and the labels seen so far; worker_gold counts each worker's gold
 * answers per batch. hits_open gains is_gold, so that normal and gold HITs of a type are
 * each one index probe away. */
static const char *const schema_v3[] = {
    "ALTER TABLE hits ADD COLUMN gold TEXT;"
    "ALTER TABLE hits ADD COLUMN consensus TEXT;"
    "ALTER TABLE hits ADD COLUMN confidence REAL NOT NULL DEFAULT 0;"
    "ALTER TABLE hits ADD COLUMN overlap_max INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE hits ADD COLUMN qc INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE hits ADD COLUMN is_gold INTEGER GENERATED ALWAYS AS (gold IS NOT NULL) VIRTUAL;"
    "DROP INDEX hits_open;"
    "CREATE INDEX hits_open ON hits(hit_type_id, is_gold, seq) WHERE disposed = 0 AND free > 0;"

    "ALTER TABLE assignments ADD COLUMN label TEXT;"

    "ALTER TABLE batches ADD COLUMN label_field TEXT;"
    "ALTER TABLE batches ADD COLUMN gold_rate_ppm INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE batches ADD COLUMN min_assignments INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE batches ADD COLUMN confidence_ppm INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE batches ADD COLUMN labels_json TEXT NOT NULL DEFAULT '[]';"

    "CREATE TABLE worker_gold ("
    "  batch_id TEXT NOT NULL REFERENCES batches(id),"
    "  worker_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  seen INTEGER NOT NULL,"
    "  correct INTEGER NOT NULL,"
    "  PRIMARY KEY (batch_id, worker_id)"
    ") WITHOUT ROWID;",
    NULL,
};

/* v4, worker blocks: a requester names a worker by pseudonym, a keyed hash that cannot
 * be reversed, so the pseudonyms a requester has been shown are remembered (at accept).
 * An open HIT is not offered to a worker its requester blocked. Pseudonyms of workers
 * who accepted before v4 are not known: the key is not available to SQL. */
static const char *const schema_v4[] = {
    "CREATE TABLE pseudonyms ("
    "  requester_id INTEGER NOT NULL,"
    "  pseudonym TEXT NOT NULL,"
    "  worker_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  PRIMARY KEY (requester_id, pseudonym)"
    ") WITHOUT ROWID;"
    "CREATE TABLE worker_blocks ("
    "  seq INTEGER PRIMARY KEY,"
    "  requester_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  worker_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  reason TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  UNIQUE (requester_id, worker_id)"
    ");"
    "CREATE INDEX worker_blocks_list ON worker_blocks(requester_id, seq);",
    NULL,
};

/* v5, qualification requirements: each worker's approved and rejected assignments are
 * counted as reviews happen (Worker_NumberHITsApproved, Worker_PercentAssignmentsApproved
 * are checked at every accept, so they must not cost a scan), starting from what the
 * assignments already say. */
static const char *const schema_v5[] = {
    "CREATE TABLE worker_counts ("
    "  worker_id INTEGER PRIMARY KEY REFERENCES accounts(id),"
    "  approved INTEGER NOT NULL DEFAULT 0,"
    "  rejected INTEGER NOT NULL DEFAULT 0"
    ");"
    "INSERT INTO worker_counts(worker_id, approved, rejected)"
    "  SELECT worker_id, sum(status = 3), sum(status = 4) FROM assignments"
    "  GROUP BY worker_id HAVING sum(status IN (3, 4)) > 0;",
    NULL,
};

/* v6, a requester's own qualification types and the scores given to workers. */
static const char *const schema_v6[] = {
    "CREATE TABLE qual_types ("
    "  seq INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  requester_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  name TEXT NOT NULL,"
    "  description TEXT NOT NULL,"
    "  keywords TEXT NOT NULL,"
    "  active INTEGER NOT NULL,"
    "  auto_granted INTEGER NOT NULL,"
    "  auto_value INTEGER NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  deleted INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE UNIQUE INDEX qual_types_name ON qual_types(requester_id, name) WHERE deleted = 0;"
    "CREATE TABLE quals ("
    "  seq INTEGER PRIMARY KEY,"
    "  type_id TEXT NOT NULL REFERENCES qual_types(id),"
    "  worker_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  value INTEGER NOT NULL,"
    "  granted INTEGER NOT NULL,"
    "  granted_ms INTEGER NOT NULL,"
    "  UNIQUE (type_id, worker_id)"
    ");"
    "CREATE INDEX quals_list ON quals(type_id, seq);",
    NULL,
};

/* v7, messages from requesters to workers (NotifyWorkers), read with ListMyMessages. */
static const char *const schema_v7[] = {
    "CREATE TABLE messages ("
    "  seq INTEGER PRIMARY KEY,"
    "  worker_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  requester_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  subject TEXT NOT NULL,"
    "  body TEXT NOT NULL,"
    "  sent_ms INTEGER NOT NULL"
    ");"
    "CREATE INDEX messages_worker ON messages(worker_id, seq);",
    NULL,
};

/* v8, qualification requests: a worker asks for a requester's qualification type; the
 * requester accepts (a score is given) or rejects (with a reason the worker sees). One
 * request per worker and type, as a type without RetryDelayInSeconds allows on MTurk. */
static const char *const schema_v8[] = {
    "CREATE TABLE qual_requests ("
    "  seq INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  type_id TEXT NOT NULL REFERENCES qual_types(id),"
    "  worker_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  requester_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  status INTEGER NOT NULL,"
    "  reason TEXT,"
    "  submitted_ms INTEGER NOT NULL,"
    "  UNIQUE (type_id, worker_id)"
    ");"
    "CREATE INDEX qual_requests_pending ON qual_requests(requester_id, seq) WHERE status = 1;",
    NULL,
};

/* v9, notifications (docs/mturk.md, "Notifications"): a HIT type's notification settings
 * (UpdateNotificationSettings) and the outbox of messages to deliver. A message is
 * written in the same transaction as the change it reports; the delivery thread POSTs it
 * and marks it delivered, or failed after its last attempt. */
static const char *const schema_v9[] = {
    "CREATE TABLE notify_settings ("
    "  hit_type_id TEXT PRIMARY KEY REFERENCES hit_types(id),"
    "  requester_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  destination TEXT NOT NULL,"
    "  transport TEXT NOT NULL,"
    "  version TEXT NOT NULL,"
    "  events INTEGER NOT NULL,"
    "  active INTEGER NOT NULL,"
    "  key_id TEXT NOT NULL,"
    "  updated_ms INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE notify_outbox ("
    "  seq INTEGER PRIMARY KEY,"
    "  requester_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  hit_type_id TEXT,"
    "  destination TEXT NOT NULL,"
    "  key_id TEXT NOT NULL,"
    "  event_types TEXT NOT NULL,"
    "  body TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  state INTEGER NOT NULL DEFAULT 0,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_ms INTEGER NOT NULL,"
    "  last_status INTEGER NOT NULL DEFAULT 0,"
    "  last_error TEXT,"
    "  done_ms INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX notify_outbox_due ON notify_outbox(next_ms) WHERE state = 0;"
    "CREATE INDEX notify_outbox_requester ON notify_outbox(requester_id, seq);",
    NULL,
};

/* v10, files workers upload with a task's form (a multipart/form-data submission): the
 * bytes, their size and SHA-256, under a random key that the answer names
 * ({"UploadedFileKey", "UploadedFileSizeInBytes"}). At most one file per assignment and
 * field (the QuestionIdentifier GetFileUploadURL asks for). */
static const char *const schema_v10[] = {
    "CREATE TABLE uploads ("
    "  seq INTEGER PRIMARY KEY,"
    "  key TEXT NOT NULL UNIQUE,"
    "  assignment_id TEXT NOT NULL REFERENCES assignments(id),"
    "  field TEXT NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  sha256 BLOB NOT NULL,"
    "  data BLOB NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  UNIQUE (assignment_id, field)"
    ");",
    NULL,
};

/* v11, HIT layouts: a requester's HTML pages with ${name} placeholders (CreateHITLayout),
 * and which HIT was made from which layout (CreateHIT with HITLayoutId). A HIT made from
 * a layout stores the filled page as its HTMLQuestion in hit_texts as usual. */
static const char *const schema_v11[] = {
    "CREATE TABLE hit_layouts ("
    "  seq INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  requester_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  name TEXT NOT NULL,"
    "  content TEXT NOT NULL,"
    "  frame_height INTEGER NOT NULL,"
    "  params_json TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  deleted INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX hit_layouts_list ON hit_layouts(requester_id, seq) WHERE deleted = 0;"
    "CREATE TABLE hit_layout_uses ("
    "  hit_seq INTEGER PRIMARY KEY REFERENCES hits(seq),"
    "  layout_id TEXT NOT NULL REFERENCES hit_layouts(id)"
    ");",
    NULL,
};

/* v12, review policies (MTurk's AssignmentReviewPolicy and HITReviewPolicy): a HIT's
 * policies, one per level, with their parameters as given; the results and actions their
 * runs recorded; and hits.policies, the levels a HIT has (bit 1 Assignment, bit 2 HIT),
 * so the submit path learns from the HIT row it already reads whether to look further. */
static const char *const schema_v12[] = {
    "ALTER TABLE hits ADD COLUMN policies INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE review_policies ("
    "  hit_id TEXT NOT NULL REFERENCES hits(id),"
    "  level INTEGER NOT NULL,"
    "  name TEXT NOT NULL,"
    "  params_json TEXT NOT NULL,"
    "  reviewed INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (hit_id, level)"
    ") WITHOUT ROWID;"
    "CREATE TABLE review_items ("
    "  seq INTEGER PRIMARY KEY,"
    "  hit_id TEXT NOT NULL REFERENCES hits(id),"
    "  level INTEGER NOT NULL,"
    "  kind INTEGER NOT NULL,"
    "  action_id TEXT NOT NULL,"
    "  object_id TEXT NOT NULL,"
    "  object_type TEXT NOT NULL,"
    "  question_id TEXT,"
    "  name TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  status TEXT,"
    "  complete_ms INTEGER NOT NULL DEFAULT 0,"
    "  error_code TEXT"
    ");"
    "CREATE INDEX review_items_hit ON review_items(hit_id, seq);",
    NULL,
};

/* v13, qualification tests and the system types computed from a worker's profile: a type
 * may carry a Test (QuestionForm XML), its duration, an AnswerKey and a retry delay
 * (NULL: no retry); a request keeps the test as taken, the answers (QuestionFormAnswers
 * XML), when the test must be handed in, when it was decided and the value it scored. A
 * worker may declare a subdivision (ISO 3166-2, without the country) and adult-content
 * consent. */
static const char *const schema_v13[] = {
    "ALTER TABLE qual_types ADD COLUMN test TEXT;"
    "ALTER TABLE qual_types ADD COLUMN answer_key TEXT;"
    "ALTER TABLE qual_types ADD COLUMN test_duration_s INTEGER;"
    "ALTER TABLE qual_types ADD COLUMN retry_delay_s INTEGER;"
    "ALTER TABLE qual_requests ADD COLUMN test TEXT;"
    "ALTER TABLE qual_requests ADD COLUMN answer TEXT;"
    "ALTER TABLE qual_requests ADD COLUMN deadline_ms INTEGER;"
    "ALTER TABLE qual_requests ADD COLUMN decided_ms INTEGER;"
    "ALTER TABLE qual_requests ADD COLUMN value INTEGER;"
    "ALTER TABLE accounts ADD COLUMN subdivision TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE accounts ADD COLUMN adult INTEGER NOT NULL DEFAULT 0;",
    NULL,
};

/* v14, for the submit path: hits.form is 1 for a HIT whose Question mentions
 * QuestionForm (set when the HIT is made), so that only those HITs' submissions read the
 * question to check the answers against the form; the flag may be 1 for an HTML page that
 * merely contains the word, which costs that HIT the read and nothing else. */
static const char *const schema_v14[] = {
    "ALTER TABLE hits ADD COLUMN form INTEGER NOT NULL DEFAULT 0;"
    "UPDATE hits SET form = 1 WHERE seq IN "
    "(SELECT hit_seq FROM hit_texts WHERE instr(question, 'QuestionForm') > 0);",
    NULL,
};

/* v15, upkeep of the notification outbox: delivered and given-up messages are pruned by
 * age (done_ms), and SendTestEventNotification counts a requester's pending test messages
 * (no HIT type); both by small partial indexes. */
static const char *const schema_v15[] = {
    "CREATE INDEX notify_outbox_done ON notify_outbox(done_ms) WHERE state <> 0;"
    "CREATE INDEX notify_outbox_test_pending ON notify_outbox(requester_id) "
    "WHERE state = 0 AND hit_type_id IS NULL;",
    NULL,
};

/* v16, SigV4 replay protection: each signed write's (X-Amz-Date, SHA-256 of its
 * signature, access key) is kept until the signature could no longer be accepted anyway,
 * so that the same signed request takes effect at most once; the primary key refuses the
 * repeat (the same signature has the same X-Amz-Date, which it signs). Led by the date,
 * the one b-tree takes inserts near its end and the timer sweep's deletes at its start. */
static const char *const schema_v16[] = {
    "CREATE TABLE signatures_used ("
    "  signed_ms INTEGER NOT NULL,"
    "  sig_hash BLOB NOT NULL,"
    "  key_id TEXT NOT NULL,"
    "  PRIMARY KEY (signed_ms, sig_hash, key_id)"
    ") WITHOUT ROWID;",
    NULL,
};

/* v17, credentials that end: a token has a public id (distinct from the secret it is the
 * hash of: 'tk' and the hex of the hash's first 8 bytes) by which it is listed and
 * revoked, and an expiry (NULL: never) that slides with each use when sliding is 1 (Login
 * tokens, see exec.c); tokens and access keys are listed by account. meta('auth_gen') counts revocations, so that the executor's
 * token cache hears of one made by another process. */
static const char *const schema_v17[] = {
    "ALTER TABLE tokens ADD COLUMN id TEXT;"
    "ALTER TABLE tokens ADD COLUMN expires_ms INTEGER;"
    "ALTER TABLE tokens ADD COLUMN sliding INTEGER NOT NULL DEFAULT 0;"
    "UPDATE tokens SET id = 'tk' || lower(hex(substr(hash, 1, 8)));"
    "CREATE UNIQUE INDEX tokens_id ON tokens(id);"
    "CREATE INDEX tokens_account ON tokens(account_id, created_ms);"
    "CREATE INDEX tokens_expiry ON tokens(expires_ms) WHERE expires_ms IS NOT NULL;"
    "CREATE INDEX access_keys_account ON access_keys(account_id, created_ms);",
    NULL,
};

/* v18: a ledger posting cannot overdraw. The balance moves in one statement per leg
 * (UPDATE ... SET balance = balance + ?) under named CHECKs: balance_funded keeps every
 * account but the external one (kind 1) at or above zero, balance_integer keeps SQLite from
 * turning an overflowing balance into a real. Adding a CHECK needs the table rebuilt (the
 * procedure of SQLite's ALTER TABLE page); migrations run with foreign keys off, and
 * db_sqlite.c checks them before committing. */
static const char *const schema_v18[] = {
    "CREATE TABLE ledger_accounts_v18 ("
    "  id INTEGER PRIMARY KEY,"
    "  owner INTEGER NOT NULL,"
    "  kind INTEGER NOT NULL,"
    "  balance INTEGER NOT NULL DEFAULT 0"
    "    CONSTRAINT balance_integer CHECK (typeof(balance) = 'integer')"
    "    CONSTRAINT balance_funded CHECK (kind = 1 OR balance >= 0),"
    "  UNIQUE (owner, kind)"
    ");"
    "INSERT INTO ledger_accounts_v18(id, owner, kind, balance) "
    "  SELECT id, owner, kind, balance FROM ledger_accounts;"
    "DROP TABLE ledger_accounts;"
    "ALTER TABLE ledger_accounts_v18 RENAME TO ledger_accounts;",
    NULL,
};

/* migrations[i] takes version i to version i + 1: a NULL-terminated list of script
 * parts (split only to keep each literal within C's portable string length). */
static const char *const *const schema_migrations[] = {
    schema_v1,
    schema_v2,
    schema_v3,
    schema_v4,
    schema_v5,
    schema_v6,
    schema_v7,
    schema_v8,
    schema_v9,
    schema_v10,
    schema_v11,
    schema_v12,
    schema_v13,
    schema_v14,
    schema_v15,
    schema_v16,
    schema_v17,
    schema_v18,
};

#define SCHEMA_VERSION ((int)(sizeof schema_migrations / sizeof schema_migrations[0]))

#endif
