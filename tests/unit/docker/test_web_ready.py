"""docker/web_ready.py as the web container runs it beside Streamlit: /ready answers 200 only
while Streamlit's health check and Redis's PING both answer, /live follows Streamlit alone."""

import http.server
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from conftest import REPO, free_port, rq_install

RQ_VERSION = "3.0.0"  # its redis client is what the helper imports


class Streamlit:
    """Streamlit's health endpoint, which a test can make fail."""

    def __init__(self):
        self.healthy = True
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                ok = self.path == "/_stcore/health" and outer.healthy
                self.send_response(200 if ok else 503)
                self.end_headers()
                self.wfile.write(b"ok" if ok else b"down")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def helper(request):
    """web_ready.py started against a Streamlit stand-in and the Redis URL the test gives."""
    started = []

    def start(redis_url):
        streamlit, port = Streamlit(), free_port()
        env = dict(
            os.environ,
            PYTHONPATH=os.pathsep.join([str(rq_install(RQ_VERSION)), str(REPO / "docker")]),
            REDIS_URL=redis_url,
            STREAMLIT_SERVER_PORT=str(streamlit.port),
            OPENMS_K8S_PROBE_PORT=str(port),
        )
        proc = subprocess.Popen([sys.executable, str(REPO / "docker/web_ready.py")], env=env)
        started.append((proc, streamlit))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        return streamlit, port

    yield start
    for proc, streamlit in started:
        proc.terminate()
        proc.wait(timeout=10)
        streamlit.server.shutdown()


def get(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
            return answer.status, answer.read().decode().strip()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode().strip()


def test_ready_needs_streamlit_and_redis(helper, redis_url):
    streamlit, port = helper(redis_url)
    assert get(port, "/ready") == (200, "ok")
    assert get(port, "/live") == (200, "ok")
    streamlit.healthy = False
    for path in ("/ready", "/live"):
        status, text = get(port, path)
        assert status == 503 and text.startswith("streamlit health:"), (path, status, text)


def test_without_redis_the_pod_is_live_but_not_ready(helper, redis_url):
    unreachable = redis_url.rsplit(":", 1)[0] + f":{free_port()}/0"
    _streamlit, port = helper(unreachable)
    status, text = get(port, "/ready")
    assert status == 503 and text.startswith("redis:"), (status, text)
    assert "unit-test-password" not in text
    assert get(port, "/live") == (200, "ok")
