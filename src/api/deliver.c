/* deliver.c: the delivery threads: one dispatcher that reads the outbox and DELIVER_WORKERS
 * workers that POST. Invariants: no delivery thread writes to the store (each attempt's
 * outcome goes through the executor, as an internal operation that no door can reach); a
 * message is marked delivered only after a 2xx answer, so delivery is at least once; at
 * most one message per destination (scheme, host and port) and DELIVER_PER_REQUESTER per
 * requester are in flight, so a slow or dead receiver holds one worker, one requester's
 * receivers never hold them all, and a destination gets its messages one after another
 * in outbox order; stopping abandons the POSTs under way without recording them, so their
 * messages go out again after the next start. */
#include "deliver.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include <sodium.h>
#include "../core/secrets.h"
#include "../util/alloc.h"
#include "../util/clock.h"
#include "../util/log.h"
#include "../util/banned.h"

#define SCAN_PAGE 64 /* due messages read per query while looking for work */
#define POLL_MS 250   /* how often the outbox is looked at when nothing is due */
#define POST_TIMEOUT_MS 10000L
#define CONNECT_TIMEOUT_MS 5000L

/* A due message, copied out of the store's row. dest_key is its destination's
 * "scheme://host:port", lower case, with the scheme's port when the URL gives none. */
struct due {
    int64_t seq, requester_id, next_ms;
    char *destination, *key_id, *body, *dest_key;
};

enum slot_state { SLOT_FREE = 0, SLOT_QUEUED, SLOT_RUNNING };

/* A worker's message: handed over by the dispatcher (QUEUED), taken by a worker
 * (RUNNING), freed once its outcome is recorded. Guarded by deliver.mu. */
struct slot {
    int state;
    struct due m;
};

struct deliver;

struct worker {
    struct deliver *d;
    pthread_t thread;
    struct store *st; /* the worker's own read connection (access keys) */
};

struct deliver {
    pthread_t thread; /* the dispatcher */
    pthread_mutex_t mu;
    pthread_cond_t cv;      /* wakes the dispatcher: a slot was freed, or stop */
    pthread_cond_t work_cv; /* wakes the workers: a slot was queued, or stop */
    atomic_int stopping;
    struct store *st; /* the dispatcher's read connection */
    const struct secrets *sec;
    struct exec *x;
    struct notify_policy policy;
    struct slot slots[DELIVER_WORKERS];
    struct worker workers[DELIVER_WORKERS];
    uint64_t freed; /* slots freed so far: a page read before a change is read again */
};

struct due_list {
    struct due items[SCAN_PAGE];
    int n;
};

/* "scheme://host:port" of url (a URL notify_spec_check accepted), lower case. */
static char *dest_key(const char *url)
{
    const char *host = strstr(url, "://"), *end, *port;
    size_t n;
    char *k;

    host = host ? host + 3 : url;
    end = host + strcspn(host, "/?");
    port = end;
    for (const char *p = end; p > host; p--) {
        if (p[-1] == ']')
            break;
        if (p[-1] == ':') {
            port = p - 1;
            break;
        }
    }
    n = (size_t)(end - url);
    k = xmalloc(n + 8);
    snprintf(k, n + 8, "%.*s%s", (int)n, url,
             port != end ? "" : strncmp(url, "https", 5) == 0 ? ":443" : ":80");
    for (char *p = k; *p; p++)
        if ('A' <= *p && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return k;
}

static int due_cb(void *ctx, const struct notify_msg *m)
{
    struct due_list *l = ctx;
    struct due *d;
    if (l->n >= SCAN_PAGE)
        return 1;
    d = &l->items[l->n++];
    d->seq = m->seq;
    d->requester_id = m->requester_id;
    d->next_ms = m->next_ms;
    d->dest_key = dest_key(m->destination);
    d->destination = xstrdup(m->destination);
    d->key_id = xstrdup(m->key_id);
    d->body = xstrdup(m->body);
    return 0;
}

static void due_release(struct due *d)
{
    free(d->destination);
    free(d->key_id);
    free(d->body);
    free(d->dest_key);
    memset(d, 0, sizeof *d);
}

void deliver_sign(const char *secret, int64_t ts, const char *body, size_t len, char out[72])
{
    crypto_auth_hmacsha256_state h;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char stamp[24];
    int n = snprintf(stamp, sizeof stamp, "%lld.", (long long)ts);

    crypto_auth_hmacsha256_init(&h, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&h, (const unsigned char *)stamp, (unsigned long long)n);
    crypto_auth_hmacsha256_update(&h, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&h, mac);
    memcpy(out, "sha256=", 7);
    sodium_bin2hex(out + 7, 72 - 7, mac, sizeof mac);
    sodium_memzero(&h, sizeof h);
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

static int abort_if_stopping(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t e)
{
    struct deliver *d = arg;
    (void)a;
    (void)b;
    (void)c;
    (void)e;
    return atomic_load(&d->stopping) ? 1 : 0;
}

/* The secret of the message's access key, which must still belong to its requester. */
static int open_secret(struct deliver *d, struct store *st, const struct due *m, char *secret,
                       size_t cap, struct ts_error *err)
{
    unsigned char box[256];
    size_t len = 0;
    int64_t owner = 0;
    int rc = store_access_key_get(st, m->key_id, &owner, box, sizeof box, &len, err);
    if (rc == 0 && owner != m->requester_id)
        rc = TS_ENOTFOUND;
    if (rc == TS_ENOTFOUND)
        return ts_fail(err, TS_ENOTFOUND, "the access key %s that signs these notifications no "
                                          "longer exists; set the notification again",
                       m->key_id);
    if (!rc)
        rc = secrets_open(d->sec, box, len, secret, cap, err);
    return rc;
}

/* One attempt: 0 when the receiver answered 2xx; else a short error in err. *status is
 * the HTTP status (0 when none). 1 when stopped during the attempt (not an outcome). */
static int post_one(struct deliver *d, struct store *st, const struct due *m, int *status,
                    struct ts_error *err)
{
    char secret[256 - SECRETS_SEAL_OVERHEAD + 1];
    char sig[72], h_sig[128], h_ts[64], h_key[96], h_id[64];
    struct curl_slist *hdr = NULL;
    CURL *curl;
    CURLcode cc;
    long code = 0;
    int64_t ts = clock_now_ms() / 1000;
    size_t len = strlen(m->body);
    int rc = open_secret(d, st, m, secret, sizeof secret, err);

    *status = 0;
    if (rc)
        return rc;
    deliver_sign(secret, ts, m->body, len, sig);
    sodium_memzero(secret, sizeof secret);
    snprintf(h_sig, sizeof h_sig, "X-Tessera-Signature: %s", sig);
    snprintf(h_ts, sizeof h_ts, "X-Tessera-Timestamp: %lld", (long long)ts);
    snprintf(h_key, sizeof h_key, "X-Tessera-Key-Id: %s", m->key_id);
    snprintf(h_id, sizeof h_id, "X-Tessera-Delivery: %lld", (long long)m->seq);
    hdr = curl_slist_append(hdr, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, h_sig);
    hdr = curl_slist_append(hdr, h_ts);
    hdr = curl_slist_append(hdr, h_key);
    hdr = curl_slist_append(hdr, h_id);
    hdr = curl_slist_append(hdr, "Expect:");
    curl = curl_easy_init();
    if (!curl || !hdr) {
        curl_slist_free_all(hdr);
        if (curl)
            curl_easy_cleanup(curl);
        return ts_fail(err, TS_EIO, "could not set up the HTTP client");
    }
    curl_easy_setopt(curl, CURLOPT_URL, m->destination);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, m->body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "tessera-notify/1");
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, POST_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, abort_if_stopping);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, d);
    cc = curl_easy_perform(curl);
    if (cc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(curl);
    curl_slist_free_all(hdr);
    if (cc == CURLE_ABORTED_BY_CALLBACK && atomic_load(&d->stopping))
        return 1;
    if (cc != CURLE_OK)
        return ts_fail(err, TS_EIO, "%s", curl_easy_strerror(cc));
    *status = (int)code;
    if (code < 200 || code > 299)
        return ts_fail(err, TS_EIO, "the receiver answered HTTP %ld", code);
    return 0;
}

/* The internal operation that records an attempt; only this file can queue it. */
static int op_record(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    struct notify_policy p;
    (void)out;
    p.base_ms = json_integer_value(json_object_get(in, "base_ms"));
    p.max_attempts = json_integer_value(json_object_get(in, "max_attempts"));
    return notify_record_attempt(c->core, json_integer_value(json_object_get(in, "seq")),
                                 json_is_true(json_object_get(in, "ok")),
                                 (int)json_integer_value(json_object_get(in, "status")),
                                 json_string_value(json_object_get(in, "error")), &p, err);
}

static const char *const f_record[] = {NULL};
static const struct op record_op = {"RecordNotificationAttempt", ROLE_NONE, OP_WRITE, f_record,
                                    op_record, NULL};

static void record(struct deliver *d, const struct due *m, int ok, int status, const char *error)
{
    struct exec_job j;
    memset(&j, 0, sizeof j);
    j.op = &record_op;
    j.in = json_pack("{sI sb si ss sI sI}", "seq", (json_int_t)m->seq, "ok", ok, "status", status,
                     "error", error ? error : "", "base_ms", (json_int_t)d->policy.base_ms,
                     "max_attempts", (json_int_t)d->policy.max_attempts);
    if (!j.in)
        TS_BUG("could not build a notification record");
    exec_run(d->x, &j);
    if (j.rc)
        log_warn("notification %lld: could not record the attempt, it will be sent again: %s",
                 (long long)m->seq, j.err.msg);
    json_decref(j.out);
    json_decref(j.in);
}

/* Sleeps until ms (wall clock), a slot is freed, or stop. */
static void wait_until(struct deliver *d, int64_t ms, uint64_t freed)
{
    struct timespec ts;
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    pthread_mutex_lock(&d->mu);
    if (!atomic_load(&d->stopping) && d->freed == freed)
        pthread_cond_timedwait(&d->cv, &d->mu, &ts);
    pthread_mutex_unlock(&d->mu);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct deliver *d = w->d;
    for (;;) {
        struct slot *sl = NULL;
        struct ts_error err = {0};
        int status = 0, rc;

        pthread_mutex_lock(&d->mu);
        while (!atomic_load(&d->stopping)) {
            for (int i = 0; i < DELIVER_WORKERS && !sl; i++)
                if (d->slots[i].state == SLOT_QUEUED)
                    sl = &d->slots[i];
            if (sl)
                break;
            pthread_cond_wait(&d->work_cv, &d->mu);
        }
        if (!sl) {
            pthread_mutex_unlock(&d->mu);
            return NULL;
        }
        sl->state = SLOT_RUNNING;
        pthread_mutex_unlock(&d->mu);

        rc = post_one(d, w->st, &sl->m, &status, &err);
        if (rc != 1)
            record(d, &sl->m, rc == 0, status, rc ? err.msg : NULL);

        pthread_mutex_lock(&d->mu);
        due_release(&sl->m);
        sl->state = SLOT_FREE;
        d->freed++;
        pthread_cond_signal(&d->cv);
        pthread_mutex_unlock(&d->mu);
    }
}

/* Hands out page's messages to free slots, each only when no slot holds its destination
 * and fewer than DELIVER_PER_REQUESTER hold its requester's. Called with d->mu held.
 * Returns the number of free slots left. */
static int assign(struct deliver *d, struct due_list *page)
{
    int free_slots = 0;
    for (int i = 0; i < DELIVER_WORKERS; i++)
        free_slots += d->slots[i].state == SLOT_FREE;
    for (int i = 0; i < page->n && free_slots > 0; i++) {
        struct due *m = &page->items[i];
        int busy = 0, mine = 0, to = -1;
        for (int k = 0; k < DELIVER_WORKERS; k++) {
            if (d->slots[k].state == SLOT_FREE) {
                to = to < 0 ? k : to;
                continue;
            }
            busy |= strcmp(d->slots[k].m.dest_key, m->dest_key) == 0;
            mine += d->slots[k].m.requester_id == m->requester_id;
        }
        if (busy || mine >= DELIVER_PER_REQUESTER)
            continue;
        d->slots[to].m = *m; /* the slot owns the strings now */
        memset(m, 0, sizeof *m);
        d->slots[to].state = SLOT_QUEUED;
        free_slots--;
        pthread_cond_signal(&d->work_cv);
    }
    return free_slots;
}

/* One pass over the due messages, oldest due first, until every slot is taken. Each
 * destination's first due message goes to a free slot unless one of its messages is in
 * flight (or its requester has its share in flight). When a slot is freed during the
 * pass, the pass starts again: the page may predate the freed message's outcome (which
 * must not go out twice), and a destination or requester skipped on an earlier page
 * could otherwise have a later message handed out before its earlier one. Without a
 * free, whatever was skipped stays blocked for the rest of the pass. */
static void dispatch(struct deliver *d, int64_t now)
{
    int64_t after_next = INT64_MIN, after_seq = 0;
    for (;;) {
        struct due_list page;
        struct ts_error err = {0};
        uint64_t freed;
        int free_slots = 0, stale, rc;

        pthread_mutex_lock(&d->mu);
        for (int i = 0; i < DELIVER_WORKERS; i++)
            free_slots += d->slots[i].state == SLOT_FREE;
        freed = d->freed;
        pthread_mutex_unlock(&d->mu);
        if (!free_slots || atomic_load(&d->stopping))
            return;
        page.n = 0;
        rc = store_notify_due_after(d->st, now, after_next, after_seq, SCAN_PAGE, due_cb, &page,
                                    &err);
        if (rc) {
            log_warn("notifications: reading the outbox failed, will retry: %s", err.msg);
            for (int i = 0; i < page.n; i++)
                due_release(&page.items[i]);
            return;
        }
        if (page.n > 0) {
            after_next = page.items[page.n - 1].next_ms;
            after_seq = page.items[page.n - 1].seq;
        }
        pthread_mutex_lock(&d->mu);
        stale = d->freed != freed;
        if (!stale)
            free_slots = assign(d, &page);
        pthread_mutex_unlock(&d->mu);
        for (int i = 0; i < page.n; i++)
            due_release(&page.items[i]); /* those not handed out (no-op for the others) */
        if (stale) {
            after_next = INT64_MIN; /* start the pass again */
            after_seq = 0;
            continue;
        }
        if (page.n < SCAN_PAGE || !free_slots)
            return;
    }
}

static void *deliver_main(void *arg)
{
    struct deliver *d = arg;
    while (!atomic_load(&d->stopping)) {
        struct ts_error err = {0};
        int64_t now = clock_now_ms(), next = now + POLL_MS, first;
        uint64_t freed;

        pthread_mutex_lock(&d->mu);
        freed = d->freed;
        pthread_mutex_unlock(&d->mu);
        dispatch(d, now);
        /* Wake when a slot is freed, when the next message falls due, or at POLL_MS: a
         * message due now but held back behind its destination's waits for a freed slot. */
        if (store_notify_next_ms(d->st, &first, &err) == 0 && first > now && first < next)
            next = first;
        wait_until(d, next, freed);
    }
    return NULL;
}

int deliver_start(const char *db_path, const struct secrets *sec, struct exec *x,
                  const struct notify_policy *policy, struct deliver **out,
                  struct ts_error *err)
{
    struct deliver *d;
    int rc;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return ts_fail(err, TS_EIO, "could not initialise libcurl");
    d = xcalloc(1, sizeof *d);
    rc = store_open(db_path, &d->st, err);
    for (int i = 0; !rc && i < DELIVER_WORKERS; i++)
        rc = store_open(db_path, &d->workers[i].st, err);
    if (rc) {
        for (int i = 0; i < DELIVER_WORKERS; i++)
            if (d->workers[i].st)
                store_close(d->workers[i].st);
        if (d->st)
            store_close(d->st);
        free(d);
        curl_global_cleanup();
        return rc;
    }
    d->sec = sec;
    d->x = x;
    d->policy = *policy;
    atomic_init(&d->stopping, 0);
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->cv, NULL);
    pthread_cond_init(&d->work_cv, NULL);
    for (int i = 0; i < DELIVER_WORKERS; i++) {
        d->workers[i].d = d;
        if (pthread_create(&d->workers[i].thread, NULL, worker_main, &d->workers[i]) != 0)
            TS_BUG("could not start a notification delivery thread");
    }
    if (pthread_create(&d->thread, NULL, deliver_main, d) != 0)
        TS_BUG("could not start the notification delivery thread");
    *out = d;
    return 0;
}

void deliver_stop(struct deliver *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&d->mu);
    atomic_store(&d->stopping, 1);
    pthread_cond_broadcast(&d->cv);
    pthread_cond_broadcast(&d->work_cv);
    pthread_mutex_unlock(&d->mu);
    pthread_join(d->thread, NULL);
    for (int i = 0; i < DELIVER_WORKERS; i++) {
        pthread_join(d->workers[i].thread, NULL);
        store_close(d->workers[i].st);
    }
    for (int i = 0; i < DELIVER_WORKERS; i++)
        if (d->slots[i].state != SLOT_FREE)
            due_release(&d->slots[i].m); /* handed out, not started: stays queued */
    store_close(d->st);
    pthread_mutex_destroy(&d->mu);
    pthread_cond_destroy(&d->cv);
    pthread_cond_destroy(&d->work_cv);
    free(d);
    curl_global_cleanup();
}
