/* qform_post.c: the fields a browser posted from the page qform_render.c wrote, turned
 * into the answers JSON of qform.h (selections as SelectionIdentifiers, the Other text
 * field as {"OtherSelectionText": ...}, empty fields dropped). */
#include "qform_internal.h"

#include <string.h>

#include <jansson.h>

#include "../util/buf.h"
#include "../util/banned.h"

/* Whether v holds a string with a NUL character anywhere: the posted form's JSON text
 * could not carry one (JSON text read without JSON_ALLOW_NUL refuses \u0000). */
static int qform_has_nul(json_t *v)
{
    const char *k;
    json_t *e;
    size_t i;

    if (json_is_string(v))
        return memchr(json_string_value(v), '\0', json_string_length(v)) != NULL;
    if (json_is_array(v)) {
        json_array_foreach(v, i, e)
            if (qform_has_nul(e))
                return 1;
    } else if (json_is_object(v)) {
        json_object_foreach(v, k, e)
            if (qform_has_nul(e))
                return 1;
    }
    return 0;
}

json_t *qform_from_post_obj(const struct qform *f, json_t *in, struct ts_error *err)
{
    json_t *out;
    const char *k;
    json_t *v;

    if (!json_is_object(in) || qform_has_nul(in)) {
        ts_fail(err, TS_EINVAL, "the posted form must be a JSON object of field: value");
        return NULL;
    }
    out = json_object();
    json_object_foreach(in, k, v)
    {
        const struct qform_question *q = qform_find(f, k);
        size_t kn = strlen(k), sn = strlen(QFORM_OTHER_SUFFIX);
        if (strcmp(k, "assignmentId") == 0 || qform__empty(v))
            continue;
        if (!q && kn > sn && strcmp(k + kn - sn, QFORM_OTHER_SUFFIX) == 0)
            continue; /* folded in with its question below */
        if (!q || q->kind != QFORM_SELECTION) {
            json_object_set(out, k, v);
            continue;
        }
        json_t *a = json_array();
        if (json_is_array(v)) {
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e)
                if (!qform__empty(e))
                    json_array_append(a, e);
        } else {
            json_array_append(a, v);
        }
        json_object_set_new(out, k, a);
    }
    for (size_t i = 0; i < f->n_questions; i++) {
        const struct qform_question *q = &f->questions[i];
        struct buf name = BUF_INIT(QFORM_MAX_ID + 64);
        json_t *ot, *a;
        if (q->kind != QFORM_SELECTION)
            continue;
        buf_printf(&name, "%s" QFORM_OTHER_SUFFIX, q->id);
        ot = json_object_get(in, name.p);
        buf_release(&name);
        if (json_is_array(ot))
            ot = json_array_get(ot, json_array_size(ot) - 1);
        a = json_object_get(out, q->id);
        if (json_is_string(ot) && json_string_length(ot) > 0) {
            if (!a) {
                a = json_array();
                json_object_set_new(out, q->id, a);
            }
            json_array_append_new(a, json_pack("{s:O}", "OtherSelectionText", ot));
        }
        if (a && q->max_selections == 1 && json_array_size(a) == 1)
            json_object_set(out, q->id, json_array_get(a, 0));
        else if (a && json_array_size(a) == 0)
            json_object_del(out, q->id);
    }
    return out;
}

char *qform_from_post(const struct qform *f, const char *posted_json, struct ts_error *err)
{
    json_error_t jerr;
    json_t *in = json_loads(posted_json, 0, &jerr);
    json_t *out = qform_from_post_obj(f, in, err);
    char *s;

    json_decref(in);
    if (!out)
        return NULL;
    s = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(out);
    if (!s)
        ts_fail(err, TS_EINVAL, "the posted form could not be converted");
    return s;
}
