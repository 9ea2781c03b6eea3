"""`bin/streamlit-k8s bench`: every figure of issue 14 measured side by side in one run on the local
cluster; writes bench/results/latest.json and the plots beside it."""

import argparse
import datetime
import json
import os
import pathlib
import platform
import re
import statistics
import subprocess
import sys
import time

from openms_streamlit_k8s import paths, playbook, status

from . import apps, cpu

COLLECTION, KUBECTL = "bench-coll", "bench-kubectl"
RESULTS = pathlib.Path(__file__).resolve().parent / "results"
TARGETS = {
    "deploy_ratio": 1.3,
    "noop_seconds": 15,
    "failure_detection_seconds": 60,
    "latency_p50_ms": 100,
    "speedup_4_over_1": 3.5,
    "rebuild_rollout_seconds": 30,
    "migrate_over_tar": 0.8,
    "idle_millicores_per_pod": 10,
    "test_command_minutes": 20,
}
STEPS = ("deploy", "queue", "failure", "rollout", "migrate", "idle")
# asked for by name only: it runs the whole test command (what CI runs), with its own cluster set-up
OPTIONAL_STEPS = ("tests",)
IDLE_SECONDS, SETTLE_SECONDS = 60, 30
# The migrate step's old volume: MIGRATE_FILES files of MIGRATE_FILE_BYTES each, and as many small ones
MIGRATE_VOLUME, MIGRATE_FILES, MIGRATE_FILE_BYTES = "bench-old-workspaces", 8, 128 * 2**20
# The rollout step's app image: a tag of its own, removed from the nodes afterwards
ROLLOUT_IMAGE = "bench-rollout-app:dev"  # in the cluster's registry


def machine():
    memory = next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1]
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "")
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(int(memory) / 1024 / 1024, 1),
        "kernel": platform.release(),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


def timed(function, *args):
    started = time.monotonic()
    value = function(*args)
    return time.monotonic() - started, value


def deploy_side_by_side():
    """1 and 2: a whole deploy and a no-op rerun, by site.yml and by kubectl apply of the same
    objects, each until the app answers through the ingress."""
    for app in (COLLECTION, KUBECTL):
        apps.remove(app)
    started = time.monotonic()
    full = apps.deploy(COLLECTION)
    apps.healthy_through_ingress(COLLECTION)
    collection_full = time.monotonic() - started
    documents = apps.manifests(COLLECTION, KUBECTL)
    apps.prepare_directory(KUBECTL)
    started = time.monotonic()
    apps.apply(KUBECTL, documents)
    apps.healthy_through_ingress(KUBECTL)
    kubectl_full = time.monotonic() - started
    noop = apps.deploy(COLLECTION)
    if noop.changed != 0:
        raise RuntimeError(f"the no-op rerun changed {noop.changed} things")
    kubectl_noop, _ = timed(apps.apply, KUBECTL, documents)
    apps.remove(KUBECTL)
    return {
        "objects": len(documents["items"]),
        "collection_full_seconds": round(collection_full, 1),
        "collection_full_phases": {p.name: p.seconds for p in full.phases},
        "kubectl_full_seconds": round(kubectl_full, 1),
        "deploy_ratio": round(collection_full / kubectl_full, 2),
        "collection_noop_seconds": noop.seconds,
        "collection_noop_phases": {p.name: p.seconds for p in noop.phases},
        "collection_noop_tasks": len(noop.tasks),
        "collection_noop_slowest": [{"phase": p, "task": t, "seconds": s} for p, t, s in noop.slowest(12)],
        "kubectl_noop_seconds": round(kubectl_noop, 1),
        "noop_ratio": round(noop.seconds / kubectl_noop, 1),
    }


def _worker_pod(app):
    pods = json.loads(apps.kubectl("-n", app, "get", "pods", "-l", "app.kubernetes.io/component=worker", "-o", "json"))
    ready = [
        p["metadata"]["name"]
        for p in pods["items"]
        if all(c.get("ready") for c in p["status"].get("containerStatuses", []))
        and not p["metadata"].get("deletionTimestamp")
    ]
    return ready[0]


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def queue_with_workers(jobs=40, job_seconds=1.0, singles=20, workers=(1, 2, 4)):
    """4: K sleeping jobs enqueued at once (makespan, submit -> start) and single jobs on idle workers
    (submit -> start), with M workers."""
    probe = (pathlib.Path(__file__).resolve().parent / "queue_probe.py").read_text()
    rows = []
    for count in workers:
        apps.kubectl("-n", COLLECTION, "scale", f"deployment/{COLLECTION}-worker", f"--replicas={count}")
        apps.kubectl("-n", COLLECTION, "rollout", "status", f"deployment/{COLLECTION}-worker", "--timeout=300s")
        time.sleep(3)  # the new workers register and block on the queue
        out = apps.kubectl(
            "-n", COLLECTION, "exec", _worker_pod(COLLECTION), "-c", "worker", "--",
            "/usr/local/bin/openms-k8s-python", "-c", probe, str(jobs), str(job_seconds), str(singles), status.QUEUE,
        )  # fmt: skip
        data = json.loads(next(line for line in out.splitlines() if line.startswith("bench-result ")).split(" ", 1)[1])
        batch_latency = [(start - enqueued) * 1000 for enqueued, start, _ in data["batch"]]
        single_latency = [(start - enqueued) * 1000 for enqueued, start, _ in data["single"]]
        makespan = max(end for _, _, end in data["batch"]) - min(enqueued for enqueued, _, _ in data["batch"])
        rows.append(
            {
                "workers": count,
                "jobs": jobs,
                "job_seconds": job_seconds,
                "failed": data["batch_failed"] + data["single_failed"],
                "makespan_seconds": round(makespan, 2),
                "ideal_makespan_seconds": round(jobs * job_seconds / count, 2),
                "batch_latency_p50_ms": round(_percentile(batch_latency, 0.5)),
                "batch_latency_p95_ms": round(_percentile(batch_latency, 0.95)),
                "idle_latency_p50_ms": round(_percentile(single_latency, 0.5), 1),
                "idle_latency_p95_ms": round(_percentile(single_latency, 0.95), 1),
                "idle_latency_mean_ms": round(statistics.mean(single_latency), 1),
            }
        )
    apps.kubectl("-n", COLLECTION, "scale", f"deployment/{COLLECTION}-worker", "--replicas=2")
    apps.kubectl("-n", COLLECTION, "rollout", "status", f"deployment/{COLLECTION}-worker", "--timeout=300s")
    base = rows[0]["makespan_seconds"]
    for row in rows:
        row["speedup"] = round(base / row["makespan_seconds"], 2)
    return rows


# RQ's own settings (rq.defaults, rq.worker): heartbeat margin 60 s on a 30 s monitoring interval,
# registries cleaned in the maintenance every 600 s, worker key TTL 420 s
RQ_DEFAULTS = {
    "worker_job_monitoring_interval": 30,
    "worker_heartbeat_grace": 60,
    "worker_maintenance_interval": 600,
    "worker_ttl": 420,
}


def failure_detection(variants=("collection", "rq_defaults")):
    """3: validate's worker_kill check (a worker pod killed with grace 0 during a job) reports the
    seconds until its job is in the failed registry: with the collection's worker settings, then
    with RQ's defaults (the worker phase deployed again with them; waited for up to 2 x 700 s)."""
    report = pathlib.Path(apps.paths.cache_home()) / "bench" / "worker_kill.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    measured = {}
    for variant in variants:
        settings = RQ_DEFAULTS if variant == "rq_defaults" else {}
        limit = 700 if settings else 60
        if settings:
            apps.deploy(COLLECTION, "-e", json.dumps(settings), tags="worker")
        variables = {
            **apps.site_vars(COLLECTION),
            **settings,
            "validate_drills": True,
            "validate_checks": ["worker_kill"],
            "validate_worker_kill_max_seconds": limit,
            "validate_report_path": str(report),
        }
        result = playbook.run("site.yml", args=["--tags", "validate", "-e", json.dumps(variables)])
        check = next(c for c in json.loads(report.read_text())["checks"] if c["check"] == "worker_kill")
        seconds = re.search(r"was failed ([0-9.]+) s after", check["evidence"])
        measured[variant] = {
            "settings": settings or "the worker role's defaults",
            "exit_code": result.exit_code,
            "seconds": float(seconds.group(1)) if seconds else None,
            "evidence": check["evidence"],
        }
    return measured


def rollout_after_app_change():
    """5: the app image rebuilt and rolled out after an app-only change (one more file in a copy of
    the test app), as `deploy --tags images,web,worker` does it: build, push to the cluster's
    registry, both Deployments rolled onto the new content tag, which the nodes pull."""
    import shutil
    import tempfile
    import uuid

    copy = pathlib.Path(tempfile.mkdtemp(prefix="bench-app-")) / "app"
    shutil.copytree(apps.paths.repo() / "files" / "test-app", copy, symlinks=True)
    source = {
        "images_app_source": "directory",
        "images_app_dir": str(copy),
        "streamlit_k8s_app_image": apps.image(ROLLOUT_IMAGE),
    }
    try:
        apps.deploy(COLLECTION, "-e", json.dumps(source), tags="images,web,worker", images=True)  # the baseline
        (copy / "bench-marker.txt").write_text(uuid.uuid4().hex)
        result = apps.deploy(COLLECTION, "-e", json.dumps(source), tags="images,web,worker", images=True)
    finally:
        shutil.rmtree(copy.parent, ignore_errors=True)
    return {
        "seconds": result.seconds,
        "changed": result.changed,
        "phases": {p.name: p.seconds for p in result.phases},
        "slowest": [{"phase": p, "task": t, "seconds": s} for p, t, s in result.slowest(8)],
    }


def migrate_beside_tar():
    """6: the migrate role's copy of a Docker volume into the app's volume (its tar stream into the
    transfer pod), beside a plain `tar -c | kubectl exec -i <pod> -- tar -x` of the same data into
    the same volume, each into an empty directory; MB/s of the copy alone (the role's report) and of
    its whole run (both sides listed with every file's SHA-256, then compared)."""
    import tempfile

    subprocess.run(["docker", "volume", "rm", "-f", MIGRATE_VOLUME], capture_output=True, check=False)
    subprocess.run(["docker", "volume", "create", MIGRATE_VOLUME], capture_output=True, check=True)
    source = pathlib.Path(
        subprocess.run(
            ["docker", "volume", "inspect", "-f", "{{.Mountpoint}}", MIGRATE_VOLUME],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    for index in range(MIGRATE_FILES):
        workspace = source / f"workspace-{index}"
        (workspace / "small").mkdir(parents=True)
        (workspace / "data.bin").write_bytes(os.urandom(MIGRATE_FILE_BYTES))
        for small in range(100):
            (workspace / "small" / f"{small}.json").write_text(json.dumps({"index": small}))
    total = sum(path.stat().st_size for path in source.rglob("*") if path.is_file())
    report = pathlib.Path(tempfile.mkdtemp(prefix="bench-migrate-")) / "report.json"
    variables = {**apps.site_vars(COLLECTION), "migrate_volume": MIGRATE_VOLUME, "migrate_report_path": str(report)}
    try:
        started = time.monotonic()
        run = playbook.run("playbooks/migrate.yml", args=["-e", json.dumps(variables)])
        whole = time.monotonic() - started
        if run.exit_code != playbook.EXIT_OK:
            raise RuntimeError(f"migrate: {run.failure or run.output[-3000:]}")
        (copied,) = json.loads(report.read_text())["passes"]
        selector = ["-l", "app.kubernetes.io/component=web", "-o", "jsonpath={.items[0].metadata.name}"]
        web = apps.kubectl("-n", COLLECTION, "get", "pods", *selector)
        target = f"{apps.WORKSPACES_PATH}/bench-tar"
        apps.kubectl("-n", COLLECTION, "exec", web, "-c", "web", "--", "mkdir", "-p", target)
        cluster = apps.facts()
        kubectl = [cluster["kubectl"], "--kubeconfig", cluster["kubeconfig"], "--context", cluster["context"]]
        started = time.monotonic()
        plain = subprocess.run(
            f"tar -c -C {source} . | {' '.join(kubectl)} -n {COLLECTION} exec -i {web} -c web -- tar -x -C {target}",
            shell=True,
            capture_output=True,
            text=True,
            check=False,
        )
        tar_seconds = time.monotonic() - started
        if plain.returncode != 0:
            raise RuntimeError(f"tar | kubectl exec tar: {plain.stderr[-2000:]}")
    finally:
        subprocess.run(["docker", "volume", "rm", "-f", MIGRATE_VOLUME], capture_output=True, check=False)
    copy_rate = copied["bytes"] / 1e6 / copied["copy_seconds"]
    tar_rate = total / 1e6 / tar_seconds
    return {
        "bytes": total,
        "files": copied["files"],
        "copy_seconds": copied["copy_seconds"],
        "copy_mb_per_s": round(copy_rate, 1),
        "run_seconds": round(whole, 1),
        "run_mb_per_s": round(total / 1e6 / whole, 1),
        "run_phases": {p.name: p.seconds for p in run.phases},
        "tar_kubectl_seconds": round(tar_seconds, 1),
        "tar_kubectl_mb_per_s": round(tar_rate, 1),
        "migrate_over_tar": round(copy_rate / tar_rate, 2),
    }


def idle_cpu(seconds=IDLE_SECONDS):
    """7: CPU of the app's web and worker pods at rest (their probes, Streamlit, the workers'
    heartbeats), from each pod's cgroup counter on its node over `seconds`, after SETTLE_SECONDS
    of quiet (the pods just became Ready)."""

    def usage():
        found = {}
        for pod in json.loads(apps.kubectl("-n", COLLECTION, "get", "pods", "-o", "json"))["items"]:
            component = pod["metadata"]["labels"].get("app.kubernetes.io/component")
            if component not in ("web", "worker") or pod["status"].get("phase") != "Running":
                continue
            # the systemd cgroup driver names the pod's slice ...pod<uid, "_" for "-">.slice; cgroup v1
            # counts nanoseconds in cpuacct.usage, v2 microseconds in cpu.stat's usage_usec
            uid = pod["metadata"]["uid"].replace("-", "_")
            script = (
                f"d=$(find /sys/fs/cgroup/cpuacct /sys/fs/cgroup -maxdepth 4 -type d -name '*pod{uid}.slice'"
                " | head -n 1); if [ -f $d/cpuacct.usage ]; then cat $d/cpuacct.usage;"
                " else echo $(( $(sed -n 's/^usage_usec //p' $d/cpu.stat) * 1000 )); fi"
            )
            done = subprocess.run(
                ["docker", "exec", pod["spec"]["nodeName"], "sh", "-c", script],
                capture_output=True,
                text=True,
                check=True,
            )
            usec = int(done.stdout.strip()) / 1000
            found[pod["metadata"]["name"]] = (component, usec)
        return found

    time.sleep(SETTLE_SECONDS)
    before, started = usage(), time.monotonic()
    time.sleep(seconds)
    after, elapsed = usage(), time.monotonic() - started
    pods = {
        name: {"component": component, "millicores": round((after[name][1] - usec) / 1e3 / elapsed, 2)}
        for name, (component, usec) in before.items()
        if name in after
    }
    if not pods:
        raise RuntimeError(f"no running web or worker pod of {COLLECTION} to measure")
    return {
        "seconds": round(elapsed, 1),
        "pods": pods,
        "max_millicores_per_pod": max(pod["millicores"] for pod in pods.values()),
    }


def test_command():
    """8: the test command (`streamlit-k8s test`, what CI runs) with its CPU time by where it goes
    (bench/cpu.py): each test lane's Ansible, Python, kubectl and browser processes, the cluster's
    pods by namespace, each node's own processes."""

    from kubernetes import client

    api = {}

    def pods():
        """The cluster's pods, from one API client per kubeconfig (the test command re-creates
        the cluster once: a new kubeconfig, a new client)."""
        try:
            cluster = paths.read_cluster_facts()
            stamp = (cluster["kubeconfig"], os.stat(cluster["kubeconfig"]).st_mtime)
            if api.get("stamp") != stamp:
                api.update(stamp=stamp, core=client.CoreV1Api(status.api_client(cluster)))
            listed = api["core"].list_pod_for_all_namespaces(_preload_content=False, _request_timeout=10)
            return json.loads(listed.data)["items"]
        except Exception:  # noqa: BLE001 - no cluster yet, or one being re-created: next time
            return []

    code, seconds, used = cpu.profile([sys.executable, "-m", "openms_streamlit_k8s", "test"], pods, cwd=paths.repo())
    if code != 0:
        raise RuntimeError(f"the test command failed (exit {code}): its time is not a figure")
    ansible = sum(value for key, value in used.items() if key.startswith("command: ") and key.endswith("/ansible"))
    return {
        "seconds": seconds,
        "minutes": round(seconds / 60, 1),
        "cores_busy": round(used["machine"] / seconds, 2),
        "ansible_share_of_cpu": round(ansible / used["machine"], 2),
        "cpu_seconds": used,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(prog="streamlit-k8s bench", description=__doc__)
    parser.add_argument(
        "--steps", default=",".join(STEPS), help=f"comma-separated, of {', '.join(STEPS + OPTIONAL_STEPS)}"
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench app deployed afterwards")
    args = parser.parse_args(argv)
    steps = args.steps.split(",")
    results = {"machine": machine(), "targets": TARGETS}
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    results["commit"] = commit.stdout.strip()
    unknown = set(steps) - set(STEPS + OPTIONAL_STEPS)
    if unknown:
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
    started = time.monotonic()
    if "tests" in steps:  # first: it sets up the cluster itself
        print("bench: the test command with its CPU profile", flush=True)
        results["tests"] = test_command()
        print(json.dumps(results["tests"], indent=2), flush=True)
    bench_app = bool(set(steps) & set(STEPS))
    if "deploy" in steps:
        print("bench: deploy side by side", flush=True)
        results["deploy"] = deploy_side_by_side()
        print(json.dumps(results["deploy"], indent=2), flush=True)
    elif bench_app:
        apps.deploy(COLLECTION)  # the app the other steps run against
    if "queue" in steps:
        print("bench: queue with 1, 2, 4 workers", flush=True)
        results["queue"] = queue_with_workers()
        print(json.dumps(results["queue"], indent=2), flush=True)
    if "failure" in steps:
        print("bench: failure detection", flush=True)
        results["failure"] = failure_detection()
        print(json.dumps(results["failure"], indent=2), flush=True)
    if "rollout" in steps:
        print("bench: rebuild and roll-out after an app-only change", flush=True)
        results["rollout"] = rollout_after_app_change()
        print(json.dumps(results["rollout"], indent=2), flush=True)
    if "migrate" in steps:
        print("bench: migrate beside tar | kubectl exec tar", flush=True)
        results["migrate"] = migrate_beside_tar()
        print(json.dumps(results["migrate"], indent=2), flush=True)
    if "idle" in steps:
        print(f"bench: CPU of the app's pods at rest over {IDLE_SECONDS} s", flush=True)
        results["idle"] = idle_cpu()
        print(json.dumps(results["idle"], indent=2), flush=True)
    results["seconds"] = round(time.monotonic() - started)
    if bench_app and not args.keep:
        apps.remove(COLLECTION)
        apps.remove_image(apps.image(ROLLOUT_IMAGE))  # after its pods are gone: the nodes keep an image in use
    RESULTS.mkdir(exist_ok=True)
    previous = json.loads((RESULTS / "latest.json").read_text()) if (RESULTS / "latest.json").exists() else {}
    merged = {**previous, **results}
    # which commit and day each step's figures come from (a run may measure some steps only)
    stamp = {"commit": results["commit"], "date": results["machine"]["date"]}
    merged["measured"] = {**previous.get("measured", {}), **{step: stamp for step in steps}}
    (RESULTS / "latest.json").write_text(json.dumps(merged, indent=2) + "\n")
    from . import plots

    plots.draw(merged, RESULTS)
    print(f"bench: {RESULTS / 'latest.json'} and its plots ({results['seconds']} s)")
    return 0
