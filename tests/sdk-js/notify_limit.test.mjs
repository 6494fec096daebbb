// SendTestEventNotification's limit through the real AWS SDK for JavaScript v3: at most 10
// test messages (NOTIFY_TEST_PENDING_MAX) of one requester may be pending at a time; the
// next call is a RequestError with TurkErrorCode TooManyPendingTestNotifications, and
// another requester is not held back. The pending messages go to a receiver in this
// process that accepts connections and never answers, so they stay pending.
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { createServer as createNetServer } from "node:net";

import { SendTestEventNotificationCommand } from "@aws-sdk/client-mturk";

import { Server, failure, assertTurkError, shutdown, stopCleanly } from "./harness.mjs";

const PENDING_MAX = 10;

const sockets = new Set();
const hanging = createNetServer((s) => {
  sockets.add(s);
  s.on("data", () => {}); // read the request, never answer
  s.on("close", () => sockets.delete(s));
});

const srv = new Server();
let evil, mt;

const ping = (url) => new SendTestEventNotificationCommand({
  TestEventType: "Ping",
  Notification: { Destination: url, Transport: "HTTP", Version: "2006-05-05",
                  EventTypes: ["Ping"] } });

before(async () => {
  await new Promise((ok) => hanging.listen(0, "127.0.0.1", ok));
  await srv.start();
  evil = srv.mturk(await srv.requester("Evil Lab", "1.00"));
  mt = srv.mturk(await srv.requester("Acme Research", "1.00"));
});

after(async () => {
  try {
    await shutdown(srv);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((ok) => hanging.close(ok));
  }
});

it("refuses an eleventh pending test message of one requester", async () => {
  const url = `http://127.0.0.1:${hanging.address().port}/hang`;
  for (let i = 0; i < PENDING_MAX; i++) {
    const out = await evil.send(ping(url));
    assert.equal(out.$metadata.httpStatusCode, 200);
  }
  const e = await failure(() => evil.send(ping(url)));
  assertTurkError(e, "AWS.MechanicalTurk.TooManyPendingTestNotifications",
                  `at most ${PENDING_MAX}`);
  // Another requester may still send.
  const out = await mt.send(ping(url));
  assert.equal(out.$metadata.httpStatusCode, 200);
});

it("stops cleanly, with a consistent database and a quiet sanitizer", () => stopCleanly(srv));
