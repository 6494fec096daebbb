#!/usr/bin/env bash
# bench/run.sh: the end-to-end benchmark. Builds tessera and bench/loadgen, creates a
# throwaway database with one requester and WORKERS worker accounts, serves it on a free
# 127.0.0.1 port, posts enough HITs, runs loadgen (accept -> submit cycles), then stops
# the server it started, runs `tessera admin check` on the database and removes the temp
# dir. With MTURK_OP set it measures the MTurk door instead: one requester with one access
# key (tessera admin key-create), requests signed with botocore's SigV4 signer and sent
# by loadgen --requests. See docs/bench.md.
#
# Environment (defaults in brackets):
#   WORKERS [64]        simulated workers (connections)
#   ACCOUNTS [WORKERS, at most 256]  worker accounts created; worker i uses token i % ACCOUNTS
#   DURATION [10]       measured seconds        WARMUP [1]   unmeasured seconds before
#   MAX_CYCLES []       also stop after this many measured cycles
#   BATCHES [3]         CreateBatch calls       ROWS [20000] HITs per batch
#   MAX_ASSIGNMENTS [3] assignments per HIT     DEPOSIT [100000.00] requester balance
#   KEEP [0]            1: keep the temp dir (database, server log) and print its path
#   TESSERA [build/tessera]  the server binary (another build, to compare)
#   MTURK_OP []         GetAccountBalance (a read: WORKERS signed requests, each sent
#                       again and again) or CreateHITType (a write: SIGNED requests, each
#                       signed apart and sent once, since a signed write takes effect once)
#   SIGNED [120000]     with MTURK_OP=CreateHITType: how many requests to sign
set -euo pipefail

cd "$(dirname "$0")/.."

WORKERS=${WORKERS:-64}
if [ -z "${ACCOUNTS:-}" ]; then
    ACCOUNTS=$(( WORKERS < 256 ? WORKERS : 256 ))
fi
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-1}
MAX_CYCLES=${MAX_CYCLES:-}
BATCHES=${BATCHES:-3}
ROWS=${ROWS:-20000}
MAX_ASSIGNMENTS=${MAX_ASSIGNMENTS:-3}
DEPOSIT=${DEPOSIT:-100000.00}
KEEP=${KEEP:-0}
TESSERA=${TESSERA:-build/tessera}
MTURK_OP=${MTURK_OP:-}
SIGNED=${SIGNED:-120000}
LOADGEN=build/bench/loadgen

say() { printf 'bench: %s\n' "$*" >&2; }

make -s all build/bench/loadgen
case "$MTURK_OP" in
    ""|GetAccountBalance|CreateHITType) ;;
    *) say "MTURK_OP must be GetAccountBalance or CreateHITType"; exit 2 ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tessera-bench.XXXXXX")
db="$tmp/bench.db"
server_pid=""

# shellcheck disable=SC2317  # called via trap
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true      # only the server this script started
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ "$KEEP" = 1 ]; then
        say "kept $tmp"
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Reads one JSON object per file and prints FIELD of each, one per line.
json_field() {
    python3 -c '
import json, sys
for path in sys.argv[2:]:
    with open(path) as f:
        print(json.load(f)[sys.argv[1]])
' "$@"
}

# ---- accounts
[ -n "$MTURK_OP" ] && ACCOUNTS=0
say "creating 1 requester and $ACCOUNTS worker accounts in $db"
"$TESSERA" admin --db "$db" requester-create bench-requester >"$tmp/requester.json"
requester_id=$(json_field id "$tmp/requester.json")
requester_token=$(json_field token "$tmp/requester.json")
"$TESSERA" admin --db "$db" deposit "$requester_id" "$DEPOSIT" >/dev/null
"$TESSERA" admin --db "$db" key-create "$requester_id" >"$tmp/key.json"
mkdir "$tmp/workers"
for i in $(seq 1 "$ACCOUNTS"); do
    "$TESSERA" admin --db "$db" worker-create "bench-worker-$i" --country US \
        --password "bench-password-$i" >"$tmp/workers/$i.json"
done
[ -n "$MTURK_OP" ] || json_field token "$tmp"/workers/*.json >"$tmp/tokens"

# ---- server
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Every simulated worker connects from 127.0.0.1: allow them all from one address.
"$TESSERA" serve --db "$db" --listen "127.0.0.1:$port" \
    --max-connections-per-address $((WORKERS + 16)) >"$tmp/server.log" 2>&1 &
server_pid=$!
say "server pid $server_pid on 127.0.0.1:$port ($TESSERA)"
for _ in $(seq 1 100); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        say "server exited; its log:"; cat "$tmp/server.log" >&2; server_pid=""; exit 1
    fi
    if curl -fsS --noproxy '*' -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
curl -fsS --noproxy '*' -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz" ||
    { say "server not healthy after 10 s"; exit 1; }

# ---- the MTurk door: signed requests in a file, one after another (NUL between them)
if [ -n "$MTURK_OP" ]; then
    n=$WORKERS
    [ "$MTURK_OP" = GetAccountBalance ] || n=$SIGNED
    say "signing $n $MTURK_OP requests"
    python3 - "$port" "$tmp/key.json" "$MTURK_OP" "$n" "$tmp/requests" <<'PY'
import json, sys
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

port, key_path, op, n, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
key = json.load(open(key_path))
creds = Credentials(key["access_key_id"], key["secret_access_key"])
host = "127.0.0.1:%s" % port
with open(out, "wb") as f:
    for i in range(n):
        body = "{}" if op == "GetAccountBalance" else json.dumps(
            {"Title": "bench %d" % i, "Description": "bench", "Reward": "0.01",
             "AssignmentDurationInSeconds": 600})
        req = AWSRequest(method="POST", url="http://%s/" % host, data=body.encode(), headers={
            "X-Amz-Target": "MTurkRequesterServiceV20170117." + op,
            "Content-Type": "application/x-amz-json-1.1", "Host": host})
        SigV4Auth(creds, "mturk-requester", "us-east-1").add_auth(req)
        head = "POST / HTTP/1.1\r\n" + "".join("%s: %s\r\n" % kv for kv in req.headers.items())
        head += "Content-Length: %d\r\n\r\n" % len(body)
        f.write(head.encode() + body.encode() + b"\0")
PY
    args=(--port "$port" --requests "$tmp/requests")
    [ "$MTURK_OP" = GetAccountBalance ] || args+=(--once)
fi

# ---- work: BATCHES batches of ROWS HITs, all of one HIT type
[ -n "$MTURK_OP" ] || {
say "creating $BATCHES batches of $ROWS HITs (MaxAssignments $MAX_ASSIGNMENTS)"
hit_type=$(python3 - "$port" "$requester_token" "$BATCHES" "$ROWS" "$MAX_ASSIGNMENTS" <<'PY'
import json, sys, urllib.request
port, token, batches, rows, maxa = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy

def call(op, body):
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/{op}", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with opener.open(req, timeout=600) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        sys.exit(f"bench: {op} failed: HTTP {e.code}: {e.read().decode(errors='replace')}")

# A task page of realistic size (about 1.6 KB), like a typical image-labelling form.
form = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Label the image</title>
<style>body{font-family:sans-serif;max-width:720px;margin:auto}label{display:block;margin:4px 0}
.instructions{background:#f4f4f4;padding:8px;border-radius:4px}</style></head><body>
<div class="instructions"><p>Look at the picture below and choose the one label that fits it
best. If the picture does not load, or none of the labels fits, choose <b>Other</b> and say
why in the comment box. Please do not guess: a careful answer helps the research team that
asked for this data more than a fast one.</p><p>Who asks: the bench requester. What for:
training an image classifier. Expected time: 20 seconds.</p></div>
<img src="https://example.org/images/${text}.jpg" alt="image ${text}" width="640">
<form method="post"><fieldset><legend>What does the picture show?</legend>
<label><input type="radio" name="label" value="cat" required> Cat</label>
<label><input type="radio" name="label" value="dog"> Dog</label>
<label><input type="radio" name="label" value="bird"> Bird</label>
<label><input type="radio" name="label" value="horse"> Horse</label>
<label><input type="radio" name="label" value="other"> Other</label></fieldset>
<label>Comment (optional) <textarea name="comment" rows="2" cols="60"></textarea></label>
<input type="submit" value="Submit"></form></body></html>"""
question = ('<HTMLQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/'
            '2011-11-11/HTMLQuestion.xsd"><HTMLContent><![CDATA[' + form + ']]></HTMLContent>'
            '<FrameHeight>600</FrameHeight></HTMLQuestion>')
hit_type = None
for b in range(batches):
    body = {"LifetimeInSeconds": 86400, "MaxAssignments": maxa, "Question": question,
            "Format": "csv",
            "Rows": "text\n" + "".join(f"batch{b}-row{i}\n" for i in range(rows))}
    if hit_type is None:
        body.update({"Title": "Bench", "Description": "bench", "Reward": "0.01",
                     "AssignmentDurationInSeconds": 600, "AutoApprovalDelayInSeconds": 3600})
    else:
        body["HITTypeId"] = hit_type
    out = call("CreateBatch", body)
    hit_type = out["HITTypeId"]
    print(f"bench: batch {out['BatchId']}: {out['NumHITs']} HITs", file=sys.stderr)
print(hit_type)
PY
)
args=(--port "$port" --hit-type "$hit_type" --tokens "$tmp/tokens")
}

# ---- load
args+=(--workers "$WORKERS" --duration "$DURATION" --warmup "$WARMUP")
if [ -n "$MAX_CYCLES" ]; then
    args+=(--max-cycles "$MAX_CYCLES")
fi
say "loadgen ${args[*]}"
rc=0
"$LOADGEN" "${args[@]}" || rc=$?
if ! kill -0 "$server_pid" 2>/dev/null; then
    say "the server died during the run; its log:"; tail -n 50 "$tmp/server.log" >&2
    server_pid=""
    exit 1
fi

# ---- after: stop the server, show the executor's batching, check every invariant
kill "$server_pid"
wait "$server_pid" || true
server_pid=""
grep -h 'executor:' "$tmp/server.log" >&2 || true
if "$TESSERA" admin --db "$db" check >"$tmp/check.out" 2>&1; then
    say "tessera admin check: every invariant holds"
else
    say "tessera admin check FAILED:"; cat "$tmp/check.out" >&2
    rc=1
fi
exit "$rc"
