/* core.h: the context every rule runs in. The core owns the rules of Tessera (the
 * HIT and assignment state machines, money, pseudonyms); it knows no HTTP and no SQL,
 * only the store interface. Every core function runs inside a transaction its caller
 * opened, and a failed call is undone by rolling that transaction (or savepoint) back. */
#ifndef TS_CORE_H
#define TS_CORE_H
#include <stdint.h>
#include "../store/store.h"

struct secrets;

struct core_config {
    int fee_bp;              /* platform fee in basis points of rewards and bonuses */
    int64_t max_reward;      /* micro-units: the largest Reward accepted */
    int64_t max_bonus;       /* micro-units: the largest BonusAmount accepted */
    int64_t max_assignments; /* the largest MaxAssignments accepted */
    int64_t max_batch_rows;  /* the most HITs one CreateBatch makes */
    const char *base_url;    /* this server as workers reach it, e.g. http://127.0.0.1:8080 */
    /* Who counts as a Master (docs/mturk.md, "Masters"): at least this many approved
     * assignments, and at least this percentage of the reviewed ones approved. */
    int64_t masters_approved;
    int64_t masters_percent;
};
#define CORE_FEE_BP_DEFAULT 2000
#define CORE_MASTERS_APPROVED_DEFAULT 1000
#define CORE_MASTERS_PERCENT_DEFAULT 98
void core_config_init(struct core_config *cfg);

struct core_ctx {
    struct store *st;
    const struct secrets *sec;
    const struct core_config *cfg;
    int64_t now_ms; /* one clock reading for the whole transaction */
};

#endif
