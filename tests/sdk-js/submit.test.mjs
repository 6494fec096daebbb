// Files uploaded with a task's form, fetched by the requester through GetFileUploadURL
// with the real AWS SDK for JavaScript v3. A worker accepts natively, posts the task's
// form as multipart/form-data to its turkSubmitTo, and the requester reads the Answer,
// asks for the file's URL and downloads it within its 60 seconds. One `tessera serve`
// (harness.mjs) serves the file.
import { it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";

import {
  CreateHITCommand,
  GetAssignmentCommand,
  GetFileUploadURLCommand,
} from "@aws-sdk/client-mturk";

import { failure, assertTurkError, serverSuite } from "./harness.mjs";

const QUESTION =
  '<HTMLQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/' +
  '2011-11-11/HTMLQuestion.xsd"><HTMLContent><![CDATA[<form method="post" ' +
  'enctype="multipart/form-data" action="https://www.mturk.com/mturk/externalSubmit">' +
  '<input type="hidden" name="assignmentId"><input name="caption">' +
  '<input type="file" name="photo"></form>]]></HTMLContent><FrameHeight>500</FrameHeight>' +
  "</HTMLQuestion>";

serverSuite("uploaded files through @aws-sdk/client-mturk", (srv) => {

  it("GetFileUploadURL after a multipart upload, and its refusals", async () => {
    const mt = srv.mturk(await srv.requester("Acme Research", "20.00"));
    const { HIT: hit } = await mt.send(new CreateHITCommand({
      Title: "Photograph a cat", Description: "Upload a photo", Reward: "0.50",
      AssignmentDurationInSeconds: 600, LifetimeInSeconds: 3600, MaxAssignments: 1,
      Question: QUESTION,
    }));
    const w = await srv.worker("w1");
    const { Assignment: a } = await srv.native("AcceptWork", { HITId: hit.HITId }, w.token);
    const { Task: task } = await srv.native("GetMyAssignment",
                                            { AssignmentId: a.AssignmentId }, w.token);

    // Not submitted yet: no file to give.
    let e = await failure(() => mt.send(new GetFileUploadURLCommand({
      AssignmentId: a.AssignmentId, QuestionIdentifier: "photo" })));
    assertTurkError(e, "AWS.MechanicalTurk.InvalidAssignmentState");
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

    e = await failure(() => mt.send(new GetFileUploadURLCommand({
      AssignmentId: a.AssignmentId, QuestionIdentifier: "caption" })));
    assertTurkError(e, "AWS.MechanicalTurk.FileUploadAnswerDoesNotExist");
    assert.match(e.message, /no uploaded file/);
  });

});
