"""Run inside a web pod by the validate role; the mzML writer comes along as make_mzml.

The workflow the checks queue is the app's, described by the environment's VALIDATE_WORKFLOW
(base64 JSON: module, class, directory, params, and inputs: for each parameter either
{"generate": "mzml", "count": N} or {"files": [paths]}, a path relative to the app's code or
absolute as the pod sees it; "single": true gives the parameter one path instead of a list).

workflow                print, as JSON, whether the app's workflow can run here: {"importable"
                        (its module imports and has the class), "runnable" (and its input files
                        exist), "reason"}
submit WORKSPACE [HOLD] put the workflow's inputs into WORKSPACE and enqueue it on openms-workflows,
                        print the job id; with HOLD seconds the collection's probe job holds the
                        worker that long before it runs the app's workflow
                        (openms_k8s_probe.slow_workflow)
submit-many PREFIX COUNT [HOLD [LONG]]
                        COUNT workflows at once, each in its own workspace PREFIX-<n>; prints
                        their job ids, one per line; with LONG the first one holds its worker
                        LONG seconds instead of HOLD
holds-session SESSION   print yes when this pod's Streamlit holds the session (it accepts an
                        upload into it, as only the pod holding a session does), else no
status JOB_ID           print the job's RQ status
cancel JOB_ID           cancel the job if no worker took it yet; print its status
worker JOB_ID           print the name of the worker that took the job
jobs JOB_ID...          print, as JSON, each job's status, worker, start and end (epoch s), and
                        of them all: the statuses, the workers, the makespan, the seconds they
                        ran one after the other, and whether two of them ran at the same time
volume-a DIR            the shared-volume contract, first pod (goes on in the background): writes a
                        file and an absolute symlink to it, holds an flock on DIR/lock, and
                        reads DIR/renamed while the other pod replaces it, until DIR/b-done;
                        then writes what it saw to DIR/a-result
volume-b DIR            second pod, on another node: reads the first pod's file through the
                        symlink, tries the lock (it must be refused), writes its own file and
                        five versions of DIR/renamed by write-then-rename; prints what it saw
"""

import base64
import datetime
import fcntl
import hashlib
import importlib
import json
import os
import pathlib
import shutil
import sys
import time
import urllib.error
import urllib.request

from redis import Redis
from rq import Queue
from rq.job import Job

QUEUE = "openms-workflows"
APP_DIR = "/app"


def workflow_spec():
    return json.loads(base64.b64decode(os.environ["VALIDATE_WORKFLOW"]))


def input_files(spec):
    """Each input's files as the pod sees them: (parameter, [paths]); generated ones are None."""
    for name, source in spec["inputs"].items():
        if "files" in source:
            yield name, [pathlib.Path(APP_DIR, path) for path in source["files"]]


def workflow():
    spec = workflow_spec()
    try:
        module = importlib.import_module(spec["module"])
        reason = "" if isinstance(getattr(module, spec["class"], None), type) else f"no class {spec['class']}"
    except Exception as error:  # an app without that module, or one that fails to import
        reason = f"{type(error).__name__}: {error}"
    if reason:
        print(json.dumps({"importable": False, "runnable": False, "reason": reason}))
        return
    missing = [str(path) for _name, paths in input_files(spec) for path in paths if not path.is_file()]
    reason = f"input files are missing: {', '.join(missing)}" if missing else ""
    print(json.dumps({"importable": True, "runnable": not missing, "reason": reason}))


def put_inputs(spec, workspace):
    """The workflow's parameters with its inputs, each copied (or generated) into the workspace's
    directory of that name, as the app's upload pages put them."""
    import make_mzml

    params = dict(spec.get("params") or {})
    named = dict(input_files(spec))
    for name, source in spec["inputs"].items():
        directory = workspace / name
        directory.mkdir(parents=True, exist_ok=True)
        if "generate" in source:
            paths = [directory / f"validate-{index}.mzML" for index in range(1, int(source.get("count", 2)) + 1)]
            for path in paths:
                sys.argv = ["make_mzml", str(path), "100"]
                make_mzml.main()
        else:
            paths = [directory / original.name for original in named[name]]
            for original, path in zip(named[name], paths, strict=True):
                shutil.copyfile(original, path)
        params[name] = str(paths[0]) if source.get("single") else [str(path) for path in paths]
    return params


def submit(workspace, hold_seconds="0"):
    spec = workflow_spec()
    hold = float(hold_seconds)
    workflow_dir = pathlib.Path(workspace) / spec["directory"]
    workflow_dir.mkdir(parents=True, exist_ok=True)
    (workflow_dir / "params.json").write_text(json.dumps(put_inputs(spec, pathlib.Path(workspace))))
    job_id = f"workflow-{workflow_dir.name}-{int(time.time() * 1000)}"
    queue = Queue(QUEUE, connection=Redis.from_url(os.environ["REDIS_URL"]))
    job = (str(workflow_dir), spec["class"], spec["module"])
    if hold > 0:
        function, args = "openms_k8s_probe.slow_workflow", (hold, *job)
    else:
        function, args = "src.workflow.tasks.execute_workflow", job
    queue.enqueue(function, *args, job_id=job_id, job_timeout=int(hold) + 600, result_ttl=3600)
    (workflow_dir / ".job_id").write_text(job_id)
    print(job_id)


def submit_many(prefix, count, hold_seconds="0", long_seconds=None):
    for index in range(int(count)):
        submit(f"{prefix}-{index}", long_seconds if index == 0 and long_seconds else hold_seconds)
        time.sleep(0.002)  # job ids carry the millisecond they were made in


def holds_session(session_id):
    base = f"http://127.0.0.1:{os.environ.get('STREAMLIT_SERVER_PORT', '8501')}"
    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=10) as answer:
        cookies = [header.split(";", 1)[0] for header in answer.headers.get_all("Set-Cookie") or []]
    xsrf = next((cookie.split("=", 1)[1] for cookie in cookies if cookie.startswith("_streamlit_xsrf=")), None)
    boundary = "validate-holds-session"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="uploadedFile"; filename="holds-session"\r\n'
        f"Content-Type: text/plain\r\n\r\nvalidate\r\n--{boundary}--\r\n"
    ).encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    if cookies:
        headers["Cookie"] = "; ".join(cookies)
    if xsrf:
        headers["X-Xsrftoken"] = xsrf
    request = urllib.request.Request(
        f"{base}/_stcore/upload_file/{session_id}/validate-holds-session", data=body, headers=headers, method="PUT"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            print("yes" if answer.status == 204 else f"no ({answer.status})")
    except urllib.error.HTTPError as refused:
        print(f"no ({refused.code})")


def epoch(moment):
    """RQ keeps UTC times, naive before RQ 2."""
    if moment is None:
        return None
    return moment.replace(tzinfo=moment.tzinfo or datetime.timezone.utc).timestamp()  # noqa: UP017 (apps on Python < 3.11)


def jobs(*job_ids):
    connection = Redis.from_url(os.environ["REDIS_URL"])
    seen = {}
    for job_id in job_ids:
        job = Job.fetch(job_id, connection=connection)
        state = job.get_status()
        seen[job_id] = {
            "status": getattr(state, "value", state),
            "worker": job.worker_name or "",
            "started": epoch(job.started_at),
            "ended": epoch(job.ended_at),
        }
    ran = [(job["started"], job["ended"]) for job in seen.values() if job["started"] and job["ended"]]
    overlapped = any(a[0] < b[1] and b[0] < a[1] for i, a in enumerate(ran) for b in ran[i + 1 :])
    print(
        json.dumps(
            {
                "jobs": seen,
                "statuses": sorted({job["status"] for job in seen.values()}),
                "workers": sorted({job["worker"] for job in seen.values() if job["worker"]}),
                "makespan": round(max(end for _s, end in ran) - min(start for start, _e in ran), 1) if ran else None,
                "one_after_the_other": round(sum(end - start for start, end in ran), 1),
                "overlapped": overlapped,
            }
        )
    )


def status(job_id):
    state = Job.fetch(job_id, connection=Redis.from_url(os.environ["REDIS_URL"])).get_status()
    print(getattr(state, "value", state))


def cancel(job_id):
    job = Job.fetch(job_id, connection=Redis.from_url(os.environ["REDIS_URL"]))
    state = getattr(job.get_status(), "value", job.get_status())
    if state in ("queued", "scheduled", "deferred"):
        job.cancel()
        state = getattr(job.get_status(), "value", job.get_status())
    print(state)


def worker(job_id):
    print(Job.fetch(job_id, connection=Redis.from_url(os.environ["REDIS_URL"])).worker_name or "")


VERSIONS = 5
VERSION_BYTES = 2 * 1024 * 1024


def digest(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def wait_for(path, seconds):
    deadline = time.monotonic() + seconds
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise SystemExit(f"{path} did not appear within {seconds} s")
        time.sleep(0.05)


def detach(log_path):
    """Go on in a child of its own session (a process an exec leaves in the background is
    killed when the exec ends); the caller returns at once."""
    if os.fork():
        return False
    os.setsid()
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    for fd in (1, 2):
        os.dup2(log, fd)
    os.close(0)
    return True


def volume_a(directory):
    base = pathlib.Path(directory)
    base.mkdir(parents=True, exist_ok=True)
    if not detach(str(base / "a.log")):
        return
    token = f"a:{os.environ.get('HOSTNAME', '')}:{time.time()}"
    (base / "from-a").write_text(token)
    os.symlink(str(base / "from-a"), base / "link-a")
    lock = open(base / "lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    (base / "a-locked").write_text(token)
    seen, reads, deadline = [], 0, time.monotonic() + 60
    while not (base / "b-done").exists() and time.monotonic() < deadline:
        try:
            value = digest(base / "renamed")
        except FileNotFoundError:
            time.sleep(0.01)
            continue
        reads += 1
        if not seen or seen[-1] != value:
            seen.append(value)
    from_b = (base / "from-b").read_text() if (base / "from-b").exists() else None
    fcntl.flock(lock, fcntl.LOCK_UN)
    result = {"host": os.environ.get("HOSTNAME", ""), "token": token, "from_b": from_b, "reads": reads, "seen": seen}
    (base / "a-result.tmp").write_text(json.dumps(result))
    os.rename(base / "a-result.tmp", base / "a-result")
    os._exit(0)


def volume_b(directory):
    base = pathlib.Path(directory)
    wait_for(base / "a-locked", 30)
    link = base / "link-a"
    result = {
        "host": os.environ.get("HOSTNAME", ""),
        "from_a": (base / "from-a").read_text(),
        "link_target": os.readlink(link),
        "through_link": link.read_text(),
    }
    with open(base / "lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            result["lock_excluded"] = False
            fcntl.flock(lock, fcntl.LOCK_UN)
        except BlockingIOError:
            result["lock_excluded"] = True
    token = f"b:{result['host']}:{time.time()}"
    (base / "from-b").write_text(token)
    result["token"], result["versions"] = token, []
    for version in range(VERSIONS):
        data = bytes([version]) * VERSION_BYTES
        with open(base / ".renamed.tmp", "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.rename(base / ".renamed.tmp", base / "renamed")
        result["versions"].append(hashlib.sha256(data).hexdigest())
        time.sleep(0.3)
    (base / "b-done").write_text(token)
    print(json.dumps(result))


if __name__ == "__main__":
    commands = {
        "workflow": workflow,
        "submit": submit,
        "submit-many": submit_many,
        "status": status,
        "worker": worker,
        "jobs": jobs,
        "holds-session": holds_session,
        "cancel": cancel,
        "volume-a": volume_a,
        "volume-b": volume_b,
    }
    commands[sys.argv[1]](*sys.argv[2:])
