/* ops_layouts.c: HIT layouts, native requester operations (MTurk makes layouts in its
 * web console only, so these are Tessera's own). CreateHIT and CreateHITWithHITType take
 * HITLayoutId + HITLayoutParameters (ops_requester.c); core/layout.c does the work. */
#include "ops.h"
#include <stdlib.h>
#include <string.h>
#include "param.h"
#include "render.h"
#include "../core/layout.h"
#include "../doc/question.h"
#include "../util/banned.h"

static json_t *render_layout(const struct hit_layout *l)
{
    json_t *o = json_object();
    json_t *names = json_loads(l->params_json, 0, NULL);
    json_object_set_new(o, "HITLayoutId", json_string(l->id));
    json_object_set_new(o, "Name", json_string(l->name));
    json_object_set_new(o, "Content", json_string(l->content));
    json_object_set_new(o, "FrameHeight", json_integer(l->frame_height));
    json_object_set_new(o, "ParameterNames", names ? names : json_array());
    render_time(o, "CreationTime", l->created_ms);
    return o;
}

static int op_create_layout(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *name = NULL, *content = NULL;
    int64_t height = 0;
    struct hit_layout l;
    int rc = param_str(in, "Name", PARAM_REQUIRED, 4 * LAYOUT_MAX_NAME, &name, err);
    if (!rc)
        rc = param_str(in, "Content", PARAM_REQUIRED, QUESTION_MAX_BYTES, &content, err);
    if (!rc)
        rc = param_int(in, "FrameHeight", PARAM_OPTIONAL, 0, QUESTION_MAX_FRAME_HEIGHT, &height,
                       err);
    if (!rc)
        rc = layout_create(c->core, c->who.id, name, content, height, &l, err);
    if (rc)
        return rc;
    json_object_set_new(out, "HITLayoutId", json_string(l.id));
    json_object_set_new(out, "HITLayout", render_layout(&l));
    store_layout_release(&l);
    return 0;
}

static int op_get_layout(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *id = NULL;
    struct hit_layout l;
    int rc = param_id(in, "HITLayoutId", PARAM_REQUIRED, &id, err);
    if (!rc)
        rc = layout_get_owned(c->core, c->who.id, id, &l, err);
    if (rc)
        return rc;
    json_object_set_new(out, "HITLayout", render_layout(&l));
    store_layout_release(&l);
    return 0;
}

static int op_delete_layout(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *id = NULL;
    struct hit_layout l;
    int rc = param_id(in, "HITLayoutId", PARAM_REQUIRED, &id, err);
    (void)out;
    if (!rc)
        rc = layout_get_owned(c->core, c->who.id, id, &l, err);
    if (rc)
        return rc;
    store_layout_release(&l);
    return store_layout_delete(c->core->st, id, err);
}

static int layout_cb(void *ctx, const struct hit_layout *l)
{
    json_array_append_new(ctx, render_layout(l));
    return 0;
}

static int op_list_layouts(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    struct param_list pl;
    int rc = param_list_begin(in, &pl, err);
    if (rc)
        return rc;
    rc = store_layout_list(c->core->st, c->who.id, pl.after, pl.limit, layout_cb, pl.arr,
                           &pl.last, &pl.more, err);
    return param_list_end(out, "HITLayouts", &pl, rc);
}

static const char *const f_create[] = {"Name", "Content", "FrameHeight", NULL};
static const char *const f_one[] = {"HITLayoutId", NULL};
static const char *const f_list[] = {"NextToken", "MaxResults", NULL};

#define RQ ROLE_REQUESTER

const struct op ops_layouts[] = {
    {"CreateHITLayout", RQ, OP_WRITE, f_create, op_create_layout, NULL},
    {"GetHITLayout", RQ, 0, f_one, op_get_layout, NULL},
    {"ListHITLayouts", RQ, 0, f_list, op_list_layouts, NULL},
    {"DeleteHITLayout", RQ, OP_WRITE, f_one, op_delete_layout, NULL},
};
const size_t ops_layouts_n = sizeof ops_layouts / sizeof ops_layouts[0];
