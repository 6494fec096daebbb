"""Quality control through the server: gold HITs hidden among the others, per-worker
gold accuracy and agreement, the live consensus, agreement figures, dynamic overlap."""
import json
from decimal import Decimal as D

from harness import E2E, SAMPLE_QUESTION


def quality_batch(rows, quality, max_assignments, reward="0.10"):
    return {
        "Title": "Is it a cat or a dog?",
        "Description": "Label one picture",
        "Reward": reward,
        "AssignmentDurationInSeconds": 600,
        "LifetimeInSeconds": 3600,
        "MaxAssignments": max_assignments,
        "Question": SAMPLE_QUESTION,
        "Format": "csv",
        "Rows": rows,
        "Quality": quality,
    }


class GoldAndConsensus(E2E):
    def test_gold_is_hidden_and_measures_workers(self):
        rq = self.srv.requester("Lab", deposit="20.00")
        R = rq["token"]
        truth = {"p1": "cat", "p2": "dog", "p3": "cat", "g1": "cat", "g2": "dog"}
        rows = "text,_gold\np1,\ng1,cat\np2,\ng2,dog\np3,\n"
        b = self.ok("CreateBatch", quality_batch(
            rows, {"LabelField": "label", "GoldColumn": "_gold", "GoldRate": 0.5}, 3), R)
        self.assertEqual((b["NumHITs"], b["GoldHITs"]), (5, 2))
        self.assertEqual(self.balance(R), (D("18.20"), D("1.80")))  # 5 * 3 * 0.12

        workers = {name: self.srv.worker(name) for name in ("ann", "bob", "cid")}
        for name, w in workers.items():
            seen = []
            while True:
                st, doc = self.call("AcceptWork", {"HITTypeId": b["HITTypeId"]}, w["token"])
                if st == 404:
                    self.assertEqual(doc["error"]["code"], "NoWorkAvailable")
                    break
                self.assertEqual(st, 200, doc)
                aid = doc["Assignment"]["AssignmentId"]
                got = self.ok("GetMyAssignment", {"AssignmentId": aid}, w["token"])
                # Nothing tells a gold HIT apart: the same keys, no hidden column.
                self.assertEqual(set(got["Task"]["Input"]), {"text"})
                self.assertNotIn("_gold", json.dumps(got))
                text = got["Task"]["Input"]["text"]
                seen.append(text)
                label = "dog" if name == "cid" else truth[text]
                self.submit(w["token"], aid, {"label": label})
            self.assertEqual(sorted(seen), sorted(truth), name)  # every HIT, gold included

        q = self.ok("GetBatchQuality", {"BatchId": b["BatchId"]}, R)
        self.assertEqual(q["LabelField"], "label")
        by = {}
        for wk in q["Workers"]:
            self.assertTrue(wk["WorkerId"].startswith("A"))  # pseudonyms only
            by[wk["GoldAccuracy"]] = wk
        self.assertEqual(len(q["Workers"]), 3)
        self.assertEqual(sorted(w["GoldAccuracy"] for w in q["Workers"]), [0.5, 1.0, 1.0])
        cid = by[0.5]
        self.assertEqual(cid["GoldAnswers"], 2)
        self.assertEqual(cid["ComparedWithConsensus"], 3)
        self.assertAlmostEqual(cid["AgreementWithConsensus"], 1 / 3)
        self.assertEqual(cid["Confusion"], {"cat -> dog": 3, "dog -> dog": 2})
        ag = q["Agreement"]
        self.assertEqual((ag["Items"], ag["Answers"]), (5, 15))
        self.assertTrue(0 < ag["KrippendorffAlpha"] < 1, ag)
        self.assertTrue(0 < ag["FleissKappa"] < 1, ag)

        res = self.ok("GetBatchResults", {"BatchId": b["BatchId"]}, R)
        self.assertEqual(res["Agreement"], ag)
        rows_out = [json.loads(line) for line in res["Results"].splitlines()]
        self.assertEqual(len(rows_out), 15)
        for r in rows_out:
            text = r["Input"]["text"]
            self.assertEqual(r["Consensus"], truth[text], r)
            if text.startswith("g"):
                self.assertEqual((r["GoldAnswer"], r["Confidence"]), (truth[text], 1.0))
            else:
                self.assertNotIn("GoldAnswer", r)
                self.assertGreater(r["Confidence"], 0.5)
        csv_out = self.ok("GetBatchResults", {"BatchId": b["BatchId"], "Format": "csv"}, R)
        header = csv_out["Results"].splitlines()[0].split(",")
        self.assertIn("Consensus", header)
        self.assertIn("GoldAnswer", header)
        self.assertNotIn("Input._gold", header)

    def test_gold_rate(self):
        """GoldRate 0.2: about one accept in five goes to a gold HIT (100 accepts: the
        bounds 5..40 leave a chance below one in a million of a false failure)."""
        rq = self.srv.requester("Lab", deposit="100.00")
        w = self.srv.worker("w")
        rows = "text,_gold\n" + "".join("p%d,\n" % i for i in range(200)) + \
            "".join("g%d,cat\n" % i for i in range(60))
        b = self.ok("CreateBatch", quality_batch(
            rows, {"LabelField": "label", "GoldColumn": "_gold", "GoldRate": 0.2}, 1),
            rq["token"])
        gold = 0
        for _ in range(100):
            a = self.accept(w["token"], hit_type_id=b["HITTypeId"])
            got = self.ok("GetMyAssignment", {"AssignmentId": a["AssignmentId"]}, w["token"])
            gold += got["Task"]["Input"]["text"].startswith("g")
            self.submit(w["token"], a["AssignmentId"], {"label": "cat"})
        self.assertTrue(5 <= gold <= 40, gold)

    def test_label_field_is_required_in_answers(self):
        rq = self.srv.requester("Lab", deposit="5.00")
        w = self.srv.worker("w")
        b = self.ok("CreateBatch", quality_batch("text\np1\n", {"LabelField": "label"}, 1),
                    rq["token"])
        a = self.accept(w["token"], hit_type_id=b["HITTypeId"])
        self.err("SubmitAssignment", {"AssignmentId": a["AssignmentId"],
                                      "Answers": {"other": "x"}}, w["token"], 400,
                 "ParameterValidationError")
        got = self.ok("GetMyAssignment", {"AssignmentId": a["AssignmentId"]}, w["token"])
        self.assertEqual(got["Assignment"]["AssignmentStatus"], "Accepted")
        self.submit(w["token"], a["AssignmentId"], {"label": "cat"})

    def test_bad_quality_settings(self):
        rq = self.srv.requester("Lab", deposit="5.00")
        R = rq["token"]
        cases = [
            ("not an object", "x", "ParameterValidationError"),
            ("no LabelField", {"GoldRate": 0.1}, "ParameterValidationError"),
            ("unknown member", {"LabelField": "l", "Colour": 1}, "UnknownField"),
            ("GoldRate without GoldColumn", {"LabelField": "l", "GoldRate": 0.1},
             "ParameterValidationError"),
            ("GoldRate over 0.5", {"LabelField": "l", "GoldColumn": "_gold", "GoldRate": 0.9},
             "ParameterValidationError"),
            ("MinAssignments not below MaxAssignments", {"LabelField": "l",
                                                         "MinAssignments": 3},
             "ParameterValidationError"),
            ("threshold below 0.5", {"LabelField": "l", "MinAssignments": 1,
                                     "ConfidenceThreshold": 0.2}, "ParameterValidationError"),
            ("GoldColumn not in rows", {"LabelField": "l", "GoldColumn": "_nope"},
             "ParameterValidationError"),
        ]
        for name, quality, code in cases:
            with self.subTest(name):
                self.err("CreateBatch", quality_batch("text,_gold\np1,cat\n", quality, 3), R,
                         400, code)
        # The template may not show the known answer.
        body = quality_batch("text,_gold\np1,cat\n", {"LabelField": "l", "GoldColumn": "_gold"},
                             3)
        body["Question"] = SAMPLE_QUESTION.replace("${text}", "${text} ${_gold}")
        self.err("CreateBatch", body, R, 400)
        self.assertEqual(self.balance(R), (D("5.00"), D("0.00")))
        self.assertEqual(self.ok("ListHITs", {}, R)["NumResults"], 0)


class DynamicOverlap(E2E):
    def answer(self, w, type_id, label):
        a = self.accept(w["token"], hit_type_id=type_id)
        self.submit(w["token"], a["AssignmentId"], {"label": label})
        return a["HITId"]

    def test_grows_until_confident_then_closes(self):
        rq = self.srv.requester("Lab", deposit="5.00")
        R = rq["token"]
        b = self.ok("CreateBatch", quality_batch(
            "text\np1\n", {"LabelField": "label", "MinAssignments": 2,
                           "ConfidenceThreshold": 0.9}, 5), R)
        hid = b["HITIds"][0]
        # The cost of all five slots is held from the start; two are open.
        self.assertEqual(self.balance(R), (D("4.40"), D("0.60")))
        self.assertEqual(self.counters(hid, R), ("Assignable", 0, 2, 0))
        ws = [self.srv.worker("w%d" % i) for i in range(5)]
        self.answer(ws[0], b["HITTypeId"], "cat")
        self.answer(ws[1], b["HITTypeId"], "cat")
        # Two agreeing answers from unknown workers: 0.845 < 0.9, so one more slot opens.
        self.assertEqual(self.counters(hid, R), ("Assignable", 0, 1, 0))
        self.assertEqual(self.get_hit(hid, R)["MaxAssignments"], 3)
        self.answer(ws[2], b["HITTypeId"], "cat")
        # Three agree: 0.927 >= 0.9. The HIT closes; the two unused slots' escrow returns.
        self.assertEqual(self.get_hit(hid, R)["MaxAssignments"], 3)
        self.assertEqual(self.get_hit(hid, R)["HITStatus"], "Reviewable")
        self.assertEqual(self.balance(R), (D("4.64"), D("0.36")))
        self.err("AcceptWork", {"HITTypeId": b["HITTypeId"]}, ws[3]["token"], 404,
                 "NoWorkAvailable")
        res = self.ok("GetBatchResults", {"BatchId": b["BatchId"]}, R)
        row = json.loads(res["Results"].splitlines()[0])
        self.assertEqual(row["Consensus"], "cat")
        self.assertAlmostEqual(row["Confidence"], 0.343 / 0.37)

    def test_stops_at_the_maximum_when_answers_disagree(self):
        rq = self.srv.requester("Lab", deposit="5.00")
        R = rq["token"]
        b = self.ok("CreateBatch", quality_batch(
            "text\np1\n", {"LabelField": "label", "MinAssignments": 2}, 4), R)
        hid = b["HITIds"][0]
        ws = [self.srv.worker("w%d" % i) for i in range(5)]
        for w, label in zip(ws, ["cat", "dog", "cat", "dog"]):
            self.answer(w, b["HITTypeId"], label)
        h = self.get_hit(hid, R)
        self.assertEqual((h["MaxAssignments"], h["HITStatus"]), (4, "Reviewable"))
        self.err("AcceptWork", {"HITTypeId": b["HITTypeId"]}, ws[4]["token"], 404)
        self.assertEqual(self.balance(R), (D("4.52"), D("0.48")))
        # Dynamic-overlap HITs grow by themselves only.
        self.err("CreateAdditionalAssignmentsForHIT",
                 {"HITId": hid, "NumberOfAdditionalAssignments": 1}, R, 409, "InvalidHITState")
