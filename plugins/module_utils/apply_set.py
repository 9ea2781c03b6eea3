# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the k8s_apply and k8s_rollout modules decide: secret data filled in, the order of the
apply, pod templates annotated with the versions they roll on, diffs without secret values, and
when a workload's roll-out is done."""

from __future__ import annotations

import base64
import copy

# Kinds whose pods run from a template: applied after everything they may reference
POD_TEMPLATE_PATHS = {
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}
# Kinds the rollout wait knows how to judge (a claim: bound to its volume)
ROLLED_OUT = ("Deployment", "StatefulSet")
CLAIM = "PersistentVolumeClaim"
WAITED_FOR = (*ROLLED_OUT, CLAIM)
# Set on a claim that is not bound yet, to make the volume controller look at it again (it binds
# on a claim's events, else at its resync, 15 s later); removed once the claim is bound
NUDGE_ANNOTATION = "openms.de/bind-nudge"
# What pods read and roll on (core/v1)
ROLLOUT_SOURCES = ("Secret", "ConfigMap")
HIDDEN = "<hidden>"
HIDDEN_CHANGED = "<hidden, changed>"


def reference(definition):
    return f"{definition['kind']}/{definition['metadata']['name']}"


def fill_secret_data(definitions, secret_data):
    """The definitions with each Secret named in secret_data given that data (base64 of each
    value); raises ValueError for a name no Secret of the definitions has."""
    definitions = copy.deepcopy(definitions)
    secrets = {d["metadata"]["name"]: d for d in definitions if d.get("kind") == "Secret"}
    unknown = sorted(set(secret_data) - set(secrets))
    if unknown:
        raise ValueError(f"secret_data names {', '.join(unknown)}, which no Secret of the definitions is")
    for name, data in secret_data.items():
        secrets[name]["data"] = {
            key: base64.b64encode(str(value).encode()).decode() for key, value in sorted(data.items())
        }
    return definitions


def apply_order(definitions):
    """Everything without pods first (in the order given), then what runs pods from a template."""
    plain = [d for d in definitions if d.get("kind") not in POD_TEMPLATE_PATHS]
    return plain + [d for d in definitions if d.get("kind") in POD_TEMPLATE_PATHS]


def annotate_pod_template(definition, annotations):
    """The definition with the annotations on its pod template (unchanged if it has none)."""
    path = POD_TEMPLATE_PATHS.get(definition.get("kind"))
    if not path or not annotations:
        return definition
    definition = copy.deepcopy(definition)
    node = definition
    for key in path:
        node = node.setdefault(key, {})
    node.setdefault("metadata", {}).setdefault("annotations", {}).update(annotations)
    return definition


def rollout_errors(rollout_on):
    """Why a rollout_on mapping (annotation -> Kind/name) is malformed ([] if it is not)."""
    return [
        f"rollout_on[{annotation}] must be Secret/<name> or ConfigMap/<name>, not {target!r}"
        for annotation, target in rollout_on.items()
        if not isinstance(target, str)
        or target.count("/") != 1
        or target.split("/")[0] not in ROLLOUT_SOURCES
        or not target.split("/")[1]
    ]


def secret_values(definition):
    """A Secret's data values, encoded and decoded (none for other kinds), longest first."""
    if definition.get("kind") != "Secret":
        return []
    values = set()
    for encoded in (definition.get("data") or {}).values():
        values.add(encoded)
        try:
            values.add(base64.b64decode(encoded).decode())
        except (ValueError, UnicodeDecodeError):
            pass
    return sorted((v for v in values if v), key=len, reverse=True)


def hide(text, values):
    """The text with each of the values replaced by <hidden>."""
    for value in values:
        text = text.replace(value, HIDDEN)
    return text


def mask_secret(before, after):
    """A Secret's before and after with every data value hidden (changed ones said so)."""
    before, after = copy.deepcopy(before or {}), copy.deepcopy(after or {})
    old, new = before.get("data") or {}, after.get("data") or {}
    if "data" in before:
        before["data"] = dict.fromkeys(old, HIDDEN)
    if "data" in after:
        after["data"] = {key: HIDDEN if old.get(key) == value else HIDDEN_CHANGED for key, value in new.items()}
    return before, after


def workloads(definitions, applied):
    """The objects whose roll-out is awaited: Kind, name, namespace, and whether the object the
    API server answered the apply with (applied, by Kind/name) was rolled out already: a run that
    changed nothing then waits for nothing."""
    return [
        {
            "kind": d["kind"],
            "name": d["metadata"]["name"],
            "namespace": d["metadata"].get("namespace", ""),
            "rolled_out": rolled_out(applied.get(reference(d)) or {}),
        }
        for d in definitions
        if d.get("kind") in ROLLED_OUT
    ]


def rolled_out(obj):
    """Whether a Deployment or StatefulSet (a dict as the API returns it) runs its current
    template on every replica, every one Ready: what `kubectl rollout status` waits for; whether
    a PersistentVolumeClaim is bound."""
    spec, status, metadata = obj.get("spec") or {}, obj.get("status") or {}, obj.get("metadata") or {}
    if obj.get("kind") == CLAIM:
        return status.get("phase") == "Bound"
    wanted = spec.get("replicas", 1)
    if status.get("observedGeneration", 0) < metadata.get("generation", 0):
        return False
    counts = [status.get(key) or 0 for key in ("replicas", "updatedReplicas", "readyReplicas")]
    if obj.get("kind") == "Deployment":
        return counts == [wanted] * 3 and (status.get("availableReplicas") or 0) == wanted
    if (spec.get("updateStrategy") or {}).get("type") == "OnDelete":
        return counts[0] == wanted and counts[2] == wanted
    return counts == [wanted] * 3 and status.get("currentRevision") == status.get("updateRevision")


def pod_problems(pods):
    """What keeps pods from Ready, one line per pod that is not (dicts as the API returns them)."""
    problems = []
    for pod in pods:
        status = pod.get("status") or {}
        containers = status.get("containerStatuses") or []
        if containers and all(c.get("ready") for c in containers):
            continue
        said = []
        for container in containers:
            state = container.get("state") or {}
            waiting = state.get("waiting") or state.get("terminated")
            if waiting and waiting.get("reason"):
                message = (waiting.get("message") or "").strip().splitlines()
                said.append(f"{container['name']}: {waiting['reason']}" + (f" ({message[0][:200]})" if message else ""))
            elif not container.get("ready"):
                said.append(f"{container['name']}: running, not ready")
        if not containers:
            conditions = [c for c in status.get("conditions") or [] if c.get("status") == "False" and c.get("message")]
            said += [f"{c['type']}: {c['message'][:200]}" for c in conditions]
        problems.append(
            f"{pod['metadata']['name']} {status.get('phase', 'Unknown')}" + (": " + "; ".join(said) if said else "")
        )
    return problems
