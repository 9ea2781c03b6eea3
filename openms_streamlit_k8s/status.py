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


def describe(inventory, extra_vars=(), limit=None, env=None):
    """Each app of the inventory (its hosts in group `apps`, or those `limit` picks): cluster access
    and names, as Ansible resolves them (with any extra variables, as ansible-playbook takes them),
    in the inventory's order of hosts."""
    found = {}

    def keep(event):
        data = event.get("event_data") or {}
        if event.get("event") == "runner_on_ok" and isinstance((data.get("res") or {}).get("msg"), dict):
            found[data.get("host")] = data["res"]["msg"]
        return True

    args = [option for value in extra_vars or () for option in ("-e", value)]
    args += ["--limit", limit] if limit else []
    result = playbook.run("playbooks/describe.yml", inventory=inventory, args=args, env=env, extra_handler=keep)
    if result.exit_code != playbook.EXIT_OK or not found:
        raise RuntimeError(f"could not read the apps' names from {inventory}: {result.output[-2000:]}")
    return [found[host] for host in sorted(found, key=lambda host: int(found[host]["order"]))]


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


def _pods(pods):
    return ", ".join(
        f"{pod['name']} {'Ready' if pod['ready'] else pod['phase']} ({pod['restarts']}, {pod['node']})" for pod in pods
    )


def render(states):
    """Every app in one table (a row per workload), then each app's clean-up job, queue and URL."""
    rows = [("app", "namespace", "tier", "workload", "ready/desired", "pods (restarts, node)")]
    notes = []
    for state in states:
        workloads = state["workloads"]
        for tier in sorted(workloads, key=lambda t: TIERS.index(t) if t in TIERS else len(TIERS)):
            workload = workloads[tier]
            rows.append(
                (
                    state["app"],
                    state["namespace"],
                    tier,
                    f"{workload['kind']}/{workload['name']}",
                    f"{workload['ready']}/{workload['desired']}",
                    _pods(state["pods"].get(tier, [])),
                )
            )
        if not workloads:
            rows.append((state["app"], state["namespace"], "-", "(none)", "-", ""))
        for cron in state["cronjobs"]:
            notes.append(
                f"{state['app']}: cronjob {cron['name']} '{cron['schedule']}'"
                f"{' (suspended)' if cron['suspended'] else ''}, last success {cron['last_success'] or 'never'}"
            )
        queue = state["queue"]
        if "error" in queue:
            notes.append(f"{state['app']}: queue {QUEUE}: unknown ({queue['error']})")
        else:
            notes.append(
                f"{state['app']}: queue {QUEUE}: {queue['queued']} queued, {queue['started']} running, "
                f"{queue['failed']} failed; {queue['workers']} workers alive"
            )
        notes.append(f"{state['app']}: {state['url']}/")
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:5], widths, strict=True)) + "  " + row[5]
        for row in rows
    ]
    return "\n".join([*lines, "", *notes])
