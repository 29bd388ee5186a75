"""A local HTTP server that reports exactly what it received, for MLCIHTTP's tests.

usage: http_echo_server.py PORTFILE      (writes the port it listens on to PORTFILE)
  any method /echo          -> 200, JSON {method, path, query, headers (lower-cased), length, body_hex}
                               (?save=P writes the body to P and echoes only its first 64 bytes)
  GET /file?path=P&status=S -> status S (default 200), the bytes of file P
  GET /redirect             -> 302 to /file?path=... (same query)
  GET /slow                 -> sleeps 5 s before answering
"""
import json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if "save" in query:
            with open(query["save"], "wb") as f:
                f.write(body)
            body = body[:64]
        if url.path == "/echo":
            answer = json.dumps({"method": self.command, "path": url.path, "query": query,
                                 "headers": {k.lower(): v for k, v in self.headers.items()},
                                 "length": length, "body_hex": body.hex()}).encode()
            self.reply(200, answer, [("Content-Type", "application/json"), ("X-Echo", "yes")])
        elif url.path == "/file":
            with open(query["path"], "rb") as f:
                data = f.read()
            self.reply(int(query.get("status", "200")), data, [("Content-Type", "application/octet-stream")])
        elif url.path == "/redirect":
            self.reply(302, b"", [("Location", "/file?" + url.query)])
        elif url.path == "/slow":
            time.sleep(5)
            self.reply(200, b"late", [])
        else:
            self.reply(404, b"no such path", [])

    def reply(self, status, data, headers):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
