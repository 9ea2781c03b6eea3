"""RQ worker settings for Kubernetes, where a killed pod must not leave its job "started".

RQ keeps a running job in the StartedJobRegistry with a heartbeat TTL of the monitoring
interval plus a fixed 60 s, and only a live worker's maintenance moves an expired job to the
FailedJobRegistry. RQ has no setting for that fixed part, so KubernetesWorker shortens it to
RQ_HEARTBEAT_GRACE seconds (default 10): with --job-monitoring-interval 10 and
--maintenance-interval 15 a job whose worker pod was killed is failed by another worker well
within a minute.

It also answers the kubelet's probes on OPENMS_K8S_PROBE_PORT (health_http.py, a thread of
the worker process): 200 while its last heartbeat to Redis is at most RQ_LIVENESS_MAX_AGE
seconds old, 503 before the first one and after that. A worker that hangs, stopped, or cannot
reach Redis (its heartbeats fail) stops answering 200; a killed one stops answering at all.

Works with every RQ an app built from the template can resolve (rq>=1.16: 1.16, 2.x, 3.x):
RQ 3 passes `working_time` to get_heartbeat_ttl, older versions pass only the job, so the
overrides forward whatever they are given.
"""

import os
import threading
import time

from health_http import make_server
from rq.worker import Worker

# The fixed part RQ adds to every job heartbeat TTL (the same in rq 1.16 to 3.0).
RQ_HEARTBEAT_MARGIN = 60


class KubernetesWorker(Worker):
    heartbeat_grace = int(os.environ.get("RQ_HEARTBEAT_GRACE", "10"))
    liveness_max_age = float(os.environ.get("RQ_LIVENESS_MAX_AGE", "120"))
    last_beat = None  # time.monotonic() of the last heartbeat Redis took

    def heartbeat(self, *args, **kwargs):
        result = super().heartbeat(*args, **kwargs)
        self.last_beat = time.monotonic()
        return result

    def probe_problem(self, _path=""):
        if self.last_beat is None:
            return f"worker {self.name} has not sent a heartbeat yet"
        age = time.monotonic() - self.last_beat
        return f"worker {self.name}: last heartbeat {age:.0f} s ago" if age > self.liveness_max_age else ""

    def work(self, *args, **kwargs):
        port = os.environ.get("OPENMS_K8S_PROBE_PORT")
        if port:
            server = make_server(port, self.probe_problem)
            threading.Thread(target=server.serve_forever, name="probes", daemon=True).start()
            # a work horse (forked per job) leaves the probes to the worker
            os.register_at_fork(after_in_child=server.socket.close)
        return super().work(*args, **kwargs)

    def get_heartbeat_ttl(self, job, *args, **kwargs):
        ttl = super().get_heartbeat_ttl(job, *args, **kwargs) - RQ_HEARTBEAT_MARGIN + self.heartbeat_grace
        # A job past its timeout gets a remaining time <= 0 from RQ: never let its entry expire
        # before the next heartbeat could renew it.
        return max(int(ttl), self.heartbeat_grace)
