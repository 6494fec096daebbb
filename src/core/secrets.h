/* secrets.h: the server master key and everything derived from it or drawn from
 * libsodium's CSPRNG: API tokens (stored only as hashes), password hashes, SigV4
 * access keys, the box that encrypts stored SigV4 secrets, the MAC that per-requester
 * worker pseudonyms are made from (pseudonym.h), and random object ids. */
#ifndef TS_SECRETS_H
#define TS_SECRETS_H
#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"

/* Opaque: the master key and the subkeys derived from it (crypto_kdf, context
 * "tessera_": 1 = secretbox, 2 = pseudonym, 3 = capability MACs). */
struct secrets;

/* Reads the 32-byte master key at key_path into a new *out (caller frees with
 * secrets_free). When the file does not exist it is created with mode 0600 (O_EXCL)
 * from randombytes and fsynced, together with its directory. A file of the wrong size,
 * not a regular file, or readable/writable by group or other is refused (TS_EINVAL,
 * the message says how to fix it); system errors are TS_EIO. On failure *out is
 * untouched. */
int secrets_load(const char *key_path, struct secrets **out, struct ts_error *err);

/* Wipes the keys (sodium_memzero) and frees s. NULL is a no-op. */
void secrets_free(struct secrets *s);

/* API tokens: "tsr_" + 43 characters of unpadded base64url (32 random bytes). Only
 * the hash is stored; compare hashes with sodium_memcmp. */
#define SECRETS_TOKEN_LEN 47
void secrets_token_new(char out[SECRETS_TOKEN_LEN + 1]);
/* SHA-256 of the token text (up to its NUL). */
void secrets_token_hash(const char *token, unsigned char out[32]);

/* Passwords: crypto_pwhash_str (argon2id, OPSLIMIT/MEMLIMIT_INTERACTIVE) into out
 * (NUL-terminated). TS_EINVAL when pw is shorter than 8 or longer than 256 bytes,
 * TS_EIO when hashing fails (out of memory). */
#define SECRETS_PASSWORD_MIN 8
#define SECRETS_PASSWORD_MAX 256
int secrets_password_hash(const char *pw, char out[128], struct ts_error *err);
/* 0 when pw matches hash, TS_EAUTH otherwise (also for a malformed hash). */
int secrets_password_verify(const char *hash, const char *pw);
/* Spends the time of one secrets_password_verify on a hash that matches nothing, so that
 * an unknown name is answered as slowly as a wrong password. */
void secrets_password_burn(const char *pw);

/* A SigV4 access key pair: key_id is 20 characters [A-Z0-9] starting "TK"; secret is
 * 40 characters [A-Za-z0-9/+]. Both NUL-terminated. Store the secret sealed. */
void secrets_access_key_new(char key_id[21], char secret[41]);

/* Bytes secrets_seal adds to a plaintext: the nonce and the MAC. */
#define SECRETS_SEAL_OVERHEAD 40 /* crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES */

/* Encrypts plain[0..n) under the secretbox subkey with a random nonce into
 * box = nonce || ciphertext, *len = n + SECRETS_SEAL_OVERHEAD. TS_ETOOBIG when cap is
 * too small (nothing written). */
int secrets_seal(const struct secrets *s, const char *plain, size_t n, unsigned char *box,
                 size_t cap, size_t *len, struct ts_error *err);
/* Decrypts a box made by secrets_seal into plain and NUL-terminates it (so cap must be
 * at least len - SECRETS_SEAL_OVERHEAD + 1, else TS_ETOOBIG). TS_EAUTH when the box is
 * too short, was tampered with, or was sealed under another key; plain is then
 * untouched. */
int secrets_open(const struct secrets *s, const unsigned char *box, size_t len, char *plain,
                 size_t cap, struct ts_error *err);

/* HMAC-SHA256 under the capability subkey of domain (with its NUL) || msg[0..n): the
 * MACs of URLs that carry their own authority (a worker's submit capability, a signed
 * download link; see src/core/cap.h). Distinct domains give independent MACs. Compare
 * results with sodium_memcmp. */
#define SECRETS_MAC_LEN 32
void secrets_mac(const struct secrets *s, const char *domain, const void *msg, size_t n,
                 unsigned char out[SECRETS_MAC_LEN]);

/* HMAC-SHA256 under the pseudonym subkey of msg[0..n): what pseudonym_derive
 * (pseudonym.h) turns into the worker id a requester sees. */
void secrets_pseudonym_mac(const struct secrets *s, const void *msg, size_t n,
                           unsigned char out[SECRETS_MAC_LEN]);


/* A random (version 4) UUID in lower-case hex with dashes, e.g. for x-amzn-RequestId. */
void secrets_uuid(char out[37]);

/* A uniform random number in [0, n), from the buffered kernel randomness of ids. */
uint32_t secrets_uniform(uint32_t n);

/* A new object id: 30 characters of [0-9A-Z], NUL-terminated: 9 characters of the
 * creation time in ms (base 36, so ids sort by creation), then 21 random characters
 * (about 108 bits, so ids cannot be guessed). */
void secrets_id_new(char out[31]);

#endif
