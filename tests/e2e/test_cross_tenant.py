"""Cross-tenant isolation through the native door: requester A owns one of every kind of
object (HIT type with notification settings, HITs with review policies, assignments
submitted with a file, a qualification type with a 64 KB Test and a granted score, a
qualification request, a HIT layout, a batch with results, a bonus, a worker block, an
access key and a token), and
requester B then calls every requester operation that reads or acts on an owned object
with A's ids. Each call must answer exactly as it does for an id that never existed (same
status, same error code: existence never shows), a refusal must be the object's 404,
never a 5xx, and afterwards A's view is unchanged. Worker operations on another worker's
assignment are refused the same way.

The table is checked against the operation tables in src/api/ops_*.c: a requester or
worker operation that is in neither the table nor the list of operations that take no
owned id fails the test, so a new operation gets its cross-tenant case. Under the
sanitizer build the harness fails the test on any leak report, so every refusal path here
is also proven not to leak (ListHITsForQualificationType once kept the 64 KB type)."""
import glob
import json
import os
import random
import re
import string

from harness import E2E, ROOT, SAMPLE_QUESTION, hit_body
from mturk_case import multipart

HTML_NS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/" \
          "HTMLQuestion.xsd"
NS_QF = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/" \
        "QuestionForm.xsd"
FORM = ('<HTMLQuestion xmlns="%s"><HTMLContent><![CDATA[<!DOCTYPE html><html><body>'
        '<form name="mturk_form" method="post" id="mturk_form" '
        'action="https://www.mturk.com/mturk/externalSubmit">'
        '<input type="hidden" value="" name="assignmentId" id="assignmentId"/>'
        '<input name="label"><input type="file" name="photo"><input type="submit"></form>'
        "</body></html>]]></HTMLContent><FrameHeight>400</FrameHeight></HTMLQuestion>"
        % HTML_NS)


def big_test(size=64000):
    """A QuestionForm Test of about size bytes (QTEST_MAX_BYTES is 65535)."""
    head = '<QuestionForm xmlns="%s"><Overview><Text>' % NS_QF
    tail = ("</Text></Overview><Question><QuestionIdentifier>why</QuestionIdentifier>"
            "<QuestionContent><Text>Why?</Text></QuestionContent><AnswerSpecification>"
            "<FreeTextAnswer/></AnswerSpecification></Question></QuestionForm>")
    return head + "x" * (size - len(head) - len(tail)) + tail


def ghost_id():
    """An id of the server's shape (30 of [0-9A-Z]) that names nothing."""
    return "".join(random.choice(string.digits + string.ascii_uppercase) for _ in range(30))


def ghost_pseudonym():
    return "A" + "".join(random.choice(string.digits + string.ascii_uppercase)
                         for _ in range(13))


def ghost_token_id():
    """A token id of the server's shape ("tk" and 16 hex digits) that names nothing."""
    return "tk" + "".join(random.choice("0123456789abcdef") for _ in range(16))


NOT_FOUND = {
    "type": "HITTypeDoesNotExist", "hit": "HITDoesNotExist", "done_hit": "HITDoesNotExist",
    "asg": "AssignmentDoesNotExist", "rejected_asg": "AssignmentDoesNotExist",
    "asg_w2": "AssignmentDoesNotExist",
    "qt": "QualificationTypeDoesNotExist", "qt_req": "QualificationTypeDoesNotExist",
    "qreq": "QualificationRequestDoesNotExist",
    "layout": "HITLayoutDoesNotExist", "batch": "BatchDoesNotExist",
    "pseud_w1": "WorkerDoesNotExist", "pseud_w2": "WorkerDoesNotExist",
    "akey": "AccessKeyDoesNotExist", "tok": "TokenDoesNotExist",
}

# Requester B's calls: (operation, body, expected status or None, error code or None).
# "{name}" in a string is A's object of that name (or B's own, for b_*); the same call is
# made again with every A id replaced by a ghost, and must be answered the same. A None
# status means "as for the ghost" (an operation that filters by the id, or whose answer
# for an unknown worker another finding settles), checked all the same.
Q = SAMPLE_QUESTION
REQUESTER_CASES = [
    # HIT type
    ("CreateHITWithHITType", {"HITTypeId": "{type}", "LifetimeInSeconds": 3600,
                              "Question": Q}, 404, "HITTypeDoesNotExist"),
    ("UpdateNotificationSettings", {"HITTypeId": "{type}", "Active": True}, 404,
     "HITTypeDoesNotExist"),
    ("UpdateNotificationSettings", {"HITTypeId": "{type}", "Notification": {
        "Destination": "http://127.0.0.1:9/b", "Transport": "HTTP", "Version": "2006-05-05",
        "EventTypes": ["AssignmentSubmitted"]}}, 404, "HITTypeDoesNotExist"),
    ("CreateBatch", {"HITTypeId": "{type}", "LifetimeInSeconds": 3600, "Question": Q,
                     "Format": "csv", "Rows": "text\nmine now\n"}, 404, "HITTypeDoesNotExist"),
    ("UpdateHITTypeOfHIT", {"HITId": "{b_hit}", "HITTypeId": "{type}"}, 404,
     "HITTypeDoesNotExist"),
    ("ListReviewableHITs", {"HITTypeId": "{type}"}, None, None),
    ("ListReviewableHITs", {"HITTypeId": "{type}", "Status": "Reviewing"}, None, None),
    # HIT
    ("GetHIT", {"HITId": "{hit}"}, 404, "HITDoesNotExist"),
    ("ListAssignmentsForHIT", {"HITId": "{hit}"}, 404, "HITDoesNotExist"),
    ("ListBonusPayments", {"HITId": "{hit}"}, 404, "HITDoesNotExist"),
    ("UpdateExpirationForHIT", {"HITId": "{hit}", "ExpireAt": 0}, 404, "HITDoesNotExist"),
    ("DeleteHIT", {"HITId": "{hit}"}, 404, "HITDoesNotExist"),
    ("DeleteHIT", {"HITId": "{done_hit}"}, 404, "HITDoesNotExist"),
    ("CreateAdditionalAssignmentsForHIT", {"HITId": "{hit}",
                                           "NumberOfAdditionalAssignments": 2}, 404,
     "HITDoesNotExist"),
    ("UpdateHITReviewStatus", {"HITId": "{done_hit}"}, 404, "HITDoesNotExist"),
    ("UpdateHITReviewStatus", {"HITId": "{done_hit}", "Revert": True}, 404,
     "HITDoesNotExist"),
    ("ListReviewPolicyResultsForHIT", {"HITId": "{hit}"}, 404, "HITDoesNotExist"),
    ("UpdateHITTypeOfHIT", {"HITId": "{hit}", "HITTypeId": "{b_type}"}, 404,
     "HITDoesNotExist"),
    # Assignment
    ("GetAssignment", {"AssignmentId": "{asg}"}, 404, "AssignmentDoesNotExist"),
    ("ApproveAssignment", {"AssignmentId": "{asg}"}, 404, "AssignmentDoesNotExist"),
    ("ApproveAssignment", {"AssignmentId": "{rejected_asg}", "OverrideRejection": True}, 404,
     "AssignmentDoesNotExist"),
    ("RejectAssignment", {"AssignmentId": "{asg}", "RequesterFeedback": "no"}, 404,
     "AssignmentDoesNotExist"),
    ("SendBonus", {"WorkerId": "{pseud_w1}", "AssignmentId": "{asg}", "BonusAmount": "0.10",
                   "Reason": "thanks"}, 404, "AssignmentDoesNotExist"),
    ("ListBonusPayments", {"AssignmentId": "{asg}"}, 404, "AssignmentDoesNotExist"),
    ("GetFileUploadURL", {"AssignmentId": "{asg}", "QuestionIdentifier": "photo"}, 404,
     "AssignmentDoesNotExist"),
    # Qualification type (the one with the 64 KB Test)
    ("GetQualificationType", {"QualificationTypeId": "{qt}"}, 404,
     "QualificationTypeDoesNotExist"),
    ("UpdateQualificationType", {"QualificationTypeId": "{qt}", "Description": "taken",
                                 "QualificationTypeStatus": "Inactive"}, 404,
     "QualificationTypeDoesNotExist"),
    ("DeleteQualificationType", {"QualificationTypeId": "{qt}"}, 404,
     "QualificationTypeDoesNotExist"),
    ("AssociateQualificationWithWorker", {"QualificationTypeId": "{qt}",
                                          "WorkerId": "{pseud_w1}", "IntegerValue": 99}, 404,
     "QualificationTypeDoesNotExist"),
    ("DisassociateQualificationFromWorker", {"QualificationTypeId": "{qt}",
                                             "WorkerId": "{pseud_w1}"}, 404,
     "QualificationTypeDoesNotExist"),
    ("GetQualificationScore", {"QualificationTypeId": "{qt}", "WorkerId": "{pseud_w1}"}, 404,
     "QualificationTypeDoesNotExist"),
    ("ListWorkersWithQualificationType", {"QualificationTypeId": "{qt}"}, 404,
     "QualificationTypeDoesNotExist"),
    ("ListHITsForQualificationType", {"QualificationTypeId": "{qt}"}, 404,
     "QualificationTypeDoesNotExist"),
    ("ListHITsForQualificationType", {"QualificationTypeId": "{qt_req}"}, 404,
     "QualificationTypeDoesNotExist"),
    ("ListQualificationRequests", {"QualificationTypeId": "{qt_req}"}, None, None),
    ("CreateHITType", {"Title": "t", "Description": "d", "Reward": "0.10",
                       "AssignmentDurationInSeconds": 60, "QualificationRequirements": [
                           {"QualificationTypeId": "{qt}", "Comparator": "Exists"}]}, 400,
     "UnsupportedParameter"),
    # Qualification request
    ("AcceptQualificationRequest", {"QualificationRequestId": "{qreq}"}, 404,
     "QualificationRequestDoesNotExist"),
    ("RejectQualificationRequest", {"QualificationRequestId": "{qreq}", "Reason": "no"}, 404,
     "QualificationRequestDoesNotExist"),
    # HIT layout
    ("GetHITLayout", {"HITLayoutId": "{layout}"}, 404, "HITLayoutDoesNotExist"),
    ("DeleteHITLayout", {"HITLayoutId": "{layout}"}, 404, "HITLayoutDoesNotExist"),
    ("CreateHIT", hit_body(Question=None, HITLayoutId="{layout}",
                           HITLayoutParameters=[{"Name": "text", "Value": "v"}]), 404,
     "HITLayoutDoesNotExist"),
    ("CreateHITWithHITType", {"HITTypeId": "{b_type}", "LifetimeInSeconds": 3600,
                              "HITLayoutId": "{layout}"}, 404, "HITLayoutDoesNotExist"),
    # Batch
    ("GetBatchResults", {"BatchId": "{batch}"}, 404, "BatchDoesNotExist"),
    ("GetBatchResults", {"BatchId": "{batch}", "Format": "csv"}, 404, "BatchDoesNotExist"),
    ("GetBatchQuality", {"BatchId": "{batch}"}, 404, "BatchDoesNotExist"),
    # Workers, known to B by no pseudonym of A's
    ("CreateWorkerBlock", {"WorkerId": "{pseud_w1}", "Reason": "x"}, 404,
     "WorkerDoesNotExist"),
    ("DeleteWorkerBlock", {"WorkerId": "{pseud_w2}"}, None, None),
    ("NotifyWorkers", {"Subject": "s", "MessageText": "m", "WorkerIds": ["{pseud_w1}"]},
     None, None),
    # Lists that take no id: none of A's objects may show in B's answers.
    ("ListHITs", {}, 200, None),
    ("ListReviewableHITs", {}, 200, None),
    ("ListQualificationTypes", {"MustBeRequestable": False, "MustBeOwnedByCaller": False},
     200, None),
    ("ListQualificationTypes", {"MustBeRequestable": True, "Query": "Bird"}, 200, None),
    ("ListQualificationRequests", {}, 200, None),
    ("ListHITLayouts", {}, 200, None),
    ("ListWorkerBlocks", {}, 200, None),
    ("ListNotificationDeliveries", {}, 200, None),
    ("GetAccountBalance", {}, 200, None),
    # Credentials: A's access key and A's token, by their public ids.
    ("RevokeAccessKey", {"AccessKeyId": "{akey}"}, 404, "AccessKeyDoesNotExist"),
    ("RevokeToken", {"TokenId": "{tok}"}, 404, "TokenDoesNotExist"),
    ("ListAccessKeys", {}, 200, None),
    ("ListMyTokens", {}, 200, None),
]

# Requester operations that take no id of an owned object (they create one, or read the
# caller's own account); the lists among them are called above all the same.
REQUESTER_NO_OWNED_ID = {
    "CreateHITType", "CreateHIT", "ListHITs", "GetAccountBalance", "ListWorkerBlocks",
    "CreateQualificationType", "ListQualificationTypes", "CreateHITLayout", "ListHITLayouts",
    "SendTestEventNotification", "ListNotificationDeliveries", "CreateAccessKey",
    "ListAccessKeys",
}

# Worker w1's calls with w2's assignment.
WORKER_CASES = [
    ("GetMyAssignment", {"AssignmentId": "{asg_w2}"}, 404, "AssignmentDoesNotExist"),
    ("SubmitAssignment", {"AssignmentId": "{asg_w2}", "Answers": {"label": "mine"}}, 404,
     "AssignmentDoesNotExist"),
    ("ReturnAssignment", {"AssignmentId": "{asg_w2}"}, 404, "AssignmentDoesNotExist"),
    ("ListMyAssignments", {}, 200, None),
]

# Worker operations that name no object owned by another worker: HITs and qualification
# types are public to workers (whether one may be taken is the requirement's business),
# and the rest read the caller's own things.
WORKER_NO_OWNED_ID = {
    "ListAvailableWork", "AcceptWork", "PreviewWork", "ListMyAssignments", "GetMyEarnings",
    "ListMyMessages", "RequestQualification", "GetQualificationTest",
    "SubmitQualificationTest", "UpdateMyProfile",
}


# Operations of the browser door that name an assignment, called by hand in the test.
FORM_DOOR_CASES = {"ExternalSubmit"}


def table_ops():
    """{role macro: set of operation names} from the tables in src/api/ops_*.c."""
    found = {}
    for path in glob.glob(os.path.join(ROOT, "src", "api", "ops_*.c")):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for name, role in re.findall(r'\{\s*"(\w+)",\s*(\w+)\s*,', text):
            found.setdefault(role, set()).add(name)
    return found


def fill(v, ids):
    """v with every "{name}" string replaced by ids[name]."""
    if isinstance(v, str):
        m = re.fullmatch(r"\{(\w+)\}", v)
        return ids[m.group(1)] if m else v
    if isinstance(v, list):
        return [fill(x, ids) for x in v]
    if isinstance(v, dict):
        return {k: fill(x, ids) for k, x in v.items()}
    return v


def names_in(v):
    """The "{name}" placeholders of v."""
    if isinstance(v, str):
        m = re.fullmatch(r"\{(\w+)\}", v)
        return {m.group(1)} if m else set()
    if isinstance(v, list):
        return set().union(*[names_in(x) for x in v]) if v else set()
    if isinstance(v, dict):
        return set().union(*[names_in(x) for x in v.values()]) if v else set()
    return set()


class CrossTenant(E2E):
    # -- A's world ------------------------------------------------------------------------
    def build_world(self):
        srv = self.srv
        self.a = srv.requester("Alpha Lab", deposit="50.00")
        self.b = srv.requester("Beta Lab", deposit="20.00")
        self.w1, self.w2, self.w3 = srv.worker("w1"), srv.worker("w2"), srv.worker("w3")
        A, W1, W2 = self.a["token"], self.w1["token"], self.w2["token"]
        ids = {}

        big = self.ok("CreateQualificationType", {
            "Name": "Bird quiz", "Description": "Knows birds", "QualificationTypeStatus":
            "Active", "Test": big_test(), "TestDurationInSeconds": 600}, A)
        ids["qt"] = big["QualificationType"]["QualificationTypeId"]
        self.assertGreater(len(big["QualificationType"]["Test"]), 63000)
        ids["qt_req"] = self.ok("CreateQualificationType", {
            "Name": "Trusted", "Description": "Asked for", "QualificationTypeStatus":
            "Active"}, A)["QualificationType"]["QualificationTypeId"]

        ids["type"] = self.ok("CreateHITType", {
            "Title": "Label with a photo", "Description": "d", "Reward": "0.50",
            "AssignmentDurationInSeconds": 600}, A)["HITTypeId"]
        self.ok("UpdateNotificationSettings", {
            "HITTypeId": ids["type"], "Active": False, "Notification": {
                "Destination": "http://127.0.0.1:9/a", "Transport": "HTTP",
                "Version": "2006-05-05", "EventTypes": ["AssignmentSubmitted"]}}, A)
        policy = {"PolicyName": "ScoreMyKnownAnswers/2011-09-01", "Parameters": [
            {"Key": "AnswerKey", "MapEntries": [{"Key": "label", "Values": ["cat"]}]}]}
        ids["hit"] = self.ok("CreateHITWithHITType", {
            "HITTypeId": ids["type"], "LifetimeInSeconds": 3600, "MaxAssignments": 4,
            "Question": FORM, "AssignmentReviewPolicy": policy}, A)["HIT"]["HITId"]

        # w1 submits with a file through the task's form; w2 keeps one Accepted.
        a1 = self.accept(W1, hit_id=ids["hit"])["AssignmentId"]
        task = self.ok("GetMyAssignment", {"AssignmentId": a1}, W1)["Task"]
        body, ctype = multipart([("assignmentId", a1), ("label", "cat")],
                                [("photo", "p.bin", "application/octet-stream", b"\x00" * 999)])
        path = re.sub(r"^http://[^/]+", "", task["SubmitURL"])
        status, _, page = srv.client().raw("POST", path, body, {"Content-Type": ctype})
        self.assertEqual(status, 200, page[:300])
        ids["asg"] = a1
        ids["asg_w2"] = self.accept(W2, hit_id=ids["hit"])["AssignmentId"]
        got = self.ok("GetAssignment", {"AssignmentId": a1}, A)["Assignment"]
        self.assertEqual(got["AssignmentStatus"], "Submitted")
        ids["pseud_w1"] = got["WorkerId"]
        self.ok("SendBonus", {"WorkerId": ids["pseud_w1"], "AssignmentId": a1,
                              "BonusAmount": "0.25", "Reason": "a good photo"}, A)
        self.ok("AssociateQualificationWithWorker", {
            "QualificationTypeId": ids["qt"], "WorkerId": ids["pseud_w1"], "IntegerValue": 7}, A)

        # A rejected assignment (OverrideRejection would pay it) on a finished HIT.
        ids["done_hit"] = self.ok("CreateHITWithHITType", {
            "HITTypeId": ids["type"], "LifetimeInSeconds": 3600, "MaxAssignments": 1,
            "Question": SAMPLE_QUESTION}, A)["HIT"]["HITId"]
        a3 = self.accept(self.w3["token"], hit_id=ids["done_hit"])["AssignmentId"]
        self.submit(self.w3["token"], a3, {"label": "dog"})
        self.ok("RejectAssignment", {"AssignmentId": a3, "RequesterFeedback": "wrong"}, A)
        ids["rejected_asg"] = a3

        # A HIT of a type that requires the big qualification type.
        qtype = self.ok("CreateHITType", {
            "Title": "Birds only", "Description": "d", "Reward": "0.10",
            "AssignmentDurationInSeconds": 60, "QualificationRequirements": [
                {"QualificationTypeId": ids["qt"], "Comparator": "Exists"}]}, A)["HITTypeId"]
        self.ok("CreateHITWithHITType", {"HITTypeId": qtype, "LifetimeInSeconds": 3600,
                                         "Question": SAMPLE_QUESTION}, A)

        # A pending qualification request, which also tells A w2's pseudonym.
        ids["qreq"] = self.ok("RequestQualification", {"QualificationTypeId": ids["qt_req"]},
                              W2)["QualificationRequestId"]
        reqs = self.ok("ListQualificationRequests", {}, A)["QualificationRequests"]
        self.assertEqual([r["QualificationRequestId"] for r in reqs], [ids["qreq"]])
        ids["pseud_w2"] = reqs[0]["WorkerId"]
        self.ok("CreateWorkerBlock", {"WorkerId": ids["pseud_w2"], "Reason": "spam"}, A)

        ids["layout"] = self.ok("CreateHITLayout", {
            "Name": "Topic", "Content": "<p>${text}</p><form><input name='label'></form>",
            "FrameHeight": 300}, A)["HITLayoutId"]
        batch = self.ok("CreateBatch", {
            "Title": "Label sentences", "Description": "d", "Reward": "0.10",
            "AssignmentDurationInSeconds": 600, "LifetimeInSeconds": 3600,
            "Question": SAMPLE_QUESTION, "Format": "csv", "Rows": "text\nhello\nworld\n",
            "Quality": {"LabelField": "label"}}, A)
        ids["batch"] = batch["BatchId"]
        ba = self.accept(W1, hit_type_id=batch["HITTypeId"])["AssignmentId"]
        self.submit(W1, ba, {"label": "greeting"})

        # A's credentials: a second access key, and the token A calls with.
        ids["akey"] = self.ok("CreateAccessKey", {}, A)["AccessKeyId"]
        toks = self.ok("ListMyTokens", {}, A)["Tokens"]
        self.assertEqual(len(toks), 1, toks)
        ids["tok"] = toks[0]["TokenId"]

        # B's own objects, for the calls that pair one of them with one of A's.
        B = self.b["token"]
        ids["b_type"] = self.ok("CreateHITType", {
            "Title": "B's", "Description": "d", "Reward": "0.50",
            "AssignmentDurationInSeconds": 600}, B)["HITTypeId"]
        ids["b_hit"] = self.ok("CreateHITWithHITType", {
            "HITTypeId": ids["b_type"], "LifetimeInSeconds": 3600,
            "Question": SAMPLE_QUESTION}, B)["HIT"]["HITId"]
        return ids

    def view(self, ids):
        """Everything A (and the workers) can see of A's objects, and B's own balance."""
        A = self.a["token"]
        calls = [
            ("GetHIT", {"HITId": ids["hit"]}),
            ("GetHIT", {"HITId": ids["done_hit"]}),
            ("ListHITs", {"MaxResults": 100}),
            ("ListReviewableHITs", {}),
            ("ListAssignmentsForHIT", {"HITId": ids["hit"]}),
            ("ListAssignmentsForHIT", {"HITId": ids["done_hit"]}),
            ("GetAssignment", {"AssignmentId": ids["asg"]}),
            ("GetAssignment", {"AssignmentId": ids["rejected_asg"]}),
            ("ListBonusPayments", {"HITId": ids["hit"]}),
            ("ListReviewPolicyResultsForHIT", {"HITId": ids["hit"]}),
            ("GetQualificationType", {"QualificationTypeId": ids["qt"]}),
            ("ListQualificationTypes", {"MustBeRequestable": False}),
            ("ListWorkersWithQualificationType", {"QualificationTypeId": ids["qt"]}),
            ("GetQualificationScore", {"QualificationTypeId": ids["qt"],
                                       "WorkerId": ids["pseud_w1"]}),
            ("ListHITsForQualificationType", {"QualificationTypeId": ids["qt"]}),
            ("ListQualificationRequests", {}),
            ("GetHITLayout", {"HITLayoutId": ids["layout"]}),
            ("ListHITLayouts", {}),
            ("GetBatchResults", {"BatchId": ids["batch"]}),
            ("GetBatchQuality", {"BatchId": ids["batch"]}),
            ("ListWorkerBlocks", {}),
            ("ListNotificationDeliveries", {}),
            ("GetAccountBalance", {}),
            ("ListAccessKeys", {}),
            ("ListMyTokens", {}),
        ]
        out = {op + json.dumps(body, sort_keys=True): self.ok(op, body, A)
               for op, body in calls}
        url = self.ok("GetFileUploadURL", {"AssignmentId": ids["asg"],
                                           "QuestionIdentifier": "photo"}, A)
        self.assertIn("/mturk/upload/", url["FileUploadURL"])
        for name, tok, asg in (("w1", self.w1["token"], ids["asg"]),
                               ("w2", self.w2["token"], ids["asg_w2"])):
            out[name] = self.ok("GetMyAssignment", {"AssignmentId": asg}, tok)["Assignment"]
            out[name + " earnings"] = self.ok("GetMyEarnings", {}, tok)
            out[name + " messages"] = self.ok("ListMyMessages", {}, tok)
        out["B balance"] = self.ok("GetAccountBalance", {}, self.b["token"])
        out["B hits"] = self.ok("ListHITs", {}, self.b["token"])
        return out

    def check_case(self, who, token, op, body, status, code, ids, ghosts, foreign):
        mine = fill(body, ids)
        got, doc = self.call(op, mine, token)
        where = "%s %s %s" % (who, op, json.dumps(mine)[:160])
        self.assertLess(got, 500, "%s -> %d %s" % (where, got, doc))
        self.assertIsInstance(doc, dict, where)
        if status is not None:
            self.assertEqual(got, status, "%s -> %d %s" % (where, got, doc))
        if code is not None:
            self.assertEqual(doc.get("error", {}).get("code"), code, "%s: %s" % (where, doc))
        if got == 200:
            text, asked = json.dumps(doc), json.dumps(mine)
            for name, v in foreign.items():
                if v not in asked:  # an id the caller gave may be echoed back
                    self.assertNotIn(v, text, "%s shows A's %s: %s" % (where, name, text[:300]))
        # The same call for objects that never existed: the same answer.
        if names_in(body) - set(k for k in ids if k.startswith("b_")):
            g_status, g_doc = self.call(op, fill(body, ghosts), token)
            self.assertEqual((got, (doc.get("error") or {}).get("code")),
                             (g_status, (g_doc.get("error") or {}).get("code")),
                             "%s answers otherwise than for a missing object: %s vs %s"
                             % (where, doc, g_doc))
            if got == 200:
                g_text = json.dumps(g_doc, sort_keys=True)
                for k, v in ghosts.items():
                    g_text = g_text.replace(v, ids[k])
                self.assertEqual(json.dumps(doc, sort_keys=True), g_text,
                                 "%s: the answer differs from a missing object's" % where)
        return got

    def test_every_owned_object_is_refused_to_another_tenant(self):
        ids = self.build_world()
        ghosts = dict(ids)
        for k in ids:
            if not k.startswith("b_"):
                ghosts[k] = (ghost_pseudonym() if k.startswith("pseud") else
                             ghost_token_id() if k == "tok" else ghost_id())
        foreign = {k: v for k, v in ids.items() if not k.startswith("b_")}
        before = self.view(ids)

        for op, body, status, code in REQUESTER_CASES:
            with self.subTest(op=op, body=body):
                self.check_case("B", self.b["token"], op, body, status, code, ids, ghosts,
                                foreign)
        w1_foreign = {"asg_w2": ids["asg_w2"]}
        for op, body, status, code in WORKER_CASES:
            with self.subTest(op=op, body=body):
                self.check_case("w1", self.w1["token"], op, body, status, code, ids, ghosts,
                                w1_foreign)

        # The browser door's bearer submit of another worker's assignment.
        form, ctype = multipart([("assignmentId", ids["asg_w2"]), ("label", "mine")], [])
        status, _, page = self.srv.client().raw(
            "POST", "/mturk/externalSubmit", form,
            {"Content-Type": ctype, "Authorization": "Bearer " + self.w1["token"]})
        self.assertEqual(status, 404, page[:300])

        after = self.view(ids)
        for key in before:
            self.assertEqual(after[key], before[key], "A's view changed: %s" % key)

    def test_the_table_covers_every_operation(self):
        ops = table_ops()
        self.assertIn("GetHIT", ops.get("RQ", set()), "the op tables were not found")
        requester = ops.get("RQ", set()) | ops.get("ROLE_REQUESTER", set())
        worker = ops.get("WK", set()) | ops.get("ROLE_WORKER", set())
        covered = {c[0] for c in REQUESTER_CASES} | REQUESTER_NO_OWNED_ID
        self.assertEqual(sorted(requester - covered), [],
                         "requester operations without a cross-tenant case")
        covered = {c[0] for c in WORKER_CASES} | WORKER_NO_OWNED_ID | FORM_DOOR_CASES
        self.assertEqual(sorted(worker - covered), [],
                         "worker operations without a cross-tenant case")
        # A refusal is the not-found error of one of the objects the call names.
        for op, body, status, code in REQUESTER_CASES + WORKER_CASES:
            if status == 404:
                self.assertIn(code, {NOT_FOUND[k] for k in names_in(body) if k in NOT_FOUND},
                              (op, body))
