"""docker/rq_k8s_worker.py (its heartbeats and its probe endpoint) and openms_k8s_probe.py
against every RQ the template can resolve (its requirements say rq>=1.16.0), on a real Redis.

Each test starts real `rq worker` processes (the command line of docker/entrypoint-worker.sh,
with short intervals) and talks to them through rq_client.py, both on the PYTHONPATH of one
RQ version.
"""

import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from conftest import ADMIN, PASSWORD, REPO, free_port, rq_install

# The template's floor, the newest 2.x and the newest 3.x.
RQ_VERSIONS = ["1.16.2", "2.12.0", "3.0.0"]
MONITOR = 1  # --job-monitoring-interval
GRACE = 2  # RQ_HEARTBEAT_GRACE
# A killed job is failed by the next maintenance of a live worker after its heartbeat expires.
KILL_LIMIT = MONITOR + GRACE + 6
HERE = pathlib.Path(__file__).resolve().parent
APP_TASKS = """
import pathlib


def execute_workflow(workflow_dir, workflow_class, workflow_module):
    out = pathlib.Path(workflow_dir) / "results" / "done.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(f"{workflow_class} from {workflow_module}")
    return {"success": True, "results": [str(out)]}
"""


class RQ:
    """Processes of one RQ version: workers, the client, the workers' probe endpoints."""

    def __init__(self, version, redis_url, app_dir):
        self.version = version
        self.url = redis_url
        self.app_dir = app_dir
        path = [str(rq_install(version)), str(REPO / "docker"), str(HERE)]
        self.env = dict(os.environ, PYTHONPATH=os.pathsep.join(path), RQ_HEARTBEAT_GRACE=str(GRACE))
        self.workers = []

    def client(self, *args):
        proc = subprocess.run(
            [sys.executable, str(HERE / "rq_client.py"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    def worker(self, name, *extra, worker_class="rq_k8s_worker.KubernetesWorker", max_age=30):
        log = open(self.app_dir.parent / f"worker-{name}.log", "w")  # noqa: SIM115 (closed with the process)
        command = [sys.executable, "-m", "rq.cli", "worker", "openms-workflows", "--url", self.url, "--name", name]
        command += ["--worker-class", worker_class, "--worker-ttl", "16", "--maintenance-interval", "1"]
        command += ["--job-monitoring-interval", str(MONITOR), *extra]
        port = free_port()
        env = dict(self.env, OPENMS_K8S_PROBE_PORT=str(port), RQ_LIVENESS_MAX_AGE=str(max_age))
        proc = subprocess.Popen(
            command, cwd=self.app_dir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        proc.log_path, proc.probe_port = log.name, port
        self.workers.append(proc)
        return proc

    @staticmethod
    def probe(worker):
        """The kubelet's GET on the worker's probe port: (HTTP status or None, its text)."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{worker.probe_port}/", timeout=3) as answer:
                return answer.status, answer.read().decode().strip()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode().strip()
        except OSError as error:
            return None, str(error)

    def wait_for(self, job_id, statuses, timeout):
        deadline = time.monotonic() + timeout
        while True:
            job = self.client("job", self.url, job_id)
            if job["status"] in statuses or time.monotonic() > deadline:
                return job
            time.sleep(0.2)

    def stop(self):
        for proc in self.workers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def children(pid):
    found = []
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def kill_worker(proc):
    """SIGKILL a worker and its work horse (which runs in a process group of its own), as a pod kill does."""
    horses = children(proc.pid)
    os.killpg(proc.pid, signal.SIGKILL)
    for horse in horses:
        try:
            os.kill(horse, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()


def flush(url):
    """Empty the database as the tests' own user: the app's user may not (FLUSHALL is denied)."""
    host, port = url.rsplit("@", 1)[1].split("/")[0].split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(f"AUTH {ADMIN} {PASSWORD}\r\nFLUSHALL\r\n".encode())
        assert sock.recv(64) == b"+OK\r\n+OK\r\n"


@pytest.fixture(params=RQ_VERSIONS)
def rq(request, redis_url, tmp_path):
    app = tmp_path / "app"
    (app / "src/workflow").mkdir(parents=True)
    (app / "src/__init__.py").write_text("")
    (app / "src/workflow/__init__.py").write_text("")
    (app / "src/workflow/tasks.py").write_text(APP_TASKS)
    flush(redis_url)
    handle = RQ(request.param, redis_url, app)
    assert handle.client("version")["version"] == request.param
    yield handle
    handle.stop()


def test_long_job_finishes_with_short_heartbeats(rq, tmp_path):
    """A job held over several heartbeat ticks finishes, and each tick sets a TTL of MONITOR + GRACE, not + 60 s."""
    workflow = tmp_path / "workspace/topp-workflow"
    job_id = rq.client("enqueue", rq.url, "6", str(workflow))["id"]
    worker = rq.worker("long", "--burst")
    ttls = []
    while worker.poll() is None:
        ttls += rq.client("ttl", rq.url)["ttl"]
        time.sleep(0.5)
    log = pathlib.Path(worker.log_path).read_text()
    job = rq.client("job", rq.url, job_id)
    assert worker.returncode == 0, log
    assert job["status"] == "finished", (job, log)
    assert (workflow / "results/done.txt").read_text() == "Workflow from src.Workflow"
    assert "done after" in (workflow / "logs/probe.log").read_text()
    assert len(ttls) >= 5, ttls
    assert all(0 < ttl <= MONITOR + GRACE + 0.5 for ttl in ttls), ttls


def run_kill_drill(rq, workflow, worker_class):
    """Start a held job on worker A, kill A, start worker B; return the job and seconds since the kill."""
    job_id = rq.client("enqueue", rq.url, "120", str(workflow))["id"]
    first = rq.worker("first", worker_class=worker_class)
    job = rq.wait_for(job_id, {"started"}, 20)
    assert job["status"] == "started", (job, pathlib.Path(first.log_path).read_text())
    kill_worker(first)
    killed = time.monotonic()
    rq.worker("second", worker_class=worker_class)
    job = rq.wait_for(job_id, {"failed"}, KILL_LIMIT + 2)
    return job, time.monotonic() - killed, first


def test_killed_worker_fails_its_job_fast(rq, tmp_path):
    job, seconds, first = run_kill_drill(rq, tmp_path / "workspace/topp-workflow", "rq_k8s_worker.KubernetesWorker")
    assert job["status"] == "failed", job
    assert seconds <= KILL_LIMIT, seconds
    assert "Moved to FailedJobRegistry" in job["exc_info"], job
    # The killed worker's probe does not answer at all
    assert rq.probe(first)[0] is None


@pytest.mark.parametrize("rq", [RQ_VERSIONS[-1]], indirect=True)
def test_default_worker_leaves_a_killed_job_started(rq, tmp_path):
    """The control: with RQ's own Worker the same drill still shows the job started at the limit."""
    job, _seconds, _first = run_kill_drill(rq, tmp_path / "workspace/topp-workflow", "rq.Worker")
    assert job["status"] == "started", job


def pause_redis(url, milliseconds):
    """Redis takes no writes for a while (CLIENT PAUSE, as the tests' own user): a worker's
    heartbeat blocks as on a Redis that stopped answering."""
    host, port = url.rsplit("@", 1)[1].split("/")[0].split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(f"AUTH {ADMIN} {PASSWORD}\r\nCLIENT PAUSE {milliseconds} WRITE\r\n".encode())
        assert sock.recv(64) == b"+OK\r\n+OK\r\n"


def wait_for_probe(rq, worker, status, timeout):
    deadline = time.monotonic() + timeout
    while (answer := rq.probe(worker))[0] != status and time.monotonic() < deadline:
        time.sleep(0.2)
    return answer


def test_the_probe_answers_while_heartbeats_reach_redis(rq, tmp_path):
    """200 while idle and while a job runs (the work horse leaves the probe to the worker), 503
    with the heartbeat's age once Redis stops taking them, 200 again after."""
    worker = rq.worker("probed", max_age=2)
    assert wait_for_probe(rq, worker, 200, 20) == (200, "ok"), pathlib.Path(worker.log_path).read_text()
    job_id = rq.client("enqueue", rq.url, "5", str(tmp_path / "workspace/topp-workflow"))["id"]
    assert rq.wait_for(job_id, {"started"}, 20)["status"] == "started"
    for _probe in range(10):
        assert rq.probe(worker) == (200, "ok")
        time.sleep(0.3)
    assert rq.wait_for(job_id, {"finished"}, 20)["status"] == "finished"
    pause_redis(rq.url, 6000)
    status, text = wait_for_probe(rq, worker, 503, 6)
    assert status == 503 and "worker probed: last heartbeat" in text, (status, text)
    assert wait_for_probe(rq, worker, 200, 10) == (200, "ok")
