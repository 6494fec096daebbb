/* pseudonym.c: workers as requesters see them (see pseudonym.h): derived under the
 * pseudonym subkey (secrets_pseudonym_mac), recorded when shown, resolved only for the
 * requester that was shown them. */
#include "pseudonym.h"
#include <string.h>
#include <sodium.h>
#include "secrets.h"
#include "../util/banned.h"

_Static_assert(PSEUDONYM_LEN + 1 <= PSEUDONYM_SIZE, "pseudonym buffer");

static void put_be64(unsigned char *p, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--) {
        p[i] = (unsigned char)(u & 0xff);
        u >>= 8;
    }
}

void pseudonym_derive(const struct secrets *s, int64_t requester_id, int64_t worker_id,
                      char out[PSEUDONYM_SIZE])
{
    static const char upper36[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    unsigned char msg[16], mac[SECRETS_MAC_LEN];

    put_be64(msg, requester_id);
    put_be64(msg + 8, worker_id);
    secrets_pseudonym_mac(s, msg, sizeof msg, mac);
    /* Base-36 digits of the 256-bit MAC, by repeated long division: the bias over
     * 13 digits is below 2^-188. */
    out[0] = 'A';
    for (int d = 1; d < PSEUDONYM_LEN; d++) {
        unsigned rem = 0;
        for (size_t i = 0; i < sizeof mac; i++) {
            unsigned cur = rem * 256u + mac[i];
            mac[i] = (unsigned char)(cur / 36u);
            rem = cur % 36u;
        }
        out[d] = upper36[rem];
    }
    out[PSEUDONYM_LEN] = '\0';
    sodium_memzero(mac, sizeof mac);
}

int pseudonym_note(struct core_ctx *c, int64_t requester_id, int64_t worker_id,
                   struct ts_error *err)
{
    char pseud[PSEUDONYM_SIZE];
    pseudonym_derive(c->sec, requester_id, worker_id, pseud);
    return store_pseudonym_note(c->st, requester_id, pseud, worker_id, err);
}

int pseudonym_resolve(struct core_ctx *c, int64_t requester_id, const char *pseudonym,
                      int64_t *worker_id, struct ts_error *err)
{
    int64_t w = 0;
    int rc = store_pseudonym_find(c->st, requester_id, pseudonym, &w, err);
    if (rc == TS_ENOTFOUND)
        return ts_failk(err, TS_ENOTFOUND, "WorkerDoesNotExist",
                        "no worker %s has accepted a HIT of yours: you know workers only by "
                        "the WorkerId shown with their assignments",
                        pseudonym);
    if (!rc)
        *worker_id = w;
    return rc;
}

int pseudonym_is(const struct core_ctx *c, int64_t requester_id, const char *pseudonym,
                 int64_t worker_id)
{
    char pseud[PSEUDONYM_SIZE];
    pseudonym_derive(c->sec, requester_id, worker_id, pseud);
    return strcmp(pseud, pseudonym) == 0;
}
