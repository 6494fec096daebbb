"""test_aggregate.py: `tessera aggregate` on files: exact stdout for the CSV edge cases
(BOM, CRLF, quoting, repeated pairs with and without --last-answer, order of first appearance, ties), the gold report
on stderr, mean/median, and malformed input: a message naming the file and line,
a non-zero exit, and nothing on stdout. No server is started.
"""
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import BIN

TIMEOUT = 60


class Aggregate(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="tessera-agg-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def file(self, name, data):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    def run_agg(self, *args):
        p = subprocess.run([BIN, "aggregate"] + list(args), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
        return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")

    def ok(self, *args):
        rc, out, err = self.run_agg(*args)
        self.assertEqual(rc, 0, err)
        return out, err

    def fails(self, args, message, rc_expected=None):
        rc, out, err = self.run_agg(*args)
        self.assertNotEqual(rc, 0)
        if rc_expected is not None:
            self.assertEqual(rc, rc_expected, err)
        self.assertEqual(out, "")
        self.assertIn(message, err)
        return err

    # --- output ---

    def test_majority_vote_exact(self):
        a = self.file("a.csv",
                      "\ufeffitem,worker,label\r\n"
                      "\"x,1\",w1,\"cat, or \"\"dog\"\"\"\r\n"
                      "\"x,1\",w2,\"cat, or \"\"dog\"\"\"\r\n"
                      "\"x,1\",w3,bird\r\n"
                      "\r\n"
                      "y,w1,b\r\n"
                      "y,w2,a\r\n"        # tie: "a" sorts first
                      "z,w9,\u00e9t\u00e9\r\n")  # one answer, no final line break
        out, err = self.ok("--method", "mv", a)
        self.assertEqual(out,
                         "item,label,confidence\n"
                         "\"x,1\",\"cat, or \"\"dog\"\"\",0.666667\n"
                         "y,a,0.500000\n"
                         "z,\u00e9t\u00e9,1.000000\n")
        self.assertEqual(err, "")

    def test_repeated_pairs(self):
        a = self.file("a.csv", "item,worker,label\ni,w1,a\ni,w2,a\ni,w1,b\ni,w1,b\ni,w3,b\n")
        out, _ = self.ok("--method", "mv", a)
        # every row counts: b has w1 twice and w3, a has w1 and w2
        self.assertEqual(out, "item,label,confidence\ni,b,0.600000\n")
        out, _ = self.ok("--method", "mv", "--last-answer", a)
        # w1's last answer is b: b has w1 and w3, a has w2
        self.assertEqual(out, "item,label,confidence\ni,b,0.666667\n")

    def test_order_of_first_appearance(self):
        a = self.file("a.csv", "item,worker,label\nc,w1,x\na,w1,x\nb,w2,y\na,w2,x\n")
        out, _ = self.ok(a)
        self.assertEqual([l.split(",")[0] for l in out.splitlines()[1:]], ["c", "a", "b"])

    def test_default_and_ds_run(self):
        rows = ["item,worker,label"]
        for i in range(12):
            truth = "yes" if i % 3 else "no"
            for w in ("g1", "g2", "g3"):
                rows.append("i%d,%s,%s" % (i, w, truth))
            rows.append("i%d,flip,%s" % (i, "no" if truth == "yes" else "yes"))
        rows.append("q,flip,yes")  # only the flipper: DS inverts it
        a = self.file("a.csv", "\n".join(rows) + "\n")
        for method in ([], ["--method", "ds"], ["--method", "hds"]):
            out, _ = self.ok(*(method + [a]))
            lines = out.splitlines()
            self.assertEqual(len(lines), 14)
            self.assertTrue(lines[-1].startswith("q,no,"), (method, lines[-1]))
        out, _ = self.ok("--method", "mv", a)
        self.assertEqual(out.splitlines()[-1], "q,yes,1.000000")

    def test_gold_report(self):
        a = self.file("a.csv", "item,worker,label\n1,w1,1\n1,w2,1\n2,w1,0\n2,w2,1\n3,w1,0\n")
        g = self.file("g.csv", "item,label\n1,1\n2,1\n3,1\n9,0\n")
        out, err = self.ok("--method", "mv", "--gold", g, a)
        # 1 -> 1 (right), 2 -> tie -> "0" (wrong), 3 -> 0 (wrong)
        self.assertEqual(out, "item,label,confidence\n1,1,1.000000\n2,0,0.500000\n3,0,1.000000\n")
        self.assertIn("gold: accuracy 0.3333 (1 of 3 gold items with answers)", err)
        self.assertIn("gold: label 1: precision 1.0000 recall 0.3333 F1 0.5000 (3 gold)", err)
        self.assertIn("gold: 1 rows for items without answers ignored", err)

    def test_gold_for_training(self):
        a = self.file("a.csv", "item,worker,label\n1,w1,a\n1,w2,b\n2,w1,a\n")
        g = self.file("g.csv", "item,label\n1,b\n")
        out, err = self.ok("--method", "mv", "--gold", g, "--gold-for-training", a)
        self.assertEqual(out, "item,label,confidence\n1,b,1.000000\n2,a,1.000000\n")
        self.assertIn("optimistic", err)
        out, _ = self.ok("--gold", g, "--gold-for-training", a)
        self.assertTrue(out.startswith("item,label,confidence\n1,b,1.000000\n"))

    def test_mean_median(self):
        a = self.file("a.csv", "item,worker,label\nr,w1,1\nr,w2,2\nr,w3,6\ns,w1,4.5\n")
        out, _ = self.ok("--method", "mean", a)
        self.assertEqual(out, "item,label,confidence\nr,3,0.395644\ns,4.5,0.000000\n")
        out, _ = self.ok("--method", "median", a)
        self.assertEqual(out, "item,label,confidence\nr,2,0.482439\ns,4.5,0.000000\n")
        g = self.file("g.csv", "item,label\nr,2\n")
        _, err = self.ok("--method", "median", "--gold", g, a)
        self.assertIn("gold: mean absolute error 0, root mean square error 0 (1 gold items", err)

    def test_help(self):
        out, _ = self.ok("--help")
        self.assertIn("usage: tessera aggregate", out)

    # --- malformed input ---

    def test_malformed_files(self):
        cases = [
            ("empty.csv", "", "empty.csv:1: empty file"),
            ("hdr.csv", "item,label\ni,a\n", 'hdr.csv:1: the header must be "item,worker,label"'),
            ("only.csv", "item,worker,label\n", "only.csv: no answers after the header"),
            ("cols.csv", "item,worker,label\ni,w,a\ni,w2\n",
             "cols.csv:3: expected 3 fields (item,worker,label), found 2"),
            ("quote.csv", "item,worker,label\ni,w,a\ni,w2,\"open\n\n",
             "quote.csv:3: unterminated quoted field"),
            ("after.csv", "item,worker,label\ni,w,\"a\"x\n", "after.csv:2: text after a closing quote"),
            ("empty_field.csv", "item,worker,label\ni,,a\n", "empty_field.csv:2: empty worker"),
            ("utf8.csv", b"item,worker,label\ni,w,\xff\xfe\n", "utf8.csv:2: label is not valid UTF-8"),
        ]
        for name, text, msg in cases:
            with self.subTest(name=name):
                path = self.file(name, text)
                self.fails([path], path + msg[len(name):], 1)

    def test_non_numeric_mean(self):
        a = self.file("a.csv", "item,worker,label\nr,w1,1\nr,w2,lots\n")
        self.fails(["--method", "mean", a], a + ':3: label "lots" is not a number', 1)

    def test_bad_gold(self):
        a = self.file("a.csv", "item,worker,label\nr,w1,1\n")
        g = self.file("g.csv", "item,label\nr,1,2\n")
        self.fails(["--gold", g, a], g + ":2: expected 2 fields (item,label), found 3", 1)

    def test_usage_errors(self):
        a = self.file("a.csv", "item,worker,label\nr,w1,1\n")
        cases = [
            (["--frobnicate", a], 'unknown option "--frobnicate"'),
            (["--method", "magic", a], 'unknown method "magic"'),
            (["--method"], "--method needs a value"),
            ([], "no ANSWERS.csv given"),
            ([a, a], "one ANSWERS.csv only"),
            (["--tol", "x", a], "--tol must be a number"),
            (["--max-iter", "0", a], "--max-iter must be a whole number in [1, 1000000]"),
            (["--method", "mv", "--tol", "0.1", a], "apply to hds and ds only"),
            (["--gold-for-training", a], "--gold-for-training needs --gold"),
        ]
        for args, msg in cases:
            with self.subTest(args=args):
                self.fails(args, msg, 2)

    def test_missing_file(self):
        path = os.path.join(self.dir, "nope.csv")
        self.fails([path], path + ": cannot open: No such file or directory", 1)
        a = self.file("a.csv", "item,worker,label\nr,w1,1\n")
        self.fails(["--gold", path, a], path + ": cannot open", 1)


if __name__ == "__main__":
    unittest.main()
