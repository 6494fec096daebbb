/* model.c: the _release functions of the domain types (model.h): each frees what its
 * struct owns and leaves the pointers NULL, so a second release is harmless. */
#include "model.h"

#include <stdlib.h>
#include <string.h>

#include "../util/banned.h"

void store_hit_type_release(struct hit_type *t)
{
    free(t->title);
    free(t->description);
    free(t->keywords);
    free(t->quals_json);
    t->title = t->description = t->keywords = t->quals_json = NULL;
}

void store_hit_release(struct hit *h)
{
    free(h->question);
    free(h->input_json);
    free(h->annotation);
    free(h->gold);
    free(h->consensus);
    h->question = h->input_json = h->annotation = h->gold = h->consensus = NULL;
}

void store_asg_release(struct assignment *a)
{
    free(a->answer_json);
    free(a->feedback);
    free(a->label);
    a->answer_json = a->feedback = a->label = NULL;
}

void store_bonus_release(struct bonus *b)
{
    free(b->reason);
    b->reason = NULL;
}

void store_batch_release(struct batch *b)
{
    free(b->labels_json);
    b->labels_json = NULL;
}

void store_layout_release(struct hit_layout *l)
{
    free(l->name);
    free(l->content);
    free(l->params_json);
    l->name = l->content = l->params_json = NULL;
}

void store_qual_type_release(struct qual_type *q)
{
    free(q->name);
    free(q->description);
    free(q->keywords);
    free(q->test);
    free(q->answer_key);
    q->name = q->description = q->keywords = q->test = q->answer_key = NULL;
}

void store_qual_request_release(struct qual_request *r)
{
    free(r->test);
    free(r->answer);
    r->test = r->answer = NULL;
}

void store_upload_release(struct upload *u)
{
    free(u->field);
    free(u->data);
    memset(u, 0, sizeof *u);
}

void store_review_policy_release(struct review_policy *p)
{
    free(p->name);
    free(p->params_json);
    p->name = p->params_json = NULL;
}
