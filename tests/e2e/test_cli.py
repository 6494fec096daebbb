"""The tessera command line as a new user meets it: every subcommand answers --help with
its usage (stdout, exit 0) and refuses an option it does not know (usage on stderr, exit
2) without starting anything; README.md's usage block names exactly the options each
subcommand's --help lists; `make run LISTEN=...` passes the address on; and the demo's
task can be done in a browser: its page has a form with labelled choices and a submit
button, and posting that form as a browser does submits the assignment."""
import html.parser
import json
import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

from harness import BIN, ROOT, free_port

TIMEOUT = 30


def run(args, cwd):
    p = subprocess.run([BIN] + args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=TIMEOUT)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def commands(cwd):
    """Every subcommand, as the binary itself lists them: ["serve", ..., "admin check"]."""
    rc, out, _ = run(["--help"], cwd)
    assert rc == 0, out
    top = re.findall(r"^(?:usage:)?\s+tessera (\w+)", out, re.M)
    rc, out, _ = run(["admin", "--help"], cwd)
    assert rc == 0, out
    subs = re.findall(r"^\s+tessera admin ([a-z][a-z-]*)", out, re.M)
    return [c for c in top if c not in ("help", "admin")] + ["admin"] + \
        ["admin " + s for s in subs]


def help_flags(text):
    """The options a --help text lists (its indented option lines), --help aside."""
    return {m for m in re.findall(r"^  (--[a-z][a-z0-9-]*)", text, re.M) if m != "--help"}


def readme_usage():
    """README.md's usage block as {command: set of options}: each line starting with
    `build/tessera` in "Running it", with the indented lines continuing it; an admin
    line counts for the admin command it names."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    section = text.split("## Running it", 1)[1].split("\n## ", 1)[0]
    entries, cur = [], None
    for line in section.splitlines():
        body = line.split(" # ", 1)[0].split("  #", 1)[0]
        m = re.match(r"^    build/tessera (.*)$", body)
        if m:
            cur = [m.group(1)]
            entries.append(cur)
        elif cur is not None and re.match(r"^\s{8,}\S", body):
            cur.append(body.strip())
        else:
            cur = None
    usage = {}
    for e in entries:
        words = " ".join(e).split()
        cmd = words[0]
        if cmd == "admin":
            depth, sub = 0, None
            for w in words[1:]:
                if depth == 0 and not w.startswith(("[", "-")):
                    sub = w
                    break
                depth += w.count("[") - w.count("]")
            cmd = "admin" if sub == "COMMAND" else "admin " + sub
        usage.setdefault(cmd, set()).update(re.findall(r"--[a-z][a-z0-9-]*", " ".join(words)))
    return usage


class Commands(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="tessera-cli-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def test_every_subcommand_answers_help_and_refuses_unknown_options(self):
        cmds = commands(self.dir)
        for must in ("serve", "demo", "aggregate", "admin", "admin requester-create",
                     "admin worker-create", "admin deposit", "admin token-create",
                     "admin check"):
            self.assertIn(must, cmds)
        for cmd in cmds:
            argv = cmd.split()
            with self.subTest(cmd=cmd, arg="--help"):
                for h in ("--help", "-h"):
                    rc, out, err = run(argv + [h], self.dir)
                    self.assertEqual(rc, 0, err)
                    self.assertTrue(out.startswith("usage: tessera " + cmd), out)
                    self.assertEqual(err, "")
            with self.subTest(cmd=cmd, arg="--no-such-option"):
                rc, out, err = run(argv + ["--no-such-option"], self.dir)
                self.assertEqual(rc, 2, out + err)
                self.assertEqual(out, "")
                self.assertIn('unknown option "--no-such-option"', err)
                self.assertIn("usage: tessera " + cmd, err)
            # --help wins wherever it stands, and before anything is opened.
            with self.subTest(cmd=cmd, arg="late --help"):
                late = ["--db", "x.db"] if cmd == "admin" else ["stray-argument"]
                rc, out, _ = run(argv + late + ["--help"], self.dir)
                self.assertEqual(rc, 0)
                self.assertTrue(out.startswith("usage: tessera " + cmd), out)
        self.assertEqual(os.listdir(self.dir), [], "a --help or a refused option made files")

    def test_top_level(self):
        for a in ("help", "--help", "-h"):
            rc, out, err = run([a], self.dir)
            self.assertEqual((rc, err), (0, ""))
            self.assertIn("usage: tessera serve", out)
        for args in ([], ["nosuch"], ["--listen"], ["admin"], ["admin", "nosuch"],
                     ["serve", "stray"], ["demo", "stray"], ["admin", "check", "stray"],
                     ["serve", "--listen"], ["admin", "--db"]):
            with self.subTest(args=args):
                rc, out, err = run(args, self.dir)
                self.assertEqual(rc, 2, out + err)
                self.assertEqual(out, "")
                self.assertIn("usage: tessera", err)
        rc, out, err = run(["serve", "--fee-percent=x"], self.dir)
        self.assertEqual((rc, out), (2, ""))
        self.assertIn("--fee-percent must be a whole number", err)
        self.assertEqual(os.listdir(self.dir), [])

    def test_options_take_name_equals_value(self):
        db = os.path.join(self.dir, "t.db")
        rc, out, err = run(["admin", "--db=" + db, "requester-create", "R"], self.dir)
        self.assertEqual(rc, 0, err)
        rc, out, err = run(["admin", "check", "--db", db], self.dir)
        self.assertEqual((rc, out), (0, "check: ok, every invariant holds\n"), err)

    def test_readme_lists_exactly_the_options_of_each_command(self):
        """README.md's usage block and the binary's --help must not drift apart: each
        command the binary has is in the README, with exactly the options its --help
        lists (a new option needs a README line)."""
        readme = readme_usage()
        for cmd in commands(self.dir):
            with self.subTest(cmd=cmd):
                rc, out, _ = run(cmd.split() + ["--help"], self.dir)
                self.assertEqual(rc, 0)
                self.assertIn(cmd, readme, "README.md's usage block lacks " + cmd)
                self.assertEqual(readme[cmd], help_flags(out),
                                 "README.md's usage of %s differs from its --help" % cmd)
        self.assertEqual(set(readme) - set(commands(self.dir)), set(),
                         "README.md shows commands the binary does not have")

    def test_make_run_listen(self):
        if not shutil.which("make"):
            self.skipTest("no make")
        p = subprocess.run(["make", "-n", "--no-print-directory", "run",
                            "LISTEN=127.0.0.1:9977"], cwd=ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=120)
        out = p.stdout.decode()
        self.assertRegex(out, r"tessera demo --db tessera.db --listen '127.0.0.1:9977'")
        p = subprocess.run(["make", "-n", "--no-print-directory", "run"], cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        self.assertRegex(p.stdout.decode(), r"--listen '127.0.0.1:8080'")


class Page(html.parser.HTMLParser):
    """The forms of a page as a browser sees them: action, method, controls with the
    label text around each, buttons, and the scripts."""

    def __init__(self):
        super().__init__()
        self.forms, self.scripts, self.labels = [], [], 0
        self._script = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action"), "method": a.get("method", "get"),
                               "controls": [], "buttons": []})
        elif tag == "label":
            self.labels += 1
        elif tag == "input" and self.forms:
            a["labelled"] = self.labels > 0
            self.forms[-1]["controls"].append(a)
        elif tag == "button" and self.forms:
            self.forms[-1]["buttons"].append(a)
        elif tag == "script":
            self._script = []

    def handle_endtag(self, tag):
        if tag == "label":
            self.labels -= 1
        elif tag == "script" and self._script is not None:
            self.scripts.append("".join(self._script))
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)


class Demo(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="tessera-demo-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.db = os.path.join(self.dir, "demo.db")
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port

    def start_demo(self):
        """Starts `tessera demo`, returns (process, banner text) once it serves."""
        p = subprocess.Popen([BIN, "demo", "--db", self.db, "--listen",
                              "127.0.0.1:%d" % self.port], cwd=self.dir,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.addCleanup(self.stop, p)
        out, deadline = b"", time.time() + TIMEOUT
        while b"Stop with Ctrl-C." not in out:
            self.assertLess(time.time(), deadline, "no banner: %r" % out)
            r, _, _ = select.select([p.stdout], [], [], 1.0)
            if r:
                chunk = os.read(p.stdout.fileno(), 65536)
                self.assertTrue(chunk, "the demo exited: %r" % out)
                out += chunk
        return p, out.decode()

    def stop(self, p):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            self.assertEqual(p.wait(timeout=TIMEOUT), 0)

    def api(self, op, token, body):
        req = urllib.request.Request(self.base + "/api/v1/" + op, json.dumps(body).encode(),
                                     {"Authorization": "Bearer " + token,
                                      "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
            return json.loads(r.read())

    def test_a_person_can_do_the_demo_task_in_a_browser(self):
        p, banner = self.start_demo()
        worker = re.search(r"worker: .*token (tsr_\S+)", banner).group(1)
        requester = re.search(r"requester: .*token (tsr_\S+)", banner).group(1)
        link = re.search(r"do a task:.*\n.*\n\s+(%s/w/\S+)" % re.escape(self.base), banner)
        self.assertTrue(link, banner)

        # The browser opens the link and lands on the task page (after a redirect).
        with urllib.request.urlopen(link.group(1), timeout=TIMEOUT) as r:
            self.assertEqual(r.status, 200)
            page_url, body = r.geturl(), r.read().decode()
        params = urllib.parse.parse_qs(urllib.parse.urlsplit(page_url).query)
        asg_id = params["assignmentId"][0]
        page = Page()
        page.feed(body)
        self.assertIn('name="viewport"', body)  # readable on a phone
        self.assertEqual(len(page.forms), 1, body)
        form = page.forms[0]
        self.assertEqual(form["method"].lower(), "post")
        self.assertTrue(form["action"].startswith(self.base + "/w/"), form["action"])
        self.assertTrue(form["action"].endswith("/mturk/externalSubmit"), form["action"])
        self.assertTrue(any(b.get("type") == "submit" for b in form["buttons"]), form)
        choices = [c for c in form["controls"] if c.get("type") == "radio"]
        self.assertGreaterEqual(len(choices), 2, form)
        self.assertTrue(all(c["labelled"] for c in choices), "a choice has no label")
        hidden = [c for c in form["controls"] if c.get("name") == "assignmentId"]
        self.assertEqual(len(hidden), 1)
        self.assertEqual(hidden[0].get("type"), "hidden")
        # The page's script fills assignmentId from the page's address, as MTurk's
        # externalHIT_v1.js does; this test does what it does.
        script = "\n".join(page.scripts)
        self.assertRegex(script, r'URLSearchParams\(location\.search\)\.get\("assignmentId"\)')
        self.assertRegex(script, r'getElementById\("assignmentId"\)\.value = id')
        fields = [("assignmentId", asg_id), (choices[0]["name"], choices[0]["value"])]

        got = self.api("GetMyAssignment", worker, {"AssignmentId": asg_id})
        self.assertEqual(got["Assignment"]["AssignmentStatus"], "Accepted")

        # The person picks the first answer and presses Submit.
        req = urllib.request.Request(form["action"], urllib.parse.urlencode(fields).encode(),
                                     {"Content-Type": "application/x-www-form-urlencoded",
                                      "Origin": "null"})
        with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
            self.assertEqual(r.status, 200)
            self.assertIn("submitted", r.read().decode())
        got = self.api("GetMyAssignment", worker, {"AssignmentId": asg_id})
        self.assertEqual(got["Assignment"]["AssignmentStatus"], "Submitted")
        mine = self.api("GetAssignment", requester, {"AssignmentId": asg_id})
        self.assertIn("<FreeText>%s</FreeText>" % choices[0]["value"],
                      mine["Assignment"]["Answer"])
        self.stop(p)

        # Each start accepts one more task and shows its link.
        p, banner2 = self.start_demo()
        link2 = re.search(r"(%s/w/\S+)" % re.escape(self.base), banner2)
        self.assertTrue(link2, banner2)
        self.assertNotEqual(link2.group(1), link.group(1))
        self.stop(p)
        rc, out, err = run(["admin", "--db", self.db, "check"], self.dir)
        self.assertEqual(rc, 0, out + err)

    def test_the_page_script_runs_in_chromium(self):
        """In headless Chromium (scripts/setup.sh installs Debian's), the page's own
        script fills in assignmentId in a real browser."""
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        self.assertTrue(chromium, "no chromium on the PATH: run bash scripts/setup.sh")
        p, banner = self.start_demo()
        link = re.search(r"(%s/w/\S+)" % re.escape(self.base), banner).group(1)
        with urllib.request.urlopen(link, timeout=TIMEOUT) as r:
            page_url = r.geturl()
        asg_id = urllib.parse.parse_qs(urllib.parse.urlsplit(page_url).query)["assignmentId"][0]
        d = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                            "--disable-quic", "--no-first-run",
                            "--disable-background-networking", "--disable-component-update",
                            "--disable-sync",
                            "--user-data-dir=" + os.path.join(self.dir, "chromium"),
                            "--dump-dom", page_url], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, timeout=120).stdout.decode()
        self.assertRegex(d, r'name="assignmentId" id="assignmentId" value="%s"' % asg_id)
        self.assertNotRegex(d, r'<button[^>]*disabled')
        self.stop(p)


if __name__ == "__main__":
    unittest.main()
