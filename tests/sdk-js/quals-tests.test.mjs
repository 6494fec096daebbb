// Qualification tests through the real AWS SDK for JavaScript v3: CreateQualificationType
// with a Test (QuestionForm) and an AnswerKey, UpdateQualificationType changing the key
// and the retry delay, a worker taking the test through the native operations and being
// scored, and the refusals of a bad AnswerKey. One `tessera serve` on a temporary
// database and a free 127.0.0.1 port serves the file; $TESSERA_BIN as in mturk.test.mjs.
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
  CreateQualificationTypeCommand,
  GetQualificationTypeCommand,
  UpdateQualificationTypeCommand,
  GetQualificationScoreCommand,
  ListWorkersWithQualificationTypeCommand,
  ListQualificationRequestsCommand,
  AcceptQualificationRequestCommand,
} from "@aws-sdk/client-mturk";

const execFileP = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = resolve(ROOT, process.env.TESSERA_BIN || "build/tessera");

// Sanitizer builds start slowly; every wait is bounded.
const START_TIMEOUT_MS = 20000;
const STOP_TIMEOUT_MS = 30000;

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

const NS_QF = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/QuestionForm.xsd";
const NS_AK = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/AnswerKey.xsd";

const TEST =
  `<QuestionForm xmlns="${NS_QF}"><Question><QuestionIdentifier>capital</QuestionIdentifier>` +
  "<IsRequired>true</IsRequired><QuestionContent><Text>Capital of France?</Text></QuestionContent>" +
  "<AnswerSpecification><SelectionAnswer><Selections>" +
  "<Selection><SelectionIdentifier>paris</SelectionIdentifier><Text>Paris</Text></Selection>" +
  "<Selection><SelectionIdentifier>lyon</SelectionIdentifier><Text>Lyon</Text></Selection>" +
  "</Selections></SelectionAnswer></AnswerSpecification></Question></QuestionForm>";

const key = (mapping) =>
  `<AnswerKey xmlns="${NS_AK}"><Question><QuestionIdentifier>capital</QuestionIdentifier>` +
  "<AnswerOption><SelectionIdentifier>paris</SelectionIdentifier><AnswerScore>4</AnswerScore>" +
  "</AnswerOption><DefaultScore>1</DefaultScore></Question>" +
  (mapping ? `<QualificationValueMapping>${mapping}</QualificationValueMapping>` : "") +
  "</AnswerKey>";

describe("qualification tests through @aws-sdk/client-mturk", () => {
  const srv = new Server();

  before(async () => {
    await srv.start();
  });

  after(async () => {
    for (const c of clients) c.destroy();
    try {
      await srv.stop();
    } finally {
      srv.cleanup();
    }
  });

  it("creates a type with a Test and an AnswerKey and updates it", async () => {
    const rq = await srv.requester("Quiz Master");
    const mt = srv.mturk(rq);
    const { QualificationType: qt } = await mt.send(new CreateQualificationTypeCommand({
      Name: "Geography", Description: "Knows capitals", QualificationTypeStatus: "Active",
      Test: TEST, AnswerKey: key(), TestDurationInSeconds: 300,
    }));
    const qid = qt.QualificationTypeId;
    assert.ok(qid);
    assert.equal(qt.Test, TEST);
    assert.equal(qt.AnswerKey, key());
    assert.equal(qt.TestDurationInSeconds, 300);
    assert.equal(qt.RetryDelayInSeconds, undefined);
    assert.equal(qt.AutoGranted, false);
    assert.ok(qt.CreationTime instanceof Date);

    // Without a mapping the value is the summed score.
    const ann = await srv.worker("ann");
    const t = await srv.native("GetQualificationTest", { QualificationTypeId: qid }, ann.token);
    assert.equal(t.Test, TEST);
    assert.match(t.TestHTML, /paris/);
    const got = await srv.native("SubmitQualificationTest",
      { QualificationTypeId: qid, Answers: { capital: "paris" } }, ann.token);
    assert.deepEqual([got.Status, got.IntegerValue], ["Granted", 4]);

    const { QualificationType: up } = await mt.send(new UpdateQualificationTypeCommand({
      QualificationTypeId: qid, RetryDelayInSeconds: 0,
      AnswerKey: key("<ScaleMapping><SummedScoreMultiplier>2.5</SummedScoreMultiplier></ScaleMapping>"),
    }));
    assert.equal(up.RetryDelayInSeconds, 0);
    assert.match(up.AnswerKey, /ScaleMapping/);
    const { QualificationType: again } = await mt.send(
      new GetQualificationTypeCommand({ QualificationTypeId: qid }));
    assert.equal(again.AnswerKey, up.AnswerKey);
    assert.equal(again.TestDurationInSeconds, 300);

    // With the retry delay of 0 ann may retake it at once; the new key scales the sum.
    await srv.native("GetQualificationTest", { QualificationTypeId: qid }, ann.token);
    const retake = await srv.native("SubmitQualificationTest",
      { QualificationTypeId: qid, Answers: { capital: "lyon" } }, ann.token);
    assert.deepEqual([retake.Score, retake.IntegerValue], [1, 3]); // 1 * 2.5 = 2.5 -> 3
    const { Qualifications: qs } = await mt.send(
      new ListWorkersWithQualificationTypeCommand({ QualificationTypeId: qid }));
    assert.equal(qs.length, 1);
    const { Qualification: q } = await mt.send(new GetQualificationScoreCommand(
      { QualificationTypeId: qid, WorkerId: qs[0].WorkerId }));
    assert.equal(q.IntegerValue, 3);
  });

  it("keeps an unscored test for the requester, with Test and Answer", async () => {
    const rq = await srv.requester("Reviewer");
    const mt = srv.mturk(rq);
    const { QualificationType: qt } = await mt.send(new CreateQualificationTypeCommand({
      Name: "Reviewed", Description: "Looked at by hand", QualificationTypeStatus: "Active",
      Test: TEST, TestDurationInSeconds: 60,
    }));
    const bob = await srv.worker("bob");
    await srv.native("GetQualificationTest", { QualificationTypeId: qt.QualificationTypeId },
                     bob.token);
    const sent = await srv.native("SubmitQualificationTest",
      { QualificationTypeId: qt.QualificationTypeId, Answers: { capital: "lyon" } }, bob.token);
    assert.equal(sent.Status, "Pending");
    const { QualificationRequests: reqs } = await mt.send(
      new ListQualificationRequestsCommand({ QualificationTypeId: qt.QualificationTypeId }));
    assert.equal(reqs.length, 1);
    assert.equal(reqs[0].Test, TEST);
    assert.match(reqs[0].Answer, /<SelectionIdentifier>lyon<\/SelectionIdentifier>/);
    await mt.send(new AcceptQualificationRequestCommand(
      { QualificationRequestId: reqs[0].QualificationRequestId, IntegerValue: 9 }));
    const { Qualification: q } = await mt.send(new GetQualificationScoreCommand(
      { QualificationTypeId: qt.QualificationTypeId, WorkerId: reqs[0].WorkerId }));
    assert.equal(q.IntegerValue, 9);
  });

  it("refuses a bad AnswerKey and changes nothing", async () => {
    const rq = await srv.requester("Careful");
    const mt = srv.mturk(rq);
    const create = (over) => mt.send(new CreateQualificationTypeCommand({
      Name: "Bad", Description: "d", QualificationTypeStatus: "Active", Test: TEST,
      TestDurationInSeconds: 60, ...over,
    }));
    const entity = `<!DOCTYPE AnswerKey [<!ENTITY x "capital">]><AnswerKey xmlns="${NS_AK}">` +
      "<Question><QuestionIdentifier>&x;</QuestionIdentifier></Question></AnswerKey>";
    for (const [over, words] of [
      [{ AnswerKey: entity }, /DOCTYPE/],
      [{ AnswerKey: key().replace("capital", "river") }, /river/],
      [{ AnswerKey: key().replace(">paris<", ">rome<") }, /rome/],
      [{ TestDurationInSeconds: undefined }, /TestDurationInSeconds/],
      [{ AutoGranted: true }, /AutoGranted/],
    ]) {
      const e = await failure(() => create(over));
      assert.equal(e.name, "ParameterValidationError", e.message);
      assert.equal(e.$fault, "client");
      assert.equal(e.$metadata.httpStatusCode, 400);
      assert.match(e.message, words);
    }
    const { QualificationType: qt } = await create({ AnswerKey: key() });
    const e = await failure(() => mt.send(new UpdateQualificationTypeCommand({
      QualificationTypeId: qt.QualificationTypeId, AnswerKey: "<AnswerKey>", Description: "new",
    })));
    assert.equal(e.name, "ParameterValidationError");
    const { QualificationType: same } = await mt.send(
      new GetQualificationTypeCommand({ QualificationTypeId: qt.QualificationTypeId }));
    assert.deepEqual([same.AnswerKey, same.Description], [key(), "d"]);
    const missing = await failure(() => mt.send(new GetQualificationTypeCommand(
      { QualificationTypeId: "3NOSUCHTYPE0000000000000000000" })));
    assertTurkError(missing, "AWS.MechanicalTurk.QualificationTypeDoesNotExist");
  });
});
