"""Notifications through the MTurk door: UpdateNotificationSettings and
SendTestEventNotification through the real boto3, events from the whole life of a HIT
(worked through the native worker operations) delivered to a receiver in this test,
signatures checked here independently of the server, retries, giving up, validation,
and a delivery cut by SIGTERM that goes out after the restart."""
import hashlib
import hmac
import http.server
import json
import os
import threading
import time
import unittest

from harness import SAMPLE_QUESTION
from mturk_case import MTurkCase, serve_http

WAIT = 30.0  # the longest any wait for a delivery may take (sanitizer builds are slow)

EVENTS = ["AssignmentAccepted", "AssignmentAbandoned", "AssignmentReturned",
          "AssignmentSubmitted", "AssignmentRejected", "AssignmentApproved", "HITCreated",
          "HITExpired", "HITReviewable", "HITExtended", "HITDisposed"]


class Receiver:
    """An HTTP server on 127.0.0.1 that records every POST. `fail[path]` is how many
    more posts to that path get a 500; a path in `hold` keeps its request open until
    `release` is set."""

    def __init__(self):
        self.posts = []
        self.fail = {}
        self.hold = set()
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.cv = threading.Condition()
        rec = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                with rec.cv:
                    failing = rec.fail.get(self.path, 0)
                    if failing:
                        rec.fail[self.path] = failing - 1
                    rec.posts.append({"path": self.path, "headers": dict(self.headers),
                                      "body": body, "answered": 500 if failing else 200})
                    rec.cv.notify_all()
                if self.path in rec.hold:
                    rec.arrived.set()
                    rec.release.wait(WAIT)
                    return  # no answer: the client gave up or the test moved on
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = serve_http(Handler)
        self.port = self.httpd.server_address[1]

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def wait_for(self, pred, what):
        deadline = time.time() + WAIT
        with self.cv:
            while not pred(self.posts):
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError("timed out waiting for %s; got %r" % (what, [
                        (p["path"], p["body"][:200]) for p in self.posts]))
                self.cv.wait(left)
            return list(self.posts)

    def stop(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def verify(post, secret):
    """The receiver's side of docs/mturk.md: HMAC-SHA256(secret, timestamp "." body)."""
    h = post["headers"]
    ts = h["X-Tessera-Timestamp"]
    want = "sha256=" + hmac.new(secret.encode(), ts.encode() + b"." + post["body"],
                                hashlib.sha256).hexdigest()
    return hmac.compare_digest(want, h["X-Tessera-Signature"]) and \
        abs(time.time() - int(ts)) < 300


class MTurkNotify(MTurkCase):
    def setUp(self):
        # Quick retries for the test; only the server started here sees them.
        saved = {k: os.environ.get(k) for k in ("TESSERA_NOTIFY_BACKOFF_MS",
                                                 "TESSERA_NOTIFY_MAX_ATTEMPTS")}
        os.environ["TESSERA_NOTIFY_BACKOFF_MS"] = "50"
        os.environ["TESSERA_NOTIFY_MAX_ATTEMPTS"] = "4"
        try:
            super().setUp()
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        self.rx = Receiver()
        self.addCleanup(self.rx.stop)

    def new_type(self, mt=None):
        return (mt or self.mt).create_hit_type(
            Title="Label the animal", Description="Pick the animal shown.", Reward="0.10",
            AssignmentDurationInSeconds=600, AutoApprovalDelayInSeconds=3600)["HITTypeId"]

    def spec(self, path="/hook", events=None, transport="HTTP", **kw):
        s = {"Destination": self.rx.url(path), "Transport": transport,
             "Version": "2006-05-05", "EventTypes": events or EVENTS}
        s.update(kw)
        return s

    def deliveries(self):
        return self.ok("ListNotificationDeliveries", {"MaxResults": 100},
                       self.rq["token"])["Deliveries"]

    def settled_deliveries(self, wait=WAIT):
        """The deliveries once none is Pending: a receiver has the POST a moment before
        the server records its answer."""
        deadline = time.time() + wait
        while True:
            ds = self.deliveries()
            if all(d["Status"] != "Pending" for d in ds):
                return ds
            self.assertLess(time.time(), deadline, ds)
            time.sleep(0.05)

    def events_of(self, posts, path="/hook"):
        out = []
        for p in posts:
            if p["path"] == path and p["answered"] == 200:
                out.extend(json.loads(p["body"])["Events"])
        return out

    def test_events_of_a_hit_are_delivered_signed(self):
        mt = self.mt
        tid = self.new_type()
        self.assertEqual(mt.update_notification_settings(
            HITTypeId=tid, Notification=self.spec(), Active=True)["ResponseMetadata"]
            ["HTTPStatusCode"], 200)
        hid = mt.create_hit_with_hit_type(
            HITTypeId=tid, LifetimeInSeconds=3600, MaxAssignments=2,
            Question=SAMPLE_QUESTION.replace("${text}", "a cat"))["HIT"]["HITId"]
        w1, w2, w3 = (self.srv.worker("w%d" % i) for i in (1, 2, 3))
        a1 = self.accept(w1["token"], hit_id=hid)["AssignmentId"]
        a3 = self.accept(w3["token"], hit_id=hid)["AssignmentId"]
        self.ok("ReturnAssignment", {"AssignmentId": a3}, w3["token"])
        self.submit(w1["token"], a1)
        a2 = self.accept(w2["token"], hit_id=hid)["AssignmentId"]
        self.submit(w2["token"], a2, {"label": "dog"})  # the last slot: Reviewable
        mt.approve_assignment(AssignmentId=a1, RequesterFeedback="thanks")
        mt.reject_assignment(AssignmentId=a2, RequesterFeedback="it shows a cat")
        worker_ids = {a["WorkerId"] for a in mt.list_assignments_for_hit(
            HITId=hid, AssignmentStatuses=["Approved", "Rejected"])["Assignments"]}
        self.assertEqual(len(worker_ids), 2)
        mt.create_additional_assignments_for_hit(HITId=hid, NumberOfAdditionalAssignments=1)
        mt.update_expiration_for_hit(HITId=hid, ExpireAt=0)
        mt.delete_hit(HITId=hid)

        want = [("HITCreated", None), ("AssignmentAccepted", a1), ("AssignmentAccepted", a3),
                ("AssignmentReturned", a3), ("AssignmentSubmitted", a1),
                ("AssignmentAccepted", a2), ("AssignmentSubmitted", a2),
                ("HITReviewable", None), ("AssignmentApproved", a1),
                ("AssignmentRejected", a2), ("HITExtended", None), ("HITExpired", None),
                ("HITReviewable", None), ("HITDisposed", None)]
        posts = self.rx.wait_for(lambda ps: len(self.events_of(ps)) >= len(want),
                                 "%d events" % len(want))
        posts.sort(key=lambda p: int(p["headers"]["X-Tessera-Delivery"]))
        events = self.events_of(posts)
        self.assertEqual([(e["EventType"], e.get("AssignmentId")) for e in events], want)
        for e in events:
            self.assertEqual(e["HITId"], hid)
            self.assertEqual(e["HITTypeId"], tid)
            self.assertRegex(e["EventTimestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        for p in posts:
            self.assertEqual(p["headers"]["Content-Type"], "application/json")
            self.assertEqual(p["headers"]["X-Tessera-Key-Id"], self.rq["access_key_id"])
            self.assertTrue(verify(p, self.rq["secret_access_key"]), p["headers"])
            self.assertFalse(verify(p, "not the secret"))
            doc = json.loads(p["body"])
            self.assertEqual(doc["EventDocVersion"], "2014-08-15")
            self.assertRegex(doc["EventDocId"], r"^[0-9a-f]{40}$")
            self.assertEqual(doc["CustomerId"], "R%d" % self.rq["id"])
            self.assertEqual(set(doc), {"Events", "EventDocId", "SourceAccount", "CustomerId",
                                        "EventDocVersion"})
            text = p["body"].decode()
            self.assertNotIn("WorkerId", text)
            for wid in worker_ids:
                self.assertNotIn(wid, text)
            for w in (w1, w2, w3):
                self.assertNotIn('"%d"' % w["id"], text)
        # A tampered body does not verify.
        bad = dict(posts[0], body=posts[0]["body"].replace(b"HITCreated", b"HITExpired"))
        self.assertFalse(verify(bad, self.rq["secret_access_key"]))
        ds = self.settled_deliveries()
        self.assertEqual(len(ds), len(posts))
        self.assertTrue(all(d["Status"] == "Delivered" and d["Attempts"] == 1 for d in ds), ds)

    def test_inactive_settings_send_nothing_and_only_listed_events(self):
        mt = self.mt
        tid = self.new_type()
        mt.update_notification_settings(HITTypeId=tid, Notification=self.spec(
            events=["AssignmentAccepted"]))
        mt.update_notification_settings(HITTypeId=tid, Active=False)
        w = self.srv.worker("w")
        h1 = mt.create_hit_with_hit_type(HITTypeId=tid, LifetimeInSeconds=3600,
                                         Question=SAMPLE_QUESTION)["HIT"]["HITId"]
        self.accept(w["token"], hit_id=h1)
        mt.update_notification_settings(HITTypeId=tid, Active=True)  # the spec is kept
        h2 = mt.create_hit_with_hit_type(HITTypeId=tid, LifetimeInSeconds=3600,
                                         Question=SAMPLE_QUESTION)["HIT"]["HITId"]
        a2 = self.accept(w["token"], hit_id=h2)["AssignmentId"]
        posts = self.rx.wait_for(lambda ps: len(ps) >= 1, "one post")
        # Everything the server did before the accept on h2 is committed, so a message
        # for h1 (inactive) or for HITCreated (not listed) would be queued before it.
        self.assertEqual(len(self.settled_deliveries()), 1)
        events = self.events_of(self.rx.posts)
        self.assertEqual([(e["EventType"], e["HITId"], e["AssignmentId"]) for e in events],
                         [("AssignmentAccepted", h2, a2)])

    def test_retries_with_backoff_then_gives_up(self):
        self.rx.fail["/flaky"] = 2
        self.rx.fail["/down"] = 1000
        self.mt.send_test_event_notification(Notification=self.spec("/flaky"),
                                             TestEventType="Ping")
        self.mt.send_test_event_notification(Notification=self.spec("/down"),
                                             TestEventType="AssignmentSubmitted")
        self.rx.wait_for(lambda ps: sum(p["path"] == "/flaky" for p in ps) >= 3,
                         "three attempts")
        ds = {d["Destination"]: d for d in self.settled_deliveries()}
        flaky, down = ds[self.rx.url("/flaky")], ds[self.rx.url("/down")]
        self.assertEqual((flaky["Status"], flaky["Attempts"], flaky["LastHTTPStatus"]),
                         ("Delivered", 3, 200))
        self.assertNotIn("LastError", flaky)
        self.assertEqual((down["Status"], down["Attempts"], down["LastHTTPStatus"]),
                         ("Failed", 4, 500))
        self.assertIn("500", down["LastError"])
        self.assertIn("CompletionTime", down)
        self.assertEqual(sum(p["path"] == "/down" for p in self.rx.posts), 4)
        # Every attempt carries the same document, signed again.
        bodies = {p["body"] for p in self.rx.posts if p["path"] == "/flaky"}
        self.assertEqual(len(bodies), 1)
        for p in self.rx.posts:
            self.assertTrue(verify(p, self.rq["secret_access_key"]))

    def test_send_test_event_ping(self):
        self.mt.send_test_event_notification(
            Notification=self.spec("/ping", events=["Ping"]), TestEventType="Ping")
        posts = self.rx.wait_for(lambda ps: len(ps) >= 1, "the ping")
        doc = json.loads(posts[0]["body"])
        self.assertEqual([e["EventType"] for e in doc["Events"]], ["Ping"])
        self.assertNotIn("HITId", doc["Events"][0])
        self.assertTrue(verify(posts[0], self.rq["secret_access_key"]))
        # Nothing was stored as settings: a HIT type has none.
        tid = self.new_type()
        err = self.error_of(self.mt.update_notification_settings, HITTypeId=tid, Active=True)
        self.assertEqual(err["TurkErrorCode"], "AWS.MechanicalTurk.NotificationNotSet")

    def test_invalid_requests_change_nothing(self):
        mt = self.mt
        tid = self.new_type()
        other = self.srv.requester("Other Lab", deposit="5.00")
        foreign = self.new_type(self.client_for(other))
        cases = [
            ({"HITTypeId": tid, "Notification": self.spec(transport="SQS")},
             "RequestError", "AWS.MechanicalTurk.UnsupportedTransport", "HTTPS"),
            ({"HITTypeId": tid, "Notification": self.spec(transport="SNS")},
             "RequestError", "AWS.MechanicalTurk.UnsupportedTransport", "SNS"),
            ({"HITTypeId": tid, "Notification": self.spec(transport="Email")},
             "RequestError", "AWS.MechanicalTurk.UnsupportedTransport", "e-mail"),
            ({"HITTypeId": tid, "Notification": self.spec(transport="HTTPS")},
             "ParameterValidationError", None, "https://"),
            ({"HITTypeId": tid, "Notification": self.spec(transport="FTP")},
             "ParameterValidationError", None, "Transport"),
            ({"HITTypeId": tid, "Notification": dict(self.spec(), Destination="http://")},
             "ParameterValidationError", None, "host"),
            ({"HITTypeId": tid, "Notification": dict(self.spec(),
                                                     Destination="http://a b/")},
             "ParameterValidationError", None, "spaces"),
            ({"HITTypeId": tid, "Notification": dict(self.spec(),
                                                     Destination="http://u:p@x.org/")},
             "ParameterValidationError", None, "password"),
            ({"HITTypeId": tid, "Notification": dict(self.spec(),
                                                     Destination="http://x.org:99999/")},
             "ParameterValidationError", None, "port"),
            ({"HITTypeId": tid, "Notification": dict(
                self.spec(), Destination="http://x.org/" + "a" * 2100)},
             "ParameterValidationError", None, "2048"),
            ({"HITTypeId": tid, "Notification": self.spec(Version="2017-01-17")},
             "ParameterValidationError", None, "Version"),
            ({"HITTypeId": tid, "Notification": self.spec(events=["AssignmentFinished"])},
             "ParameterValidationError", None, "AssignmentFinished"),
            ({"HITTypeId": tid, "Notification": self.spec(events=["HITCreated",
                                                                  "HITCreated"])},
             "ParameterValidationError", None, "twice"),
            ({"HITTypeId": tid, "Notification": self.spec(events=["Ping"])},
             "ParameterValidationError", None, "Ping"),
            ({"HITTypeId": foreign, "Notification": self.spec()},
             "RequestError", "AWS.MechanicalTurk.HITTypeDoesNotExist", foreign),
            ({"HITTypeId": tid, "Active": True},
             "RequestError", "AWS.MechanicalTurk.NotificationNotSet", "Notification"),
            ({"HITTypeId": tid}, "ParameterValidationError", None, "Active"),
        ]
        for kw, typ, code, text in cases:
            with self.subTest(kw=json.dumps(kw)[:120]):
                err = self.error_of(mt.update_notification_settings, **kw)
                self.assertEqual(err["Error"]["Code"], typ, err)
                if code:
                    self.assertEqual(err["TurkErrorCode"], code)
                self.assertIn(text, err["Error"]["Message"])
        # SendTestEventNotification validates the same way.
        err = self.error_of(mt.send_test_event_notification,
                            Notification=self.spec(transport="SQS"), TestEventType="Ping")
        self.assertEqual(err["TurkErrorCode"], "AWS.MechanicalTurk.UnsupportedTransport")
        # Nothing was stored: the type has no settings, and no message was queued.
        err = self.error_of(mt.update_notification_settings, HITTypeId=tid, Active=False)
        self.assertEqual(err["TurkErrorCode"], "AWS.MechanicalTurk.NotificationNotSet")
        w = self.srv.worker("w")
        hid = mt.create_hit_with_hit_type(HITTypeId=tid, LifetimeInSeconds=3600,
                                          Question=SAMPLE_QUESTION)["HIT"]["HITId"]
        self.accept(w["token"], hit_id=hid)
        self.assertEqual(self.deliveries(), [])
        # The other requester's settings are not this one's either.
        self.assertEqual(self.ok("ListNotificationDeliveries", {}, other["token"])
                         ["Deliveries"], [])

    def test_queued_message_survives_a_restart(self):
        self.rx.hold.add("/slow")
        self.mt.send_test_event_notification(Notification=self.spec("/slow"),
                                             TestEventType="HITExpired")
        self.assertTrue(self.rx.arrived.wait(WAIT), "the first attempt never arrived")
        # SIGTERM while the POST is under way: it is abandoned, not recorded.
        self.assertEqual(self.srv.stop(), 0)
        first = self.rx.posts[0]["body"]
        self.rx.hold.discard("/slow")
        self.rx.release.set()
        self.srv.start()
        posts = self.rx.wait_for(lambda ps: len(ps) >= 2, "the delivery after the restart")
        self.assertEqual(posts[1]["body"], first)
        self.assertTrue(verify(posts[1], self.rq["secret_access_key"]))
        d = self.settled_deliveries()[0]
        self.assertEqual((d["Status"], d["Attempts"]), ("Delivered", 1))


if __name__ == "__main__":
    unittest.main()
