"""Serves the churn model over HTTP with the standard library and numpy only.

GET /health answers 200 once the model is loaded; POST /predict takes
{"rows": [[f1, f2, ...], ...]} and answers {"churn_probability": [...]}.
The model is plain arrays (models/model.npz), loaded with allow_pickle=False.
"""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

MODEL = np.load(os.environ.get("MLCI_MODEL_PATH", "models/model.npz"), allow_pickle=False)


class Handler(BaseHTTPRequestHandler):
    def _answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            self._answer(200, {"status": "ok"})
        else:
            self._answer(404, {"error": "not found"})

    def do_POST(self):
        if self.path != "/predict":
            return self._answer(404, {"error": "not found"})
        try:
            length = min(int(self.headers.get("Content-Length", "0")), 1 << 20)
            rows = np.asarray(json.loads(self.rfile.read(length))["rows"], dtype=float)
            x = (rows - MODEL["mean"]) / MODEL["std"]
            p = 1 / (1 + np.exp(-(x @ MODEL["w"] + MODEL["b"][0])))
            self._answer(200, {"churn_probability": p.tolist()})
        except (ValueError, KeyError, TypeError) as error:
            self._answer(400, {"error": str(error)})


if __name__ == "__main__":
    ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8080"))), Handler).serve_forever()
