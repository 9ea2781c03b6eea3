"""RQ worker settings for Kubernetes, where a killed pod must not leave its job "started".

RQ keeps a running job in the StartedJobRegistry with a heartbeat TTL of the monitoring
interval plus a fixed 60 s, and only a live worker's maintenance moves an expired job to the
FailedJobRegistry. RQ has no setting for that fixed part, so KubernetesWorker shortens it to
RQ_HEARTBEAT_GRACE seconds (default 10): with --job-monitoring-interval 10 and
--maintenance-interval 15 a job whose worker pod was killed is failed by another worker well
within a minute.

Works with every RQ an app built from the template can resolve (rq>=1.16: 1.16, 2.x, 3.x):
RQ 3 passes `working_time` to get_heartbeat_ttl, older versions pass only the job, so the
override forwards whatever it is given.
"""

import os

from rq.worker import Worker

# The fixed part RQ adds to every job heartbeat TTL (the same in rq 1.16 to 3.0).
RQ_HEARTBEAT_MARGIN = 60


class KubernetesWorker(Worker):
    heartbeat_grace = int(os.environ.get("RQ_HEARTBEAT_GRACE", "10"))

    def get_heartbeat_ttl(self, job, *args, **kwargs):
        ttl = super().get_heartbeat_ttl(job, *args, **kwargs) - RQ_HEARTBEAT_MARGIN + self.heartbeat_grace
        # A job past its timeout gets a remaining time <= 0 from RQ: never let its entry expire
        # before the next heartbeat could renew it.
        return max(int(ttl), self.heartbeat_grace)
