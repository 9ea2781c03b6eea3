"""`bin/streamlit-k8s bench`: every figure of issue 14 measured side by side in one run on the local
cluster; writes bench/results/latest.json and the plots beside it."""

import argparse
import datetime
import json
import os
import pathlib
import platform
import statistics
import subprocess
import time

from openms_streamlit_k8s import playbook

from . import apps

COLLECTION, KUBECTL = "bench-coll", "bench-kubectl"
RESULTS = pathlib.Path(__file__).resolve().parent / "results"
TARGETS = {
    "deploy_ratio": 1.3,
    "noop_seconds": 15,
    "failure_detection_seconds": 60,
    "latency_p50_ms": 100,
    "speedup_4_over_1": 3.5,
    "rebuild_rollout_seconds": 30,
}
STEPS = ("deploy", "queue", "failure")


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
            "/usr/local/bin/openms-k8s-python", "-c", probe, str(jobs), str(job_seconds), str(singles),
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


def failure_detection():
    """3: validate's worker_kill check (a worker pod killed with grace 0 during a job) reports the
    seconds until its job is in the failed registry, with the collection's worker settings."""
    report = pathlib.Path(apps.paths.cache_home()) / "bench" / "worker_kill.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    variables = {
        **apps.site_vars(COLLECTION),
        "validate_drills": True,
        "validate_checks": ["worker_kill"],
        "validate_report_path": str(report),
    }
    result = playbook.run("site.yml", args=["--tags", "validate", "-e", json.dumps(variables)])
    check = next(c for c in json.loads(report.read_text())["checks"] if c["check"] == "worker_kill")
    return {"exit_code": result.exit_code, "check": check}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="streamlit-k8s bench", description=__doc__)
    parser.add_argument("--steps", default=",".join(STEPS), help=f"comma-separated, of {', '.join(STEPS)}")
    parser.add_argument("--keep", action="store_true", help="keep the bench app deployed afterwards")
    args = parser.parse_args(argv)
    steps = args.steps.split(",")
    results = {"machine": machine(), "targets": TARGETS}
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    results["commit"] = commit.stdout.strip()
    started = time.monotonic()
    if "deploy" in steps:
        print("bench: deploy side by side", flush=True)
        results["deploy"] = deploy_side_by_side()
        print(json.dumps(results["deploy"], indent=2), flush=True)
    if "queue" in steps:
        print("bench: queue with 1, 2, 4 workers", flush=True)
        results["queue"] = queue_with_workers()
        print(json.dumps(results["queue"], indent=2), flush=True)
    if "failure" in steps:
        print("bench: failure detection", flush=True)
        results["failure"] = failure_detection()
        print(json.dumps(results["failure"], indent=2), flush=True)
    results["seconds"] = round(time.monotonic() - started)
    if not args.keep:
        apps.remove(COLLECTION)
    RESULTS.mkdir(exist_ok=True)
    previous = json.loads((RESULTS / "latest.json").read_text()) if (RESULTS / "latest.json").exists() else {}
    merged = {**previous, **results}
    (RESULTS / "latest.json").write_text(json.dumps(merged, indent=2) + "\n")
    from . import plots

    plots.draw(merged, RESULTS)
    print(f"bench: {RESULTS / 'latest.json'} and its plots ({results['seconds']} s)")
    return 0
