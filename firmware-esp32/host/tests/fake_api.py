"""Stand-in for POST /api/v1/devices/{id}/data, for sim_smoke.sh.

Usage: fake_api.py PORT API_KEY LOG. Answers 201 for a new (device, msg_id), 200 for
a repeat, 401 for a wrong key, and appends "<device> <msg_id> new|dup" to LOG.
"""
import json
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, API_KEY, LOG = int(sys.argv[1]), sys.argv[2], sys.argv[3]
PATH = re.compile(r"/api/v1/devices/([^/]+)/data")
seen = set()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        match = PATH.fullmatch(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("X-API-Key") != API_KEY:
            return self.reply(401)
        if not match or self.headers.get("Content-Type") != "application/json":
            return self.reply(400)
        key = (match.group(1), json.loads(body)["msg_id"])
        duplicate = key in seen
        seen.add(key)
        with open(LOG, "a") as log:
            log.write("%s %d %s\n" % (key[0], key[1], "dup" if duplicate else "new"))
        self.reply(200 if duplicate else 201)

    def reply(self, status):
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
