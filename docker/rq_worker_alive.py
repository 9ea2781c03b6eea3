"""Liveness of this container's RQ worker: its Redis key must carry a recent heartbeat.

The entrypoint writes the worker's name to RQ_WORKER_NAME_FILE (/tmp/rq-worker-name). Exits
non-zero when the worker never registered, its key expired (the process died or hangs) or its
last heartbeat is older than RQ_LIVENESS_MAX_AGE seconds. Reads the worker through RQ's own
API, so key names and timestamp formats follow the installed RQ (1.16 to 3.x).
"""

import os
import sys
from datetime import UTC, datetime

from redis import Redis
from rq.worker import Worker


def main():
    name_file = os.environ.get("RQ_WORKER_NAME_FILE", "/tmp/rq-worker-name")
    try:
        with open(name_file) as handle:
            name = handle.read().strip()
    except OSError:
        print("worker has not started yet")
        return 1
    max_age = float(os.environ.get("RQ_LIVENESS_MAX_AGE", "120"))
    redis = Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=5, socket_timeout=5)
    worker = Worker.find_by_key(Worker.redis_worker_namespace_prefix + name, connection=redis)
    if worker is None or worker.last_heartbeat is None:
        print(f"worker {name} is not registered in Redis")
        return 1
    beat = worker.last_heartbeat
    if beat.tzinfo is None:
        beat = beat.replace(tzinfo=UTC)
    age = (datetime.now(UTC) - beat).total_seconds()
    if age > max_age:
        print(f"worker {name}: last heartbeat {age:.0f}s ago")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
