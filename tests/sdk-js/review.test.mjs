// Review policies through the real AWS SDK for JavaScript v3 (@aws-sdk/client-mturk):
// CreateHIT with an AssignmentReviewPolicy (ScoreMyKnownAnswers/2011-09-01) and a
// HITReviewPolicy (SimplePlurality/2011-09-01), work done through the native worker
// operations, and ListReviewPolicyResultsForHIT read back, page by page. One
// `tessera serve` on a temporary database serves the file; `tessera admin check` runs at
// the end. The server scaffolding is the one of mturk.test.mjs.
//
//   bash tests/sdk-js/run.sh          (or: node --test tests/sdk-js/review.test.mjs)
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFile } from "node:child_process";
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import {
  MTurkClient,
  RequestError,
  ApproveAssignmentCommand,
  CreateHITCommand,
  GetAccountBalanceCommand,
  GetAssignmentCommand,
  GetHITCommand,
  ListReviewPolicyResultsForHITCommand,
} from "@aws-sdk/client-mturk";

const execFileP = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = resolve(ROOT, process.env.TESSERA_BIN || "build/tessera");

// Sanitizer builds start slowly; every wait is bounded.
const START_TIMEOUT_MS = 20000;
const STOP_TIMEOUT_MS = 30000;

const QUESTION = (text) =>
  '<HTMLQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/' +
  `2011-11-11/HTMLQuestion.xsd"><HTMLContent><![CDATA[<p>${text}</p><input name="label">]]>` +
  "</HTMLContent><FrameHeight>400</FrameHeight></HTMLQuestion>";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.unref();
    s.on("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

// One `tessera serve` process on a temporary database.
class Server {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), "tessera-sdkjs-"));
    this.db = join(this.dir, "t.db");
    this.logPath = join(this.dir, "serve.log");
    this.child = null;
    this.exited = null; // a promise of the exit code of this.child
    this.port = null;
  }

  log() {
    try {
      return readFileSync(this.logPath, "utf8").slice(-4000);
    } catch {
      return "";
    }
  }

  async start() {
    let last = "";
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort();
      const fd = openSync(this.logPath, "a");
      const child = spawn(BIN, ["serve", "--db", this.db, "--listen", `127.0.0.1:${port}`],
                          { stdio: ["ignore", fd, fd] });
      closeSync(fd);
      let code = null;
      const exited = new Promise((ok) => {
        child.on("exit", (c, sig) => ok((code = c ?? sig)));
        child.on("error", (e) => ok((code = String(e))));
      });
      const deadline = Date.now() + START_TIMEOUT_MS;
      while (Date.now() < deadline && code === null) {
        try {
          const r = await fetch(`http://127.0.0.1:${port}/healthz`,
                                { signal: AbortSignal.timeout(2000) });
          await r.arrayBuffer();
          if (r.status === 200) {
            Object.assign(this, { child, exited, port });
            return this;
          }
        } catch {
          // not listening yet
        }
        await sleep(50);
      }
      last = `exit ${code}`;
      if (typeof code === "string" && code.startsWith("Error")) break; // e.g. ENOENT
      if (code === null) {
        process.kill(child.pid, "SIGKILL");
        await exited;
      }
    }
    throw new Error(`tessera serve (${BIN}) did not become healthy (${last}); log:\n${this.log()}`);
  }

  // SIGTERM to the pid we started; resolves to its exit code (or signal name).
  async stop() {
    const { child, exited } = this;
    if (!child) return null;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, "SIGTERM");
    let timer;
    const rc = await Promise.race([
      exited,
      new Promise((ok) => { timer = setTimeout(() => ok("timeout"), STOP_TIMEOUT_MS); }),
    ]);
    clearTimeout(timer);
    if (rc === "timeout") {
      process.kill(child.pid, "SIGKILL");
      await exited;
      throw new Error(`tessera serve did not stop within ${STOP_TIMEOUT_MS} ms of SIGTERM`);
    }
    return rc;
  }

  cleanup() {
    rmSync(this.dir, { recursive: true, force: true });
  }

  async admin(...args) {
    return execFileP(BIN, ["admin", "--db", this.db, ...args.map(String)],
                     { timeout: 60000, maxBuffer: 1 << 20 });
  }

  async adminJson(...args) {
    const { stdout } = await this.admin(...args);
    return JSON.parse(stdout);
  }

  async requester(name, deposit = "50.00") {
    const acct = await this.adminJson("requester-create", name);
    for (const k of ["id", "access_key_id", "secret_access_key", "token"])
      assert.ok(acct[k], `requester-create printed no ${k}: ${JSON.stringify(acct)}`);
    if (deposit) await this.admin("deposit", acct.id, deposit);
    return acct;
  }

  async worker(name) {
    const acct = await this.adminJson("worker-create", name, "--country", "US",
                                      "--password", "correct horse battery");
    assert.ok(acct.token, `worker-create printed no token: ${JSON.stringify(acct)}`);
    return acct;
  }

  // POST /api/v1/<op> on the native door with a bearer token; asserts 200.
  async native(op, body, token) {
    const r = await fetch(`http://127.0.0.1:${this.port}/api/v1/${op}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    const text = await r.text();
    assert.equal(r.status, 200, `${op} ${JSON.stringify(body)} -> ${r.status} ${text}`);
    return JSON.parse(text);
  }

  mturk(acct, secret) {
    const c = new MTurkClient({
      region: "us-east-1",
      endpoint: `http://127.0.0.1:${this.port}`,
      credentials: { accessKeyId: acct.access_key_id,
                     secretAccessKey: secret ?? acct.secret_access_key },
      maxAttempts: 1,
    });
    clients.push(c);
    return c;
  }
}

const clients = [];

// Runs fn, which must reject; returns the error.
async function failure(fn) {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  assert.fail("the call succeeded; an error was expected");
}

function assertTurkError(e, turkCode) {
  assert.ok(e instanceof RequestError, `expected a RequestError, got ${e?.name}: ${e?.message}`);
  assert.equal(e.name, "RequestError");
  assert.equal(e.$fault, "client");
  assert.equal(e.TurkErrorCode, turkCode, e.message);
  assert.equal(e.$metadata.httpStatusCode, 400);
  assert.match(e.$metadata.requestId ?? "", UUID);
  assert.match(e.message, / \(\d{13}\)$/, "messages end with the server time in ms");
}

const KNOWN = "ScoreMyKnownAnswers/2011-09-01";
const PLURALITY = "SimplePlurality/2011-09-01";
const param = (Key, ...values) => ({ Key, Values: values.map(String) });

const hitInput = (over = {}) => ({
  Title: "Name the colour",
  Description: "Say what you see",
  Reward: "0.10",
  AssignmentDurationInSeconds: 600,
  LifetimeInSeconds: 3600,
  MaxAssignments: 3,
  Question: QUESTION("a colour"),
  ...over,
});

describe("review policies through @aws-sdk/client-mturk", () => {
  const srv = new Server();

  before(async () => {
    await srv.start();
  });

  after(async () => {
    for (const c of clients) c.destroy();
    try {
      await srv.admin("check"); // rejects on a non-zero exit
      await srv.stop();
    } finally {
      srv.cleanup();
    }
  });

  async function work(hitId, name, answers) {
    const w = await srv.worker(name);
    const a = (await srv.native("AcceptWork", { HITId: hitId }, w.token)).Assignment;
    await srv.native("SubmitAssignment", { AssignmentId: a.AssignmentId, Answers: answers },
                     w.token);
    return { w, id: a.AssignmentId };
  }

  it("runs both policies and lists their results and actions page by page", async () => {
    const rq = await srv.requester("Acme Research");
    const mt = srv.mturk(rq);
    const hit = (await mt.send(new CreateHITCommand(hitInput({
      AssignmentReviewPolicy: { PolicyName: KNOWN, Parameters: [
        { Key: "AnswerKey", MapEntries: [{ Key: "gold", Values: ["yes"] }] },
        param("ApproveIfKnownAnswerScoreIsAtLeast", 100),
        param("RejectIfKnownAnswerScoreIsLessThan", 100),
        param("RejectReason", "the check question was wrong"),
      ] },
      HITReviewPolicy: { PolicyName: PLURALITY, Parameters: [
        param("QuestionIds", "color"),
        param("QuestionAgreementThreshold", 50),
        param("DisregardAssignmentIfRejected", "true"),
      ] },
    })))).HIT;
    const hid = hit.HITId;
    const a1 = await work(hid, "w1", { gold: "yes", color: "red" });
    const a2 = await work(hid, "w2", { gold: "no", color: "blue" });
    const a3 = await work(hid, "w3", { gold: "yes", color: "red" });

    const st = async (id) =>
      (await mt.send(new GetAssignmentCommand({ AssignmentId: id }))).Assignment.AssignmentStatus;
    assert.deepEqual([await st(a1.id), await st(a2.id), await st(a3.id)],
                     ["Approved", "Rejected", "Approved"]);
    const rejected = (await mt.send(new GetAssignmentCommand({ AssignmentId: a2.id }))).Assignment;
    assert.equal(rejected.RequesterFeedback, "the check question was wrong");
    assert.equal((await mt.send(new GetHITCommand({ HITId: hid }))).HIT.HITStatus, "Reviewable");
    // 3 slots of 0.12 held; two paid, one released.
    const bal = await mt.send(new GetAccountBalanceCommand({}));
    assert.deepEqual([bal.AvailableBalance, bal.OnHoldBalance], ["49.76", "0.00"]);

    const whole = await mt.send(new ListReviewPolicyResultsForHITCommand({
      HITId: hid, MaxResults: 100 }));
    assert.equal(whole.HITId, hid);
    assert.equal(whole.AssignmentReviewPolicy.PolicyName, KNOWN);
    assert.equal(whole.HITReviewPolicy.PolicyName, PLURALITY);
    assert.equal(whole.NextToken, undefined);
    const ar = whole.AssignmentReviewReport, hr = whole.HITReviewReport;
    const scores = ar.ReviewResults.filter((r) => r.Key === "KnownAnswerScore")
      .map((r) => [r.SubjectId, r.SubjectType, r.Value]);
    assert.deepEqual(scores, [[a1.id, "Assignment", "100"], [a2.id, "Assignment", "0"],
                              [a3.id, "Assignment", "100"]]);
    const reject = ar.ReviewActions.find((a) => a.ActionName === "reject");
    assert.equal(reject.TargetId, a2.id);
    assert.equal(reject.TargetType, "Assignment");
    assert.equal(reject.Status, "Succeeded");
    assert.ok(reject.CompleteTime instanceof Date);
    const agreed = hr.ReviewResults.filter((r) => r.Key === "AgreedAnswer");
    assert.deepEqual(agreed.map((r) => [r.SubjectId, r.SubjectType, r.QuestionId, r.Value]),
                     [[hid, "HIT", "color", "red"]]);
    const hitScore = hr.ReviewResults.find((r) => r.Key === "HitAgreementScore");
    assert.equal(hitScore.Value, "100");
    assert.equal(hitScore.QuestionId, undefined);
    // The rejected assignment was disregarded: no result names it.
    assert.ok(!hr.ReviewResults.some((r) => r.SubjectId === a2.id));

    // Page by page (MaxResults 3), the same items in the same order.
    const seen = { AssignmentReviewReport: [], HITReviewReport: [] };
    let token, pages = 0;
    do {
      const page = await mt.send(new ListReviewPolicyResultsForHITCommand({
        HITId: hid, MaxResults: 3, NextToken: token }));
      pages++;
      let n = 0;
      for (const r of Object.keys(seen)) {
        const rep = page[r];
        n += rep.ReviewResults.length + rep.ReviewActions.length;
        seen[r].push(...rep.ReviewResults, ...rep.ReviewActions);
      }
      assert.ok(n <= 3, `page ${pages} has ${n} items`);
      token = page.NextToken;
    } while (token);
    for (const r of Object.keys(seen)) {
      const want = [...whole[r].ReviewResults, ...whole[r].ReviewActions];
      assert.deepEqual(new Set(seen[r].map((x) => JSON.stringify(x))),
                       new Set(want.map((x) => JSON.stringify(x))));
      assert.equal(seen[r].length, want.length);
    }
    assert.ok(pages > 1);

    // Filters.
    const actionsOnly = await mt.send(new ListReviewPolicyResultsForHITCommand({
      HITId: hid, PolicyLevels: ["HIT"], RetrieveResults: false, MaxResults: 100 }));
    assert.equal(actionsOnly.AssignmentReviewReport, undefined);
    assert.equal(actionsOnly.HITReviewReport.ReviewResults, undefined);
    assert.deepEqual(actionsOnly.HITReviewReport.ReviewActions, hr.ReviewActions);

    // The rejection stays appealable.
    await mt.send(new ApproveAssignmentCommand({ AssignmentId: a2.id, OverrideRejection: true }));
    assert.equal(await st(a2.id), "Approved");
  });

  it("refuses a bad policy with nothing created, and a foreign HIT", async () => {
    const rq = await srv.requester("Careful Lab");
    const mt = srv.mturk(rq);
    const bad = await failure(() => mt.send(new CreateHITCommand(hitInput({
      AssignmentReviewPolicy: { PolicyName: KNOWN, Parameters: [
        { Key: "AnswerKey", MapEntries: [{ Key: "gold", Values: ["yes"] }] },
        param("ApproveIfKnownAnswerScoreIsAtLeast", 150),
      ] },
    }))));
    assert.equal(bad.name, "ParameterValidationError");
    assert.equal(bad.$fault, "client");
    assert.equal(bad.$metadata.httpStatusCode, 400);
    assert.match(bad.message, /ApproveIfKnownAnswerScoreIsAtLeast must be a whole number from 0 to 101/);
    assert.equal(bad.TurkErrorCode, "AWS.MechanicalTurk.ParameterValidationError");
    const unknown = await failure(() => mt.send(new CreateHITCommand(hitInput({
      HITReviewPolicy: { PolicyName: "MajorityVote/2011-09-01" } }))));
    assert.equal(unknown.name, "ParameterValidationError");
    assert.match(unknown.message, /unknown policy/);
    const bal = await mt.send(new GetAccountBalanceCommand({}));
    assert.deepEqual([bal.AvailableBalance, bal.OnHoldBalance], ["50.00", "0.00"]);

    const other = srv.mturk(await srv.requester("Someone Else"));
    const hid = (await mt.send(new CreateHITCommand(hitInput()))).HIT.HITId;
    const foreign = await failure(() => other.send(new ListReviewPolicyResultsForHITCommand({
      HITId: hid })));
    assertTurkError(foreign, "AWS.MechanicalTurk.HITDoesNotExist");
    const token = await failure(() => mt.send(new ListReviewPolicyResultsForHITCommand({
      HITId: hid, NextToken: "nope" })));
    assert.equal(token.name, "ParameterValidationError");
    assert.match(token.message, /NextToken/);
  });
});
