/* test_route.c: the door http_route names for a request (route.h, enum http_door), which
 * answers everything after the headers: its body limit, its 413 and 503, its replies. The
 * door follows the path alone, so a path's refusals before routing's verdict (a declared
 * body over the limit) take the same shape whatever the method. */
#include <stdio.h>
#include <string.h>
#include "../../check.h"
#include "../../../src/http/route.h"
#include "../../../src/util/banned.h"

static const struct {
    const char *url, *method;
    enum http_route_kind kind;
    enum http_door door;
} cases[] = {
    {"/", "POST", ROUTE_MTURK, HTTP_DOOR_MTURK},
    {"/", "GET", ROUTE_NOT_FOUND, HTTP_DOOR_MTURK},
    {"/api/v1/GetAccountBalance", "POST", ROUTE_NATIVE, HTTP_DOOR_NATIVE},
    {"/api/v1/GetAccountBalance", "GET", ROUTE_NATIVE, HTTP_DOOR_NATIVE},
    {"/healthz", "GET", ROUTE_HEALTHZ, HTTP_DOOR_NATIVE},
    {"/nope", "POST", ROUTE_NOT_FOUND, HTTP_DOOR_NATIVE},
    {"/mturk/externalSubmit", "POST", ROUTE_SUBMIT, HTTP_DOOR_FORM_POST},
    {"/w/abc/mturk/externalSubmit", "POST", ROUTE_SUBMIT, HTTP_DOOR_FORM_POST},
    {"/w//mturk/externalSubmit", "POST", ROUTE_BAD_TASK_LINK, HTTP_DOOR_FORM_POST},
    {"/w/a/b/mturk/externalSubmit", "POST", ROUTE_NO_TASK_PAGE, HTTP_DOOR_FORM_POST},
    {"/w/abc", "GET", ROUTE_TASK, HTTP_DOOR_PAGE},
    {"/w/abc/x", "GET", ROUTE_NO_TASK_PAGE, HTTP_DOOR_PAGE},
    {"/w/", "GET", ROUTE_BAD_TASK_LINK, HTTP_DOOR_PAGE},
    {"/q/abc/submit", "POST", ROUTE_TEST, HTTP_DOOR_PAGE},
    {"/q/abc/x", "GET", ROUTE_NO_TEST_PAGE, HTTP_DOOR_PAGE},
    {"/preview/3ABC", "GET", ROUTE_PREVIEW, HTTP_DOOR_PAGE},
    {"/preview/", "GET", ROUTE_NO_PUBLIC_PAGE, HTTP_DOOR_PAGE},
    {"/mturk/upload/k1", "GET", ROUTE_UPLOAD, HTTP_DOOR_PAGE},
    {"/mturk/other", "GET", ROUTE_NOT_FOUND, HTTP_DOOR_PAGE},
};

static void test_doors(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct http_route rt;
        http_route(cases[i].url, cases[i].method, &rt);
        CHECK_EQ_INT(rt.kind, cases[i].kind);
        CHECK_EQ_INT(rt.door, cases[i].door);
        if (rt.kind != cases[i].kind || rt.door != cases[i].door)
            fprintf(stderr, "  for %s %s\n", cases[i].method, cases[i].url);
    }
}

CHECK_MAIN(test_doors)
