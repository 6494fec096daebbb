// Notifications through the real AWS SDK for JavaScript v3: UpdateNotificationSettings and
// SendTestEventNotification, with a receiver in this process on 127.0.0.1 that records
// what the server POSTs and checks its signature (HMAC-SHA256 of timestamp "." body with
// the requester's secret access key, docs/mturk.md "Notifications"). One `tessera serve`
// (harness.mjs) serves the whole file.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer as createHttpServer } from "node:http";

import {
  RequestError,
  CreateHITTypeCommand,
  CreateHITWithHITTypeCommand,
  SendTestEventNotificationCommand,
  UpdateNotificationSettingsCommand,
} from "@aws-sdk/client-mturk";

import { Server, QUESTION as question, sleep, failure, shutdown, stopCleanly } from "./harness.mjs";

const WAIT_MS = 30000; // the longest any wait may take (sanitizer builds are slow)
const QUESTION = question("a cat");

// Records every POST; answers 200.
class Receiver {
  constructor() {
    this.posts = [];
    this.server = createHttpServer((req, res) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        this.posts.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200, { "Content-Length": "0" });
        res.end();
      });
    });
  }
  listen() {
    return new Promise((ok) => this.server.listen(0, "127.0.0.1", () => ok()));
  }
  url(path) {
    return `http://127.0.0.1:${this.server.address().port}${path}`;
  }
  async waitFor(pred, what) {
    const deadline = Date.now() + WAIT_MS;
    while (!pred(this.posts)) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
      await sleep(20);
    }
    return this.posts;
  }
  close() {
    this.server.closeAllConnections?.();
    return new Promise((ok) => this.server.close(() => ok()));
  }
}

function verify(post, secret) {
  const ts = post.headers["x-tessera-timestamp"];
  const want = "sha256=" + createHmac("sha256", secret)
    .update(Buffer.concat([Buffer.from(`${ts}.`), post.body])).digest("hex");
  const got = String(post.headers["x-tessera-signature"] ?? "");
  return got.length === want.length && timingSafeEqual(Buffer.from(got), Buffer.from(want));
}

describe("notifications through @aws-sdk/client-mturk", () => {
  const srv = new Server({ env: { TESSERA_NOTIFY_BACKOFF_MS: "50" } });
  const rx = new Receiver();
  let rq, mt;

  before(async () => {
    await rx.listen();
    await srv.start();
    rq = await srv.requester("Acme Research", "20.00");
    mt = srv.mturk(rq);
  });

  after(async () => {
    try {
      await shutdown(srv);
    } finally {
      await rx.close();
    }
  });

  it("delivers a HIT type's events, signed with the secret access key", async () => {
    const { HITTypeId } = await mt.send(new CreateHITTypeCommand({
      Title: "Label the animal", Description: "Pick the animal shown.", Reward: "0.10",
      AssignmentDurationInSeconds: 600 }));
    const out = await mt.send(new UpdateNotificationSettingsCommand({
      HITTypeId, Active: true,
      Notification: { Destination: rx.url("/js"), Transport: "HTTP", Version: "2006-05-05",
                      EventTypes: ["HITCreated", "AssignmentAccepted"] } }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    const { HIT } = await mt.send(new CreateHITWithHITTypeCommand({
      HITTypeId, LifetimeInSeconds: 3600, MaxAssignments: 1, Question: QUESTION }));
    const w = await srv.worker("w1");
    const asg = (await srv.native("AcceptWork", { HITId: HIT.HITId }, w.token)).Assignment;
    const posts = await rx.waitFor((ps) => ps.filter((p) => p.path === "/js").length >= 2,
                                   "two messages");
    const mine = posts.filter((p) => p.path === "/js")
      .sort((a, b) => Number(a.headers["x-tessera-delivery"]) -
                      Number(b.headers["x-tessera-delivery"]));
    const events = mine.flatMap((p) => JSON.parse(p.body).Events);
    assert.deepEqual(events.map((e) => [e.EventType, e.HITId, e.AssignmentId]),
                     [["HITCreated", HIT.HITId, undefined],
                      ["AssignmentAccepted", HIT.HITId, asg.AssignmentId]]);
    for (const p of mine) {
      assert.ok(verify(p, rq.secret_access_key), "the signature verifies");
      assert.ok(!verify(p, "x".repeat(40)), "another secret does not");
      assert.equal(p.headers["content-type"], "application/json");
      const doc = JSON.parse(p.body);
      assert.equal(doc.EventDocVersion, "2014-08-15");
      assert.doesNotMatch(p.body.toString(), /WorkerId/);
    }

    // Active false keeps the settings and stops delivery.
    await mt.send(new UpdateNotificationSettingsCommand({ HITTypeId, Active: false }));
    await mt.send(new CreateHITWithHITTypeCommand({
      HITTypeId, LifetimeInSeconds: 3600, Question: QUESTION }));
    const ds = (await srv.native("ListNotificationDeliveries", {}, rq.token)).Deliveries;
    assert.equal(ds.length, 2);
  });

  it("sends a test Ping without storing settings", async () => {
    const out = await mt.send(new SendTestEventNotificationCommand({
      TestEventType: "Ping",
      Notification: { Destination: rx.url("/ping"), Transport: "HTTP", Version: "2006-05-05",
                      EventTypes: ["Ping"] } }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    const posts = await rx.waitFor((ps) => ps.some((p) => p.path === "/ping"), "the ping");
    const p = posts.find((x) => x.path === "/ping");
    assert.ok(verify(p, rq.secret_access_key));
    assert.deepEqual(JSON.parse(p.body).Events.map((e) => e.EventType), ["Ping"]);
  });

  it("refuses what Tessera cannot deliver, with RequestError and TurkErrorCode", async () => {
    const { HITTypeId } = await mt.send(new CreateHITTypeCommand({
      Title: "Another", Description: "Another type.", Reward: "0.20",
      AssignmentDurationInSeconds: 600 }));
    const sqs = await failure(() => mt.send(new UpdateNotificationSettingsCommand({
      HITTypeId,
      Notification: { Destination: "https://sqs.us-east-1.amazonaws.com/1/q", Transport: "SQS",
                      Version: "2006-05-05", EventTypes: ["HITReviewable"] } })));
    assert.ok(sqs instanceof RequestError, `${sqs.name}: ${sqs.message}`);
    assert.equal(sqs.TurkErrorCode, "AWS.MechanicalTurk.UnsupportedTransport");
    assert.equal(sqs.$metadata.httpStatusCode, 400);
    assert.match(sqs.message, /HTTPS/);
    const unset = await failure(() => mt.send(new UpdateNotificationSettingsCommand({
      HITTypeId, Active: true })));
    assert.ok(unset instanceof RequestError);
    assert.equal(unset.TurkErrorCode, "AWS.MechanicalTurk.NotificationNotSet");
    const bad = await failure(() => mt.send(new SendTestEventNotificationCommand({
      TestEventType: "Ping",
      Notification: { Destination: "not a url", Transport: "HTTPS", Version: "2006-05-05",
                      EventTypes: ["Ping"] } })));
    assert.equal(bad.name, "ParameterValidationError");
    assert.equal(bad.$metadata.httpStatusCode, 400);
    assert.match(bad.message, /Destination/);
  });

  it("stops cleanly, with a consistent database and a quiet sanitizer", () => stopCleanly(srv));
});
