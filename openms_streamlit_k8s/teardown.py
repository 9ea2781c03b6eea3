"""`streamlit-k8s down`: an app's namespace removed (its workspaces volume and data kept), or the
local kind cluster deleted."""

import subprocess
import sys
import time

from . import paths, playbook, status

WAIT_SECONDS = 300


def apps(inventory, extra_vars=(), limit=None):
    """Each app the inventory (or `limit`) names; an inventory of several apps only with a limit
    that says which (`--limit all` for every one)."""
    described = status.describe(inventory, extra_vars, limit)
    if len(described) > 1 and not limit:
        names = ", ".join(app["app_name"] for app in described)
        print(
            f"down: {inventory} holds {len(described)} apps ({names}): say which with --limit <app> "
            "(--limit all for every one)",
            file=sys.stderr,
        )
        return playbook.EXIT_BAD_INPUT
    codes = [app(one) for one in described]
    return next((code for code in codes if code != playbook.EXIT_OK), playbook.EXIT_OK)


def app(described):
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException

    api = status.api_client(described)
    core = client.CoreV1Api(api)
    namespace = described["namespace"]
    volumes = [
        pv.metadata.name
        for pv in core.list_persistent_volume().items
        if pv.spec.claim_ref
        and pv.spec.claim_ref.namespace == namespace
        and pv.spec.claim_ref.name == described["workspaces_claim"]
    ]
    try:
        core.delete_namespace(namespace)
    except ApiException as error:
        if error.status != 404:
            raise
        print(f"namespace {namespace}: not there")
        return playbook.EXIT_OK
    print(f"namespace {namespace}: deleting (its pods, Redis's volume, the workspaces claim)", flush=True)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            core.read_namespace(namespace)
        except ApiException as error:
            if error.status == 404:
                break
            raise
        time.sleep(2)
    else:
        print(f"namespace {namespace}: still there after {WAIT_SECONDS} s", file=sys.stderr)
        return playbook.EXIT_FAILED
    print(f"namespace {namespace}: deleted")
    for name in volumes:
        print(f"kept: PersistentVolume {name} (Retain) and the workspaces on it; the next deploy binds it again")
    return playbook.EXIT_OK


def cluster():
    facts_path = paths.cluster_facts()
    if not facts_path.exists():
        print(f"no local cluster: {facts_path} is missing")
        return playbook.EXIT_OK
    facts = paths.read_cluster_facts()
    done = subprocess.run([facts["kind"], "delete", "cluster", "--name", facts["name"]], check=False)
    if done.returncode != 0:
        return playbook.EXIT_FAILED
    facts_path.unlink()
    print(f"kind cluster {facts['name']} deleted; the shared directory {facts['shared_dir']} is kept")
    return playbook.EXIT_OK
