"""Run inside a web pod by the validate role; the mzML writer comes along as make_mzml.

submit WORKSPACE      write an mzML and a workflow, enqueue it on openms-workflows, print the job id
status JOB_ID         print the job's RQ status
"""

import json
import os
import pathlib
import sys
import time

from redis import Redis
from rq import Queue
from rq.job import Job

QUEUE = "openms-workflows"


def submit(workspace, sleep_seconds="0"):
    import make_mzml

    workflow_dir = pathlib.Path(workspace) / "topp-workflow"
    mzml_dir = pathlib.Path(workspace) / "mzML-files"
    mzml_dir.mkdir(parents=True, exist_ok=True)
    workflow_dir.mkdir(parents=True, exist_ok=True)
    mzml = mzml_dir / "validate.mzML"
    sys.argv = ["make_mzml", str(mzml), "100"]
    make_mzml.main()
    params = {"mzML-files": [str(mzml)], "run-python-script": False, "sleep-seconds": float(sleep_seconds)}
    (workflow_dir / "params.json").write_text(json.dumps(params))
    job_id = f"workflow-{workflow_dir.name}-{int(time.time())}"
    queue = Queue(QUEUE, connection=Redis.from_url(os.environ["REDIS_URL"]))
    queue.enqueue(
        "src.workflow.tasks.execute_workflow",
        str(workflow_dir),
        "Workflow",
        "src.Workflow",
        job_id=job_id,
        job_timeout=600,
        result_ttl=3600,
    )
    (workflow_dir / ".job_id").write_text(job_id)
    print(job_id)


def status(job_id):
    state = Job.fetch(job_id, connection=Redis.from_url(os.environ["REDIS_URL"])).get_status()
    print(getattr(state, "value", state))


def worker(job_id):
    print(Job.fetch(job_id, connection=Redis.from_url(os.environ["REDIS_URL"])).worker_name or "")


if __name__ == "__main__":
    {"submit": submit, "status": status, "worker": worker}[sys.argv[1]](*sys.argv[2:])
