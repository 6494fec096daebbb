"""Notifications, one requester against another: a receiver that accepts and never answers
holds one delivery thread and delays no one else's messages (at most one message per
destination is in flight), three such receivers of one requester hold only two threads
(its share) and still delay no one else, one destination gets its messages in order, and
SendTestEventNotification refuses more than NOTIFY_TEST_PENDING_MAX (10) pending test
messages per requester, through boto3 and the native door."""
import http.server
import json
import socket
import threading
import unittest

from mturk_case import MTurkCase, serve_http

WAIT = 30.0  # the longest any wait for an arrival may take (sanitizer builds are slow)
PENDING_MAX = 10  # NOTIFY_TEST_PENDING_MAX in src/core/notify.h


class Tally:
    """What the hanging servers of a test have seen: connections opened, requests started
    (some of it read), connections the client has given up on."""

    def __init__(self):
        self.cv = threading.Condition()
        self.opened = self.started = self.closed = 0

    def add(self, what):
        with self.cv:
            setattr(self, what, getattr(self, what) + 1)
            self.cv.notify_all()

    def counts(self):
        with self.cv:
            return self.opened, self.closed

    def wait_started(self, n):
        with self.cv:
            return self.cv.wait_for(lambda: self.started >= n, WAIT)


class Hanging:
    """A TCP server on 127.0.0.1 that reads each request and never answers, counting in
    tally."""

    def __init__(self, tally):
        self.tally = tally
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.lock = threading.Lock()
        self.conns = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.conns.append(c)
            self.tally.add("opened")
            threading.Thread(target=self.hold, args=(c,), daemon=True).start()

    def hold(self, c):
        first = True
        try:
            while True:
                data = c.recv(65536)
                if not data:
                    break
                if first:
                    self.tally.add("started")
                    first = False
        except OSError:
            pass
        self.tally.add("closed")

    def url(self):
        return "http://127.0.0.1:%d/hang" % self.port

    def stop(self):
        self.sock.close()
        with self.lock:
            for c in self.conns:
                try:
                    c.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                c.close()


class Recording:
    """An HTTP receiver on 127.0.0.1 that answers 200 and records, for every POST, its
    body and the hanging server's counts at the moment it arrived."""

    def __init__(self, tally):
        self.posts = []
        self.cv = threading.Condition()
        rec = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with rec.cv:
                    rec.posts.append((body, tally.counts()))
                    rec.cv.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = serve_http(Handler)

    def url(self):
        return "http://127.0.0.1:%d/ok" % self.httpd.server_address[1]

    def wait_for(self, n):
        with self.cv:
            self.cv.wait_for(lambda: len(self.posts) >= n, WAIT)
            return list(self.posts)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class MTurkNotifyIsolation(MTurkCase):
    def setUp(self):
        super().setUp()
        self.tally = Tally()
        self.hangs = [Hanging(self.tally) for _ in range(3)]
        for h in self.hangs:
            self.addCleanup(h.stop)
        self.hang = self.hangs[0]
        self.rx = Recording(self.tally)
        self.addCleanup(self.rx.stop)  # cleanups run after tearDown has stopped the server

    @staticmethod
    def spec(url):
        return {"Destination": url, "Transport": "HTTP", "Version": "2006-05-05",
                "EventTypes": ["Ping"]}

    def test_a_hanging_receiver_delays_no_one_else(self):
        evil = self.client_for(self.srv.requester("Evil Lab"))
        for _ in range(5):
            evil.send_test_event_notification(Notification=self.spec(self.hang.url()),
                                              TestEventType="Ping")
        self.assertTrue(self.tally.wait_started(1), "the hanging receiver got nothing")
        self.mt.send_test_event_notification(Notification=self.spec(self.rx.url()),
                                             TestEventType="Ping")
        posts = self.rx.wait_for(1)
        self.assertEqual(len(posts), 1, "the other requester's message never arrived")
        body, (opened, closed) = posts[0]
        self.assertEqual(json.loads(body)["Events"][0]["EventType"], "Ping")
        # It arrived while the first hanging POST was still open, and that destination had
        # one message in flight, not five.
        self.assertEqual((opened, closed), (1, 0))

    def test_many_hanging_receivers_of_one_requester_delay_no_one_else(self):
        evil = self.client_for(self.srv.requester("Evil Lab"))
        for h in self.hangs:
            for _ in range(2):
                evil.send_test_event_notification(Notification=self.spec(h.url()),
                                                  TestEventType="Ping")
        self.assertTrue(self.tally.wait_started(2), "the hanging receivers got too little")
        self.mt.send_test_event_notification(Notification=self.spec(self.rx.url()),
                                             TestEventType="Ping")
        posts = self.rx.wait_for(1)
        self.assertEqual(len(posts), 1, "the other requester's message never arrived")
        # Two of the requester's three destinations were in flight (its share of the
        # delivery threads), both still hanging when the other message arrived.
        self.assertEqual(posts[0][1], (2, 0))

    def test_one_destination_gets_its_messages_in_order(self):
        types = ["HITCreated", "HITExtended", "HITExpired", "HITReviewable", "HITDisposed"]
        for t in types:
            self.mt.send_test_event_notification(Notification=self.spec(self.rx.url()),
                                                 TestEventType=t)
        posts = self.rx.wait_for(len(types))
        self.assertEqual([json.loads(b)["Events"][0]["EventType"] for b, _ in posts], types)

    def test_pending_test_messages_are_limited_per_requester(self):
        evil_acct = self.srv.requester("Evil Lab")
        evil = self.client_for(evil_acct)
        for _ in range(PENDING_MAX):
            evil.send_test_event_notification(Notification=self.spec(self.hang.url()),
                                              TestEventType="Ping")
        err = self.error_of(evil.send_test_event_notification,
                            Notification=self.spec(self.hang.url()), TestEventType="Ping")
        self.assertEqual(err["Error"]["Code"], "RequestError")
        self.assertEqual(err["TurkErrorCode"],
                         "AWS.MechanicalTurk.TooManyPendingTestNotifications")
        self.assertIn("at most %d" % PENDING_MAX, err["Error"]["Message"])
        # The native door says the same; nothing more was queued.
        e = self.err("SendTestEventNotification",
                     {"Notification": self.spec(self.rx.url()), "TestEventType": "Ping"},
                     evil_acct["token"], 409, "TooManyPendingTestNotifications")
        self.assertIn("at most %d" % PENDING_MAX, e["message"])
        ds = self.ok("ListNotificationDeliveries", {"MaxResults": 100},
                     evil_acct["token"])["Deliveries"]
        self.assertEqual(len(ds), PENDING_MAX)
        self.assertTrue(all(d["Status"] == "Pending" for d in ds))
        # Another requester is not limited by them.
        self.mt.send_test_event_notification(Notification=self.spec(self.rx.url()),
                                             TestEventType="Ping")
        self.assertEqual(len(self.rx.wait_for(1)), 1)


if __name__ == "__main__":
    unittest.main()
