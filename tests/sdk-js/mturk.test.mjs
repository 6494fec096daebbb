// The Mechanical Turk door (POST / with X-Amz-Target and SigV4) driven by the real AWS SDK
// for JavaScript v3 (@aws-sdk/client-mturk, pinned in package-lock.json, installed by
// scripts/setup.sh). One `tessera serve` on a temporary database and a free 127.0.0.1
// port serves the whole file (harness.mjs); each test makes its own requester (and
// workers), so the tests do not depend on each other.
//
//   bash tests/sdk-js/run.sh          (or: node --test tests/sdk-js/*.test.mjs)
import { it } from "node:test";
import assert from "node:assert/strict";
import {
  MTurkClient,
  ApproveAssignmentCommand,
  CreateAdditionalAssignmentsForHITCommand,
  CreateHITCommand,
  CreateHITTypeCommand,
  CreateHITWithHITTypeCommand,
  DeleteHITCommand,
  GetAccountBalanceCommand,
  GetAssignmentCommand,
  GetHITCommand,
  ListAssignmentsForHITCommand,
  ListBonusPaymentsCommand,
  ListHITsCommand,
  ListReviewableHITsCommand,
  RejectAssignmentCommand,
  SendBonusCommand,
  UpdateExpirationForHITCommand,
  UpdateHITReviewStatusCommand,
  paginateListHITs,
} from "@aws-sdk/client-mturk";

import { QUESTION, UUID, failure, assertTurkError, hitInput, serverSuite } from "./harness.mjs";

serverSuite("MTurk door through @aws-sdk/client-mturk", (srv) => {

  it("creates a HIT, has it worked natively, reviews, pays and bonuses it", async () => {
    const rq = await srv.requester("Acme Research");
    const mt = srv.mturk(rq);

    const bal = await mt.send(new GetAccountBalanceCommand({}));
    assert.equal(bal.AvailableBalance, "50.00");
    assert.match(bal.$metadata.requestId ?? "", UUID);
    assert.equal(bal.$metadata.httpStatusCode, 200);

    const { HIT: hit } = await mt.send(new CreateHITCommand(
      hitInput({ UniqueRequestToken: "item-1", RequesterAnnotation: "batch 7" })));
    const hid = hit.HITId;
    assert.ok(hid);
    assert.ok(hit.HITTypeId);
    assert.equal(hit.HITStatus, "Assignable");
    assert.equal(hit.Title, "Label the animal");
    assert.equal(hit.Reward, "0.10");
    assert.equal(hit.MaxAssignments, 2);
    assert.equal(hit.NumberOfAssignmentsAvailable, 2);
    assert.ok(hit.CreationTime instanceof Date);
    assert.ok(Math.abs(hit.CreationTime.getTime() - Date.now()) < 60000);
    assert.ok(hit.Expiration instanceof Date);
    assert.ok(Math.abs(hit.Expiration - hit.CreationTime - 3600 * 1000) <= 1000);
    assert.equal(hit.AssignmentDurationInSeconds, 600);
    assert.equal(hit.AutoApprovalDelayInSeconds, 3600);

    const got = (await mt.send(new GetHITCommand({ HITId: hid }))).HIT;
    assert.equal(got.HITId, hid);
    assert.equal(got.Title, "Label the animal");
    assert.equal(got.Description, "Pick the animal shown.");
    assert.equal(got.RequesterAnnotation, "batch 7");
    assert.match(got.Question, /<HTMLQuestion/);

    // A retried CreateHIT with the same token creates nothing.
    const dup = await failure(() => mt.send(new CreateHITCommand(
      hitInput({ UniqueRequestToken: "item-1" }))));
    assertTurkError(dup, "AWS.MechanicalTurk.HitAlreadyExists");
    assert.ok(dup.message.includes(hid), dup.message);

    // Two workers do the HIT through the native door.
    const w1 = await srv.worker("sdkjs-w1");
    const w2 = await srv.worker("sdkjs-w2");
    const a1 = (await srv.native("AcceptWork", { HITId: hid }, w1.token)).Assignment;
    await srv.native("SubmitAssignment",
                     { AssignmentId: a1.AssignmentId, Answers: { label: "cat" } }, w1.token);
    const a2 = (await srv.native("AcceptWork", { HITId: hid }, w2.token)).Assignment;
    await srv.native("SubmitAssignment",
                     { AssignmentId: a2.AssignmentId, Answers: { label: "dog" } }, w2.token);

    const listed = await mt.send(new ListAssignmentsForHITCommand({ HITId: hid }));
    assert.equal(listed.NumResults, 2);
    assert.equal(listed.Assignments.length, 2);
    const byId = Object.fromEntries(listed.Assignments.map((a) => [a.AssignmentId, a]));
    assert.deepEqual(Object.keys(byId).sort(), [a1.AssignmentId, a2.AssignmentId].sort());
    for (const a of listed.Assignments) {
      assert.equal(a.HITId, hid);
      assert.equal(a.AssignmentStatus, "Submitted");
      assert.match(a.WorkerId, /^A/);
      assert.ok(a.SubmitTime instanceof Date);
      assert.ok(a.AcceptTime instanceof Date);
      assert.match(a.Answer, /<QuestionIdentifier>label<\/QuestionIdentifier>/);
    }
    assert.match(byId[a1.AssignmentId].Answer, /<FreeText>cat<\/FreeText>/);
    assert.match(byId[a2.AssignmentId].Answer, /<FreeText>dog<\/FreeText>/);
    assert.notEqual(byId[a1.AssignmentId].WorkerId, byId[a2.AssignmentId].WorkerId);
    const w1Id = byId[a1.AssignmentId].WorkerId;

    await mt.send(new ApproveAssignmentCommand({ AssignmentId: a1.AssignmentId,
                                                 RequesterFeedback: "thanks" }));
    // Again: no second payment, no error.
    await mt.send(new ApproveAssignmentCommand({ AssignmentId: a1.AssignmentId }));
    await mt.send(new RejectAssignmentCommand({ AssignmentId: a2.AssignmentId,
                                                RequesterFeedback: "the picture shows a cat" }));
    // Approving a rejected assignment (without OverrideRejection) is refused.
    const again = await failure(() => mt.send(new ApproveAssignmentCommand({
      AssignmentId: a2.AssignmentId })));
    assert.equal(again.name, "RequestError");

    const g1 = await mt.send(new GetAssignmentCommand({ AssignmentId: a1.AssignmentId }));
    assert.equal(g1.Assignment.AssignmentStatus, "Approved");
    assert.equal(g1.Assignment.WorkerId, w1Id);
    assert.equal(g1.Assignment.RequesterFeedback, "thanks");
    assert.ok(g1.Assignment.ApprovalTime instanceof Date);
    assert.equal(g1.HIT.HITId, hid);
    const g2 = await mt.send(new GetAssignmentCommand({ AssignmentId: a2.AssignmentId }));
    assert.equal(g2.Assignment.AssignmentStatus, "Rejected");
    assert.ok(g2.Assignment.RejectionTime instanceof Date);
    assert.equal(g2.HIT.HITId, hid);

    await mt.send(new SendBonusCommand({ WorkerId: w1Id, BonusAmount: "0.25",
                                         AssignmentId: a1.AssignmentId,
                                         Reason: "careful work",
                                         UniqueRequestToken: "bonus-1" }));
    const bonuses = await mt.send(new ListBonusPaymentsCommand({ HITId: hid }));
    assert.equal(bonuses.NumResults, 1);
    assert.equal(bonuses.BonusPayments.length, 1);
    const [b] = bonuses.BonusPayments;
    assert.equal(b.BonusAmount, "0.25");
    assert.equal(b.WorkerId, w1Id);
    assert.equal(b.AssignmentId, a1.AssignmentId);
    assert.equal(b.Reason, "careful work");
    assert.ok(b.GrantTime instanceof Date);
    const byAsg = await mt.send(new ListBonusPaymentsCommand({
      AssignmentId: a1.AssignmentId }));
    assert.deepEqual(byAsg.BonusPayments.map((x) => x.BonusAmount), ["0.25"]);

    // The worker's side: reward + bonus for w1, nothing for w2.
    assert.equal((await srv.native("GetMyEarnings", {}, w1.token)).Balance, "0.35");
    assert.equal(Number((await srv.native("GetMyEarnings", {}, w2.token)).Balance), 0);
    // 50 - 2 * 0.12 + 0.12 (the rejected slot back) - 0.25 - 0.05 (the bonus fee)
    assert.equal((await mt.send(new GetAccountBalanceCommand({}))).AvailableBalance, "49.58");

    const rv = await mt.send(new ListReviewableHITsCommand({}));
    assert.deepEqual(rv.HITs.map((h) => h.HITId), [hid]);
    assert.equal(rv.NumResults, 1);
    assert.equal(rv.HITs[0].HITStatus, "Reviewable");

    await mt.send(new UpdateHITReviewStatusCommand({ HITId: hid }));
    assert.equal((await mt.send(new GetHITCommand({ HITId: hid }))).HIT.HITStatus, "Reviewing");
    const rvReviewing = await mt.send(new ListReviewableHITsCommand({ Status: "Reviewing" }));
    assert.deepEqual(rvReviewing.HITs.map((h) => h.HITId), [hid]);
    await mt.send(new UpdateHITReviewStatusCommand({ HITId: hid, Revert: true }));
    assert.equal((await mt.send(new GetHITCommand({ HITId: hid }))).HIT.HITStatus,
                 "Reviewable");

    await mt.send(new DeleteHITCommand({ HITId: hid }));
    assertTurkError(await failure(() => mt.send(new GetHITCommand({ HITId: hid }))),
                    "AWS.MechanicalTurk.HITDoesNotExist");
  });

  it("reuses HIT types, pages through ListHITs, adds assignments and expires a HIT", async () => {
    const rq = await srv.requester("Rating Lab");
    const mt = srv.mturk(rq);
    const type = { Title: "Rate", Description: "Rate one result", Reward: "0.05",
                   AssignmentDurationInSeconds: 300, Keywords: "rate" };
    const { HITTypeId: tid } = await mt.send(new CreateHITTypeCommand(type));
    assert.ok(tid);
    // The same values give the same type.
    assert.equal((await mt.send(new CreateHITTypeCommand(type))).HITTypeId, tid);
    const other = await mt.send(new CreateHITTypeCommand({ ...type, Reward: "0.06" }));
    assert.notEqual(other.HITTypeId, tid);

    const ids = [];
    for (let i = 0; i < 7; i++) {
      const { HIT } = await mt.send(new CreateHITWithHITTypeCommand({
        HITTypeId: tid, LifetimeInSeconds: 600, Question: QUESTION(`r${i}`),
        UniqueRequestToken: `row-${i}` }));
      assert.equal(HIT.HITTypeId, tid);
      assert.equal(HIT.Title, "Rate");
      assert.equal(HIT.Reward, "0.05");
      assert.equal(HIT.MaxAssignments, 1);
      assert.equal(HIT.HITStatus, "Assignable");
      ids.push(HIT.HITId);
    }
    assert.equal(new Set(ids).size, 7);
    // A repeated token on CreateHITWithHITType is refused the same way.
    assertTurkError(await failure(() => mt.send(new CreateHITWithHITTypeCommand({
      HITTypeId: tid, LifetimeInSeconds: 600, Question: QUESTION("r0"),
      UniqueRequestToken: "row-0" }))), "AWS.MechanicalTurk.HitAlreadyExists");

    const seen = [];
    let pages = 0;
    for await (const page of paginateListHITs({ client: mt, pageSize: 3 }, {})) {
      pages++;
      assert.ok(page.NumResults <= 3, `a page of ${page.NumResults}`);
      assert.equal(page.HITs.length, page.NumResults);
      seen.push(...page.HITs.map((h) => h.HITId));
      assert.ok(pages < 10, "the paginator does not end");
    }
    assert.deepEqual([...seen].sort(), [...ids].sort());
    assert.ok(pages >= 3, `7 HITs in pages of 3 took ${pages} pages`);
    const one = await mt.send(new ListHITsCommand({ MaxResults: 100 }));
    assert.equal(one.NumResults, 7);
    assert.equal(one.NextToken, undefined);

    await mt.send(new CreateAdditionalAssignmentsForHITCommand({
      HITId: ids[0], NumberOfAdditionalAssignments: 2, UniqueRequestToken: "more-0" }));
    let h = (await mt.send(new GetHITCommand({ HITId: ids[0] }))).HIT;
    assert.equal(h.MaxAssignments, 3);
    assert.equal(h.NumberOfAssignmentsAvailable, 3);

    // The usual "expire now" idiom: a date long past (here the epoch itself).
    await mt.send(new UpdateExpirationForHITCommand({ HITId: ids[0], ExpireAt: new Date(0) }));
    h = (await mt.send(new GetHITCommand({ HITId: ids[0] }))).HIT;
    assert.equal(h.HITStatus, "Reviewable");
    assert.ok(h.Expiration instanceof Date);
    assert.ok(h.Expiration.getTime() <= Date.now() + 1000, String(h.Expiration));
    // An expired HIT with nothing submitted can be deleted.
    await mt.send(new DeleteHITCommand({ HITId: ids[0] }));
    const left = await mt.send(new ListHITsCommand({ MaxResults: 100 }));
    assert.deepEqual(left.HITs.map((x) => x.HITId).sort(), ids.slice(1).sort());
  });

  it("takes its endpoint from AWS_ENDPOINT_URL_MTURK, with no code change", async () => {
    const rq = await srv.requester("Env Lab", "3.00");
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_MTURK: `http://127.0.0.1:${srv.port}`,
      AWS_ACCESS_KEY_ID: rq.access_key_id,
      AWS_SECRET_ACCESS_KEY: rq.secret_access_key,
      AWS_REGION: "us-east-1",
    });
    const mt = new MTurkClient({ maxAttempts: 1 });
    try {
      const bal = await mt.send(new GetAccountBalanceCommand({}));
      assert.equal(bal.AvailableBalance, "3.00");
    } finally {
      mt.destroy();
      for (const k of ["AWS_ENDPOINT_URL_MTURK", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                       "AWS_REGION"])
        if (k in saved) process.env[k] = saved[k];
        else delete process.env[k];
    }
  });

  it("answers errors in AWS's shapes", async () => {
    const rq = await srv.requester("Error Lab");
    const mt = srv.mturk(rq);

    const missing = await failure(() => mt.send(new GetHITCommand({
      HITId: "NOSUCHHIT0000000000000000000000" })));
    assertTurkError(missing, "AWS.MechanicalTurk.HITDoesNotExist");
    assert.match(missing.message, /does not exist/);

    const bad = await failure(() => mt.send(new CreateHITCommand(hitInput({ Reward: "-1" }))));
    assert.ok(["ParameterValidationError", "RequestError"].includes(bad.name), bad.name);
    assert.equal(bad.$fault, "client");
    assert.equal(bad.$metadata.httpStatusCode, 400);

    const wrong = await failure(() => srv.mturk(rq, "x".repeat(40)).send(
      new GetAccountBalanceCommand({})));
    assert.equal(wrong.name, "InvalidSignatureException", wrong.message);
    assert.equal(wrong.$fault, "client");
    assert.equal(wrong.$metadata.httpStatusCode, 400);
    assert.match(wrong.$metadata.requestId ?? "", UUID);

    const unknownKey = await failure(() => srv.mturk(
      { access_key_id: "TKNOSUCHKEY000000000", secret_access_key: rq.secret_access_key })
      .send(new GetAccountBalanceCommand({})));
    assert.equal(unknownKey.name, "UnrecognizedClientException", unknownKey.message);
    assert.match(unknownKey.$metadata.requestId ?? "", UUID);

    // Another requester's HIT does not exist for this one.
    const other = srv.mturk(await srv.requester("Someone Else"));
    const { HIT } = await other.send(new CreateHITCommand(hitInput()));
    assertTurkError(await failure(() => mt.send(new GetHITCommand({ HITId: HIT.HITId }))),
                    "AWS.MechanicalTurk.HITDoesNotExist");

    // Nothing above moved money.
    assert.equal((await mt.send(new GetAccountBalanceCommand({}))).AvailableBalance, "50.00");
  });

});
