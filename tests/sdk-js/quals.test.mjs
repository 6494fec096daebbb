// Qualifications, worker blocks, NotifyWorkers and UpdateHITTypeOfHIT through the real AWS
// SDK for JavaScript v3: the operations whose answers carry worker pseudonyms. Workers act
// through the native door (harness.mjs); the requester only through the SDK.
//
//   bash tests/sdk-js/run.sh          (or: node --test tests/sdk-js/*.test.mjs)
import { it } from "node:test";
import assert from "node:assert/strict";
import {
  AcceptQualificationRequestCommand,
  ApproveAssignmentCommand,
  AssociateQualificationWithWorkerCommand,
  CreateHITCommand,
  CreateHITTypeCommand,
  CreateHITWithHITTypeCommand,
  CreateQualificationTypeCommand,
  CreateWorkerBlockCommand,
  DeleteQualificationTypeCommand,
  DeleteWorkerBlockCommand,
  DisassociateQualificationFromWorkerCommand,
  GetAssignmentCommand,
  GetHITCommand,
  GetQualificationScoreCommand,
  GetQualificationTypeCommand,
  ListHITsForQualificationTypeCommand,
  ListQualificationRequestsCommand,
  ListQualificationTypesCommand,
  ListWorkerBlocksCommand,
  ListWorkersWithQualificationTypeCommand,
  NotifyWorkersCommand,
  RejectQualificationRequestCommand,
  UpdateHITTypeOfHITCommand,
  UpdateQualificationTypeCommand,
  paginateListWorkersWithQualificationType,
} from "@aws-sdk/client-mturk";

import { QUESTION, failure, assertTurkError, hitInput, serverSuite } from "./harness.mjs";

// A native call that must fail with this status and error code; returns the error.
async function nativeError(srv, op, body, token, status, code) {
  const { status: got, doc } = await srv.call(op, body, token);
  assert.equal(got, status, `${op} -> ${got} ${JSON.stringify(doc)}`);
  assert.equal(doc.error?.code, code, JSON.stringify(doc));
  return doc.error;
}

// Each worker accepts and submits one assignment of hid; returns their pseudonyms as the
// requester sees them, in the same order.
async function workersOf(srv, mt, hid, workers) {
  const ids = [];
  for (const w of workers) {
    const a = (await srv.native("AcceptWork", { HITId: hid }, w.token)).Assignment;
    await srv.native("SubmitAssignment",
                     { AssignmentId: a.AssignmentId, Answers: { label: "hi" } }, w.token);
    const got = await mt.send(new GetAssignmentCommand({ AssignmentId: a.AssignmentId }));
    assert.match(got.Assignment.WorkerId, /^A[0-9A-Z]+$/);
    assert.notEqual(got.Assignment.WorkerId, String(w.id), "a pseudonym, not the account id");
    ids.push(got.Assignment.WorkerId);
  }
  return ids;
}

serverSuite("qualifications, blocks and messages through @aws-sdk/client-mturk", (srv) => {

  it("manages qualification types and scores, and enforces them", async () => {
    const mt = srv.mturk(await srv.requester("Bird Lab"));
    const { QualificationType: qt } = await mt.send(new CreateQualificationTypeCommand({
      Name: "Bird expert", Description: "Knows birds", Keywords: "birds",
      QualificationTypeStatus: "Active",
    }));
    const qid = qt.QualificationTypeId;
    assert.equal(qt.Name, "Bird expert");
    assert.equal(qt.AutoGranted, false);
    assert.ok(qt.CreationTime instanceof Date);
    const dup = await failure(() => mt.send(new CreateQualificationTypeCommand({
      Name: "Bird expert", Description: "again", QualificationTypeStatus: "Active" })));
    assertTurkError(dup, "AWS.MechanicalTurk.QualificationTypeAlreadyExists");

    const upd = await mt.send(new UpdateQualificationTypeCommand({
      QualificationTypeId: qid, Description: "Knows birds well" }));
    assert.equal(upd.QualificationType.Description, "Knows birds well");
    const got = await mt.send(new GetQualificationTypeCommand({ QualificationTypeId: qid }));
    assert.equal(got.QualificationType.Description, "Knows birds well");
    assert.equal(got.QualificationType.IsRequestable, true);
    const listed = await mt.send(new ListQualificationTypesCommand({
      MustBeRequestable: false, MustBeOwnedByCaller: true, Query: "bird" }));
    assert.deepEqual(listed.QualificationTypes.map((t) => t.QualificationTypeId), [qid]);

    const intro = (await mt.send(new CreateHITCommand(hitInput({ MaxAssignments: 3 })))).HIT;
    const ws = [await srv.worker("q-ann"), await srv.worker("q-bob"), await srv.worker("q-cy")];
    const ids = await workersOf(srv, mt, intro.HITId, ws);
    const values = [90, 40, 85];
    for (let i = 0; i < 3; i++)
      await mt.send(new AssociateQualificationWithWorkerCommand({
        QualificationTypeId: qid, WorkerId: ids[i], IntegerValue: values[i],
        SendNotification: false }));
    const score = await mt.send(new GetQualificationScoreCommand({
      QualificationTypeId: qid, WorkerId: ids[0] }));
    assert.equal(score.Qualification.IntegerValue, 90);
    assert.equal(score.Qualification.Status, "Granted");
    assert.ok(score.Qualification.GrantTime instanceof Date);

    // Every page of the workers who hold it, one per page.
    const seen = [];
    for await (const page of paginateListWorkersWithQualificationType(
      { client: mt, pageSize: 1 }, { QualificationTypeId: qid }))
      for (const q of page.Qualifications) seen.push(q.WorkerId);
    assert.deepEqual(seen.sort(), [...ids].sort());

    const hit = (await mt.send(new CreateHITCommand(hitInput({
      Title: "Birds", QualificationRequirements: [{
        QualificationTypeId: qid, Comparator: "GreaterThanOrEqualTo", IntegerValues: [80] }],
    })))).HIT;
    assert.equal(hit.QualificationRequirements[0].Comparator, "GreaterThanOrEqualTo");
    await nativeError(srv, "AcceptWork", { HITId: hit.HITId }, ws[1].token, 403,
                      "QualificationNotMet");
    const forType = await mt.send(new ListHITsForQualificationTypeCommand({
      QualificationTypeId: qid }));
    assert.deepEqual(forType.HITs.map((h) => h.HITId), [hit.HITId]);

    await mt.send(new DisassociateQualificationFromWorkerCommand({
      QualificationTypeId: qid, WorkerId: ids[2], Reason: "retest" }));
    const revoked = await mt.send(new ListWorkersWithQualificationTypeCommand({
      QualificationTypeId: qid, Status: "Revoked" }));
    assert.deepEqual(revoked.Qualifications.map((q) => q.WorkerId), [ids[2]]);
    await nativeError(srv, "AcceptWork", { HITId: hit.HITId }, ws[2].token, 403,
                      "QualificationNotMet");
    await srv.native("AcceptWork", { HITId: hit.HITId }, ws[0].token);

    await mt.send(new DeleteQualificationTypeCommand({ QualificationTypeId: qid }));
    assertTurkError(await failure(() => mt.send(new GetQualificationTypeCommand({
      QualificationTypeId: qid }))), "AWS.MechanicalTurk.QualificationTypeDoesNotExist");
  });

  it("answers qualification requests", async () => {
    const mt = srv.mturk(await srv.requester("Receipts Inc"));
    const qid = (await mt.send(new CreateQualificationTypeCommand({
      Name: "Transcriber", Description: "Transcribes receipts",
      QualificationTypeStatus: "Active" }))).QualificationType.QualificationTypeId;
    const ann = await srv.worker("r-ann");
    const bob = await srv.worker("r-bob");
    const mine = await srv.native("RequestQualification", { QualificationTypeId: qid }, ann.token);
    assert.equal(mine.Status, "Pending");
    await srv.native("RequestQualification", { QualificationTypeId: qid }, bob.token);

    const reqs = (await mt.send(new ListQualificationRequestsCommand({
      QualificationTypeId: qid }))).QualificationRequests;
    assert.equal(reqs.length, 2);
    const annReq = reqs.find((r) => r.QualificationRequestId === mine.QualificationRequestId);
    const bobReq = reqs.find((r) => r !== annReq);
    assert.ok(annReq.SubmitTime instanceof Date);
    await mt.send(new AcceptQualificationRequestCommand({
      QualificationRequestId: annReq.QualificationRequestId, IntegerValue: 5 }));
    assert.equal((await mt.send(new GetQualificationScoreCommand({
      QualificationTypeId: qid, WorkerId: annReq.WorkerId }))).Qualification.IntegerValue, 5);
    await mt.send(new RejectQualificationRequestCommand({
      QualificationRequestId: bobReq.QualificationRequestId, Reason: "native speakers only" }));
    const again = await nativeError(srv, "RequestQualification", { QualificationTypeId: qid },
                                    bob.token, 409, "AlreadyRequested");
    assert.match(again.message, /native speakers only/);
    assertTurkError(await failure(() => mt.send(new AcceptQualificationRequestCommand({
      QualificationRequestId: bobReq.QualificationRequestId }))),
                    "AWS.MechanicalTurk.InvalidQualificationRequestState");
    assert.equal((await mt.send(new ListQualificationRequestsCommand({}))).NumResults, 0);
  });

  it("blocks a worker, writes to workers, and moves a HIT to another type", async () => {
    const mt = srv.mturk(await srv.requester("Search Ratings"));
    const tid = (await mt.send(new CreateHITTypeCommand({
      Title: "Rate", Description: "Rate one result", Reward: "0.05",
      AssignmentDurationInSeconds: 300 }))).HITTypeId;
    const hids = [];
    for (let i = 0; i < 2; i++)
      hids.push((await mt.send(new CreateHITWithHITTypeCommand({
        HITTypeId: tid, LifetimeInSeconds: 600, MaxAssignments: 2,
        Question: QUESTION(`r${i}`) }))).HIT.HITId);
    const w = await srv.worker("b-w");
    const other = await srv.worker("b-other");
    const [wid] = await workersOf(srv, mt, hids[0], [w]);

    await mt.send(new CreateWorkerBlockCommand({ WorkerId: wid, Reason: "copied answers" }));
    const blocks = await mt.send(new ListWorkerBlocksCommand({}));
    assert.deepEqual(blocks.WorkerBlocks, [{ WorkerId: wid, Reason: "copied answers" }]);
    const e = await nativeError(srv, "AcceptWork", { HITId: hids[1] }, w.token, 403,
                                "WorkerBlocked");
    assert.match(e.message, /copied answers/);
    await mt.send(new DeleteWorkerBlockCommand({ WorkerId: wid, Reason: "appeal upheld" }));
    assert.equal((await mt.send(new ListWorkerBlocksCommand({}))).NumResults, 0);
    assertTurkError(await failure(() => mt.send(new CreateWorkerBlockCommand({
      WorkerId: "ANOSUCHWORKER1", Reason: "x" }))), "AWS.MechanicalTurk.WorkerDoesNotExist");

    // NotifyWorkers reaches a worker whose work was reviewed; the others come back as
    // failures, not as an error.
    const a = (await srv.native("AcceptWork", { HITId: hids[1] }, other.token)).Assignment;
    await srv.native("SubmitAssignment",
                     { AssignmentId: a.AssignmentId, Answers: { label: "ok" } }, other.token);
    const oid = (await mt.send(new GetAssignmentCommand({ AssignmentId: a.AssignmentId })))
      .Assignment.WorkerId;
    await mt.send(new ApproveAssignmentCommand({ AssignmentId: a.AssignmentId }));
    const sent = await mt.send(new NotifyWorkersCommand({
      Subject: "Thanks", MessageText: "More next week.", WorkerIds: [oid, wid] }));
    assert.deepEqual(sent.NotifyWorkersFailureStatuses.map((f) => [f.WorkerId,
                                                                   f.NotifyWorkersFailureCode]),
                     [[wid, "HardFailure"]]);
    const msgs = await srv.native("ListMyMessages", {}, other.token);
    assert.equal(msgs.NumResults, 1);
    assert.equal(msgs.Messages[0].Subject, "Thanks");

    // The second HIT moves to a type with the same reward; one with another reward is refused.
    const tid2 = (await mt.send(new CreateHITTypeCommand({
      Title: "Rate again", Description: "Rate one more result", Reward: "0.05",
      AssignmentDurationInSeconds: 300 }))).HITTypeId;
    await mt.send(new UpdateHITTypeOfHITCommand({ HITId: hids[1], HITTypeId: tid2 }));
    assert.equal((await mt.send(new GetHITCommand({ HITId: hids[1] }))).HIT.HITTypeId, tid2);
    const dear = (await mt.send(new CreateHITTypeCommand({
      Title: "Rate", Description: "Rate one result", Reward: "0.50",
      AssignmentDurationInSeconds: 300 }))).HITTypeId;
    assertTurkError(await failure(() => mt.send(new UpdateHITTypeOfHITCommand({
      HITId: hids[1], HITTypeId: dear }))), "AWS.MechanicalTurk.InvalidHITType");
    assert.equal((await mt.send(new GetHITCommand({ HITId: hids[1] }))).HIT.HITTypeId, tid2);
  });

});
