"""mturk_case.py: what the MTurk e2e files share. MTurkCase is an E2E test case whose
setUp also makes a requester ("Acme Research", $50.00) and a boto3 client `mt` pointed at
the server; client_for makes one for any account, error_of returns the error response of
a call that must fail, http sends one raw request. Clients sign a per-call id
(sign_invocation_id), so that identical calls within one second are distinct requests,
unless made with plain=True. Skipped when boto3 is missing.

Not a test file itself (run.py runs only test_*.py)."""
import http.client
import http.server
import threading
import unittest
import urllib.parse
import uuid

from harness import E2E



def serve_http(handler):
    """A threading HTTP server on a free 127.0.0.1 port with the request handler class
    handler, serving from a daemon thread; the caller shuts it down
    (`shutdown()`, `server_close()`). Returns the server; its port is
    `server_address[1]`."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


try:
    import boto3
    import botocore.config
    import botocore.exceptions
except ImportError:  # run.sh uses Debian's python3, which setup.sh gives boto3
    boto3 = None


def multipart(fields, files):
    """A multipart/form-data body: fields [(name, text)], files [(name, filename, type,
    bytes)]."""
    b = "tessera-" + uuid.uuid4().hex
    parts = []
    for name, value in fields:
        parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n"
                      % (b, name)).encode() + value.encode("utf-8") + b"\r\n")
    for name, filename, ctype, data in files:
        parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                      "Content-Type: %s\r\n\r\n" % (b, name, filename, ctype)).encode()
                     + data + b"\r\n")
    body = b"".join(parts) + ("--%s--\r\n" % b).encode()
    return body, "multipart/form-data; boundary=" + b


def sign_invocation_id(client):
    """Has the boto3 client sign the id botocore gives each call (amz-sdk-invocation-id,
    the same for every retry of the call), as the JS SDK does by default. Two identical
    calls within the same second are then two signed requests, where plain boto3 sends
    one signed request twice and the server carries out only the first (it takes the
    second for a replay: docs/mturk.md). Returns client."""
    def sign_id(request, **kw):
        retries = getattr(request, "context", {}).get("retries") or {}
        if "invocation-id" in retries and "amz-sdk-invocation-id" not in request.headers:
            request.headers["amz-sdk-invocation-id"] = retries["invocation-id"]
    client.meta.events.register("before-sign.mturk", sign_id)
    return client


@unittest.skipIf(boto3 is None, "boto3 is not installed (bash scripts/setup.sh)")
class MTurkCase(E2E):
    def setUp(self):
        super().setUp()
        self.rq = self.srv.requester("Acme Research", deposit="50.00")
        self.mt = self.client_for(self.rq)

    def client_for(self, acct, secret=None, plain=False):
        """A boto3 MTurk client for acct (secret overrides its secret key); no retries.
        It signs botocore's per-call id (sign_invocation_id), so that the suite's
        identical calls within one second stay distinct requests; plain=True gives
        boto3's own signing, where they are one signed request (the second refused as a
        replay)."""
        client = boto3.client(
            "mturk", region_name="us-east-1",
            endpoint_url="http://127.0.0.1:%d" % self.srv.port,
            aws_access_key_id=acct["access_key_id"],
            aws_secret_access_key=secret or acct["secret_access_key"],
            config=botocore.config.Config(retries={"max_attempts": 1}))
        return client if plain else sign_invocation_id(client)

    def error_of(self, fn, **kw):
        """fn(**kw) must raise botocore's ClientError; returns its response."""
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kw)
        return cm.exception.response

    def http(self, method, url, body=None, headers=None):
        """One request to this server; url may be absolute (then it must name this
        server). Returns (status, headers with lower-case names, bytes)."""
        u = urllib.parse.urlsplit(url)
        if u.netloc:
            self.assertEqual(u.netloc, "127.0.0.1:%d" % self.srv.port, url)
        path = u.path + ("?" + u.query if u.query else "")
        c = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=60)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            c.close()
