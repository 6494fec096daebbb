// Qualification tests through the real AWS SDK for JavaScript v3: CreateQualificationType
// with a Test (QuestionForm) and an AnswerKey, UpdateQualificationType changing the key
// and the retry delay, a worker taking the test through the native operations and being
// scored, and the refusals of a bad AnswerKey. One `tessera serve`
// (harness.mjs) serves the file.
import { it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateQualificationTypeCommand,
  GetQualificationTypeCommand,
  UpdateQualificationTypeCommand,
  GetQualificationScoreCommand,
  ListWorkersWithQualificationTypeCommand,
  ListQualificationRequestsCommand,
  AcceptQualificationRequestCommand,
} from "@aws-sdk/client-mturk";

import { failure, assertTurkError, serverSuite } from "./harness.mjs";

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

serverSuite("qualification tests through @aws-sdk/client-mturk", (srv) => {

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
