"""The kubelet's probes answered over HTTP by a process that is already running.

An exec probe starts a Python interpreter and imports redis and rq in the pod, every 10 to 30 s
in every pod; an HTTP probe costs the pod one request to a thread that waits between probes.
The web pod's readiness helper (web_ready.py) and the worker (rq_k8s_worker.py) serve one.

    server = make_server(port, check)   # check() returns "" when healthy, else why not
    server.serve_forever()              # or in a daemon thread
"""

import http.server

# The port both serve on: the pod templates set OPENMS_K8S_PROBE_PORT (streamlit_k8s_probe_port)
DEFAULT_PORT = 9476


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        try:
            problem = self.server.check(self.path)
        except Exception as exc:  # a check that breaks says so, as a failed probe
            problem = f"{type(exc).__name__}: {exc}"
        body = f"{problem or 'ok'}\n".encode()
        self.send_response(503 if problem else 200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        """Probes every few seconds: not worth a log line each."""


def make_server(port, check, address="0.0.0.0"):
    """An HTTP server on port whose every GET answers 200 when check(path) returns "", else 503
    with its text."""
    server = http.server.ThreadingHTTPServer((address, int(port)), _Handler)
    server.daemon_threads = True
    server.check = check
    return server
