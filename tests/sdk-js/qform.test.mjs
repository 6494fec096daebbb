// QuestionForm HITs and HIT layouts through the real AWS SDK for JavaScript v3
// (@aws-sdk/client-mturk): CreateHIT with a QuestionForm, a worker answers it on the
// native door, the requester reads QuestionFormAnswers (SelectionIdentifier, FreeText);
// a layout made natively is used by CreateHIT and CreateHITWithHITType with
// HITLayoutParameters; refusals carry __type RequestError and a TurkErrorCode. One
// `tessera serve` (harness.mjs) serves the file.
import { it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateHITCommand,
  CreateHITWithHITTypeCommand,
  GetAssignmentCommand,
  GetHITCommand,
  ListAssignmentsForHITCommand,
  ListHITsCommand,
} from "@aws-sdk/client-mturk";

import { failure, assertTurkError, serverSuite } from "./harness.mjs";

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

const hitInput = (over = {}) => ({
  Title: "Birds",
  Description: "Count birds",
  Reward: "0.10",
  AssignmentDurationInSeconds: 600,
  LifetimeInSeconds: 3600,
  MaxAssignments: 2,
  ...over,
});

serverSuite("QuestionForms and HIT layouts through @aws-sdk/client-mturk", (srv) => {

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
