/* core.c: defaults of the core's configuration. */
#include "core.h"
#include "../util/money.h"
#include "../util/banned.h"

void core_config_init(struct core_config *cfg)
{
    cfg->fee_bp = CORE_FEE_BP_DEFAULT;
    cfg->max_reward = 1000 * MONEY_UNIT;
    cfg->max_bonus = 10000 * MONEY_UNIT;
    cfg->max_assignments = 1000000;
    cfg->max_batch_rows = 100000;
    cfg->base_url = "http://127.0.0.1:8080";
    cfg->masters_approved = CORE_MASTERS_APPROVED_DEFAULT;
    cfg->masters_percent = CORE_MASTERS_PERCENT_DEFAULT;
}
