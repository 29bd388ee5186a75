"""A local stand-in for the GitHub and GitLab REST APIs that mlci posts to.

It checks every request as the real API defines it (method, path, auth and version headers,
JSON body) and answers like the real one; anything else gets 400 and is recorded as a
violation. State and a request log are written to STATE (JSON) after every request.

usage: forge_server.py github|gitlab TOKEN STATE
environment: FORGE_FAIL=<status> answers every request with that status;
             FORGE_FLAKY=<n> answers the first n requests 503 (Retry-After: 0);
             FORGE_SEED=<n> starts with n comments, the marker comment in the second page.
"""
import json, os, re, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

MODE, TOKEN, STATE = sys.argv[1], sys.argv[2], sys.argv[3]
MARKER = "<!-- mlci:report -->"
lock = threading.Lock()
state = {"comments": [], "statuses": [], "log": [], "violations": [], "next_id": 1000}
flaky = int(os.environ.get("FORGE_FLAKY", "0"))
for i in range(int(os.environ.get("FORGE_SEED", "0"))):
    body = f"{MARKER}\nold report" if i == 120 else f"a reviewer's comment {i}"
    state["comments"].append({"id": state["next_id"], "body": body})
    state["next_id"] += 1

ERRORS = {401: "Bad credentials", 403: "Resource not accessible by integration", 404: "Not Found",
          422: "Validation Failed", 500: "Server Error"}
if MODE == "github":
    ROUTES = [("GET", r"/repos/([\w.-]+)/([\w.-]+)/issues/(\d+)/comments", "list"),
              ("POST", r"/repos/([\w.-]+)/([\w.-]+)/issues/(\d+)/comments", "create"),
              ("PATCH", r"/repos/([\w.-]+)/([\w.-]+)/issues/comments/(\d+)", "update"),
              ("POST", r"/repos/([\w.-]+)/([\w.-]+)/statuses/([0-9a-f]{40})", "status")]
else:
    ROUTES = [("GET", r"/api/v4/projects/([^/]+)/merge_requests/(\d+)/notes", "list"),
              ("POST", r"/api/v4/projects/([^/]+)/merge_requests/(\d+)/notes", "create"),
              ("PUT", r"/api/v4/projects/([^/]+)/merge_requests/(\d+)/notes/(\d+)", "update"),
              ("POST", r"/api/v4/projects/([^/]+)/statuses/([0-9a-f]{40})", "status")]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, payload, headers=()):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def violation(self, text):
        state["violations"].append(f"{self.command} {self.path}: {text}")
        self.answer(400, {"message": text})

    def handle_any(self):
        global flaky
        with lock:
            try:
                self.serve()
            finally:
                with open(STATE + ".tmp", "w") as f:
                    json.dump(state, f)
                os.replace(STATE + ".tmp", STATE)

    def serve(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        entry = {"method": self.command, "path": url.path, "query": parse_qs(url.query)}
        state["log"].append(entry)
        global flaky
        if flaky > 0:
            flaky -= 1
            return self.answer(503, {"message": "try again"}, [("Retry-After", "0")])
        if "FORGE_FAIL" in os.environ:
            status = int(os.environ["FORGE_FAIL"])
            message = ERRORS.get(status, "error")
            if status == 422:
                message = "Validation Failed: body is too long (maximum is 65536 characters)"
            return self.answer(status, {"message": message})
        if MODE == "github":
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self.answer(401, {"message": "Bad credentials"})
            if self.headers.get("Accept") != "application/vnd.github+json":
                return self.violation("Accept must be application/vnd.github+json")
            if self.headers.get("X-GitHub-Api-Version") != "2022-11-28":
                return self.violation("X-GitHub-Api-Version must be 2022-11-28")
        elif self.headers.get("PRIVATE-TOKEN") != TOKEN:
            return self.answer(401, {"message": "401 Unauthorized"})
        if not self.headers.get("User-Agent"):
            return self.violation("a User-Agent is required")
        route = next(((kind, m) for method, pattern, kind in ROUTES
                      if method == self.command and (m := re.fullmatch(pattern, url.path))), None)
        if route is None:
            return self.answer(404, {"message": "Not Found"})
        kind, match = route
        body = None
        if self.command != "GET":
            if self.headers.get("Content-Type") != "application/json":
                return self.violation("Content-Type must be application/json")
            try:
                body = json.loads(raw)
            except ValueError:
                return self.violation("the body is not JSON")
        entry["body"] = body
        if kind == "list":
            query = parse_qs(url.query)
            per_page, page = int(query.get("per_page", ["30"])[0]), int(query.get("page", ["1"])[0])
            if per_page > 100:
                return self.violation("per_page is at most 100")
            items = state["comments"][(page - 1) * per_page:page * per_page]
            return self.answer(200, [{"id": c["id"], "body": c["body"]} for c in items])
        if kind in ("create", "update"):
            if set(body) != {"body"} or not isinstance(body["body"], str) or not body["body"]:
                return self.violation("a comment takes exactly one non-empty string: body")
            if MODE == "github" and len(body["body"]) > 65536:
                return self.answer(422, {"message": "Validation Failed"})
            if kind == "create":
                comment = {"id": state["next_id"], "body": body["body"]}
                state["next_id"] += 1
                state["comments"].append(comment)
                return self.answer(201, comment)
            target = int(match.groups()[-1])
            for comment in state["comments"]:
                if comment["id"] == target:
                    comment["body"] = body["body"]
                    return self.answer(200, comment)
            return self.answer(404, {"message": "Not Found"})
        states = {"error", "failure", "pending", "success"} if MODE == "github" else \
                 {"pending", "running", "success", "failed", "canceled", "skipped"}
        name_key = "context" if MODE == "github" else "name"
        if body.get("state") not in states or not isinstance(body.get(name_key), str):
            return self.violation(f"a status needs state in {sorted(states)} and {name_key}")
        if not set(body) <= {"state", name_key, "description", "target_url", "ref", "pipeline_id", "coverage"}:
            return self.violation(f"unknown status fields {sorted(body)}")
        if MODE == "github" and len(body.get("description", "")) > 140:
            return self.violation("description is at most 140 characters")
        state["statuses"].append({"sha": match.groups()[-1], **body})
        return self.answer(201, {"id": len(state["statuses"]), **body})

    do_GET = do_POST = do_PATCH = do_PUT = handle_any


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(STATE, "w") as f:
    json.dump(state, f)
with open(STATE + ".port.tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.replace(STATE + ".port.tmp", STATE + ".port")
server.serve_forever()
