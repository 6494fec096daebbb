"""SigV4 replay: one signed MTurk request takes effect at most once. Each write is made
once through the real boto3, whose request is recorded byte for byte as it leaves the
SDK (botocore's before-send event); the same bytes sent again are refused with
RequestError / AWS.MechanicalTurk.RequestReplayed and change nothing, also after a
restart of the server and when sent many times at once. A first attempt the operation
refused stays refused; one the server failed to carry out (500) leaves no record, so the
same bytes may be sent again and then take effect (once).
The signature covers the request's real path and query: bytes signed for `/` sent to
`/?a=1` are refused, and a request signed for `/?a=1` is accepted there."""
import datetime
import http.client
import json
import sqlite3
import threading
import unittest.mock
import urllib.parse
from decimal import Decimal as D

from harness import SAMPLE_QUESTION
from mturk_case import MTurkCase, boto3, sign_invocation_id

if boto3 is not None:
    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials

REPLAYED = "AWS.MechanicalTurk.RequestReplayed"


class Recorder:
    """Keeps every request a boto3 client sends, as it goes on the wire: method, path
    with query, headers (with the Host botocore signed) and body."""

    def __init__(self, client):
        self.sent = []
        client.meta.events.register("before-send.mturk", self.seen)

    def seen(self, request, **kw):
        u = urllib.parse.urlsplit(request.url)
        headers = [(k, v.decode() if isinstance(v, bytes) else v)
                   for k, v in request.headers.items()]
        if not any(k.lower() == "host" for k, _ in headers):
            headers.append(("Host", u.netloc))  # what urllib3 sends, and what was signed
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.sent.append({"path": u.path + ("?" + u.query if u.query else ""),
                          "headers": headers, "body": body})

    def last(self):
        return self.sent[-1]


class _Body:
    """The raw stream of a made-up answer: an empty JSON object."""

    def stream(self, **kw):
        yield b"{}"


def resend(port, req, path=None):
    """Sends the recorded request's exact headers and body to the server on port (the
    Host header stays the signed one, even after a restart on another port); path
    overrides the request target. Returns (status, parsed JSON body)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        c.putrequest("POST", path or req["path"], skip_host=True, skip_accept_encoding=True)
        for k, v in req["headers"]:
            c.putheader(k, v)
        c.endheaders(req["body"])
        r = c.getresponse()
        data = r.read()
        return r.status, json.loads(data) if data else None
    finally:
        c.close()


class MTurkReplay(MTurkCase):
    def setUp(self):
        super().setUp()
        self.mt = self.client_for(self.rq, plain=True)  # boto3 as it signs by itself
        self.rec = Recorder(self.mt)

    def assert_replayed(self, status, doc, op):
        self.assertEqual(status, 400, doc)
        self.assertEqual(doc["__type"], "RequestError", doc)
        self.assertEqual(doc["TurkErrorCode"], REPLAYED, doc)
        self.assertIn("This signed %s request was already carried out or refused" % op,
                      doc["Message"])
        self.assertIn("sign it anew", doc["Message"])

    def signed_not_sent(self, fn, **kw):
        """Has boto3 sign the call fn(**kw) and records it, without sending it: the
        answer is made up, so fn's result is meaningless. Returns the recorded request."""
        def hold(**_):
            return botocore.awsrequest.AWSResponse("http://unsent/", 200, {}, _Body())
        self.mt.meta.events.register_last("before-send.mturk", hold, unique_id="hold")
        try:
            fn(**kw)
        except (KeyError, TypeError):
            pass
        finally:
            self.mt.meta.events.unregister("before-send.mturk", unique_id="hold")
        return self.rec.last()

    def new_hit(self, **kw):
        args = dict(Title="Label", Description="Label one item", Reward="0.50",
                    AssignmentDurationInSeconds=600, LifetimeInSeconds=3600,
                    MaxAssignments=1, Question=SAMPLE_QUESTION)
        args.update(kw)
        return self.mt.create_hit(**args)["HIT"]

    def approved_assignment(self):
        """A HIT done by a worker and approved: (worker, assignment id, WorkerId)."""
        hid = self.new_hit()["HITId"]
        w = self.srv.worker("w1")
        aid = self.accept(w["token"], hit_id=hid)["AssignmentId"]
        self.submit(w["token"], aid)
        self.mt.approve_assignment(AssignmentId=aid)
        wid = self.mt.get_assignment(AssignmentId=aid)["Assignment"]["WorkerId"]
        return w, aid, wid

    def available(self):
        return D(self.mt.get_account_balance()["AvailableBalance"])

    def test_send_bonus_without_token_pays_once(self):
        w, aid, wid = self.approved_assignment()
        before, earned = self.available(), self.earnings(w["token"])
        self.mt.send_bonus(WorkerId=wid, AssignmentId=aid, BonusAmount="1.00",
                           Reason="well done")
        bonus = self.rec.last()
        self.assertEqual(self.available(), before - D("1.20"))  # the bonus and its fee
        self.assertEqual(self.earnings(w["token"]), earned + D("1.00"))
        status, doc = resend(self.srv.port, bonus)
        self.assert_replayed(status, doc, "SendBonus")
        self.assertEqual(self.available(), before - D("1.20"))
        self.assertEqual(self.earnings(w["token"]), earned + D("1.00"))
        self.assertEqual(len(self.mt.list_bonus_payments(AssignmentId=aid)["BonusPayments"]),
                         1)
        # Another call with the same members, from a client that signs a per-call id,
        # is a new signed request (even within the same second), and pays again.
        mt = sign_invocation_id(self.client_for(self.rq, plain=True))
        for _ in range(2):
            mt.send_bonus(WorkerId=wid, AssignmentId=aid, BonusAmount="1.00",
                          Reason="well done")
        self.assertEqual(self.earnings(w["token"]), earned + D("3.00"))

    def test_create_hit_makes_one_hit(self):
        hid = self.new_hit(MaxAssignments=2)["HITId"]
        create = self.rec.last()
        before = self.available()
        for _ in range(2):
            status, doc = resend(self.srv.port, create)
            self.assert_replayed(status, doc, "CreateHIT")
        hits = self.mt.list_hits()["HITs"]
        self.assertEqual([h["HITId"] for h in hits], [hid])
        self.assertEqual(self.available(), before)

    def test_additional_assignments_added_once(self):
        hid = self.new_hit(MaxAssignments=2)["HITId"]
        self.mt.create_additional_assignments_for_hit(HITId=hid,
                                                      NumberOfAdditionalAssignments=3)
        more = self.rec.last()
        hit = self.mt.get_hit(HITId=hid)["HIT"]
        before = self.available()
        self.assertEqual((hit["MaxAssignments"], hit["NumberOfAssignmentsAvailable"]), (5, 5))
        status, doc = resend(self.srv.port, more)
        self.assert_replayed(status, doc, "CreateAdditionalAssignmentsForHIT")
        hit = self.mt.get_hit(HITId=hid)["HIT"]
        self.assertEqual((hit["MaxAssignments"], hit["NumberOfAssignmentsAvailable"]), (5, 5))
        self.assertEqual(self.available(), before)

    def test_replay_is_refused_after_a_restart(self):
        hid = self.new_hit()["HITId"]
        create = self.rec.last()
        self.assertEqual(self.srv.stop(), 0)
        self.srv.restart()  # on another port: the bytes keep the Host they were signed for
        status, doc = resend(self.srv.port, create)
        self.assert_replayed(status, doc, "CreateHIT")
        mt = self.client_for(self.rq, plain=True)
        self.assertEqual([h["HITId"] for h in mt.list_hits()["HITs"]], [hid])

    def test_many_copies_at_once_take_effect_once(self):
        self.new_hit()
        # A second CreateHIT, signed but not sent: its twelve copies are the first.
        held = self.signed_not_sent(self.new_hit, Title="Another")
        results = []

        def send():
            results.append(resend(self.srv.port, held))

        threads = [threading.Thread(target=send) for _ in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = sorted(s for s, _ in results)
        self.assertEqual(statuses, [200] + [400] * 11, results)
        for s, doc in results:
            if s == 400:
                self.assert_replayed(s, doc, "CreateHIT")
        self.assertEqual(sorted(h["Title"] for h in self.mt.list_hits()["HITs"]),
                         ["Another", "Label"])

    def test_refused_first_attempt_stays_refused(self):
        """A SendBonus refused for want of funds is remembered too: sent again once the
        money is there, it still pays nothing (the requester may have sent a new one)."""
        w, aid, wid = self.approved_assignment()
        before = self.available()
        err = self.error_of(self.mt.send_bonus, WorkerId=wid, AssignmentId=aid,
                            BonusAmount="60.00", Reason="generous")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertNotEqual(err.get("TurkErrorCode"), REPLAYED, err)
        bonus = self.rec.last()
        self.srv.deposit(self.rq["id"], "100.00")
        status, doc = resend(self.srv.port, bonus)
        self.assert_replayed(status, doc, "SendBonus")
        self.assertEqual(self.earnings(w["token"]), D("0.50"))
        self.assertEqual(self.available(), before + D("100.00"))
        self.assertEqual(self.mt.list_bonus_payments(AssignmentId=aid)["BonusPayments"], [])

    def test_server_failure_leaves_no_record(self):
        """A request the server failed to carry out (500 ServiceFault, which the SDKs
        retry) may be sent again, and then takes effect once."""
        hid = self.new_hit(MaxAssignments=1)["HITId"]
        more = self.signed_not_sent(self.mt.create_additional_assignments_for_hit,
                                    HITId=hid, NumberOfAdditionalAssignments=2)
        lock = sqlite3.connect(self.srv.db, timeout=0, isolation_level=None)
        try:
            lock.execute("BEGIN IMMEDIATE")  # the server's writer waits, then gives up
            status, doc = resend(self.srv.port, more)
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        self.assertEqual((status, doc["__type"]), (500, "ServiceFault"), doc)
        self.assertEqual(self.mt.get_hit(HITId=hid)["HIT"]["MaxAssignments"], 1)
        status, doc = resend(self.srv.port, more)
        self.assertEqual(status, 200, doc)
        self.assertEqual(self.mt.get_hit(HITId=hid)["HIT"]["MaxAssignments"], 3)
        status, doc = resend(self.srv.port, more)
        self.assert_replayed(status, doc, "CreateAdditionalAssignmentsForHIT")
        self.assertEqual(self.mt.get_hit(HITId=hid)["HIT"]["MaxAssignments"], 3)

    def test_identical_calls_within_one_second(self):
        """boto3 signs no per-call value: two identical calls signed within the same
        second are one signed request, and only the first takes effect. A client that
        signs botocore's per-call id (sign_invocation_id) makes two requests of them."""
        frozen = datetime.datetime.utcnow().replace(microsecond=0)

        class Clock(datetime.datetime):
            @classmethod
            def utcnow(cls):
                return frozen

        with unittest.mock.patch.object(botocore.auth.datetime, "datetime", Clock):
            self.new_hit(Title="Same")
            err = self.error_of(self.new_hit, Title="Same")
            self.assertEqual(err["TurkErrorCode"], REPLAYED, err)
            mt = sign_invocation_id(self.client_for(self.rq, plain=True))
            for _ in range(2):
                mt.create_hit(Title="Same", Description="Label one item", Reward="0.50",
                              AssignmentDurationInSeconds=600, LifetimeInSeconds=3600,
                              MaxAssignments=1, Question=SAMPLE_QUESTION)
        self.assertEqual([h["Title"] for h in self.mt.list_hits()["HITs"]], ["Same"] * 3)

    def test_reads_may_be_repeated(self):
        self.mt.get_account_balance()
        read = self.rec.last()
        for _ in range(3):
            status, doc = resend(self.srv.port, read)
            self.assertEqual(status, 200, doc)
            self.assertEqual(doc["AvailableBalance"], "50.00")

    def test_path_and_query_are_signed(self):
        self.mt.get_account_balance()
        read = self.rec.last()
        self.assertEqual(read["path"], "/")
        self.new_hit()
        unsent = self.signed_not_sent(self.new_hit, Title="Unsent")
        for path in ("/?a=1", "/?a", "/?X-Amz-Date=1", "/?&a=1", "/%2F"):
            for req in (read, unsent):
                status, doc = resend(self.srv.port, req, path=path)
                with self.subTest(path=path, body=req["body"][:30]):
                    self.assertIsInstance(doc, dict)
                    if path == "/%2F":  # not the MTurk door's address at all
                        self.assertEqual(status, 404, doc)
                        continue
                    self.assertEqual(status, 400, doc)
                    self.assertEqual(doc["__type"], "InvalidSignatureException", doc)
                    self.assertIn("signature we calculated does not match", doc["Message"])
        self.assertEqual([h["Title"] for h in self.mt.list_hits()["HITs"]], ["Label"])
        # An empty query is no query: "/?" is the same signed request, carried out once.
        status, doc = resend(self.srv.port, unsent, path="/?")
        self.assertEqual(status, 200, doc)
        status, doc = resend(self.srv.port, unsent)
        self.assert_replayed(status, doc, "CreateHIT")
        self.assertEqual(sorted(h["Title"] for h in self.mt.list_hits()["HITs"]),
                         ["Label", "Unsent"])
        # Signed over the query it is sent with, a request is accepted.
        creds = botocore.credentials.Credentials(self.rq["access_key_id"],
                                                 self.rq["secret_access_key"])
        url = "http://127.0.0.1:%d/?a=1&b=x%%20y" % self.srv.port
        req = botocore.awsrequest.AWSRequest(
            method="POST", url=url, data=b"{}",
            headers={"Content-Type": "application/x-amz-json-1.1",
                     "X-Amz-Target": "MTurkRequesterServiceV20170117.GetAccountBalance"})
        botocore.auth.SigV4Auth(creds, "mturk-requester", "us-east-1").add_auth(req)
        signed = {"path": "/?a=1&b=x%20y",
                  "headers": list(req.headers.items()) + [
                      ("Host", "127.0.0.1:%d" % self.srv.port), ("Content-Length", "2")],
                  "body": b"{}"}
        status, doc = resend(self.srv.port, signed)
        self.assertEqual(status, 200, doc)
        status, doc = resend(self.srv.port, signed, path="/?a=1&b=x%20z")
        self.assertEqual((status, doc["__type"]), (400, "InvalidSignatureException"), doc)
