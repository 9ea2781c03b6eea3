"""Submit workflows to the RQ queue the workers serve."""

import os
import time

from src.settings import QUEUE_NAME, load_settings

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")


class QueueManager:
    def __init__(self):
        from redis import Redis
        from rq import Queue

        self.settings = load_settings()["queue_settings"]
        self.redis = Redis.from_url(REDIS_URL, socket_connect_timeout=5)
        self.redis.ping()
        self.queue = Queue(QUEUE_NAME, connection=self.redis)

    def submit(self, workflow_dir, workflow_class="Workflow", workflow_module="src.Workflow"):
        """Enqueue execute_workflow for `workflow_dir`; return the job id (also in .job_id)."""
        job_id = f"workflow-{os.path.basename(os.path.normpath(workflow_dir))}-{int(time.time())}"
        self.queue.enqueue(
            "src.workflow.tasks.execute_workflow",
            str(workflow_dir),
            workflow_class,
            workflow_module,
            job_id=job_id,
            job_timeout=self.settings["default_timeout"],
            result_ttl=self.settings["result_ttl"],
        )
        with open(os.path.join(workflow_dir, ".job_id"), "w") as handle:
            handle.write(job_id)
        return job_id

    def status(self, job_id):
        from rq.job import Job

        state = Job.fetch(job_id, connection=self.redis).get_status()
        return getattr(state, "value", state)
