#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wait for the roll-outs of several workloads at once."""

from __future__ import annotations

DOCUMENTATION = r"""
module: k8s_rollout
short_description: Wait for the roll-outs of several Deployments and StatefulSets, and for claims to bind, at once
version_added: 1.3.0
description:
  - Polls every workload of I(workloads) until each runs its current template on every replica,
    every pod Ready (what C(kubectl rollout status) waits for), all of them in one wait, so that
    roll-outs started one after the other by a run's phases proceed side by side.
  - A PersistentVolumeClaim is waited for until it is bound. The volume controller binds a claim
    on the claim's events, or else at its resync (15 s later); while one is not bound, the module
    sets the annotation C(openms.de/bind-nudge) on it every second (an event), and removes it
    once the claim is bound.
  - On a timeout, fails naming each workload not rolled out and what keeps its pods from Ready
    (for example C(ImagePullBackOff) or C(CrashLoopBackOff) with the container's message).
options:
  workloads:
    description: The workloads, as the k8s_apply module returns them.
    type: list
    elements: dict
    required: true
    suboptions:
      kind:
        description: C(Deployment), C(StatefulSet) or C(PersistentVolumeClaim).
        type: str
        required: true
        choices: [Deployment, StatefulSet, PersistentVolumeClaim]
      name:
        description: Name.
        type: str
        required: true
      namespace:
        description: Namespace.
        type: str
        required: true
      timeout:
        description: Seconds this workload may take (from the start of the wait).
        type: int
        default: 300
      rolled_out:
        description:
          - Rolled out already when it was applied (as k8s_apply returns it); not waited for.
        type: bool
        default: false
  sleep:
    description: Seconds between two reads of the workloads.
    type: int
    default: 1
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
notes:
  - Supports check mode (it waits for nothing and nudges nothing; nothing rolled).
requirements:
  - kubernetes >= 24.2.0
author:
  - OpenMS Streamlit Kubernetes maintainers (@OpenMS)
"""

EXAMPLES = r"""
- name: Wait for every roll-out of the run
  openms.streamlit_k8s.k8s_rollout:
    workloads:
      - {kind: StatefulSet, name: openms-redis, namespace: openms, timeout: 180}
      - {kind: Deployment, name: openms-web, namespace: openms, timeout: 300}
"""

RETURN = r"""
seconds:
  description: Seconds until each workload was rolled out (or bound), by C(Kind/name).
  returned: always
  type: dict
nudged:
  description: The claims nudged, as C(PersistentVolumeClaim/name).
  returned: always
  type: list
  elements: str
"""

import copy
import time

from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
from ansible_collections.openms.streamlit_k8s.plugins.module_utils import apply_set
from ansible_collections.openms.streamlit_k8s.plugins.module_utils.k8s_module import run_module

try:
    from kubernetes.dynamic.exceptions import NotFoundError
except ImportError:  # reported by AnsibleK8SModule's requirements check
    NotFoundError = Exception


def argspec():
    args = copy.deepcopy(AUTH_ARG_SPEC)
    args.update(
        workloads=dict(
            type="list",
            elements="dict",
            required=True,
            options=dict(
                kind=dict(type="str", required=True, choices=list(apply_set.WAITED_FOR)),
                name=dict(type="str", required=True),
                namespace=dict(type="str", required=True),
                timeout=dict(type="int", default=300),
                rolled_out=dict(type="bool", default=False),
            ),
        ),
        sleep=dict(type="int", default=1),
    )
    return args


def read(client, resources, workload):
    try:
        return client.get(resources[workload["kind"]], name=workload["name"], namespace=workload["namespace"]).to_dict()
    except NotFoundError:
        return None


def why_not(client, pods, workload, obj):
    """One line: the workload, its counts and what its pods say."""
    ref = f"{workload['kind']}/{workload['name']}"
    if obj is None:
        return f"{ref}: does not exist"
    status = obj.get("status") or {}
    if workload["kind"] == apply_set.CLAIM:
        return f"{ref}: {status.get('phase', 'Pending')}, volume {(obj.get('spec') or {}).get('volumeName') or 'none'}"
    line = (
        f"{ref}: {status.get('readyReplicas') or 0} of {(obj.get('spec') or {}).get('replicas', 1)} Ready,"
        f" {status.get('updatedReplicas') or 0} updated"
    )
    selector = ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    if selector:
        listed = client.get(
            pods,
            namespace=workload["namespace"],
            label_selector=",".join(f"{k}={v}" for k, v in sorted(selector.items())),
        )
        problems = apply_set.pod_problems([p.to_dict() for p in listed.items])
        if problems:
            line += " (" + "; ".join(problems) + ")"
    return line


def nudge(client, resource, workload, value):
    """Set (or with None remove) the nudge annotation on a claim."""
    patch = {"metadata": {"annotations": {apply_set.NUDGE_ANNOTATION: value}}}
    client.patch(
        resource,
        patch,
        name=workload["name"],
        namespace=workload["namespace"],
        content_type="application/merge-patch+json",
    )


def run(module, client):
    workloads = [w for w in module.params["workloads"] if not w["rolled_out"]]
    if module.check_mode or not workloads:
        module.exit_json(changed=False, seconds={}, nudged=[])
    resources = {
        kind: client.resource(kind, "v1" if kind == apply_set.CLAIM else "apps/v1")
        for kind in {w["kind"] for w in workloads}
    }
    started = time.monotonic()
    waiting, seconds, late, nudged = list(workloads), {}, [], {}
    while waiting:
        elapsed = time.monotonic() - started
        still = []
        for workload in waiting:
            ref = f"{workload['kind']}/{workload['name']}"
            obj = read(client, resources, workload)
            if obj is not None and apply_set.rolled_out(obj):
                seconds[ref] = round(elapsed, 1)
                if ref in nudged:
                    nudge(client, resources[workload["kind"]], workload, None)
            elif elapsed >= workload["timeout"]:
                late.append((workload, obj))
            else:
                if obj is not None and workload["kind"] == apply_set.CLAIM:
                    nudged[ref] = nudged.get(ref, 0) + 1
                    nudge(client, resources[workload["kind"]], workload, str(nudged[ref]))
                still.append(workload)
        waiting = still
        if waiting:
            time.sleep(module.params["sleep"])
    if late:
        pods = client.resource("Pod", "v1")
        module.fail_json(
            msg="Not rolled out in time: " + " | ".join(why_not(client, pods, w, o) for w, o in late) + ".",
            seconds=seconds,
            nudged=sorted(nudged),
        )
    # a nudge is taken back once the claim is bound: nothing is left changed
    module.exit_json(changed=False, seconds=seconds, nudged=sorted(nudged))


def main():
    run_module(argspec(), run)


if __name__ == "__main__":
    main()
