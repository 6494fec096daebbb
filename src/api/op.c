/* op.c: the one operation table, assembled from the groups in ops_*.c, and name lookup. */
#include "op.h"
#include <string.h>
#include <pthread.h>
#include "ops.h"
#include "../util/alloc.h"
#include "../util/banned.h"

static struct op *table;
static size_t table_n;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void table_build(void)
{
    const struct {
        const struct op *ops;
        size_t n;
    } groups[] = {{ops_requester, ops_requester_n}, {ops_work, ops_work_n},
                  {ops_account, ops_account_n}, {ops_worker_quals, ops_worker_quals_n},
                  {ops_batch, ops_batch_n}, {ops_quals, ops_quals_n},
                  {ops_notify, ops_notify_n}, {ops_files, ops_files_n},
                  {ops_layouts, ops_layouts_n}, {ops_review, ops_review_n},
                  {ops_auth, ops_auth_n}};
    size_t total = 0;
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
        total += groups[g].n;
    table = xmalloc_array(total, sizeof *table);
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
        for (size_t i = 0; i < groups[g].n; i++)
            table[table_n++] = groups[g].ops[i];
}

const struct op *op_table(size_t *n)
{
    pthread_once(&table_once, table_build);
    *n = table_n;
    return table;
}

const struct op *op_find(const char *name)
{
    size_t n;
    const struct op *t = op_table(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0)
            return &t[i];
    return NULL;
}

int op_check_fields(const struct op *op, json_t *in, struct ts_error *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(in, key, v)
    {
        int known = 0;
        for (const char *const *f = op->fields; *f; f++)
            if (strcmp(*f, key) == 0) {
                known = 1;
                break;
            }
        if (!known)
            return ts_failk(err, TS_EINVAL, "UnknownField", "%s does not take a member \"%.64s\"",
                            op->name, key);
    }
    return 0;
}
