"""Malformed and hostile requests: each gets a clear 4xx and changes nothing."""
import json
import time
from decimal import Decimal as D

from harness import E2E, SAMPLE_QUESTION, hit_body

NS = ("http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/"
      "HTMLQuestion.xsd")


class BadInput(E2E):
    def setUp(self):
        super().setUp()
        self.rq = self.srv.requester("R", deposit="10.00")
        self.R = self.rq["token"]
        self.w = self.srv.worker("w")
        # One existing HIT, so "nothing changed" also covers it.
        self.hit = self.create_hit(self.R, MaxAssignments=2)
        self.before = self.state()

    def state(self):
        hits = self.ok("ListHITs", {"MaxResults": 100}, self.R)
        h = self.get_hit(self.hit["HITId"], self.R)
        return (self.balance(self.R), hits["NumResults"], h["MaxAssignments"],
                h["NumberOfAssignmentsAvailable"], h["Expiration"],
                self.earnings(self.w["token"]))

    def assertUnchanged(self, what):
        self.assertEqual(self.state(), self.before, "%s changed the state" % what)

    def test_create_hit_bad_members(self):
        cases = [
            ("unknown member", hit_body(Colour="red"), "UnknownField"),
            ("misspelt member", {**hit_body(Reward=None), "Rewards": "0.50"}, "UnknownField"),
            ("Reward as a number", hit_body(Reward=0.5), None),
            ("Reward as an integer", hit_body(Reward=1), None),
            ("MaxAssignments as a string", hit_body(MaxAssignments="2"), None),
            ("MaxAssignments as a float", hit_body(MaxAssignments=2.0), None),
            ("MaxAssignments 0", hit_body(MaxAssignments=0), None),
            ("MaxAssignments negative", hit_body(MaxAssignments=-1), None),
            ("MaxAssignments absurd", hit_body(MaxAssignments=10 ** 15), None),
            ("Reward -1", hit_body(Reward="-1"), None),
            ("Reward 1e3", hit_body(Reward="1e3"), None),
            ("Reward 99999999", hit_body(Reward="99999999"), None),
            ("Reward 0", hit_body(Reward="0"), None),
            ("Reward three decimals", hit_body(Reward="0.001"), None),
            ("Reward with $", hit_body(Reward="$1"), None),
            ("Reward empty", hit_body(Reward=""), None),
            ("Reward NaN", hit_body(Reward="NaN"), None),
            ("Reward above the maximum", hit_body(Reward="1000.01"), None),
            ("Reward missing", hit_body(Reward=None), None),
            ("Lifetime 29", hit_body(LifetimeInSeconds=29), None),
            ("Lifetime over a year", hit_body(LifetimeInSeconds=31536001), None),
            ("Lifetime negative", hit_body(LifetimeInSeconds=-1), None),
            ("Lifetime huge", hit_body(LifetimeInSeconds=2 ** 62), None),
            ("Lifetime missing", hit_body(LifetimeInSeconds=None), None),
            ("Duration 29", hit_body(AssignmentDurationInSeconds=29), None),
            ("AutoApproval over 30 days", hit_body(AutoApprovalDelayInSeconds=2592001), None),
            ("Title empty", hit_body(Title=""), None),
            ("Title too long", hit_body(Title="x" * 129), None),
            ("Title with control char", hit_body(Title="a\u0001b"), None),
            ("Title as a list", hit_body(Title=["a"]), None),
            ("Question missing", hit_body(Question=None), None),
            ("Question not XML", hit_body(Question="hello"), "XMLParseError"),
            ("Question unclosed", hit_body(Question=SAMPLE_QUESTION[:-16]), "XMLParseError"),
            ("Question wrong root", hit_body(Question="<Foo/>"), "XMLParseError"),
            ("Question with DOCTYPE entity", hit_body(Question=(
                '<?xml version="1.0"?><!DOCTYPE HTMLQuestion [<!ENTITY e "boom">]>'
                '<HTMLQuestion xmlns="%s"><HTMLContent>&e;</HTMLContent>'
                '<FrameHeight>400</FrameHeight></HTMLQuestion>' % NS)), "XMLParseError"),
            ("Question with external entity", hit_body(Question=(
                '<?xml version="1.0"?><!DOCTYPE x SYSTEM "file:///etc/passwd">'
                '<HTMLQuestion xmlns="%s"><HTMLContent>x</HTMLContent>'
                '<FrameHeight>400</FrameHeight></HTMLQuestion>' % NS)), "XMLParseError"),
            ("Question billion laughs", hit_body(Question=(
                '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
                '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
                '<HTMLQuestion xmlns="%s"><HTMLContent>&c;</HTMLContent>'
                '<FrameHeight>400</FrameHeight></HTMLQuestion>' % NS)), "XMLParseError"),
            ("Question and HITLayoutId together", hit_body(HITLayoutId="X"), "ParameterValidationError"),
            ("QualificationRequirements not a list",
             hit_body(QualificationRequirements={"a": 1}), None),
            ("a qualification type this server does not compute",
             hit_body(QualificationRequirements=[{"QualificationTypeId": "3ABCDEFGHIJ",
                                                  "Comparator": "Exists"}]),
             "UnsupportedParameter"),
            ("Locale with IntegerValues",
             hit_body(QualificationRequirements=[{"QualificationTypeId": "00000000000000000071",
                                                  "Comparator": "EqualTo",
                                                  "IntegerValues": [1]}]),
             "ParameterValidationError"),
            ("Locale EqualTo with two values",
             hit_body(QualificationRequirements=[{"QualificationTypeId": "00000000000000000071",
                                                  "Comparator": "EqualTo",
                                                  "LocaleValues": [{"Country": "US"},
                                                                   {"Country": "DE"}]}]),
             "ParameterValidationError"),
            ("Exists with a value",
             hit_body(QualificationRequirements=[{"QualificationTypeId": "00000000000000000040",
                                                  "Comparator": "Exists",
                                                  "IntegerValues": [5]}]),
             "ParameterValidationError"),
            ("unknown comparator",
             hit_body(QualificationRequirements=[{"QualificationTypeId": "00000000000000000040",
                                                  "Comparator": "About",
                                                  "IntegerValues": [5]}]),
             "ParameterValidationError"),
            ("bad ActionsGuarded",
             hit_body(QualificationRequirements=[{"QualificationTypeId": "000000000000000000L0",
                                                  "Comparator": "GreaterThan",
                                                  "IntegerValues": [90],
                                                  "ActionsGuarded": "Everything"}]),
             "ParameterValidationError"),
        ]
        for name, body, code in cases:
            with self.subTest(name):
                self.err("CreateHIT", body, self.R, 400, code)
        self.assertUnchanged("bad CreateHIT bodies")

    def test_malformed_bodies(self):
        cases = [
            ("malformed JSON", b'{"Title": ', 400),
            ("trailing garbage", b'{} x', 400),
            ("array body", b"[1, 2]", 400),
            ("string body", b'"CreateHIT"', 400),
            ("number body", b"42", 400),
            ("null body", b"null", 400),
            ("empty body", b"", 400),
            ("duplicate keys", b'{"MaxResults": 1, "MaxResults": 2}', 400),
            ("invalid UTF-8", b'{"NextToken": "\xff\xfe"}', 400),
            ("NUL in a string", b'{"NextToken": "a\\u0000b"}', 400),
        ]
        for name, raw, status in cases:
            with self.subTest(name):
                got, doc = self.call("ListHITs", raw_body=raw, token=self.R)
                self.assertEqual(got, status, "%s -> %d %s" % (name, got, doc))
                self.assertIsInstance(doc, dict, name)
                self.assertIn("error", doc)
        with self.subTest("malformed JSON to a write"):
            got, doc = self.call("CreateHIT", raw_body=json.dumps(hit_body()).encode()[:-5],
                                 token=self.R)
            self.assertEqual(got, 400, doc)
            self.assertEqual(doc["error"]["code"], "SerializationException")
        self.assertUnchanged("malformed bodies")

    def test_oversize_body(self):
        big = json.dumps(hit_body(Description="x" * ((8 << 20) + 16))).encode()
        self.assertGreater(len(big), 8 << 20)
        got, doc = self.call("CreateHIT", raw_body=big, token=self.R)
        self.assertEqual(got, 413, doc)
        self.assertEqual(doc["error"]["code"], "RequestTooLarge")
        # The server is still fine afterwards.
        self.assertUnchanged("an oversize body")
        # Just under the limit is read, and refused for what it says, not its size.
        body = {**hit_body(), "Padding": "x" * ((8 << 20) - 4096)}
        got, doc = self.call("CreateHIT", body, self.R)
        self.assertEqual(got, 400, doc)
        self.assertEqual(doc["error"]["code"], "UnknownField")
        self.assertUnchanged("a large body")

    def test_auth_and_routing(self):
        R, W = self.R, self.w["token"]
        with self.subTest("unknown operation"):
            self.err("NoSuchOperation", {}, R, 404, "UnknownOperation")
        with self.subTest("lower-case operation"):
            self.err("listhits", {}, R, 404, "UnknownOperation")
        with self.subTest("missing token"):
            self.err("ListHITs", {}, "", 401, "MissingAuthenticationToken")
            self.err("CreateHIT", hit_body(), "", 401)
        with self.subTest("invalid token"):
            self.err("ListHITs", {}, "tsr_not-a-real-token", 401, "UnrecognizedClient")
            self.err("CreateHIT", hit_body(), "x" * 129, 401)
        with self.subTest("not a Bearer header"):
            status, doc, _ = self.srv._client.raw(
                "POST", "/api/v1/ListHITs", b"{}", {"Authorization": "Basic " + R})
            self.assertEqual(status, 401, doc)
        with self.subTest("Login"):
            self.err("Login", {"Name": "w", "Password": "wrong"}, "", 401, "LoginFailed")
            self.err("Login", {"Name": "nobody", "Password": "x"}, "", 401, "LoginFailed")
            self.err("Login", {"Name": "w"}, "", 400)
            tok = self.ok("Login", {"Name": "w", "Password": "correct horse battery"})["token"]
            self.assertEqual(self.earnings(tok), D("0.00"))
        with self.subTest("worker calls a requester operation"):
            self.err("CreateHIT", hit_body(), W, 403, "AccessDenied")
            self.err("GetAccountBalance", {}, W, 403, "AccessDenied")
            self.err("ApproveAssignment", {"AssignmentId": "ABC"}, W, 403)
        with self.subTest("requester calls a worker operation"):
            self.err("AcceptWork", {"HITId": self.hit["HITId"]}, R, 403, "AccessDenied")
        with self.subTest("unknown HITId"):
            self.err("GetHIT", {"HITId": "ZZZZZZZZZZZZZZZZZZZZ"}, R, 404, "HITDoesNotExist")
            self.err("AcceptWork", {"HITId": "ZZZZZZZZZZZZZZZZZZZZ"}, W, 404)
            self.err("GetAssignment", {"AssignmentId": "ZZZZZZZZZZ"}, R, 404)
        with self.subTest("malformed HITId"):
            self.err("GetHIT", {"HITId": "abc"}, R, 400)
            self.err("GetHIT", {"HITId": ""}, R, 400)
            self.err("GetHIT", {"HITId": 12}, R, 400)
            self.err("GetHIT", {}, R, 400)
        with self.subTest("AcceptWork needs exactly one of HITId and HITTypeId"):
            self.err("AcceptWork", {}, W, 400)
            self.err("AcceptWork", {"HITId": self.hit["HITId"],
                                    "HITTypeId": self.hit["HITTypeId"]}, W, 400)
        with self.subTest("GET on an operation"):
            status, doc, _ = self.srv._client.raw("GET", "/api/v1/ListHITs", None,
                                                   {"Authorization": "Bearer " + R})
            self.assertEqual(status, 405, doc)
        with self.subTest("unknown path"):
            status, doc, _ = self.srv._client.raw("GET", "/nope", None, {})
            self.assertEqual(status, 404, doc)
        aid = self.accept(W, hit_id=self.hit["HITId"])["AssignmentId"]
        with self.subTest("bad Answers"):
            for answers in ({}, "cat", ["cat"], {"label": 5}, {"label": {"x": 1}},
                            {"": "x"}):
                with self.subTest(answers=json.dumps(answers)[:40]):
                    self.err("SubmitAssignment", {"AssignmentId": aid, "Answers": answers},
                             W, 400)
            self.err("SubmitAssignment", {"AssignmentId": aid}, W, 400)
            g = self.ok("GetMyAssignment", {"AssignmentId": aid}, W)
            self.assertEqual(g["Assignment"]["AssignmentStatus"], "Accepted")
        self.ok("ReturnAssignment", {"AssignmentId": aid}, W)
        self.assertUnchanged("bad requests")

    def test_oversize_member_is_400(self):
        # A member over its own size limit, in a small body, is a 400
        # ParameterValidationError (as MTurk answers, and as the server already does for a
        # too-long Title), not 413, which is about the size of the whole request body.
        R, W = self.R, self.w["token"]
        aid = self.accept(W, hit_id=self.hit["HITId"])["AssignmentId"]
        cases = [
            ("HITId of 65 characters", "GetHIT", {"HITId": "A" * 65}, R),
            ("Description over 16 KiB", "CreateHIT",
             hit_body(Description="x" * (16 * 1024 + 1)), R),
            ("Answers over 64 KiB", "SubmitAssignment",
             {"AssignmentId": aid, "Answers": {"label": "x" * 70000}}, W),
        ]
        for name, op, body, tok in cases:
            with self.subTest(name):
                got, doc = self.call(op, body, tok)
                self.assertEqual((got, (doc or {}).get("error", {}).get("code")),
                                 (400, "ParameterValidationError"),
                                 "%s: %s -> %d %s" % (name, op, got, doc))
        self.ok("ReturnAssignment", {"AssignmentId": aid}, W)
        self.assertUnchanged("oversize members")

    def test_admin_bad_deposits(self):
        rid = self.rq["id"]
        for amount in ("-5", "abc", "1.234", "1e3", "", " 5", "5 ", "0x10", "1,00",
                       "99999999999999999999"):
            with self.subTest(amount=amount):
                r = self.srv.admin("deposit", rid, amount)
                self.assertNotEqual(r.returncode, 0, "deposit %r was accepted: %s"
                                    % (amount, r.stdout))
                self.assertTrue(r.stderr.strip(), "no message for deposit %r" % amount)
        with self.subTest("deposit to a worker"):
            self.assertNotEqual(self.srv.admin("deposit", self.w["id"], "5").returncode, 0)
        with self.subTest("deposit to nobody"):
            self.assertNotEqual(self.srv.admin("deposit", "999", "5").returncode, 0)
            self.assertNotEqual(self.srv.admin("deposit", "-1", "5").returncode, 0)
        with self.subTest("wrong argument count"):
            self.assertNotEqual(self.srv.admin("deposit", rid).returncode, 0)
        self.assertUnchanged("bad deposits")
        # A good one still works, and shows up at once in the running server.
        self.srv.deposit(rid, "0.05")
        avail, hold = self.balance(self.R)
        self.assertEqual(avail, self.before[0][0] + D("0.05"))
