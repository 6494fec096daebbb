#!/usr/bin/env python3
"""run.py: runs every tests/e2e/test_*.py (or the files/names given as arguments).

Prints one line per failure, `file:line: test: reason`, and ends with exactly one line
`N passed, N failed`; exits 1 when any test failed. A test with several failing subtests
prints one line for each and counts once.

    python3 tests/e2e/run.py                 # everything
    python3 tests/e2e/run.py test_flow.py    # one file
    python3 tests/e2e/run.py -k Bonus        # tests whose id contains "Bonus"
    TESSERA_BIN=build/san/tessera python3 tests/e2e/run.py
"""
import glob
import os
import sys
import time
import traceback
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True


def where(tb):
    """file:line of the deepest frame in a test file (else in tests/e2e, else anywhere)."""
    frames = traceback.extract_tb(tb)
    pick = None
    for f in frames:
        if os.path.dirname(os.path.abspath(f.filename)) == HERE:
            if os.path.basename(f.filename).startswith("test_"):
                pick = f
            elif pick is None or not os.path.basename(pick.filename).startswith("test_"):
                pick = f
    if pick is None and frames:
        pick = frames[-1]
    if pick is None:
        return "?:0"
    return "%s:%d" % (os.path.relpath(pick.filename, ROOT), pick.lineno)


def one_line(exc):
    text = str(exc) or type(exc).__name__
    if not isinstance(exc, AssertionError):
        text = "%s: %s" % (type(exc).__name__, text)
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    s = " | ".join(lines)
    return s if len(s) <= 1500 else s[:1500] + " ..."


class Result(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.failed_ids = set()
        self.ran_ids = []
        self.lines = []
        self.verbose = os.environ.get("E2E_VERBOSE") == "1"
        self.t0 = {}

    def startTest(self, test):
        super().startTest(test)
        self.ran_ids.append(test.id())
        self.t0[test.id()] = time.time()

    def stopTest(self, test):
        super().stopTest(test)
        if self.verbose:
            print("  %-70s %s %.1fs" % (test.id(), "FAIL" if test.id() in self.failed_ids
                                        else "ok", time.time() - self.t0[test.id()]),
                  file=sys.stderr, flush=True)

    def _record(self, test, err, label=None):
        _, exc, tb = err
        name = label or test.id()
        tid = getattr(test, "test_case", test).id() if label else test.id()
        self.failed_ids.add(tid)
        line = "%s: %s: %s" % (where(tb), name, one_line(exc))
        self.lines.append(line)
        print(line, flush=True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._record(test, err)

    def addError(self, test, err):
        super().addError(test, err)
        # setUpClass/tearDownClass errors arrive as _ErrorHolder: count them as a test.
        if not hasattr(test, "_testMethodName"):
            self.ran_ids.append(test.id())
        self._record(test, err)

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self.failed_ids.add(test.id())
            _, exc, tb = err
            line = "%s: %s: %s" % (where(tb), subtest.id(), one_line(exc))
            self.lines.append(line)
            print(line, flush=True)

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.failed_ids.add(test.id())
        print("?:0: %s: unexpected success" % test.id(), flush=True)


def main(argv):
    keyword = None
    files = []
    i = 0
    while i < len(argv):
        if argv[i] == "-k" and i + 1 < len(argv):
            keyword = argv[i + 1]
            i += 2
            continue
        files.append(argv[i])
        i += 1
    if not files:
        files = sorted(glob.glob(os.path.join(HERE, "test_*.py")))
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    load_errors = []
    for f in files:
        path = f if os.path.exists(f) else os.path.join(HERE, f)
        mod = os.path.splitext(os.path.basename(path))[0]
        try:
            s = loader.loadTestsFromName(mod)
        except Exception as e:  # a file that does not even import is a failure
            load_errors.append("%s:1: %s: cannot load: %s"
                               % (os.path.relpath(path, ROOT), mod, one_line(e)))
            continue
        suite.addTest(s)

    def flatten(s):
        for t in s:
            if isinstance(t, unittest.TestSuite):
                yield from flatten(t)
            else:
                yield t

    if keyword:
        suite = unittest.TestSuite([t for t in flatten(suite) if keyword in t.id()])

    for line in load_errors:
        print(line, flush=True)
    result = Result()
    suite.run(result)
    ran = set(result.ran_ids)
    failed = len(result.failed_ids & ran) + len(load_errors)
    passed = len(ran - result.failed_ids)
    print("%d passed, %d failed" % (passed, failed), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
