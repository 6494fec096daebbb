// Review policies through the real AWS SDK for JavaScript v3 (@aws-sdk/client-mturk):
// CreateHIT with an AssignmentReviewPolicy (ScoreMyKnownAnswers/2011-09-01) and a
// HITReviewPolicy (SimplePlurality/2011-09-01), work done through the native worker
// operations, and ListReviewPolicyResultsForHIT read back, page by page. One
// `tessera serve` on a temporary database serves the file; `tessera admin check` runs at
// the end (harness.mjs).
//
//   bash tests/sdk-js/run.sh          (or: node --test tests/sdk-js/review.test.mjs)
import { it } from "node:test";
import assert from "node:assert/strict";

import {
  ApproveAssignmentCommand,
  CreateHITCommand,
  GetAccountBalanceCommand,
  GetAssignmentCommand,
  GetHITCommand,
  ListReviewPolicyResultsForHITCommand,
} from "@aws-sdk/client-mturk";

import { QUESTION, failure, assertTurkError, serverSuite } from "./harness.mjs";

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

serverSuite("review policies through @aws-sdk/client-mturk", (srv) => {

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
