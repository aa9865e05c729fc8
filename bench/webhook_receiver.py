#!/usr/bin/env python3
"""A webhook receiver for bench/webhooks.sh: answers 204 and appends "<epoch ms> <webhook-id> <payload timestamp>"
per request to the file given as argv[2] (port argv[1]). Threaded, so slow writes do not serialise the senders."""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
out = open(sys.argv[2], "a", buffering=1)


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        now = time.time() * 1000
        try:
            ts = json.loads(body).get("timestamp", "")
        except ValueError:
            ts = ""
        with lock:
            out.write(f"{now:.1f} {self.headers.get('webhook-id')} {ts}\n")
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
