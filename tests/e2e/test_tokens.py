"""test_tokens.py: credentials that end. Logout; Login tokens that expire 30 days after
their last use (time moved with TESSERA_CLOCK_OFFSET_MS across restarts); listing and
revoking one's own tokens and access keys through the native door, and never another's;
the admin commands token-create --expires-days, token-list, token-revoke, key-create and
key-revoke, each taking effect at once on a running server; a key from key-create
signing boto3 calls."""
import os
import time

from harness import E2E
from mturk_case import boto3, botocore, MTurkCase

DAY_MS = 86400 * 1000
PW = "correct horse battery"


class Tokens(E2E):
    def login(self, name="w"):
        return self.ok("Login", {"Name": name, "Password": PW})

    def restart_at(self, days):
        self.srv.stop()
        self.srv.env = {"TESSERA_CLOCK_OFFSET_MS": str(int(days * DAY_MS))}
        self.srv.start()

    def test_logout_revokes_only_that_token(self):
        self.srv.worker("w")
        a, b = self.login(), self.login()
        self.assertRegex(a["TokenId"], r"^tk[0-9a-f]{16}$")
        self.assertNotEqual(a["TokenId"], b["TokenId"])
        self.assertNotIn(a["token"][:8], a["TokenId"])
        exp = a["Expiration"]
        self.assertAlmostEqual(exp, time.time() + 30 * 86400, delta=120)
        # Used once, so the token is in the executor's cache: Logout must still end it.
        self.ok("GetMyEarnings", {}, a["token"])
        self.ok("Logout", {}, a["token"])
        self.err("GetMyEarnings", {}, a["token"], 401, "UnrecognizedClient")
        self.err("Logout", {}, a["token"], 401)
        self.ok("GetMyEarnings", {}, b["token"])
        # Logout takes no members, and a request without a token is refused.
        self.err("Logout", {"TokenId": b["TokenId"]}, b["token"], 400, "UnknownField")
        self.err("Logout", {}, "", 401, "MissingAuthenticationToken")

    def test_login_tokens_slide_and_expire(self):
        w = self.srv.worker("w")
        idle = self.login()["token"]
        used = self.login()["token"]
        fixed = self.srv.admin_json("token-create", w["id"], "--expires-days", "10")
        self.assertAlmostEqual(fixed["Expiration"], time.time() + 10 * 86400, delta=120)
        forever = w["token"]  # worker-create's token never expires
        self.restart_at(5)
        self.ok("GetMyEarnings", {}, fixed["token"])  # not moved on by the use
        self.restart_at(20)
        self.ok("GetMyEarnings", {}, idle)
        self.ok("GetMyEarnings", {}, used)  # now expires at day 50
        self.err("GetMyEarnings", {}, fixed["token"], 401)
        self.restart_at(31)
        self.ok("GetMyEarnings", {}, used)
        lst = {t["TokenId"]: t for t in self.ok("ListMyTokens", {}, used)["Tokens"]}
        self.assertEqual(len(lst), 3, lst)  # used, idle (until day 50) and forever
        self.restart_at(51)
        self.err("GetMyEarnings", {}, idle, 401)
        self.restart_at(60.5)
        # Not used since day 31, when it moved on to day 61: still there.
        self.assertEqual(self.ok("ListMyTokens", {}, forever)["NumResults"], 2)
        self.restart_at(62)
        self.err("GetMyEarnings", {}, used, 401)
        self.ok("GetMyEarnings", {}, forever)
        # The sweep prunes expired tokens: only the one that never expires is left.
        time.sleep(1.5)
        self.srv.stop()
        left = self.srv.admin_json("token-list", w["id"])["Tokens"]
        self.srv.start()
        self.assertEqual([t["Expiration"] for t in left], [None])

    def stored_expiry(self, token_id):
        import sqlite3
        db = sqlite3.connect(self.srv.db)
        try:
            return db.execute("SELECT expires_ms FROM tokens WHERE id = ?",
                              (token_id,)).fetchone()[0]
        finally:
            db.close()

    def test_the_expiry_is_written_once_a_day_not_on_every_use(self):
        self.srv.worker("w")
        tok = self.login()
        first = self.stored_expiry(tok["TokenId"])
        self.assertEqual(first // 1000, tok["Expiration"])
        for _ in range(3):
            self.ok("GetMyEarnings", {}, tok["token"])
        self.restart_at(0.9)
        self.ok("GetMyEarnings", {}, tok["token"])
        self.assertEqual(self.stored_expiry(tok["TokenId"]), first)
        self.restart_at(1.1)
        self.ok("GetMyEarnings", {}, tok["token"])
        moved = self.stored_expiry(tok["TokenId"])
        self.assertAlmostEqual(moved - first, 1.1 * DAY_MS, delta=120000)

    def test_own_tokens_listed_and_revoked_never_anothers(self):
        self.srv.worker("w")
        self.srv.worker("v")
        mine = self.login("w")
        other = self.login("w")
        theirs = self.login("v")
        toks = self.ok("ListMyTokens", {}, mine["token"])["Tokens"]
        ids = {t["TokenId"]: t for t in toks}
        self.assertIn(mine["TokenId"], ids)
        self.assertIn(other["TokenId"], ids)
        self.assertNotIn(theirs["TokenId"], ids)
        self.assertTrue(ids[mine["TokenId"]]["Current"])
        self.assertFalse(ids[other["TokenId"]]["Current"])
        for t in toks:
            self.assertNotIn("token", t)
        # v's token is "not found" for w, and keeps working.
        self.ok("GetMyEarnings", {}, theirs["token"])
        self.err("RevokeToken", {"TokenId": theirs["TokenId"]}, mine["token"], 404,
                 "TokenDoesNotExist")
        self.ok("GetMyEarnings", {}, theirs["token"])
        self.err("RevokeToken", {"TokenId": "x" * 300}, mine["token"], 400)
        self.err("RevokeToken", {}, mine["token"], 400)
        # w revokes its other token, which was cached by a use just before.
        self.ok("GetMyEarnings", {}, other["token"])
        self.ok("RevokeToken", {"TokenId": other["TokenId"]}, mine["token"])
        self.err("GetMyEarnings", {}, other["token"], 401)
        self.err("RevokeToken", {"TokenId": other["TokenId"]}, mine["token"], 404)

    def test_access_keys_only_ones_own(self):
        a = self.srv.requester("A")
        b = self.srv.requester("B")
        w = self.srv.worker("w")
        keys = self.ok("ListAccessKeys", {}, a["token"])["AccessKeys"]
        self.assertEqual([k["AccessKeyId"] for k in keys], [a["access_key_id"]])
        new = self.ok("CreateAccessKey", {}, a["token"])
        self.assertRegex(new["SecretAccessKey"], r"^\S{40}$")
        keys = self.ok("ListAccessKeys", {}, a["token"])["AccessKeys"]
        self.assertEqual(sorted(k["AccessKeyId"] for k in keys),
                         sorted([a["access_key_id"], new["AccessKeyId"]]))
        for k in keys:
            self.assertNotIn("SecretAccessKey", k)
        self.assertNotIn(new["AccessKeyId"],
                         [k["AccessKeyId"] for k in
                          self.ok("ListAccessKeys", {}, b["token"])["AccessKeys"]])
        self.err("RevokeAccessKey", {"AccessKeyId": new["AccessKeyId"]}, b["token"], 404,
                 "AccessKeyDoesNotExist")
        self.err("CreateAccessKey", {}, w["token"], 403, "AccessDenied")
        self.ok("RevokeAccessKey", {"AccessKeyId": new["AccessKeyId"]}, a["token"])
        self.err("RevokeAccessKey", {"AccessKeyId": new["AccessKeyId"]}, a["token"], 404)
        # At most 20 keys at once.
        for _ in range(19):
            self.ok("CreateAccessKey", {}, a["token"])
        self.err("CreateAccessKey", {}, a["token"], 409, "LimitExceeded")

    def test_admin_revokes_on_a_running_server_at_once(self):
        w = self.srv.worker("w")
        tok = self.login()
        self.ok("GetMyEarnings", {}, tok["token"])  # cached now
        lst = self.srv.admin_json("token-list", w["id"])
        self.assertEqual(sorted(t["TokenId"] for t in lst["Tokens"]),
                         sorted([tok["TokenId"], self.ok("ListMyTokens", {}, w["token"])[
                             "Tokens"][-1]["TokenId"]]))
        out = self.srv.admin_json("token-revoke", tok["TokenId"])
        self.assertEqual(out, {"TokenId": tok["TokenId"], "revoked": True})
        self.err("GetMyEarnings", {}, tok["token"], 401)
        r = self.srv.admin("token-revoke", tok["TokenId"])
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"no token", r.stderr)
        for args in (("token-list",), ("token-list", "abc"), ("token-list", "999"),
                     ("key-create", w["id"]), ("key-revoke",), ("token-create", w["id"],
                                                               "--expires-days", "0")):
            self.assertNotEqual(self.srv.admin(*args).returncode, 0, args)


class AdminKeys(MTurkCase):
    def test_key_create_signs_boto3_and_key_revoke_ends_it(self):
        key = self.srv.admin_json("key-create", self.rq["id"])
        self.assertEqual(key["id"], self.rq["id"])
        acct = dict(self.rq, access_key_id=key["access_key_id"],
                    secret_access_key=key["secret_access_key"])
        mt = self.client_for(acct)
        self.assertEqual(mt.get_account_balance()["AvailableBalance"], "50.00")
        # Used for reads and a write, so its secret is in the server's key cache.
        mt.create_hit_type(Title="t", Description="d", Reward="0.05",
                           AssignmentDurationInSeconds=60)
        self.assertEqual(mt.get_account_balance()["AvailableBalance"], "50.00")
        self.srv.admin_json("key-revoke", key["access_key_id"])
        # The very next request is refused, a read as a write, and nothing is written.
        for call in (mt.get_account_balance,
                     lambda: mt.create_hit_type(Title="t2", Description="d", Reward="0.05",
                                                AssignmentDurationInSeconds=60)):
            resp = self.error_of(call)
            self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 400)
            self.assertEqual(resp["Error"]["Code"], "UnrecognizedClientException")
            self.assertIn("no access key " + key["access_key_id"], resp["Error"]["Message"])
        # The requester's first key is untouched.
        self.assertEqual(self.mt.get_account_balance()["AvailableBalance"], "50.00")

    def test_revoke_access_key_ends_a_key_in_use_at_once(self):
        # RevokeAccessKey through the native door, on a key whose secret the server holds
        # in its cache: the next signed request is refused.
        key = self.srv.admin_json("key-create", self.rq["id"])
        mt = self.client_for(dict(self.rq, access_key_id=key["access_key_id"],
                                  secret_access_key=key["secret_access_key"]))
        for _ in range(3):
            self.assertEqual(mt.get_account_balance()["AvailableBalance"], "50.00")
        self.ok("RevokeAccessKey", {"AccessKeyId": key["access_key_id"]}, self.rq["token"])
        resp = self.error_of(mt.get_account_balance)
        self.assertEqual(resp["Error"]["Code"], "UnrecognizedClientException")
        self.assertEqual(self.mt.get_account_balance()["AvailableBalance"], "50.00")
