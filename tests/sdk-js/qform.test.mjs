// QuestionForm HITs and HIT layouts through the real AWS SDK for JavaScript v3
// (@aws-sdk/client-mturk): CreateHIT with a QuestionForm, a worker answers it on the
// native door, the requester reads QuestionFormAnswers (SelectionIdentifier, FreeText);
// a layout made natively is used by CreateHIT and CreateHITWithHITType with
// HITLayoutParameters; refusals carry __type RequestError and a TurkErrorCode. One
// `tessera serve` ($TESSERA_BIN, default build/tessera) on a temporary database and a
// free 127.0.0.1 port, stopped by pid at the end.
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
  CreateHITCommand,
  CreateHITWithHITTypeCommand,
  GetAssignmentCommand,
  GetHITCommand,
  ListAssignmentsForHITCommand,
  ListHITsCommand,
} from "@aws-sdk/client-mturk";

const execFileP = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = resolve(ROOT, process.env.TESSERA_BIN || "build/tessera");
const START_TIMEOUT_MS = 20000;
const STOP_TIMEOUT_MS = 30000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const NS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/QuestionForm.xsd";
const FORM =
  `<QuestionForm xmlns="${NS}"><Overview><Title>Birds</Title></Overview>` +
  "<Question><QuestionIdentifier>species</QuestionIdentifier><IsRequired>true</IsRequired>" +
  "<QuestionContent><Text>Which bird?</Text></QuestionContent><AnswerSpecification>" +
  "<SelectionAnswer><Selections>" +
  "<Selection><SelectionIdentifier>robin</SelectionIdentifier><Text>Robin</Text></Selection>" +
  "<Selection><SelectionIdentifier>crow</SelectionIdentifier><Text>Crow</Text></Selection>" +
  "</Selections></SelectionAnswer></AnswerSpecification></Question>" +
  "<Question><QuestionIdentifier>count</QuestionIdentifier><QuestionContent><Text>How many?" +
  "</Text></QuestionContent><AnswerSpecification><FreeTextAnswer><Constraints>" +
  '<IsNumeric minValue="1" maxValue="9"/></Constraints></FreeTextAnswer>' +
  "</AnswerSpecification></Question></QuestionForm>";

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

class Server {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), "tessera-sdkjs-qform-"));
    this.db = join(this.dir, "t.db");
    this.logPath = join(this.dir, "serve.log");
    this.child = null;
  }

  log() {
    try {
      return readFileSync(this.logPath, "utf8").slice(-4000);
    } catch {
      return "";
    }
  }

  async start() {
    const port = await freePort();
    const fd = openSync(this.logPath, "a");
    const child = spawn(BIN, ["serve", "--db", this.db, "--listen", `127.0.0.1:${port}`],
                        { stdio: ["ignore", fd, fd] });
    closeSync(fd);
    let code = null;
    this.exited = new Promise((ok) => {
      child.on("exit", (c, sig) => ok((code = c ?? sig)));
      child.on("error", (e) => ok((code = String(e))));
    });
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline && code === null) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
        await r.arrayBuffer();
        if (r.status === 200) {
          Object.assign(this, { child, port });
          return;
        }
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    if (code === null) {
      process.kill(child.pid, "SIGKILL");
      await this.exited;
    }
    throw new Error(`tessera serve did not become healthy (exit ${code}); log:\n${this.log()}`);
  }

  async stop() {
    const child = this.child;
    if (!child) return null;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, "SIGTERM");
    let timer;
    const rc = await Promise.race([
      this.exited,
      new Promise((ok) => { timer = setTimeout(() => ok("timeout"), STOP_TIMEOUT_MS); }),
    ]);
    clearTimeout(timer);
    if (rc === "timeout") {
      process.kill(child.pid, "SIGKILL");
      await this.exited;
      throw new Error("tessera serve did not stop on SIGTERM");
    }
    return rc;
  }

  async adminJson(...args) {
    const { stdout } = await execFileP(BIN, ["admin", "--db", this.db, ...args.map(String)],
                                       { timeout: 60000, maxBuffer: 1 << 20 });
    return JSON.parse(stdout);
  }

  async requester(name) {
    const acct = await this.adminJson("requester-create", name);
    await this.adminJson("deposit", acct.id, "50.00");
    return acct;
  }

  async worker(name) {
    return this.adminJson("worker-create", name, "--country", "US", "--password",
                          "correct horse battery");
  }

  async call(op, body, token) {
    const r = await fetch(`http://127.0.0.1:${this.port}/api/v1/${op}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return { status: r.status, doc: JSON.parse(await r.text()) };
  }

  async native(op, body, token) {
    const { status, doc } = await this.call(op, body, token);
    assert.equal(status, 200, `${op} -> ${status} ${JSON.stringify(doc)}`);
    return doc;
  }

  mturk(acct) {
    const c = new MTurkClient({
      region: "us-east-1",
      endpoint: `http://127.0.0.1:${this.port}`,
      credentials: { accessKeyId: acct.access_key_id, secretAccessKey: acct.secret_access_key },
      maxAttempts: 1,
    });
    clients.push(c);
    return c;
  }
}

const clients = [];

async function failure(fn) {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  assert.fail("the call succeeded; an error was expected");
}

function assertTurkError(e, turkCode, text, type = "RequestError") {
  if (type === "RequestError")
    assert.ok(e instanceof RequestError, `expected a RequestError, got ${e?.name}: ${e?.message}`);
  assert.equal(e.name, type, e.message);
  assert.equal(e.TurkErrorCode, turkCode, e.message);
  assert.equal(e.$metadata.httpStatusCode, 400);
  if (text) assert.ok(e.message.includes(text), `"${e.message}" lacks "${text}"`);
}

const hitInput = (over = {}) => ({
  Title: "Birds",
  Description: "Count birds",
  Reward: "0.10",
  AssignmentDurationInSeconds: 600,
  LifetimeInSeconds: 3600,
  MaxAssignments: 2,
  ...over,
});

describe("QuestionForms and HIT layouts through @aws-sdk/client-mturk", () => {
  const srv = new Server();
  before(async () => srv.start());
  after(async () => {
    for (const c of clients) c.destroy();
    try {
      assert.equal(await srv.stop(), 0);
      // `admin check` exits non-zero (and execFile rejects) on any broken invariant
      await execFileP(BIN, ["admin", "--db", srv.db, "check"], { timeout: 60000 });
      for (const marker of ["AddressSanitizer", "LeakSanitizer", "runtime error:"])
        assert.ok(!srv.log().includes(marker), `the server log reports ${marker}:\n${srv.log()}`);
    } finally {
      rmSync(srv.dir, { recursive: true, force: true });
    }
  });

  it("creates a QuestionForm HIT and reads SelectionIdentifier answers", async () => {
    const rq = await srv.requester("Acme");
    const mt = srv.mturk(rq);
    const { HIT: hit } = await mt.send(new CreateHITCommand(hitInput({ Question: FORM })));
    assert.equal(hit.Question, FORM);
    assert.equal(hit.HITLayoutId, undefined);

    const w = await srv.worker("w1");
    const { Assignment: a } = await srv.native("AcceptWork", { HITId: hit.HITId }, w.token);
    const { Task: task } = await srv.native("GetMyAssignment", { AssignmentId: a.AssignmentId }, w.token);
    assert.equal(task.QuestionType, "QuestionForm");
    assert.ok(task.Content.includes('<input type="radio" name="species" value="crow">'));
    const bad = await srv.call("SubmitAssignment",
                               { AssignmentId: a.AssignmentId, Answers: { species: "owl" } }, w.token);
    assert.equal(bad.status, 400);
    assert.ok(bad.doc.error.message.includes('question "species" has no selection "owl"'));
    await srv.native("SubmitAssignment",
                     { AssignmentId: a.AssignmentId, Answers: { species: "crow", count: "3" } }, w.token);

    const got = await mt.send(new GetAssignmentCommand({ AssignmentId: a.AssignmentId }));
    assert.ok(got.Assignment.Answer.includes(
      "<Answer><QuestionIdentifier>species</QuestionIdentifier>" +
      "<SelectionIdentifier>crow</SelectionIdentifier></Answer>" +
      "<Answer><QuestionIdentifier>count</QuestionIdentifier><FreeText>3</FreeText></Answer>"));
    const list = await mt.send(new ListAssignmentsForHITCommand({ HITId: hit.HITId }));
    assert.equal(list.Assignments[0].Answer, got.Assignment.Answer);

    const e = await failure(() => mt.send(new CreateHITCommand(hitInput({
      Question: FORM.replace("<Title>Birds</Title>", "<Flash/>") }))));
    assertTurkError(e, "AWS.MechanicalTurk.XMLParseError", "<Flash> is not supported");
  });

  it("creates HITs from a layout made natively", async () => {
    const rq = await srv.requester("Layout Lab");
    const mt = srv.mturk(rq);
    const { HITLayoutId: lid } = await srv.native("CreateHITLayout", {
      Name: "Sentiment", Content: "<p>${sentence}</p><input name='label'>", FrameHeight: 300,
    }, rq.token);
    const { HIT: hit } = await mt.send(new CreateHITCommand(hitInput({
      HITLayoutId: lid, HITLayoutParameters: [{ Name: "sentence", Value: "I <3 this" }] })));
    assert.equal(hit.HITLayoutId, lid);
    assert.ok(hit.Question.includes("<p>I &lt;3 this</p>"));
    const { HIT: again } = await mt.send(new GetHITCommand({ HITId: hit.HITId }));
    assert.equal(again.HITLayoutId, lid);
    const { HIT: h2 } = await mt.send(new CreateHITWithHITTypeCommand({
      HITTypeId: hit.HITTypeId, LifetimeInSeconds: 600, HITLayoutId: lid,
      HITLayoutParameters: [{ Name: "sentence", Value: "fine" }] }));
    assert.equal(h2.HITLayoutId, lid);
    const { HITs } = await mt.send(new ListHITsCommand({}));
    assert.deepEqual(HITs.map((h) => h.HITLayoutId).sort(), [lid, lid]);

    let e = await failure(() => mt.send(new CreateHITCommand(hitInput({
      HITLayoutId: lid, HITLayoutParameters: [{ Name: "other", Value: "x" }] }))));
    assertTurkError(e, "AWS.MechanicalTurk.ParameterValidationError", "names other",
                    "ParameterValidationError");
    e = await failure(() => mt.send(new CreateHITCommand(hitInput({ HITLayoutId: "NOSUCHONE" }))));
    assertTurkError(e, "AWS.MechanicalTurk.HITLayoutDoesNotExist", "does not exist");
    const stranger = srv.mturk(await srv.requester("Stranger"));
    e = await failure(() => stranger.send(new CreateHITCommand(hitInput({
      HITLayoutId: lid, HITLayoutParameters: [{ Name: "sentence", Value: "x" }] }))));
    assertTurkError(e, "AWS.MechanicalTurk.HITLayoutDoesNotExist");
  });
});
