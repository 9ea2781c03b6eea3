"""Liveness of this container's RQ worker: its Redis key must carry a recent heartbeat.

The entrypoint writes the worker's name to /tmp/rq-worker-name. Exits non-zero when the
worker never registered, its key expired (the process died or hangs) or its last heartbeat
is older than RQ_LIVENESS_MAX_AGE seconds.
"""

import os
import sys
import time
from datetime import UTC

from redis import Redis


def main():
    try:
        name = open("/tmp/rq-worker-name").read().strip()
    except OSError:
        print("worker has not started yet")
        return 1
    max_age = float(os.environ.get("RQ_LIVENESS_MAX_AGE", "120"))
    redis = Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=5, socket_timeout=5)
    beat = redis.hget(f"rq:worker:{name}", "last_heartbeat")
    if beat is None:
        print(f"worker {name} is not registered in Redis")
        return 1
    from datetime import datetime

    text = beat.decode()
    try:
        seen = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if seen.tzinfo is None:
            seen = seen.replace(tzinfo=UTC)
        age = time.time() - seen.timestamp()
    except ValueError:
        age = time.time() - float(text)
    if age > max_age:
        print(f"worker {name}: last heartbeat {age:.0f}s ago")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
