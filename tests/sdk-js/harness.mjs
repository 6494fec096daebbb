// harness.mjs: what every test file of the MTurk door under the real AWS SDK for
// JavaScript v3 shares: one `tessera serve` process on a temporary database and a free
// 127.0.0.1 port ($TESSERA_BIN, default build/tessera, relative to the repository root),
// the admin commands that make requesters and workers, the native door for the worker's
// side, SDK clients pointed at the server, and the error assertions.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { spawn, execFile } from "node:child_process";
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { MTurkClient, RequestError } from "@aws-sdk/client-mturk";

const execFileP = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = resolve(ROOT, process.env.TESSERA_BIN || "build/tessera");

// Sanitizer builds start slowly; every wait is bounded.
const START_TIMEOUT_MS = 20000;
const STOP_TIMEOUT_MS = 30000;

export const QUESTION = (text) =>
  '<HTMLQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/' +
  `2011-11-11/HTMLQuestion.xsd"><HTMLContent><![CDATA[<p>${text}</p><input name="label">]]>` +
  "</HTMLContent><FrameHeight>400</FrameHeight></HTMLQuestion>";

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
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
export class Server {
  // env: variables added to the server's environment (e.g. its retry timing).
  constructor({ env = {} } = {}) {
    this.env = env;
    this.dir = mkdtempSync(join(tmpdir(), "tessera-sdkjs-"));
    this.db = join(this.dir, "t.db");
    this.logPath = join(this.dir, "serve.log");
    this.child = null;
    this.exited = null; // a promise of the exit code of this.child
    this.port = null;
  }

  // The end of the server's log (every run since the suite began), or all of it.
  log(whole = false) {
    try {
      const text = readFileSync(this.logPath, "utf8");
      return whole ? text : text.slice(-4000);
    } catch {
      return "";
    }
  }

  async start() {
    let last = "";
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort();
      const fd = openSync(this.logPath, "a");
      // The sanitizer build reports leaks at exit unless turned off explicitly.
      const env = { ...process.env, ...this.env };
      const asan = env.ASAN_OPTIONS ?? "";
      if (!asan.includes("detect_leaks=")) env.ASAN_OPTIONS = (asan ? asan + ":" : "") + "detect_leaks=1";
      const child = spawn(BIN, ["serve", "--db", this.db, "--listen", `127.0.0.1:${port}`],
                          { stdio: ["ignore", fd, fd], env });
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
  // POST /api/v1/<op> on the native door with a bearer token: {status, doc}.
  async call(op, body, token) {
    const r = await fetch(`http://127.0.0.1:${this.port}/api/v1/${op}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return { status: r.status, doc: JSON.parse(await r.text()) };
  }

  // The same, which must answer 200: its document.
  async native(op, body, token) {
    const { status, doc } = await this.call(op, body, token);
    assert.equal(status, 200, `${op} ${JSON.stringify(body)} -> ${status} ${JSON.stringify(doc)}`);
    return doc;
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

export const clients = [];

// Runs fn, which must reject; returns the error.
export async function failure(fn) {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  assert.fail("the call succeeded; an error was expected");
}

// e is the error an SDK call threw: of class type (RequestError unless told), with this
// TurkErrorCode, and a message that contains text when text is given.
export function assertTurkError(e, turkCode, text, type = "RequestError") {
  if (type === "RequestError")
    assert.ok(e instanceof RequestError, `expected a RequestError, got ${e?.name}: ${e?.message}`);
  assert.equal(e.name, type, e.message);
  assert.equal(e.$fault, "client");
  assert.equal(e.TurkErrorCode, turkCode, e.message);
  assert.equal(e.$metadata.httpStatusCode, 400);
  assert.match(e.$metadata.requestId ?? "", UUID);
  assert.match(e.message, / \(\d{13}\)$/, "messages end with the server time in ms");
  if (text) assert.ok(e.message.includes(text), `"${e.message}" lacks "${text}"`);
}

export const hitInput = (over = {}) => ({
  Title: "Label the animal",
  Description: "Pick the animal shown.",
  Reward: "0.10",
  AssignmentDurationInSeconds: 600,
  LifetimeInSeconds: 3600,
  MaxAssignments: 2,
  AutoApprovalDelayInSeconds: 3600,
  Keywords: "image, label",
  Question: QUESTION("a cat"),
  ...over,
});

// Stops the server after destroying every client made by srv.mturk; removes its directory.
export async function shutdown(srv) {
  for (const c of clients.splice(0)) c.destroy();
  try {
    await srv.stop();
  } finally {
    srv.cleanup();
  }
}

// The last test of a file: SIGTERM stops the server with exit 0, `admin check` finds every
// invariant intact, and the sanitizers reported nothing.
export async function stopCleanly(srv) {
  for (const c of clients.splice(0)) c.destroy();
  const rc = await srv.stop();
  assert.equal(rc, 0, `tessera serve exited ${rc} on SIGTERM; log:\n${srv.log()}`);
  await srv.admin("check"); // rejects on a non-zero exit
  const log = srv.log(true); // every run of the server, not only the last 4000 bytes
  for (const marker of ["AddressSanitizer", "LeakSanitizer", "runtime error:"]) {
    const at = log.indexOf(marker);
    assert.ok(at < 0, `the server log reports ${marker}:\n${log.slice(Math.max(0, at - 200), at + 6000)}`);
  }
}

// describe(title) around one Server (options as for new Server): started before the tests,
// shut down after them. body(srv) adds the tests; a last one checks that the server stops
// cleanly (stopCleanly).
export function serverSuite(title, body, options) {
  describe(title, () => {
    const srv = new Server(options);
    before(() => srv.start());
    after(() => shutdown(srv));
    body(srv);
    it("stops cleanly, with a consistent database and a quiet sanitizer", () => stopCleanly(srv));
  });
}
