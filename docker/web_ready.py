"""Readiness of a web pod: Streamlit answers its health check AND Redis answers PING.

The template runs a workflow inside the web process when Redis is unreachable. In a cluster
that must never happen, so a pod that cannot reach Redis is taken out of the Service and
receives no new sessions.
"""

import os
import sys
import urllib.request

from redis import Redis


def main():
    port = os.environ.get("STREAMLIT_SERVER_PORT", "8501")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=3) as resp:
            if resp.status != 200:
                print(f"streamlit health: HTTP {resp.status}")
                return 1
    except OSError as exc:
        print(f"streamlit health: {exc}")
        return 1
    try:
        Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=3, socket_timeout=3).ping()
    except Exception as exc:  # any Redis failure means: not ready
        print(f"redis: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
