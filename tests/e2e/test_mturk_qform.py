"""QuestionForm HITs and HIT layouts through the MTurk door (boto3) and the native door:
the worker sees the rendered form, answers are checked against it, the requester reads
QuestionFormAnswers with SelectionIdentifier etc.; layouts made natively are used by
CreateHIT; hostile or malformed forms are refused with nothing changed."""
import html
import unittest
import urllib.parse

from mturk_case import MTurkCase, multipart

NS17 = ("http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/"
        "QuestionForm.xsd")
NS05 = ("http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/"
        "QuestionForm.xsd")

FORM = """<?xml version="1.0" encoding="UTF-8"?>
<QuestionForm xmlns="%s">
 <Overview><Title>Bird survey</Title><Text>Look at the picture &amp; answer.</Text>
  <Binary><MimeType><Type>image</Type></MimeType><DataURL>https://example.com/b.png</DataURL>
   <AltText>a bird</AltText></Binary>
  <FormattedContent><![CDATA[<p onmouseover="steal()">Be <b>careful</b><script>x()</script>
   <a href="javascript:evil()">here</a></p>]]></FormattedContent>
 </Overview>
 <Question><QuestionIdentifier>species</QuestionIdentifier><DisplayName>Species</DisplayName>
  <IsRequired>true</IsRequired><QuestionContent><Text>Which bird?</Text></QuestionContent>
  <AnswerSpecification><SelectionAnswer><StyleSuggestion>radiobutton</StyleSuggestion>
   <Selections>
    <Selection><SelectionIdentifier>robin</SelectionIdentifier><Text>Robin</Text></Selection>
    <Selection><SelectionIdentifier>crow</SelectionIdentifier><Text>Crow</Text></Selection>
    <OtherSelection/>
   </Selections></SelectionAnswer></AnswerSpecification></Question>
 <Question><QuestionIdentifier>colours</QuestionIdentifier>
  <QuestionContent><Text>Colours seen</Text></QuestionContent>
  <AnswerSpecification><SelectionAnswer><MinSelectionCount>1</MinSelectionCount>
   <MaxSelectionCount>2</MaxSelectionCount><StyleSuggestion>checkbox</StyleSuggestion>
   <Selections>
    <Selection><SelectionIdentifier>red</SelectionIdentifier><Text>Red</Text></Selection>
    <Selection><SelectionIdentifier>blue</SelectionIdentifier><Text>Blue</Text></Selection>
    <Selection><SelectionIdentifier>black</SelectionIdentifier><Text>Black</Text></Selection>
   </Selections></SelectionAnswer></AnswerSpecification></Question>
 <Question><QuestionIdentifier>count</QuestionIdentifier><IsRequired>true</IsRequired>
  <QuestionContent><Text>How many birds?</Text></QuestionContent>
  <AnswerSpecification><FreeTextAnswer><Constraints>
   <IsNumeric minValue="1" maxValue="20"/></Constraints></FreeTextAnswer>
  </AnswerSpecification></Question>
 <Question><QuestionIdentifier>where</QuestionIdentifier>
  <QuestionContent><Text>Postcode</Text></QuestionContent>
  <AnswerSpecification><FreeTextAnswer><Constraints><Length minLength="3" maxLength="8"/>
   <AnswerFormatRegex regex="^[A-Z0-9 ]+$" errorText="capital letters and digits"/>
  </Constraints></FreeTextAnswer></AnswerSpecification></Question>
</QuestionForm>""" % NS17

ANSWERS_NS = ("http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/"
              "2005-10-01/QuestionFormAnswers.xsd")


class QuestionForms(MTurkCase):
    def error_of(self, fn, **kw):
        """A refusal as RequestError or ParameterValidationError, with a message."""
        r = MTurkCase.error_of(self, fn, **kw)
        self.assertEqual(r["Error"]["Code"] in ("RequestError", "ParameterValidationError"),
                         True, r)
        self.assertTrue(r["Error"]["Message"])
        return r

    def new_hit(self, **kw):
        args = dict(Title="Birds", Description="Count birds", Reward="0.20",
                    AssignmentDurationInSeconds=600, LifetimeInSeconds=3600,
                    MaxAssignments=3)
        args.update(kw)
        return self.mt.create_hit(**args)["HIT"]

    def test_form_rendered_checked_and_answered(self):
        hit = self.new_hit(Question=FORM)
        hid = hit["HITId"]
        self.assertEqual(hit["Question"], FORM)
        self.assertNotIn("HITLayoutId", hit)

        w = self.srv.worker("w1")
        a = self.accept(w["token"], hit_id=hid)
        aid = a["AssignmentId"]
        task = self.ok("GetMyAssignment", {"AssignmentId": aid}, w["token"])["Task"]
        self.assertEqual(task["QuestionType"], "QuestionForm")
        self.assertEqual(task["Question"], FORM)
        page = task["Content"]
        submit_url = task["SubmitURL"]
        self.assertRegex(submit_url, r"^https?://.+/mturk/externalSubmit$")
        self.assertIn('<form method="POST" action="%s">' % submit_url, page)
        self.assertIn('<input type="hidden" name="assignmentId" value="%s">' % aid, page)
        self.assertIn('<input type="radio" name="species" value="robin">', page)
        self.assertIn('<input type="checkbox" name="colours" value="black">', page)
        self.assertIn('name="species.OtherSelectionText"', page)
        self.assertIn("<h2>Bird survey</h2>", page)
        self.assertIn("Look at the picture &amp; answer.", page)
        self.assertIn('<img src="https://example.com/b.png" alt="a bird">', page)
        self.assertIn("Be <b>careful</b>", page)
        for bad in ("<script", "onmouseover", "javascript:", "steal()"):
            self.assertNotIn(bad, page)

        # Refused answers change nothing: each message names the question.
        bad = [
            ({"colours": ["red"], "count": "3"}, 'question "species" is required'),
            ({"species": "eagle", "count": "3"}, 'question "species" has no selection "eagle"'),
            ({"species": "robin", "count": "30"}, 'question "count": the answer must be at most 20'),
            ({"species": "robin", "count": "many"}, 'question "count": the answer must be a number'),
            ({"species": "robin", "count": "3", "colours": ["red", "blue", "black"]},
             'question "colours" allows at most 2 selections'),
            ({"species": "robin", "count": "3", "where": "ab1"},
             'question "where": capital letters and digits'),
            ({"species": "robin", "count": "3", "where": "AB"},
             'question "where": the answer needs at least 3 characters'),
            ({"species": "robin", "count": "3", "nope": "x"}, 'the form has no question "nope"'),
            ({"species": {"OtherSelectionText": ""}, "count": "3"}, "OtherSelectionText is empty"),
        ]
        for answers, msg in bad:
            e = self.err("SubmitAssignment", {"AssignmentId": aid, "Answers": answers},
                         w["token"], 400)
            self.assertIn(msg, e["message"])
        self.assertEqual(self.ok("GetMyAssignment", {"AssignmentId": aid},
                                 w["token"])["Assignment"]["AssignmentStatus"], "Accepted")
        self.assertEqual(self.mt.list_assignments_for_hit(HITId=hid)["NumResults"], 0)

        self.submit(w["token"], aid, {"species": "crow", "colours": ["red", "blue"],
                                      "count": "4", "where": "AB1 2CD"})
        w2 = self.srv.worker("w2")
        a2 = self.accept(w2["token"], hit_id=hid)
        self.submit(w2["token"], a2["AssignmentId"],
                    {"species": {"OtherSelectionText": "Gr\u00fcnspecht <3"}, "count": 2})

        got = self.mt.get_assignment(AssignmentId=aid)["Assignment"]["Answer"]
        self.assertEqual(
            got,
            '<?xml version="1.0" encoding="ASCII"?><QuestionFormAnswers xmlns="%s">'
            "<Answer><QuestionIdentifier>species</QuestionIdentifier>"
            "<SelectionIdentifier>crow</SelectionIdentifier></Answer>"
            "<Answer><QuestionIdentifier>colours</QuestionIdentifier>"
            "<SelectionIdentifier>red</SelectionIdentifier>"
            "<SelectionIdentifier>blue</SelectionIdentifier></Answer>"
            "<Answer><QuestionIdentifier>count</QuestionIdentifier><FreeText>4</FreeText></Answer>"
            "<Answer><QuestionIdentifier>where</QuestionIdentifier><FreeText>AB1 2CD</FreeText>"
            "</Answer></QuestionFormAnswers>" % ANSWERS_NS)
        listed = {x["AssignmentId"]: x["Answer"]
                  for x in self.mt.list_assignments_for_hit(HITId=hid)["Assignments"]}
        self.assertEqual(listed[aid], got)
        self.assertIn("<Answer><QuestionIdentifier>species</QuestionIdentifier>"
                      "<OtherSelectionText>Gr&#252;nspecht &lt;3</OtherSelectionText></Answer>",
                      listed[a2["AssignmentId"]])
        self.assertIn("<FreeText>2</FreeText>", listed[a2["AssignmentId"]])

    def test_hostile_and_malformed_forms_refused(self):
        before = self.mt.list_hits()["NumResults"]
        bal = self.mt.get_account_balance()["AvailableBalance"]
        cases = [
            ("<QuestionForm xmlns='%s'><Overview>" % NS17, "not well-formed"),
            ('<!DOCTYPE QuestionForm [<!ENTITY e "boom">]><QuestionForm xmlns="%s">'
             "<Overview><Text>&e;</Text></Overview></QuestionForm>" % NS17, "DOCTYPE"),
            ('<!DOCTYPE QuestionForm SYSTEM "file:///etc/passwd"><QuestionForm xmlns="%s"/>'
             % NS17, "DOCTYPE"),
            ("<QuestionForm xmlns='%s'><Overview><Text>&e;</Text></Overview></QuestionForm>"
             % NS17, "not well-formed"),
            ("<QuestionForm xmlns='%s'><Overview><Marquee>x</Marquee></Overview></QuestionForm>"
             % NS17, "<Overview> does not allow <Marquee>"),
            ("<QuestionForm xmlns='%s'><Overview><Application><JavaApplet/></Application>"
             "</Overview></QuestionForm>" % NS05, "<Application> is not supported"),
            (FORM.replace("<FreeTextAnswer><Constraints>\n   <IsNumeric",
                          "<FreeTextAnswer/><FreeTextAnswer><Constraints>\n   <IsNumeric"),
             "AnswerSpecification holds exactly one answer element"),
            ("<QuestionForm xmlns='urn:not-mturk'/>", "QuestionForm must have xmlns="),
        ]
        for xml, msg in cases:
            r = self.error_of(self.new_hit, Question=xml)
            self.assertEqual(r["TurkErrorCode"], "AWS.MechanicalTurk.XMLParseError", xml)
            self.assertIn(msg, r["Error"]["Message"])
        self.assertEqual(self.mt.list_hits()["NumResults"], before)
        self.assertEqual(self.mt.get_account_balance()["AvailableBalance"], bal)

    def test_costly_regex_refused(self):
        """Patterns that would stall glibc's regcomp/regexec are refused before regcomp
        runs, naming the question; nothing is created."""
        before = self.mt.list_hits()["NumResults"]
        bal = self.mt.get_account_balance()["AvailableBalance"]
        quals = len(self.mt.list_qualification_types(
            MustBeRequestable=False, MustBeOwnedByCaller=True)["QualificationTypes"])
        rx_form = FORM.replace('regex="^[A-Z0-9 ]+$"', 'regex="%s"')
        cases = [
            ("((a{1,100}){1,100}){1,100}", "expands to more than 1000 elements"),
            ("(((a{1,200}){1,200}){1,200})", "expands to more than 1000 elements"),
            ("^(.*)(.*)(.*)(.*)(.*)\\5\\4\\3\\2\\1x$", "may not use back-references"),
            ("[]](a{1,255}){255}", "expands to more than 1000 elements"),
            ("a{1,1000}", "the limit is 255"),
        ]
        for rx, msg in cases:
            r = self.error_of(self.new_hit, Question=rx_form % rx)
            self.assertEqual(r["TurkErrorCode"], "AWS.MechanicalTurk.XMLParseError", rx)
            self.assertIn('question "where"', r["Error"]["Message"])
            self.assertIn(msg, r["Error"]["Message"])
            r = self.error_of(self.mt.create_qualification_type, Name="Quiz " + rx,
                              Description="q", QualificationTypeStatus="Active",
                              Test=rx_form % rx, TestDurationInSeconds=600)
            self.assertIn(msg, r["Error"]["Message"])
        self.assertEqual(self.mt.list_hits()["NumResults"], before)
        self.assertEqual(self.mt.get_account_balance()["AvailableBalance"], bal)
        self.assertEqual(len(self.mt.list_qualification_types(
            MustBeRequestable=False, MustBeOwnedByCaller=True)["QualificationTypes"]), quals)
        # a realistic pattern is still taken
        hit = self.new_hit(Question=rx_form % "^[A-Z]{2}[0-9]{6}$")
        self.assertEqual(hit["Question"], rx_form % "^[A-Z]{2}[0-9]{6}$")

    def post(self, url, body, ctype):
        """POSTs a form to this server's url, as a browser would: (status, page text)."""
        self.assertTrue(urllib.parse.urlsplit(url).netloc, url)
        status, _, page = self.http("POST", url, body, {"Content-Type": ctype})
        return status, html.unescape(page.decode("utf-8"))

    def test_form_posted_by_a_browser(self):
        """The rendered form's own fields, posted to its SubmitURL: radio and checkbox
        values become SelectionIdentifiers, the other-text field OtherSelectionText."""
        hid = self.new_hit(Question=FORM)["HITId"]
        w = self.srv.worker("w1")
        aid = self.accept(w["token"], hit_id=hid)["AssignmentId"]
        task = self.ok("GetMyAssignment", {"AssignmentId": aid}, w["token"])["Task"]
        form = urllib.parse.urlencode([("assignmentId", aid), ("species", ""),
                                       ("species.OtherSelectionText", "heron"),
                                       ("colours", "red"), ("colours", "black"),
                                       ("count", "25"), ("where", "")])
        code, page = self.post(task["SubmitURL"], form, "application/x-www-form-urlencoded")
        self.assertEqual(code, 400, page)
        self.assertIn("the answer must be at most 20", page)
        self.assertEqual(self.mt.list_assignments_for_hit(HITId=hid)["NumResults"], 0)
        code, page = self.post(task["SubmitURL"], form.replace("count=25", "count=2"),
                               "application/x-www-form-urlencoded")
        self.assertEqual(code, 200, page)
        ans = self.mt.get_assignment(AssignmentId=aid)["Assignment"]["Answer"]
        for part in ("<Answer><QuestionIdentifier>species</QuestionIdentifier>"
                     "<OtherSelectionText>heron</OtherSelectionText></Answer>",
                     "<Answer><QuestionIdentifier>colours</QuestionIdentifier>"
                     "<SelectionIdentifier>red</SelectionIdentifier>"
                     "<SelectionIdentifier>black</SelectionIdentifier></Answer>",
                     "<Answer><QuestionIdentifier>count</QuestionIdentifier>"
                     "<FreeText>2</FreeText></Answer>"):
            self.assertIn(part, ans)
        self.assertEqual(ans.count("<Answer>"), 3, ans)

    def test_file_upload_answers(self):
        form = ("<QuestionForm xmlns='%s'><Question><QuestionIdentifier>photo"
                "</QuestionIdentifier><QuestionContent><Text>Upload</Text></QuestionContent>"
                "<AnswerSpecification><FileUploadAnswer><MaxFileSizeInBytes>5000"
                "</MaxFileSizeInBytes><MinFileSizeInBytes>1</MinFileSizeInBytes>"
                "</FileUploadAnswer></AnswerSpecification></Question></QuestionForm>" % NS05)
        hid = self.new_hit(Question=form)["HITId"]
        w = self.srv.worker("w1")
        aid = self.accept(w["token"], hit_id=hid)["AssignmentId"]
        task = self.ok("GetMyAssignment", {"AssignmentId": aid}, w["token"])["Task"]
        self.assertIn('enctype="multipart/form-data"', task["Content"])
        # A file over the form's MaxFileSizeInBytes is refused, and nothing is stored.
        body, ctype = multipart([("assignmentId", aid)],
                                [("photo", "big.png", "image/png", b"x" * 9000)])
        code, page = self.post(task["SubmitURL"], body, ctype)
        self.assertEqual(code, 400, page)
        self.assertIn('question "photo": the file must have 1 to 5000 bytes', page)
        self.assertEqual(self.ok("GetMyAssignment", {"AssignmentId": aid},
                                 w["token"])["Assignment"]["AssignmentStatus"], "Accepted")
        # A native submission cannot name a file that was never uploaded.
        e = self.err("SubmitAssignment", {"AssignmentId": aid, "Answers": {"photo": {
            "UploadedFileKey": "k1", "UploadedFileSizeInBytes": 1234}}}, w["token"], 400)
        self.assertIn("not uploaded with this assignment", e["message"])
        body, ctype = multipart([("assignmentId", aid)],
                                [("photo", "bird.png", "image/png", b"\x89PNG" + b"y" * 1230)])
        code, page = self.post(task["SubmitURL"], body, ctype)
        self.assertEqual(code, 200, page)
        ans = self.mt.get_assignment(AssignmentId=aid)["Assignment"]["Answer"]
        self.assertRegex(ans, "<Answer><QuestionIdentifier>photo</QuestionIdentifier>"
                              "<UploadedFileSizeInBytes>1234</UploadedFileSizeInBytes>"
                              "<UploadedFileKey>[0-9A-Z]{30}</UploadedFileKey></Answer>")
        url = self.mt.get_file_upload_url(AssignmentId=aid,
                                          QuestionIdentifier="photo")["FileUploadURL"]
        self.assertIn("/mturk/upload/", url)
        # the 2017-11-06 schema has no FileUploadAnswer
        r = self.error_of(self.new_hit, Question=form.replace("2005-10-01", "2017-11-06"))
        self.assertIn("FileUploadAnswer is only in the 2005-10-01", r["Error"]["Message"])


class Layouts(MTurkCase):
    error_of = QuestionForms.error_of

    def hit_args(self, **kw):
        args = dict(Title="Label", Description="Label the text", Reward="0.10",
                    AssignmentDurationInSeconds=600, LifetimeInSeconds=3600)
        args.update(kw)
        return args

    def test_layouts_native_then_boto3(self):
        tok = self.rq["token"]
        page = ("<html><body><p>Is <b>${text}</b> about ${topic}? $$5 ${text}</p>"
                "<form><input name='label'></form></body></html>")
        made = self.ok("CreateHITLayout", {"Name": "Topic check", "Content": page,
                                           "FrameHeight": 400}, tok)
        lid = made["HITLayoutId"]
        self.assertRegex(lid, r"^[A-Z0-9]{30}$")
        self.assertEqual(made["HITLayout"]["ParameterNames"], ["text", "topic"])
        got = self.ok("GetHITLayout", {"HITLayoutId": lid}, tok)["HITLayout"]
        self.assertEqual((got["Name"], got["Content"], got["FrameHeight"]),
                         ("Topic check", page, 400))
        lid2 = self.ok("CreateHITLayout", {"Name": "Other", "Content": "<p>${x}</p>"},
                       tok)["HITLayoutId"]
        first = self.ok("ListHITLayouts", {"MaxResults": 1}, tok)
        self.assertEqual(first["NumResults"], 1)
        self.assertEqual(first["HITLayouts"][0]["HITLayoutId"], lid)
        second = self.ok("ListHITLayouts", {"MaxResults": 1, "NextToken": first["NextToken"]},
                         tok)
        self.assertEqual([x["HITLayoutId"] for x in second["HITLayouts"]], [lid2])
        self.assertNotIn("NextToken", second)
        for body, msg in [
            ({"Name": "", "Content": "<p/>"}, "Name must be"),
            ({"Name": "x", "Content": "  "}, "Content must be a non-empty"),
            ({"Name": "x", "Content": "<p>${bad name}</p>"}, "is not a valid placeholder"),
            ({"Name": "x", "Content": "<p>${open</p>"}, "is not closed"),
            ({"Name": "x", "Content": "<p/>", "FrameHeight": -1}, "FrameHeight"),
        ]:
            self.assertIn(msg, self.err("CreateHITLayout", body, tok, 400)["message"])

        hit = self.mt.create_hit(**self.hit_args(
            HITLayoutId=lid, HITLayoutParameters=[
                {"Name": "text", "Value": "<script>alert('x')</script> & co"},
                {"Name": "topic", "Value": "sport"}]))["HIT"]
        self.assertEqual(hit["HITLayoutId"], lid)
        self.assertIn("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co", hit["Question"])
        self.assertNotIn("<script>", hit["Question"])
        self.assertIn("about sport? $5", hit["Question"])
        self.assertIn("<FrameHeight>400</FrameHeight>", hit["Question"])
        again = self.mt.get_hit(HITId=hit["HITId"])["HIT"]
        self.assertEqual((again["HITLayoutId"], again["Question"]), (lid, hit["Question"]))
        listed = [h for h in self.mt.list_hits()["HITs"] if h["HITId"] == hit["HITId"]]
        self.assertEqual(listed[0]["HITLayoutId"], lid)
        type_id = hit["HITTypeId"]
        h2 = self.mt.create_hit_with_hit_type(
            HITTypeId=type_id, LifetimeInSeconds=600, HITLayoutId=lid2,
            HITLayoutParameters=[{"Name": "x", "Value": "y"}])["HIT"]
        self.assertEqual(h2["HITLayoutId"], lid2)

        # the worker gets the filled page
        w = self.srv.worker("w1")
        aid = self.accept(w["token"], hit_id=hit["HITId"])["AssignmentId"]
        task = self.ok("GetMyAssignment", {"AssignmentId": aid}, w["token"])["Task"]
        self.assertEqual(task["QuestionType"], "HTMLQuestion")
        self.assertIn("about sport?", task["Content"])

        before = self.mt.list_hits()["NumResults"]
        bal = self.mt.get_account_balance()["AvailableBalance"]
        bad = [
            (dict(HITLayoutId=lid, HITLayoutParameters=[{"Name": "text", "Value": "a"}]),
             "${topic}"),
            (dict(HITLayoutId=lid), "${text}"),
            (dict(HITLayoutId=lid, HITLayoutParameters=[
                {"Name": "text", "Value": "a"}, {"Name": "topic", "Value": "b"},
                {"Name": "extra", "Value": "c"}]), "names extra, which HIT layout"),
            (dict(HITLayoutId=lid, HITLayoutParameters=[
                {"Name": "text", "Value": "a"}, {"Name": "text", "Value": "b"},
                {"Name": "topic", "Value": "b"}]), "names text twice"),
            (dict(HITLayoutId=lid, Question=FORM), "exactly one of Question and HITLayoutId"),
            (dict(), "exactly one of Question and HITLayoutId"),
            (dict(HITLayoutId="NOSUCHLAYOUT1"), "does not exist"),
        ]
        for kw, msg in bad:
            r = self.error_of(self.mt.create_hit, **self.hit_args(**kw))
            self.assertIn(msg, r["Error"]["Message"])
        r = self.error_of(self.mt.create_hit, **self.hit_args(HITLayoutId="NOSUCHLAYOUT1"))
        self.assertEqual(r["TurkErrorCode"], "AWS.MechanicalTurk.HITLayoutDoesNotExist")

        # another requester can neither see nor use the layout
        other = self.srv.requester("Other Lab", deposit="10.00")
        self.err("GetHITLayout", {"HITLayoutId": lid}, other["token"], 404)
        self.assertEqual(self.ok("ListHITLayouts", {}, other["token"])["NumResults"], 0)
        mt2 = self.client_for(other)
        r = self.error_of(mt2.create_hit, **self.hit_args(
            HITLayoutId=lid, HITLayoutParameters=[{"Name": "text", "Value": "a"},
                                                  {"Name": "topic", "Value": "b"}]))
        self.assertEqual(r["TurkErrorCode"], "AWS.MechanicalTurk.HITLayoutDoesNotExist")
        self.err("DeleteHITLayout", {"HITLayoutId": lid}, other["token"], 404)

        self.assertEqual(self.mt.list_hits()["NumResults"], before)
        self.assertEqual(self.mt.get_account_balance()["AvailableBalance"], bal)

        # deleted: gone for new HITs, still named by the HITs made from it
        self.ok("DeleteHITLayout", {"HITLayoutId": lid}, tok)
        self.err("GetHITLayout", {"HITLayoutId": lid}, tok, 404)
        self.assertEqual(self.mt.get_hit(HITId=hit["HITId"])["HIT"]["HITLayoutId"], lid)
        r = self.error_of(self.mt.create_hit, **self.hit_args(
            HITLayoutId=lid, HITLayoutParameters=[{"Name": "text", "Value": "a"},
                                                  {"Name": "topic", "Value": "b"}]))
        self.assertEqual(r["TurkErrorCode"], "AWS.MechanicalTurk.HITLayoutDoesNotExist")


if __name__ == "__main__":
    unittest.main()
