"""Answer every GET with the name of the pod that served it."""

import http.server
import json
import os
import socket


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        body = json.dumps({"pod": os.environ.get("POD_NAME", socket.gethostname()), "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("", int(os.environ.get("PORT", "8080"))), Handler).serve_forever()
