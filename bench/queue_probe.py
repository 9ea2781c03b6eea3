"""Run inside a worker pod with the app's Python and RQ (the Redis URL stays in the pod): K jobs of
`time.sleep(S)` (waiting, as I/O does) enqueued at once, then N single jobs one after another
on idle workers (argv: K S N and the queue); prints one line `bench-result <json>` with each
job's enqueue, start and end."""

import json
import os
import sys
import time

from redis import Redis
from rq import Queue

K, S, N, QUEUE = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
redis = Redis.from_url(os.environ.get("RQ_REDIS_URL") or os.environ["REDIS_URL"])
queue = Queue(QUEUE, connection=redis)


def wait(jobs, limit):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        for job in jobs:
            job.refresh()
        statuses = [job.get_status(refresh=False) for job in jobs]
        if all(status in ("finished", "failed") for status in statuses):
            return statuses
        time.sleep(0.05)
    raise SystemExit(f"jobs not finished within {limit} s")


def times(job):
    return [job.enqueued_at.timestamp(), job.started_at.timestamp(), job.ended_at.timestamp()]


batch = [queue.enqueue("time.sleep", S, result_ttl=600) for _ in range(K)]
batch_statuses = wait(batch, 60 + K * S * 3)
single = []
for _ in range(N):
    job = queue.enqueue("time.sleep", 0, result_ttl=600)
    single.append((job, wait([job], 30)[0]))
print(
    "bench-result",
    json.dumps(
        {
            "batch": [times(job) for job in batch],
            "batch_failed": batch_statuses.count("failed"),
            "single": [times(job) for job, _ in single],
            "single_failed": [status for _, status in single].count("failed"),
        }
    ),
)
for job in batch + [job for job, _ in single]:
    job.delete()
