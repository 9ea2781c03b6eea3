"""Runs beside one RQ version (on its PYTHONPATH) for tests/unit/docker: prints JSON.

enqueue URL HOLD WORKFLOW_DIR     queue openms_k8s_probe.slow_workflow, print the job id
job URL JOB_ID                    the job's status, worker and failure text
ttl URL                           seconds until the started registry's entries expire
version                           the installed RQ's version
"""

import json
import sys
import time

QUEUE = "openms-workflows"


def connect(url):
    from redis import Redis

    return Redis.from_url(url)


def enqueue(url, hold, workflow_dir):
    from rq import Queue

    queue = Queue(QUEUE, connection=connect(url))
    job = queue.enqueue(
        "openms_k8s_probe.slow_workflow", float(hold), workflow_dir, "Workflow", "src.Workflow", job_timeout=600
    )
    return {"id": job.id}


def job(url, job_id):
    from rq.job import Job

    found = Job.fetch(job_id, connection=connect(url))
    status = found.get_status()
    return {
        "status": getattr(status, "value", status),
        "worker": found.worker_name,
        "exc_info": found.exc_info or "",
    }


def ttl(url):
    from rq import Queue
    from rq.registry import StartedJobRegistry

    redis = connect(url)
    registry = StartedJobRegistry(queue=Queue(QUEUE, connection=redis))
    scores = [score for _member, score in redis.zrange(registry.key, 0, -1, withscores=True)]
    return {"ttl": [score - time.time() for score in scores]}


def version():
    import rq

    return {"version": rq.__version__}


if __name__ == "__main__":
    commands = {"enqueue": enqueue, "job": job, "ttl": ttl, "version": version}
    print(json.dumps(commands[sys.argv[1]](*sys.argv[2:]), default=str))
