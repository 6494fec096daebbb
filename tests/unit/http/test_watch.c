/* test_watch.c: the header deadline. Each case holds one end of a socket pair in the
 * watch and looks at the other end: EOF there means the watch shut the socket down. */
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "../../check.h"
#include "../../../src/http/watch.h"
#include "../../../src/util/banned.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds until peer reads EOF, or -1 when it has not within wait_ms. */
static int64_t eof_within(int peer, int wait_ms)
{
    int64_t start = now_ms();
    struct pollfd p = {peer, POLLIN, 0};
    char c;
    if (poll(&p, 1, wait_ms) != 1)
        return -1;
    if (read(peer, &c, 1) != 0)
        return -1;
    return now_ms() - start;
}

static void test_no_timeout_is_no_watch(void)
{
    struct watch *w = (struct watch *)1;
    struct ts_error err = {0};
    CHECK_EQ_INT(watch_new(0, &w, &err), 0);
    CHECK(w == NULL);
    CHECK(watch_add(NULL, 3) == NULL);
    watch_headers_done(NULL, NULL);
    watch_idle(NULL, NULL);
    watch_remove(NULL, NULL);
    watch_free(NULL);
}

/* Past its deadline a connection is shut down; with its headers done it is left alone
 * until its answer is sent, and then it has the timeout again. */
static void test_deadline(void)
{
    struct watch *w = NULL;
    struct ts_error err = {0};
    int late[2], done[2];
    int64_t t;
    CHECK_EQ_INT(watch_new(1, &w, &err), 0);
    CHECK_EQ_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, late), 0);
    CHECK_EQ_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, done), 0);
    struct watch_conn *a = watch_add(w, late[0]), *b = watch_add(w, done[0]);
    watch_headers_done(w, b);

    t = eof_within(late[1], 3000);
    CHECK(t >= 800 && t <= 2500);
    CHECK_EQ_INT(watch_shut_count(w), 1);
    CHECK_EQ_INT(eof_within(done[1], 1500), -1); /* headers done: no deadline */

    watch_idle(w, b); /* answered: the next request's headers are due */
    t = eof_within(done[1], 3000);
    CHECK(t >= 800 && t <= 2500);
    CHECK_EQ_INT(watch_shut_count(w), 2);

    watch_idle(w, a); /* a shut connection is not watched again */
    watch_remove(w, a);
    watch_remove(w, b);
    watch_free(w);
    close(late[0]);
    close(late[1]);
    close(done[0]);
    close(done[1]);
}

/* Connections added later have later deadlines; removing the head wakes nobody early. */
static void test_order(void)
{
    struct watch *w = NULL;
    struct ts_error err = {0};
    int p1[2], p2[2];
    CHECK_EQ_INT(watch_new(1, &w, &err), 0);
    CHECK_EQ_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, p1), 0);
    CHECK_EQ_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, p2), 0);
    struct watch_conn *a = watch_add(w, p1[0]);
    struct timespec half = {0, 500 * 1000 * 1000};
    nanosleep(&half, NULL);
    struct watch_conn *b = watch_add(w, p2[0]);
    watch_remove(w, a); /* closed before its deadline: never shut */
    CHECK(eof_within(p2[1], 3000) >= 0);
    CHECK_EQ_INT(eof_within(p1[1], 10), -1);
    CHECK_EQ_INT(watch_shut_count(w), 1);
    watch_remove(w, b);
    watch_free(w);
    close(p1[0]);
    close(p1[1]);
    close(p2[0]);
    close(p2[1]);
}

CHECK_MAIN(test_no_timeout_is_no_watch, test_deadline, test_order)
