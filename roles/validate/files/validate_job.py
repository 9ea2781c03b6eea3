"""Run inside a web pod by the validate role; the mzML writer comes along as make_mzml.

submit WORKSPACE [HOLD]  write two mzML files and a workflow, enqueue it on openms-workflows, print
                        the job id; with HOLD seconds the collection's probe job holds the worker
                        that long before it runs the app's workflow (openms_k8s_probe.slow_workflow)
status JOB_ID           print the job's RQ status
worker JOB_ID           print the name of the worker that took the job
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


def submit(workspace, hold_seconds="0"):
    import make_mzml

    hold = float(hold_seconds)
    workflow_dir = pathlib.Path(workspace) / "topp-workflow"
    mzml_dir = pathlib.Path(workspace) / "mzML-files"
    mzml_dir.mkdir(parents=True, exist_ok=True)
    workflow_dir.mkdir(parents=True, exist_ok=True)
    # Two files: the template's workflow links features across maps and needs at least two.
    files = [mzml_dir / f"validate-{index}.mzML" for index in (1, 2)]
    for mzml in files:
        sys.argv = ["make_mzml", str(mzml), "100"]
        make_mzml.main()
    params = {"mzML-files": [str(mzml) for mzml in files], "run-python-script": False}
    (workflow_dir / "params.json").write_text(json.dumps(params))
    job_id = f"workflow-{workflow_dir.name}-{int(time.time() * 1000)}"
    queue = Queue(QUEUE, connection=Redis.from_url(os.environ["REDIS_URL"]))
    workflow = (str(workflow_dir), "Workflow", "src.Workflow")
    if hold > 0:
        function, args = "openms_k8s_probe.slow_workflow", (hold, *workflow)
    else:
        function, args = "src.workflow.tasks.execute_workflow", workflow
    queue.enqueue(function, *args, job_id=job_id, job_timeout=int(hold) + 600, result_ttl=3600)
    (workflow_dir / ".job_id").write_text(job_id)
    print(job_id)


def status(job_id):
    state = Job.fetch(job_id, connection=Redis.from_url(os.environ["REDIS_URL"])).get_status()
    print(getattr(state, "value", state))


def worker(job_id):
    print(Job.fetch(job_id, connection=Redis.from_url(os.environ["REDIS_URL"])).worker_name or "")


if __name__ == "__main__":
    {"submit": submit, "status": status, "worker": worker}[sys.argv[1]](*sys.argv[2:])
