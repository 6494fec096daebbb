/* cap.h: URLs that carry their own authority, for the two clients that have no bearer
 * token: a worker's browser submitting a task's form, and a requester's script fetching
 * an uploaded file by the link GetFileUploadURL gave it. Each is a MAC under a subkey of
 * the master key (secrets_mac), checked in constant time; nothing about them is stored.
 * docs/internals/capabilities.md explains the design. */
#ifndef TS_CAP_H
#define TS_CAP_H
#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"

struct secrets;

/* A submit capability: "<assignment id>.<43 characters of base64url>", the MAC of
 * ("submit", assignment id, worker id). Whoever holds it may see the assignment's task
 * and submit it, and nothing else. */
#define CAP_MAC_CHARS 43 /* unpadded base64url of 32 bytes */
#define CAP_SUBMIT_MAX 80
/* What a task or test link that does not verify is told, whatever is wrong with it (its
 * shape, its MAC, the object it names): one answer, so a guess learns nothing. */
#define CAP_SUBMIT_INVALID "this task link is not valid (mistyped or not made by this server)"
#define CAP_QTEST_INVALID                                                                  \
    "this test link is not valid (mistyped, not made by this server, or for an earlier "   \
    "attempt)"
void cap_submit_make(const struct secrets *s, const char *asg_id, int64_t worker_id,
                     char out[CAP_SUBMIT_MAX]);
/* Copies the assignment id cap names into asg_id (NUL-terminated, at most 30
 * characters [0-9A-Z]). TS_EINVAL when cap is not shaped like a capability; the MAC is
 * not checked here. */
int cap_submit_parse(const char *cap, char asg_id[32], struct ts_error *err);
/* 0 when cap is the capability of (asg_id, worker_id); TS_EFORBIDDEN otherwise (the
 * MAC is compared in constant time). */
int cap_submit_check(const struct secrets *s, const char *cap, const char *asg_id,
                     int64_t worker_id, struct ts_error *err);

/* A qualification test link: "<request id>.<MAC of ("qtest", request id, worker id)>",
 * the same shape as a submit capability (cap_submit_parse reads its id). Whoever holds it
 * may see that running test and hand it in, and nothing else. */
void cap_qtest_make(const struct secrets *s, const char *request_id, int64_t worker_id,
                    char out[CAP_SUBMIT_MAX]);
int cap_qtest_check(const struct secrets *s, const char *cap, const char *request_id,
                    int64_t worker_id, struct ts_error *err);

/* A download link's signature: the MAC of ("upload", key, expiry), base64url, into sig
 * (CAP_MAC_CHARS + NUL). expires_s is seconds since the epoch. */
#define CAP_UPLOAD_TTL_S 60
void cap_upload_sign(const struct secrets *s, const char *key, int64_t expires_s,
                     char sig[CAP_MAC_CHARS + 1]);
/* 0 when sig signs (key, expires_s) and now_ms is not past expires_s; TS_EFORBIDDEN
 * otherwise, with a message saying which (expired, or not signed here). */
int cap_upload_check(const struct secrets *s, const char *key, int64_t expires_s,
                     const char *sig, int64_t now_ms, struct ts_error *err);

#endif
