"""The worker's browser door: the task page at /w/<capability>, forms posted to
<turkSubmitTo>/mturk/externalSubmit (urlencoded, multipart with files, GET), the plain
/mturk/externalSubmit with a bearer token, the public preview, and GetFileUploadURL
through boto3 with its signed download link."""
import hashlib
import re
import socket
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

from mturk_case import MTurkCase, multipart

NS = "{http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/" \
     "QuestionFormAnswers.xsd}"
HTML_NS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/" \
          "HTMLQuestion.xsd"
EXT_NS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/" \
         "ExternalQuestion.xsd"
CSP = "sandbox allow-forms allow-scripts allow-popups"

FORM = """<!DOCTYPE html><html><head>
<script src="https://s3.amazonaws.com/mturk-public/externalHIT_v1.js"></script></head>
<body><form name="mturk_form" method="post" id="mturk_form"
 action="https://www.mturk.com/mturk/externalSubmit">
<input type="hidden" value="" name="assignmentId" id="assignmentId"/>
<p>Which animal?</p><input name="animal"><input name="tag"><input type="file" name="photo">
<input type="submit" id="submitButton"></form>
<form action="https://workersandbox.mturk.com/mturk/externalSubmit?x=1"></form>
<script>turkSetAssignmentID();</script></body></html>"""


def html_question(html):
    return ('<HTMLQuestion xmlns="%s"><HTMLContent><![CDATA[%s]]></HTMLContent>'
            "<FrameHeight>600</FrameHeight></HTMLQuestion>" % (HTML_NS, html))


def answers_of(xml):
    """QuestionFormAnswers XML -> [(identifier, {child tag: text})] in document order."""
    root = ET.fromstring(xml.encode("ascii"))
    out = []
    for a in root.findall(NS + "Answer"):
        qid = a.find(NS + "QuestionIdentifier").text
        out.append((qid, {c.tag[len(NS):]: (c.text or "") for c in a
                          if c.tag != NS + "QuestionIdentifier"}))
    return out


class WorkerPage(MTurkCase):
    # -- helpers --------------------------------------------------------------------------
    def post_form(self, url, fields):
        return self.http("POST", url, urllib.parse.urlencode(fields).encode(),
                         {"Content-Type": "application/x-www-form-urlencoded"})

    def headers_only(self, url, length, ctype):
        """POSTs only the headers of a body of length bytes to url (no body follows);
        returns (status, headers with lower-case names, bytes) of the answer."""
        path = urllib.parse.urlsplit(url).path
        s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=30)
        try:
            s.sendall(("POST %s HTTP/1.1\r\nHost: tessera\r\nContent-Type: %s\r\n"
                       "Content-Length: %d\r\n\r\n" % (path, ctype, length)).encode())
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        finally:
            s.close()
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        hdrs = {k.strip().lower(): v.strip()
                for k, _, v in (line.partition(":") for line in lines[1:])}
        return int(lines[0].split(" ")[1]), hdrs, body

    def refused(self, got, status, pattern):
        """An HTML error page with status and a message matching pattern."""
        code, headers, body = got
        self.assertEqual(code, status, body[:400])
        self.assertTrue(headers["content-type"].startswith("text/html"), headers)
        self.assertRegex(body.decode("utf-8"), pattern)

    def hit(self, question, n=1):
        return self.mt.create_hit(
            Title="Name the animal", Description="Look and answer", Reward="0.20",
            AssignmentDurationInSeconds=600, LifetimeInSeconds=3600, MaxAssignments=n,
            Question=question)["HIT"]

    def task(self, worker, hit_id):
        a = self.accept(worker["token"], hit_id=hit_id)
        got = self.ok("GetMyAssignment", {"AssignmentId": a["AssignmentId"]}, worker["token"])
        return a["AssignmentId"], got["Task"]

    def status(self, worker, asg_id):
        return self.ok("GetMyAssignment", {"AssignmentId": asg_id},
                       worker["token"])["Assignment"]["AssignmentStatus"]

    # -- tests ----------------------------------------------------------------------------
    def test_html_form_round_trip(self):
        h = self.hit(html_question(FORM))
        w = self.srv.worker("w1")
        aid, task = self.task(w, h["HITId"])
        self.assertEqual(task["QuestionType"], "HTMLQuestion")
        submit_url, page_url = task["SubmitURL"], task["PageURL"]
        m = re.match(r"^http://127\.0\.0\.1:\d+/w/(%s\.[A-Za-z0-9_-]{43})/mturk/externalSubmit$"
                     % aid, submit_url)
        self.assertTrue(m, submit_url)
        cap_path = "/w/" + m.group(1)
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(page_url).query)
        self.assertEqual(q["assignmentId"], [aid])
        self.assertEqual(q["hitId"], [h["HITId"]])
        self.assertRegex(q["workerId"][0], r"^A[A-Z0-9]{13}$")
        self.assertEqual(q["turkSubmitTo"], [submit_url[:-len("/mturk/externalSubmit")]])

        # The bare link sends the browser on to the page URL with MTurk's parameters.
        code, hdrs, _ = self.http("GET", cap_path)
        self.assertEqual(code, 303)
        self.assertEqual(urllib.parse.urlsplit(page_url).path + "?"
                         + urllib.parse.urlsplit(page_url).query, hdrs["location"])
        code, hdrs, body = self.http("GET", page_url)
        self.assertEqual(code, 200)
        self.assertEqual(hdrs["content-security-policy"], CSP)
        self.assertEqual(hdrs["referrer-policy"], "no-referrer")
        page = body.decode("utf-8")
        self.assertNotIn("mturk.com/mturk/externalSubmit", page)
        self.assertIn('action="%s"' % submit_url, page)
        self.assertIn('action="%s?x=1"' % submit_url, page)
        self.assertIn("turkSetAssignmentID", page)  # the rest is served as given

        # The browser posts the form (urlencoded, a repeated field, non-ASCII text).
        fields = [("assignmentId", aid), ("animal", "chat <noir> & \u00e9l\u00e8ve"),
                  ("tag", "one"), ("tag", "two")]
        code, hdrs, body = self.post_form(submit_url, fields)
        self.assertEqual(code, 200, body)
        self.assertIn("submitted", body.decode())
        self.assertTrue(hdrs["content-type"].startswith("text/html"))

        a = self.mt.list_assignments_for_hit(HITId=h["HITId"])["Assignments"]
        self.assertEqual(len(a), 1)
        self.assertEqual(a[0]["AssignmentId"], aid)
        self.assertEqual(answers_of(a[0]["Answer"]), [
            ("animal", {"FreeText": "chat <noir> & \u00e9l\u00e8ve"}),
            ("tag", {"FreeText": "one"}), ("tag", {"FreeText": "two"})])

        # A second submission is refused and changes nothing; the page says it is done.
        self.refused(self.post_form(submit_url, [("assignmentId", aid), ("animal", "dog")]),
                     409, "Submitted")
        again = self.mt.get_assignment(AssignmentId=aid)["Assignment"]
        self.assertEqual(again["Answer"], a[0]["Answer"])
        code, _, body = self.http("GET", page_url)
        self.assertEqual(code, 200)
        self.assertIn("Already submitted", body.decode())

    def test_get_submit_and_refusals(self):
        h = self.hit(html_question(FORM), n=2)
        w1, w2 = self.srv.worker("w1"), self.srv.worker("w2")
        a1, t1 = self.task(w1, h["HITId"])
        a2, t2 = self.task(w2, h["HITId"])
        s1, s2 = t1["SubmitURL"], t2["SubmitURL"]
        cap1 = urllib.parse.urlsplit(s1).path.split("/")[2]
        tampered = s1.replace(cap1, cap1[:-1] + ("A" if cap1[-1] != "A" else "B"))
        cases = [
            ("tampered capability", self.post_form(tampered, [("assignmentId", a1),
                                                              ("animal", "x")]),
             403, "not valid"),
            ("capability of an unknown assignment",
             self.post_form(s1.replace(a1, "Z" * 30), [("assignmentId", a1),
                                                      ("animal", "x")]),
             403, "not valid"),
            ("malformed capability", self.post_form(
                "/w/nonsense/mturk/externalSubmit", [("assignmentId", a1), ("animal", "x")]),
             403, "not valid"),
            ("other worker's assignment with my capability",
             self.post_form(s1, [("assignmentId", a2), ("animal", "x")]), 400,
             "not the assignment of this task link"),
            ("no assignmentId", self.post_form(s1, [("animal", "x")]), 400, "assignmentId"),
            ("no answer", self.post_form(s1, [("assignmentId", a1)]), 400, "no answer"),
            ("a field over 64 KiB", self.post_form(s1, [("assignmentId", a1),
                                                        ("animal", "x" * 70000)]),
             413, "longer than"),
            ("not a form", self.http("POST", s1, b"{}", {"Content-Type": "application/json"}),
             400, "multipart/form-data"),
            ("broken multipart", self.http(
                "POST", s1, b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx",
                {"Content-Type": "multipart/form-data; boundary=b"}), 400, "closing boundary"),
            ("another worker's assignment by token", self.http(
                "POST", "/mturk/externalSubmit",
                urllib.parse.urlencode([("assignmentId", a2), ("animal", "x")]).encode(),
                {"Content-Type": "application/x-www-form-urlencoded",
                 "Authorization": "Bearer " + w1["token"]}), 404, "does not exist"),
            ("no token, no capability", self.post_form(
                "/mturk/externalSubmit", [("assignmentId", a1), ("animal", "x")]), 401,
             "Bearer"),
            ("PUT", self.http("PUT", s1, b""), 405, "POST or GET"),
            ("page of a tampered link", self.http("GET", tampered.rsplit("/mturk", 1)[0]),
             403, "not valid"),
        ]
        for name, got, status, pattern in cases:
            with self.subTest(name):
                self.refused(got, status, pattern)
        self.assertEqual(self.status(w1, a1), "Accepted")
        self.assertEqual(self.status(w2, a2), "Accepted")

        # GET with the answers in the query string, as a form with method="get" sends.
        code, _, body = self.http("GET", s1 + "?" + urllib.parse.urlencode(
            [("assignmentId", a1), ("animal", "a b+c")]))
        self.assertEqual(code, 200, body)
        # A native client posts with its bearer token to the plain address.
        code, _, body = self.http(
            "POST", "/mturk/externalSubmit",
            urllib.parse.urlencode([("assignmentId", a2), ("animal", "dog")]).encode(),
            {"Content-Type": "application/x-www-form-urlencoded",
             "Authorization": "Bearer " + w2["token"]})
        self.assertEqual(code, 200, body)
        got = {a["AssignmentId"]: answers_of(a["Answer"])
               for a in self.mt.list_assignments_for_hit(HITId=h["HITId"])["Assignments"]}
        self.assertEqual(got, {a1: [("animal", {"FreeText": "a b+c"})],
                               a2: [("animal", {"FreeText": "dog"})]})

    def test_multipart_upload_and_file_url(self):
        h = self.hit(html_question(FORM))
        w = self.srv.worker("w1")
        aid, task = self.task(w, h["HITId"])
        s = task["SubmitURL"]
        data = b"<html><script>alert(1)</script></html>\x00\xff" + bytes(range(256)) * 40

        # Before submission there is no file to fetch.
        err = self.error_of(self.mt.get_file_upload_url, AssignmentId=aid,
                         QuestionIdentifier="photo")
        self.assertEqual(err["TurkErrorCode"], "AWS.MechanicalTurk.InvalidAssignmentState")

        # Too large a file is refused, and nothing is stored or submitted.
        body, ctype = multipart([("assignmentId", aid), ("animal", "cat")],
                                [("photo", "big.bin", "application/octet-stream",
                                  b"x" * (5 * 1024 * 1024 + 1))])
        self.refused(self.http("POST", s, body, {"Content-Type": ctype}), 413, "limit per file")
        # A body declared over the form limit is refused from its headers (see
        # test_http_limits.py): the answer comes before any of it is sent.
        body, ctype = multipart([("assignmentId", aid)],
                                [("f%d" % i, "a.bin", "application/octet-stream",
                                  b"y" * (4 * 1024 * 1024)) for i in range(3)])
        self.refused(self.headers_only(s, len(body), ctype), 413, "larger than 10485760")
        self.assertEqual(self.status(w, aid), "Accepted")
        # Only the two submit addresses take bodies over the API's 8 MiB; a bearer-less
        # post to the plain one is refused from its headers.
        code, _, _ = self.headers_only("/api/v1/GetAccountBalance/mturk/externalSubmit",
                                       9 * 1024 * 1024, "text/plain")
        self.assertEqual(code, 413)
        body, ctype = multipart([("assignmentId", aid)], [])
        self.refused(self.http("POST", "/mturk/externalSubmit", body, {"Content-Type": ctype}),
                     401, "Bearer")

        body, ctype = multipart([("assignmentId", aid), ("animal", "cat")],
                                [("photo", "cat.html", "text/html", data)])
        code, _, page = self.http("POST", s, body, {"Content-Type": ctype})
        self.assertEqual(code, 200, page)
        a = self.mt.get_assignment(AssignmentId=aid)["Assignment"]
        ans = dict(answers_of(a["Answer"]))
        self.assertEqual(ans["animal"], {"FreeText": "cat"})
        self.assertEqual(ans["photo"]["UploadedFileSizeInBytes"], str(len(data)))
        self.assertRegex(ans["photo"]["UploadedFileKey"], r"^[0-9A-Z]{30}$")

        url = self.mt.get_file_upload_url(AssignmentId=aid,
                                          QuestionIdentifier="photo")["FileUploadURL"]
        self.assertRegex(url, r"^http://127\.0\.0\.1:\d+/mturk/upload/")
        code, hdrs, got = self.http("GET", url)
        self.assertEqual(code, 200)
        self.assertEqual(hashlib.sha256(got).hexdigest(), hashlib.sha256(data).hexdigest())
        self.assertEqual(hdrs["content-type"], "application/octet-stream")
        self.assertTrue(hdrs["content-disposition"].startswith("attachment"))
        self.assertEqual(hdrs["x-content-type-options"], "nosniff")

        u = urllib.parse.urlsplit(url)
        q = dict(urllib.parse.parse_qsl(u.query))
        sig = q["signature"]
        bad_sig = sig[:-1] + ("A" if sig[-1] != "A" else "B")
        later = str(int(q["expires"]) + 3600)
        for name, path in [
                ("tampered signature", "%s?expires=%s&signature=%s" % (u.path, q["expires"],
                                                                       bad_sig)),
                ("a later expiry", "%s?expires=%s&signature=%s" % (u.path, later, sig)),
                ("another key", "/mturk/upload/%s?%s" % ("0" * 30, u.query)),
                ("a key that is not UTF-8", "/mturk/upload/%%FF%%FE?%s" % u.query),
                ("no signature", u.path)]:
            with self.subTest(name):
                self.refused(self.http("GET", path), 403, "link")

        for name, kw, code in [
                ("no file under that question", {"QuestionIdentifier": "animal"},
                 "AWS.MechanicalTurk.FileUploadAnswerDoesNotExist"),
                ("unknown assignment", {"AssignmentId": "Z" * 30},
                 "AWS.MechanicalTurk.AssignmentDoesNotExist")]:
            with self.subTest(name):
                args = {"AssignmentId": aid, "QuestionIdentifier": "photo"}
                args.update(kw)
                err = self.error_of(self.mt.get_file_upload_url, **args)
                self.assertEqual(err["Error"]["Code"], "RequestError")
                self.assertEqual(err["TurkErrorCode"], code)
                self.assertTrue(err["Error"]["Message"])
        other = self.srv.requester("Other Lab", deposit="5.00")
        mt2 = self.client_for(other)
        err = self.error_of(mt2.get_file_upload_url, AssignmentId=aid, QuestionIdentifier="photo")
        self.assertEqual(err["TurkErrorCode"], "AWS.MechanicalTurk.AssignmentDoesNotExist")

        # A native answer cannot claim someone's upload.
        h2 = self.hit(html_question(FORM))
        aid2, _ = self.task(w, h2["HITId"])
        forged = {"photo": {"UploadedFileKey": ans["photo"]["UploadedFileKey"],
                            "UploadedFileSizeInBytes": len(data)}}
        self.err("SubmitAssignment", {"AssignmentId": aid2, "Answers": forged}, w["token"],
                 400)
        self.assertEqual(self.status(w, aid2), "Accepted")

    def test_admin_check_sees_a_broken_upload(self):
        import sqlite3
        h = self.hit(html_question(FORM))
        w = self.srv.worker("w1")
        aid, task = self.task(w, h["HITId"])
        body, ctype = multipart([("assignmentId", aid)],
                                [("photo", "p.bin", "application/octet-stream", b"abc")])
        code, _, page = self.http("POST", task["SubmitURL"], body, {"Content-Type": ctype})
        self.assertEqual(code, 200, page)
        ok, out = self.srv.check()
        self.assertTrue(ok, out)
        db = sqlite3.connect(self.srv.db, timeout=30)
        try:
            self.assertEqual(db.execute("SELECT size, length(data), length(sha256) FROM uploads "
                                        "WHERE assignment_id = ?", (aid,)).fetchall(),
                             [(3, 3, 32)])
            self.assertEqual(db.execute("SELECT hex(sha256) FROM uploads").fetchone()[0],
                             hashlib.sha256(b"abc").hexdigest().upper())
            with db:
                db.execute("UPDATE uploads SET size = 4")
            ok, out = self.srv.check()
            self.assertFalse(ok, out)
            self.assertIn("upload", out)
            with db:
                db.execute("UPDATE uploads SET size = 3")
        finally:
            db.close()

    def test_external_question_round_trip(self):
        ext = ('<ExternalQuestion xmlns="%s"><ExternalURL>https://tasks.example.org/t?x=1&amp;y=2'
               "</ExternalURL><FrameHeight>0</FrameHeight></ExternalQuestion>" % EXT_NS)
        h = self.hit(ext)
        w = self.srv.worker("w1")
        aid, task = self.task(w, h["HITId"])
        self.assertEqual(task["QuestionType"], "ExternalQuestion")
        u = urllib.parse.urlsplit(task["ExternalURL"])
        self.assertEqual((u.scheme, u.netloc, u.path), ("https", "tasks.example.org", "/t"))
        q = urllib.parse.parse_qs(u.query)
        self.assertEqual(q["x"], ["1"])
        self.assertEqual(q["assignmentId"], [aid])
        turk_submit_to = q["turkSubmitTo"][0]
        self.assertEqual(turk_submit_to + "/mturk/externalSubmit", task["SubmitURL"])

        code, hdrs, body = self.http("GET", task["PageURL"])
        self.assertEqual(code, 200)
        self.assertIn("frame-src", hdrs["content-security-policy"])
        page = body.decode()
        src = re.search(r'<iframe src="([^"]*)"', page).group(1)
        self.assertEqual(src.replace("&amp;", "&"), task["ExternalURL"])

        # The requester's page posts back to <turkSubmitTo>/mturk/externalSubmit.
        code, _, body = self.post_form(turk_submit_to + "/mturk/externalSubmit",
                                       [("assignmentId", aid), ("answer", "42")])
        self.assertEqual(code, 200, body)
        a = self.mt.get_assignment(AssignmentId=aid)["Assignment"]
        self.assertEqual(answers_of(a["Answer"]), [("answer", {"FreeText": "42"})])

    def test_base_url_behind_a_proxy(self):
        """With --base-url, every link the server hands out names the address workers and
        scripts reach it by (a TLS proxy), not the address it listens on."""
        base = "https://tasks.example.org/tessera"
        self.srv.stop()
        self.srv.args = ["--base-url", base + "/"]
        self.srv.start()
        self.mt = self.client_for(self.rq)  # the new port
        h = self.hit(html_question(FORM))
        w = self.srv.worker("w1")
        aid, task = self.task(w, h["HITId"])
        for key in ("PageURL", "SubmitURL"):
            self.assertTrue(task[key].startswith(base + "/w/"), task[key])
        self.assertEqual(urllib.parse.parse_qs(urllib.parse.urlsplit(task["PageURL"]).query)
                         ["turkSubmitTo"][0] + "/mturk/externalSubmit", task["SubmitURL"])
        # The path below the base is this server's own: the proxy strips the prefix.
        local = task["SubmitURL"][len(base):]
        body, ctype = multipart([("assignmentId", aid), ("animal", "cat")],
                                [("photo", "c.bin", "application/octet-stream", b"meow")])
        code, _, page = self.http("POST", local, body, {"Content-Type": ctype})
        self.assertEqual(code, 200, page)
        url = self.mt.get_file_upload_url(AssignmentId=aid,
                                          QuestionIdentifier="photo")["FileUploadURL"]
        self.assertTrue(url.startswith(base + "/mturk/upload/"), url)
        code, _, got = self.http("GET", url[len(base):])
        self.assertEqual((code, got), (200, b"meow"))

    def test_preview(self):
        h = self.hit(html_question(FORM))
        code, hdrs, _ = self.http("GET", "/preview/" + h["HITId"])
        self.assertEqual(code, 303)
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(hdrs["location"]).query)
        self.assertEqual(q, {"assignmentId": ["ASSIGNMENT_ID_NOT_AVAILABLE"],
                             "hitId": [h["HITId"]]})
        code, hdrs, body = self.http("GET", hdrs["location"])
        self.assertEqual(code, 200)
        self.assertEqual(hdrs["content-security-policy"], CSP)
        self.assertIn('action="http://127.0.0.1:%d/mturk/externalSubmit"' % self.srv.port,
                      body.decode())
        self.refused(self.http("GET", "/preview/NOSUCHHIT"), 404, "no HIT")
        # A name that is not UTF-8 is no HIT's either (it once lost its way to the
        # operation, which answered that no HITId was given).
        self.refused(self.http("GET", "/preview/3Z%C0%AF"), 404, "no HIT")


if __name__ == "__main__":
    unittest.main()
