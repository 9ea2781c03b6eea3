"""The live state of a deployed app: pods per tier, the queue, the workers, the URL."""

import json

from . import playbook

QUEUE = "openms-workflows"  # the template's queue (docker/entrypoint-worker.sh)
TIERS = ("web", "worker", "redis", "cleanup")

# Run in a worker pod (else a web pod) with the app's own Python and RQ: the Redis URL with its
# password stays in the pod's environment, never on a command line.
_QUEUE_PROBE = f"""
import json, os
from redis import Redis
from rq import Queue, Worker
redis = Redis.from_url(os.environ.get("RQ_REDIS_URL") or os.environ["REDIS_URL"])
queue = Queue({QUEUE!r}, connection=redis)
# a prefix, so that the client does not read the line as a Python literal
print("queue-state", json.dumps({{
    "queued": queue.count,
    "started": queue.started_job_registry.count,
    "failed": queue.failed_job_registry.count,
    "workers": Worker.count(queue=queue),
}}))
"""


def describe(inventory, extra_vars=(), env=None):
    """The app's cluster access and names, as Ansible resolves them from the inventory (and any
    extra variables, as ansible-playbook takes them)."""
    found = {}

    def keep(event):
        data = event.get("event_data") or {}
        if event.get("event") == "runner_on_ok" and isinstance((data.get("res") or {}).get("msg"), dict):
            found.update(data["res"]["msg"])
        return True

    args = [option for value in extra_vars or () for option in ("-e", value)]
    result = playbook.run("playbooks/describe.yml", inventory=inventory, args=args, env=env, extra_handler=keep)
    if result.exit_code != playbook.EXIT_OK or not found:
        raise RuntimeError(f"could not read the app's names from {inventory}: {result.output[-2000:]}")
    return found


def api_client(app):
    from kubernetes import config

    return config.new_client_from_config(
        config_file=app["kubeconfig"] or None, context=app["context"] or None, persist_config=False
    )


def _queue_state(api, namespace, pods):
    from kubernetes import client
    from kubernetes.stream import stream

    for tier in ("worker", "web"):
        for pod in pods.get(tier, []):
            if pod["phase"] != "Running" or not pod["ready"]:
                continue
            answer = stream(
                client.CoreV1Api(api).connect_get_namespaced_pod_exec,
                pod["name"],
                namespace,
                container=tier,
                command=["/usr/local/bin/openms-k8s-python", "-c", _QUEUE_PROBE],
                stderr=True,
                stdout=True,
                stdin=False,
                tty=False,
            )
            lines = [line for line in answer.splitlines() if line.startswith("queue-state ")]
            try:
                return json.loads(lines[-1].removeprefix("queue-state "))
            except (ValueError, IndexError):
                return {"error": f"{pod['name']}: {answer.strip()[-300:]}"}
    return {"error": "no Ready web or worker pod to ask Redis through"}


def collect(app):
    """Pods per tier (phase, readiness, restarts, node), ready/desired per workload, the queue."""
    from kubernetes import client

    api = api_client(app)
    namespace, instance = app["namespace"], app["app_name"]
    selector = f"app.kubernetes.io/instance={instance}"
    core, apps, batch = client.CoreV1Api(api), client.AppsV1Api(api), client.BatchV1Api(api)
    pods = {}
    for pod in core.list_namespaced_pod(namespace, label_selector=selector).items:
        tier = (pod.metadata.labels or {}).get("app.kubernetes.io/component", "other")
        statuses = pod.status.container_statuses or []
        pods.setdefault(tier, []).append(
            {
                "name": pod.metadata.name,
                "phase": pod.status.phase,
                "ready": bool(statuses) and all(s.ready for s in statuses),
                "restarts": sum(s.restart_count for s in statuses),
                "node": pod.spec.node_name,
            }
        )
    workloads = {}
    for item in apps.list_namespaced_deployment(namespace, label_selector=selector).items + (
        apps.list_namespaced_stateful_set(namespace, label_selector=selector).items
    ):
        tier = (item.metadata.labels or {}).get("app.kubernetes.io/component", item.metadata.name)
        workloads[tier] = {
            "kind": item.kind or type(item).__name__.removeprefix("V1"),
            "name": item.metadata.name,
            "desired": item.spec.replicas,
            "ready": item.status.ready_replicas or 0,
        }
    cronjobs = [
        {
            "name": cron.metadata.name,
            "schedule": cron.spec.schedule,
            "suspended": bool(cron.spec.suspend),
            "last_success": cron.status.last_successful_time.isoformat() if cron.status.last_successful_time else None,
        }
        for cron in batch.list_namespaced_cron_job(namespace, label_selector=selector).items
    ]
    return {
        "namespace": namespace,
        "app": instance,
        "url": app["url"],
        "workloads": workloads,
        "pods": pods,
        "cronjobs": cronjobs,
        "queue": _queue_state(api, namespace, pods) if pods else {"error": "no pods"},
    }


def healthy(state):
    """Every workload has all its replicas Ready and Redis answered."""
    workloads = state["workloads"]
    return (
        bool(workloads)
        and all(w["ready"] == w["desired"] for w in workloads.values())
        and "error" not in state["queue"]
    )


def render(state):
    lines = [f"app {state['app']} in namespace {state['namespace']}: {state['url']}/", ""]
    rows = [("tier", "workload", "ready/desired", "pods (restarts, node)")]
    for tier in sorted(state["workloads"], key=lambda t: TIERS.index(t) if t in TIERS else len(TIERS)):
        workload = state["workloads"][tier]
        pods = ", ".join(
            f"{p['name']} {'Ready' if p['ready'] else p['phase']} ({p['restarts']}, {p['node']})"
            for p in state["pods"].get(tier, [])
        )
        rows.append(
            (tier, f"{workload['kind']}/{workload['name']}", f"{workload['ready']}/{workload['desired']}", pods)
        )
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)) + "  " + row[3])
    for cron in state["cronjobs"]:
        lines.append(
            f"cronjob {cron['name']} '{cron['schedule']}'{' (suspended)' if cron['suspended'] else ''}, "
            f"last success {cron['last_success'] or 'never'}"
        )
    queue = state["queue"]
    if "error" in queue:
        lines.append(f"queue {QUEUE}: unknown ({queue['error']})")
    else:
        lines.append(
            f"queue {QUEUE}: {queue['queued']} queued, {queue['started']} running, {queue['failed']} failed; "
            f"{queue['workers']} workers alive"
        )
    return "\n".join(lines)
