// Files uploaded with a task's form, fetched by the requester through GetFileUploadURL
// with the real AWS SDK for JavaScript v3. A worker accepts natively, posts the task's
// form as multipart/form-data to its turkSubmitTo, and the requester reads the Answer,
// asks for the file's URL and downloads it within its 60 seconds. One `tessera serve` on
// a temporary database and a free 127.0.0.1 port ($TESSERA_BIN, default build/tessera).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
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
  GetAssignmentCommand,
  GetFileUploadURLCommand,
} from "@aws-sdk/client-mturk";

const execFileP = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = resolve(ROOT, process.env.TESSERA_BIN || "build/tessera");
const START_TIMEOUT_MS = 20000;
const STOP_TIMEOUT_MS = 30000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const QUESTION =
  '<HTMLQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/' +
  '2011-11-11/HTMLQuestion.xsd"><HTMLContent><![CDATA[<form method="post" ' +
  'enctype="multipart/form-data" action="https://www.mturk.com/mturk/externalSubmit">' +
  '<input type="hidden" name="assignmentId"><input name="caption">' +
  '<input type="file" name="photo"></form>]]></HTMLContent><FrameHeight>500</FrameHeight>' +
  "</HTMLQuestion>";

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
    this.dir = mkdtempSync(join(tmpdir(), "tessera-sdkjs-submit-"));
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
      if (code === null) {
        process.kill(child.pid, "SIGKILL");
        await exited;
      }
    }
    throw new Error(`tessera serve did not become healthy (${last}); log:\n${this.log()}`);
  }

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
      throw new Error("tessera serve did not stop within its time of SIGTERM");
    }
    return rc;
  }

  async adminJson(...args) {
    const { stdout } = await execFileP(BIN, ["admin", "--db", this.db, ...args.map(String)],
                                       { timeout: 60000, maxBuffer: 1 << 20 });
    return JSON.parse(stdout);
  }

  async native(op, body, token) {
    const r = await fetch(`http://127.0.0.1:${this.port}/api/v1/${op}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    const text = await r.text();
    assert.equal(r.status, 200, `${op} -> ${r.status} ${text}`);
    return JSON.parse(text);
  }
}

describe("uploaded files through @aws-sdk/client-mturk", () => {
  const srv = new Server();
  const clients = [];

  before(async () => {
    await srv.start();
  });

  after(async () => {
    for (const c of clients) c.destroy();
    try {
      const rc = await srv.stop();
      assert.equal(rc, 0, `tessera serve exited ${rc}; log:\n${srv.log()}`);
      const { stdout } = await execFileP(BIN, ["admin", "--db", srv.db, "check"]);
      assert.doesNotMatch(stdout, /violation/i);
      assert.doesNotMatch(srv.log(), /AddressSanitizer|LeakSanitizer|runtime error:/);
    } finally {
      rmSync(srv.dir, { recursive: true, force: true });
    }
  });

  it("GetFileUploadURL after a multipart upload, and its refusals", async () => {
    const rq = await srv.adminJson("requester-create", "Acme Research");
    await srv.adminJson("deposit", rq.id, "20.00");
    const mt = new MTurkClient({
      region: "us-east-1",
      endpoint: `http://127.0.0.1:${srv.port}`,
      credentials: { accessKeyId: rq.access_key_id, secretAccessKey: rq.secret_access_key },
      maxAttempts: 1,
    });
    clients.push(mt);
    const { HIT: hit } = await mt.send(new CreateHITCommand({
      Title: "Photograph a cat", Description: "Upload a photo", Reward: "0.50",
      AssignmentDurationInSeconds: 600, LifetimeInSeconds: 3600, MaxAssignments: 1,
      Question: QUESTION,
    }));
    const w = await srv.adminJson("worker-create", "w1", "--country", "US", "--password",
                                  "correct horse battery");
    const { Assignment: a } = await srv.native("AcceptWork", { HITId: hit.HITId }, w.token);
    const { Task: task } = await srv.native("GetMyAssignment",
                                            { AssignmentId: a.AssignmentId }, w.token);

    // Not submitted yet: no file to give.
    let e = await mt.send(new GetFileUploadURLCommand({
      AssignmentId: a.AssignmentId, QuestionIdentifier: "photo" })).catch((x) => x);
    assert.ok(e instanceof RequestError, String(e));
    assert.equal(e.TurkErrorCode, "AWS.MechanicalTurk.InvalidAssignmentState");
    assert.match(e.message, /Submitted/);

    const bytes = Buffer.concat([Buffer.from("<svg onload=alert(1)>"), Buffer.alloc(3000, 7)]);
    const form = new FormData();
    form.append("assignmentId", a.AssignmentId);
    form.append("caption", "my cat");
    form.append("photo", new Blob([bytes], { type: "image/svg+xml" }), "cat.svg");
    const r = await fetch(task.SubmitURL, { method: "POST", body: form });
    const page = await r.text();
    assert.equal(r.status, 200, page);
    assert.match(r.headers.get("content-type"), /^text\/html/);

    const got = await mt.send(new GetAssignmentCommand({ AssignmentId: a.AssignmentId }));
    assert.match(got.Assignment.Answer, new RegExp(
      "<Answer><QuestionIdentifier>photo</QuestionIdentifier><UploadedFileSizeInBytes>" +
      `${bytes.length}</UploadedFileSizeInBytes><UploadedFileKey>[0-9A-Z]{30}` +
      "</UploadedFileKey></Answer>"));
    assert.match(got.Assignment.Answer, /<FreeText>my cat<\/FreeText>/);

    const { FileUploadURL: url } = await mt.send(new GetFileUploadURLCommand({
      AssignmentId: a.AssignmentId, QuestionIdentifier: "photo" }));
    assert.match(url, new RegExp(`^http://127\\.0\\.0\\.1:${srv.port}/mturk/upload/`));
    const dl = await fetch(url);
    const body = Buffer.from(await dl.arrayBuffer());
    assert.equal(dl.status, 200);
    assert.equal(dl.headers.get("content-type"), "application/octet-stream");
    assert.match(dl.headers.get("content-disposition"), /^attachment/);
    assert.equal(dl.headers.get("x-content-type-options"), "nosniff");
    assert.equal(createHash("sha256").update(body).digest("hex"),
                 createHash("sha256").update(bytes).digest("hex"));

    const tampered = url.replace(/signature=(.)/, (_, c) => `signature=${c === "A" ? "B" : "A"}`);
    const bad = await fetch(tampered);
    await bad.arrayBuffer();
    assert.equal(bad.status, 403);

    e = await mt.send(new GetFileUploadURLCommand({
      AssignmentId: a.AssignmentId, QuestionIdentifier: "caption" })).catch((x) => x);
    assert.ok(e instanceof RequestError, String(e));
    assert.equal(e.TurkErrorCode, "AWS.MechanicalTurk.FileUploadAnswerDoesNotExist");
    assert.equal(e.$metadata.httpStatusCode, 400);
    assert.match(e.message, /no uploaded file/);
  });
});
