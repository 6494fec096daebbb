/* watch.c: the header deadline (see watch.h). The connections waiting for headers sit in
 * one list in deadline order: every deadline is "now + the same timeout", taken under the
 * lock, so appending at the tail keeps the order, and the thread only ever looks at the
 * head. Add, lift and remove are O(1) under one mutex; the thread sleeps until the head's
 * deadline. A socket past its deadline is shut down (never closed: the fd stays
 * libmicrohttpd's), which the network thread sees as the peer going away; it then closes
 * the connection and calls watch_remove. That happens before it closes the fd, so the
 * watch never shuts down a descriptor that was reused. */
#include "watch.h"
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include "../util/alloc.h"
#include "../util/banned.h"

struct watch_conn {
    struct watch_conn *prev, *next;
    int fd;
    int listed;          /* in the deadline list */
    int shut;            /* shut down by the watch: never listed again */
    int64_t deadline_ns; /* CLOCK_MONOTONIC */
};

struct watch {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    int64_t timeout_ns;
    int stop;
    struct watch_conn *head, *tail;
    unsigned long shut;
};

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void unlink_conn(struct watch *w, struct watch_conn *c)
{
    if (!c->listed)
        return;
    if (c->prev)
        c->prev->next = c->next;
    else
        w->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        w->tail = c->prev;
    c->prev = c->next = NULL;
    c->listed = 0;
}

/* Under w->mu: c gets a deadline timeout from now, at the tail. */
static void append(struct watch *w, struct watch_conn *c)
{
    int was_empty = w->head == NULL;
    unlink_conn(w, c);
    if (c->shut)
        return;
    c->deadline_ns = mono_ns() + w->timeout_ns;
    c->prev = w->tail;
    if (w->tail)
        w->tail->next = c;
    else
        w->head = c;
    w->tail = c;
    c->listed = 1;
    if (was_empty)
        pthread_cond_signal(&w->cv); /* the thread was waiting without a deadline */
}

static void *watch_main(void *arg)
{
    struct watch *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        struct watch_conn *c = w->head;
        int64_t now = mono_ns();
        if (!c) {
            pthread_cond_wait(&w->cv, &w->mu);
            continue;
        }
        if (c->deadline_ns <= now) {
            unlink_conn(w, c);
            c->shut = 1;
            shutdown(c->fd, SHUT_RDWR);
            w->shut++;
            continue;
        }
        struct timespec ts = {(time_t)(c->deadline_ns / 1000000000),
                              (long)(c->deadline_ns % 1000000000)};
        pthread_cond_timedwait(&w->cv, &w->mu, &ts);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

int watch_new(unsigned timeout_s, struct watch **out, struct ts_error *err)
{
    struct watch *w;
    pthread_condattr_t ca;
    *out = NULL;
    if (timeout_s == 0)
        return 0;
    w = xcalloc(1, sizeof *w);
    w->timeout_ns = (int64_t)timeout_s * 1000000000;
    pthread_mutex_init(&w->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return ts_fail(err, TS_EIO, "cannot start the header-timeout thread");
    }
    *out = w;
    return 0;
}

void watch_free(struct watch *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    while (w->head) {
        struct watch_conn *c = w->head;
        unlink_conn(w, c);
        free(c);
    }
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

struct watch_conn *watch_add(struct watch *w, int fd)
{
    struct watch_conn *c;
    if (!w)
        return NULL;
    c = xcalloc(1, sizeof *c);
    c->fd = fd;
    pthread_mutex_lock(&w->mu);
    append(w, c);
    pthread_mutex_unlock(&w->mu);
    return c;
}

void watch_headers_done(struct watch *w, struct watch_conn *c)
{
    if (!w || !c)
        return;
    pthread_mutex_lock(&w->mu);
    unlink_conn(w, c);
    pthread_mutex_unlock(&w->mu);
}

void watch_idle(struct watch *w, struct watch_conn *c)
{
    if (!w || !c)
        return;
    pthread_mutex_lock(&w->mu);
    append(w, c);
    pthread_mutex_unlock(&w->mu);
}

void watch_remove(struct watch *w, struct watch_conn *c)
{
    if (!w || !c)
        return;
    pthread_mutex_lock(&w->mu);
    unlink_conn(w, c);
    pthread_mutex_unlock(&w->mu);
    free(c);
}

unsigned long watch_shut_count(struct watch *w)
{
    unsigned long n;
    if (!w)
        return 0;
    pthread_mutex_lock(&w->mu);
    n = w->shut;
    pthread_mutex_unlock(&w->mu);
    return n;
}
