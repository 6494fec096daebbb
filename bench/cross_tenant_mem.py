#!/usr/bin/env python3
"""bench/cross_tenant_mem.py: the server's memory across many cross-tenant calls.

Starts `tessera serve` (--bin, default build/tessera: the normal -O2 build) on a
throwaway database and a free 127.0.0.1 port, lets requester A create a qualification
type with a large Test (--test-bytes, default 64000; the limit is 65535), then has
requester B call ListHITsForQualificationType with A's QualificationTypeId --calls times
(default 20000) over one keep-alive connection. Every answer must be the 404
QualificationTypeDoesNotExist. Prints the server's resident set size (VmRSS, from
/proc/<pid>/status) at the start and every --every calls (default 10000), then stops the
server it started (SIGTERM, by pid) and removes the temp dir.

A server that keeps what it read on the refusal grows by about the Test's size a call;
one that releases it stays flat. See docs/bench.md, "Memory under cross-tenant calls".

    python3 bench/cross_tenant_mem.py                       # build/tessera
    python3 bench/cross_tenant_mem.py --bin /tmp/old/build/tessera --calls 20000
"""
import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS for pid %d" % pid)


def big_test(size):
    ns = ("http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/"
          "QuestionForm.xsd")
    head = '<QuestionForm xmlns="%s"><Overview><Text>' % ns
    tail = ("</Text></Overview><Question><QuestionIdentifier>why</QuestionIdentifier>"
            "<QuestionContent><Text>Why?</Text></QuestionContent><AnswerSpecification>"
            "<FreeTextAnswer/></AnswerSpecification></Question></QuestionForm>")
    return head + "x" * max(0, size - len(head) - len(tail)) + tail


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "tessera"))
    ap.add_argument("--calls", type=int, default=20000)
    ap.add_argument("--every", type=int, default=10000)
    ap.add_argument("--test-bytes", type=int, default=64000)
    args = ap.parse_args()
    os.environ["TESSERA_BIN"] = os.path.abspath(args.bin)
    import harness  # reads TESSERA_BIN when imported
    harness.BIN = os.path.abspath(args.bin)

    srv = harness.Server()
    srv.start()
    try:
        a, b = srv.requester("Alpha"), srv.requester("Beta")
        st, doc = srv.call("CreateQualificationType", {
            "Name": "Bird quiz", "Description": "d", "QualificationTypeStatus": "Active",
            "Test": big_test(args.test_bytes), "TestDurationInSeconds": 600}, a["token"])
        if st != 200:
            raise SystemExit("CreateQualificationType -> %d %s" % (st, doc))
        qid = doc["QualificationType"]["QualificationTypeId"]
        body = {"QualificationTypeId": qid}
        c = srv.client(b["token"])
        pid = srv.proc.pid
        print("binary %s, Test %d bytes, pid %d" % (args.bin, len(big_test(args.test_bytes)),
                                                     pid))
        print("%8s %12s %10s" % ("calls", "VmRSS KiB", "seconds"))
        t0 = time.time()
        print("%8d %12d %10.1f" % (0, rss_kib(pid), 0.0), flush=True)
        for i in range(1, args.calls + 1):
            st, doc = c.call("ListHITsForQualificationType", body)
            if st != 404 or doc["error"]["code"] != "QualificationTypeDoesNotExist":
                raise SystemExit("call %d: %d %s (expected the 404)" % (i, st, doc))
            if i % args.every == 0 or i == args.calls:
                print("%8d %12d %10.1f" % (i, rss_kib(pid), time.time() - t0), flush=True)
        c.close()
    finally:
        rc = srv.stop()
        srv.cleanup()
    if rc not in (0, None):
        raise SystemExit("tessera serve exited %s" % rc)


if __name__ == "__main__":
    main()
