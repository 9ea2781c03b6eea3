"""Readiness of a web pod: Streamlit answers its health check AND Redis answers PING.

The template runs a workflow inside the web process when Redis is unreachable. In a cluster
that must never happen, so a pod that cannot reach Redis is taken out of the Service and
receives no new sessions.

Runs beside Streamlit for the life of the container (entrypoint-web.sh starts it) and answers
the kubelet on OPENMS_K8S_PROBE_PORT: /ready is both checks, /live Streamlit's alone (the
liveness probe: a helper that stopped answering restarts the container with it).
"""

import os
import sys
import urllib.request

from health_http import DEFAULT_PORT, make_server
from redis import Redis


def streamlit_problem(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=3) as resp:
            return "" if resp.status == 200 else f"streamlit health: HTTP {resp.status}"
    except OSError as exc:
        return f"streamlit health: {exc}"


def checker(streamlit_port, redis):
    def check(path):
        problem = streamlit_problem(streamlit_port)
        if problem or path.startswith("/live"):
            return problem
        try:
            redis.ping()
        except Exception as exc:  # any Redis failure means: not ready
            return f"redis: {exc}"
        return ""

    return check


def main():
    redis = Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=3, socket_timeout=3)
    check = checker(os.environ.get("STREAMLIT_SERVER_PORT", "8501"), redis)
    make_server(os.environ.get("OPENMS_K8S_PROBE_PORT", DEFAULT_PORT), check).serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
