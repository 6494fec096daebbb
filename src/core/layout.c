/* layout.c: HIT layouts. The placeholder syntax and the escaping are those of batch
 * templates (rows.h: tmpl_check, tmpl_fill), so a layout is filled exactly as a batch
 * row fills a template; the parameters become a one-row table. */
#include "layout.h"

#include <stdlib.h>
#include <string.h>

#include "../doc/question.h"
#include "../doc/rows.h"
#include "secrets.h"
#include "../util/alloc.h"
#include "../util/text.h"
#include "../util/banned.h"

/* The distinct placeholder names of a checked template, in order of first use. */
static json_t *layout_names(const char *t)
{
    json_t *names = json_array();

    for (const char *p = t; *p; p++) {
        if (p[0] != '$')
            continue;
        if (p[1] == '$') {
            p++;
            continue;
        }
        if (p[1] != '{')
            continue;
        const char *end = strchr(p + 2, '}');
        if (!end)
            break; /* tmpl_check refused this already */
        json_t *n = json_stringn(p + 2, (size_t)(end - p - 2));
        size_t i;
        json_t *e;
        int seen = 0;
        json_array_foreach(names, i, e) seen |= json_equal(e, n);
        if (seen)
            json_decref(n);
        else
            json_array_append_new(names, n);
        p = end;
    }
    return names;
}

int layout_create(struct core_ctx *c, int64_t requester_id, const char *name,
                  const char *content, int64_t frame_height, struct hit_layout *out,
                  struct ts_error *err)
{
    long chars = text_utf8_chars(name, strlen(name));
    size_t blank = strspn(content, " \t\r\n");
    json_t *names;
    int rc;

    if (chars < 1 || chars > LAYOUT_MAX_NAME)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "Name must be 1 to %d characters of text", LAYOUT_MAX_NAME);
    if (blank == strlen(content))
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "Content must be a non-empty HTML page");
    if (strlen(content) > QUESTION_MAX_BYTES - 512)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "Content has %zu bytes; the limit is %d", strlen(content),
                        QUESTION_MAX_BYTES - 512);
    if (text_utf8_chars(content, strlen(content)) < 0)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "Content is not valid UTF-8");
    if (frame_height < 0 || frame_height > QUESTION_MAX_FRAME_HEIGHT)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "FrameHeight must be an integer from 0 to %d", QUESTION_MAX_FRAME_HEIGHT);
    rc = tmpl_check(content, NULL, err);
    if (rc) {
        err->kind = "ParameterValidationError";
        return rc;
    }
    names = layout_names(content);
    if (json_array_size(names) > LAYOUT_MAX_PARAMS) {
        json_decref(names);
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "Content has %zu placeholders; the limit is %d",
                        json_array_size(names), LAYOUT_MAX_PARAMS);
    }
    memset(out, 0, sizeof *out);
    secrets_id_new(out->id);
    out->requester_id = requester_id;
    out->name = xstrdup(name);
    out->content = xstrdup(content);
    out->frame_height = frame_height;
    out->params_json = json_dumps(names, JSON_COMPACT);
    out->created_ms = c->now_ms;
    json_decref(names);
    if (!out->params_json)
        TS_BUG("could not write a layout's placeholder names");
    rc = store_layout_insert(c->st, out, err);
    if (rc)
        store_layout_release(out);
    return rc;
}

int layout_get_owned(struct core_ctx *c, int64_t requester_id, const char *id,
                     struct hit_layout *out, struct ts_error *err)
{
    int rc = store_layout_get(c->st, id, out, err);
    if (rc == 0 && out->requester_id != requester_id) {
        store_layout_release(out);
        rc = TS_ENOTFOUND;
    }
    if (rc == TS_ENOTFOUND)
        return ts_failk(err, TS_ENOTFOUND, "HITLayoutDoesNotExist",
                        "HIT layout %s does not exist", id);
    return rc;
}

/* Reads params into the columns and one row of r (strings borrowed from params). */
static int layout_params(const struct hit_layout *l, json_t *params, struct rows *r,
                         struct ts_error *err)
{
    json_t *names = json_loads(l->params_json, 0, NULL);
    size_t n = params ? json_array_size(params) : 0, i;
    int rc = 0;

    if (!json_is_array(names))
        TS_BUG("layout %s has unreadable placeholder names", l->id);
    if (params && !json_is_array(params))
        rc = ts_failk(err, TS_EINVAL, "ParameterValidationError",
                      "HITLayoutParameters must be a list of {Name, Value}");
    if (!rc && n > LAYOUT_MAX_PARAMS)
        rc = ts_failk(err, TS_EINVAL, "ParameterValidationError",
                      "HITLayoutParameters has more than %d entries", LAYOUT_MAX_PARAMS);
    r->nrows = 1;
    r->ncols = 0;
    r->cols = xcalloc(n + 1, sizeof *r->cols);
    r->cells = xcalloc(n + 1, sizeof *r->cells);
    for (i = 0; !rc && i < n; i++) {
        json_t *p = json_array_get(params, i);
        json_t *nm = json_object_get(p, "Name"), *v = json_object_get(p, "Value");
        const char *name = json_string_value(nm);
        size_t k;
        json_t *known;
        int found = 0;
        if (!json_is_object(p) || !json_is_string(nm) || !json_is_string(v) ||
            json_object_size(p) != 2)
            rc = ts_failk(err, TS_EINVAL, "ParameterValidationError",
                          "HITLayoutParameters[%zu] must be {\"Name\": text, \"Value\": text}", i);
        else if (json_string_length(v) > LAYOUT_MAX_VALUE ||
                 text_utf8_chars(json_string_value(v), json_string_length(v)) < 0 ||
                 strlen(json_string_value(v)) != json_string_length(v))
            rc = ts_failk(err, TS_EINVAL, "ParameterValidationError",
                          "HITLayoutParameters: the value of %.64s must be text of at most %d "
                          "bytes", name, LAYOUT_MAX_VALUE);
        for (size_t j = 0; !rc && j < r->ncols; j++)
            if (strcmp(r->cols[j], name) == 0)
                rc = ts_failk(err, TS_EINVAL, "ParameterValidationError",
                              "HITLayoutParameters names %.64s twice", name);
        if (rc)
            break;
        json_array_foreach(names, k, known) found |= strcmp(json_string_value(known), name) == 0;
        if (!found)
            rc = ts_failk(err, TS_EINVAL, "ParameterValidationError",
                          "HITLayoutParameters names %.64s, which HIT layout %s does not use",
                          name, l->id);
        if (rc)
            break;
        r->cols[r->ncols] = (char *)name;
        r->cells[r->ncols] = (char *)json_string_value(v);
        r->ncols++;
    }
    if (!rc) {
        json_t *known;
        json_array_foreach(names, i, known) {
            size_t j = 0;
            while (j < r->ncols && strcmp(r->cols[j], json_string_value(known)) != 0)
                j++;
            if (j == r->ncols) {
                rc = ts_failk(err, TS_EINVAL, "ParameterValidationError",
                              "HITLayoutParameters lacks ${%.64s}, a placeholder of HIT layout "
                              "%s", json_string_value(known), l->id);
                break;
            }
        }
    }
    json_decref(names);
    return rc;
}

/* Appends s as CDATA content: "]]>" is split across two sections. */
static void layout_cdata(struct buf *b, const char *s)
{
    buf_puts(b, "<![CDATA[");
    for (const char *p = s; *p; p++) {
        if (p[0] == ']' && p[1] == ']' && p[2] == '>') {
            buf_puts(b, "]]]]><![CDATA[>");
            p += 2;
        } else {
            buf_putc(b, *p);
        }
    }
    buf_puts(b, "]]>");
}

int layout_fill(const struct hit_layout *l, json_t *params, char **question,
                struct ts_error *err)
{
    struct rows r = {0};
    struct buf html = BUF_INIT((size_t)QUESTION_MAX_BYTES * 2);
    struct buf xml = BUF_INIT((size_t)QUESTION_MAX_BYTES * 4);
    struct question q;
    int rc = layout_params(l, params, &r, err);

    if (!rc) {
        rc = tmpl_fill(l->content, &r, 0, &html, err);
        if (rc == TS_EINVAL) /* a placeholder no parameter gives */
            err->kind = "ParameterValidationError";
    }
    if (!rc) {
        buf_puts(&xml, "<HTMLQuestion xmlns=\"" QUESTION_NS_HTML "\"><HTMLContent>");
        layout_cdata(&xml, html.p);
        buf_printf(&xml, "</HTMLContent><FrameHeight>%lld</FrameHeight></HTMLQuestion>",
                   (long long)l->frame_height);
        if (xml.err || xml.len > QUESTION_MAX_BYTES)
            rc = ts_failk(err, TS_ETOOBIG, "ParameterValidationError",
                          "the HIT layout filled with these parameters is larger than the "
                          "Question limit of %d bytes", QUESTION_MAX_BYTES);
    }
    if (!rc) {
        rc = question_parse(xml.p, xml.len, &q, err);
        if (!rc)
            question_release(&q);
    }
    free(r.cols);
    free(r.cells);
    buf_release(&html);
    if (rc) {
        buf_release(&xml);
        return rc;
    }
    *question = buf_detach(&xml, NULL);
    return 0;
}
