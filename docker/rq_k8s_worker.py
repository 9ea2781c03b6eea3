"""RQ worker settings for Kubernetes, where a killed pod must not leave its job "started".

RQ keeps a running job in the StartedJobRegistry with a heartbeat TTL of the monitoring
interval plus a fixed 60 s, and only a live worker's maintenance moves an expired job to the
FailedJobRegistry. KubernetesWorker shortens that fixed part to RQ_HEARTBEAT_GRACE seconds
(default 10), so with --job-monitoring-interval 10 and --maintenance-interval 15 a job whose
worker pod was killed is failed by another worker well within a minute.
"""

import os

from rq.worker import Worker


class KubernetesWorker(Worker):
    heartbeat_grace = int(os.environ.get("RQ_HEARTBEAT_GRACE", "10"))

    def get_heartbeat_ttl(self, job):
        return super().get_heartbeat_ttl(job) - 60 + self.heartbeat_grace
