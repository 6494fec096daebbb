"""docs/api.md's worked example, run as written (bash, curl, jq) against a real server on a
free port instead of 8080: every step must work, and every one-line answer its comments
show must be what the step printed (with "…" standing for any text)."""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import unittest

from harness import BIN, ROOT, free_port


def example():
    with open(os.path.join(ROOT, "docs", "api.md"), encoding="utf-8") as f:
        text = f.read()
    section = text[text.index("## Worked example"):]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    main, errors = blocks[0], blocks[1]
    # The error block is run while the server still runs, before step 6 stops it.
    return main.replace("# 6. Stop", errors + "\n# 6. Stop")


def shown_answers(script):
    """The answers the comments show on one line: `# {...}` and `# check: ...`."""
    out = []
    for line in script.splitlines():
        m = re.match(r"^# (\{.*\}|check: .*)$", line)
        if m:
            out.append(re.sub(r"\s{3,}\(.*\)$", "", m.group(1)))
    return out


class WorkedExample(unittest.TestCase):
    def test_worked_example_runs_as_written(self):
        for tool in ("bash", "curl", "jq"):
            if not shutil.which(tool):
                self.skipTest("the example needs " + tool)
        d = tempfile.mkdtemp(prefix="tessera-example-")
        self.addCleanup(shutil.rmtree, d, True)
        os.mkdir(os.path.join(d, "build"))
        os.symlink(BIN, os.path.join(d, "build", "tessera"))
        port = str(free_port())
        script = example()
        self.assertIn("call Login \"\"", script)
        # Its own process group, so that a server the script left running (a step
        # failed before step 6) is stopped with it.
        log = open(os.path.join(d, "output"), "w+b")
        self.addCleanup(log.close)
        p = subprocess.Popen(["bash", "-e", "-c", script.replace("8080", port)], cwd=d,
                             stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            p.wait(timeout=120)
        finally:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            p.wait()
        log.seek(0)
        out = log.read().decode()
        self.assertEqual(p.returncode, 0, out)
        lines = out.splitlines()
        self.assertEqual(lines[-1], "check: ok, every invariant holds")
        self.assertIn("200", lines)  # the browser's form post
        for shown in shown_answers(script):
            pattern = ".*".join(re.escape(part) for part in shown.split("…"))
            self.assertTrue(any(re.fullmatch(pattern, l) for l in lines),
                            "docs/api.md shows %s, but the example printed:\n%s"
                            % (shown, out))


if __name__ == "__main__":
    unittest.main()
