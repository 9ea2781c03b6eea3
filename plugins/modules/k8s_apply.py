#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Apply a phase's objects server-side and prune what it no longer renders, in one module run."""

from __future__ import annotations

DOCUMENTATION = r"""
module: k8s_apply
short_description: Apply a phase's objects and prune what it no longer renders, in one run
version_added: 1.3.0
description:
  - Applies every object of I(definitions) server-side as I(field_manager) (conflicts forced),
    with one client and one process for the whole phase, and returns what changed.
  - Objects that run pods from a template (Deployment, StatefulSet, CronJob, ...) are applied
    after the rest, their pod template annotated with the C(resourceVersion) of each object
    named in I(rollout_on), so that the pods roll when, say, a Secret they read changes.
  - With I(prune), deletes the objects of I(prune.kinds) that carry every label of
    I(prune.selector) and are not among I(definitions). Before applying anything, it refuses a
    selector without the collection as manager, the app's instance and a component, and refuses
    volumes and claims (their data outlives a rename).
  - Does not wait for roll-outs; the k8s_rollout module waits for every workload of a run at once.
options:
  definitions:
    description: The objects, as dicts (rendered templates).
    type: list
    elements: dict
    required: true
  field_manager:
    description: The server-side apply field manager, for example C(openms.streamlit_k8s.web).
    type: str
    required: true
  secret_data:
    description:
      - Data of the Secrets among I(definitions), by Secret name, as plain strings (the module
        encodes them). Kept out of logs; diffs show each key as hidden, changed or not.
    type: dict
    default: {}
  rollout_on:
    description:
      - Pod template annotation name to C(Secret/name) or C(ConfigMap/name) in the same namespace,
        applied here or already in the cluster; the annotation's value is that object's C(resourceVersion)
        (empty while it does not exist).
    type: dict
    default: {}
  prune:
    description: What the phase owns, to delete what it no longer renders.
    type: dict
    suboptions:
      namespace:
        description: The namespace pruned (the app's).
        type: str
        required: true
      selector:
        description: Labels every pruned object carries (instance, managed-by, component).
        type: dict
        required: true
      kinds:
        description: The kinds the phase manages (rendered now or not).
        type: list
        elements: dict
        required: true
        suboptions:
          api_version:
            description: API version, for example C(apps/v1).
            type: str
            required: true
          kind:
            description: Kind, for example C(Deployment).
            type: str
            required: true
  prune_wait_timeout:
    description: Seconds to wait for each pruned object to be gone.
    type: int
    default: 120
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
notes:
  - Supports check mode (a server-side dry run of each object, nothing deleted) and diff mode
    (one diff per changed object, secret values hidden).
requirements:
  - kubernetes >= 24.2.0
author:
  - OpenMS Streamlit Kubernetes maintainers (@OpenMS)
"""

EXAMPLES = r"""
- name: Apply the web tier
  openms.streamlit_k8s.k8s_apply:
    field_manager: openms.streamlit_k8s.web
    definitions: "{{ lookup('template', 'deployment.yaml.j2') | from_yaml_all | list }}"
    secret_data:
      openms-web: {cookie-secret: "{{ web_cookie_secret }}"}
    rollout_on:
      openms.de/secret-version: Secret/openms-web
    prune:
      namespace: openms
      selector:
        app.kubernetes.io/instance: openms
        app.kubernetes.io/managed-by: openms.streamlit_k8s
        app.kubernetes.io/component: web
      kinds:
        - {api_version: apps/v1, kind: Deployment}
"""

RETURN = r"""
objects:
  description: Each object applied, in the order applied.
  returned: always
  type: list
  elements: dict
  contains:
    kind: {description: Kind., type: str}
    name: {description: Name., type: str}
    namespace: {description: Namespace (empty for cluster-wide objects)., type: str}
    changed: {description: Whether the apply changed it., type: bool}
    resource_version: {description: Its resourceVersion after the apply., type: str}
workloads:
  description:
    - The Deployments and StatefulSets applied, for k8s_rollout, each with C(rolled_out) true when
      the API server's answer to the apply showed it rolled out already (nothing left to wait for).
  returned: always
  type: list
  elements: dict
deleted:
  description: The objects pruned (in check mode, that would be), as C(Kind/name).
  returned: always
  type: list
  elements: str
"""

import copy
import time

from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.runner import perform_action
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.service import K8sService
from ansible_collections.openms.streamlit_k8s.plugins.module_utils import apply_set
from ansible_collections.openms.streamlit_k8s.plugins.module_utils.k8s_module import run_module
from ansible_collections.openms.streamlit_k8s.plugins.module_utils.prune import (
    label_selector,
    scope_errors,
    to_delete,
)

try:
    from kubernetes.dynamic.exceptions import NotFoundError
except ImportError:  # reported by AnsibleK8SModule's requirements check
    NotFoundError = Exception


def argspec():
    args = copy.deepcopy(AUTH_ARG_SPEC)
    kind = dict(api_version=dict(type="str", required=True), kind=dict(type="str", required=True))
    args.update(
        definitions=dict(type="list", elements="dict", required=True),
        field_manager=dict(type="str", required=True),
        secret_data=dict(type="dict", default={}, no_log=True),
        rollout_on=dict(type="dict", default={}),
        prune=dict(
            type="dict",
            options=dict(
                namespace=dict(type="str", required=True),
                selector=dict(type="dict", required=True),
                kinds=dict(type="list", elements="dict", required=True, options=kind),
            ),
        ),
        prune_wait_timeout=dict(type="int", default=120),
    )
    return args


def apply_one(module, svc, definition):
    """Apply one object as the kubernetes.core.k8s module does (apply: true, server-side)."""
    params = dict(state="present", apply=True, wait=False, hidden_fields=None, label_selectors=None)
    # what the API server says about a Secret could quote its (encoded) values: never shown
    hidden = apply_set.secret_values(definition)
    try:
        result = perform_action(svc, definition, params)
    except CoreException as e:
        module.fail_json(msg=apply_set.hide(f"{apply_set.reference(definition)}: {e}", hidden))
    for warning in result.get("warnings", []):
        module.warn(apply_set.hide(f"{apply_set.reference(definition)}: {warning}", hidden))
    return result


def current_version(client, kind, name, namespace):
    try:
        found = client.get(client.resource(kind, "v1"), name=name, namespace=namespace)
    except NotFoundError:
        return ""
    return found.metadata.resourceVersion or ""


def diff_entry(definition, result):
    diff = result.get("diff") or {}
    before, after = diff.get("before", {}), diff.get("after", {})
    if result.get("method") == "create" or (not diff and result.get("changed")):
        before, after = {}, result.get("result") or {}
    if definition["kind"] == "Secret":
        before, after = apply_set.mask_secret(before, after)
    header = apply_set.reference(definition)
    return dict(before_header=header, after_header=header, before=before, after=after)


def prune(module, client, applied):
    spec = module.params["prune"]
    namespace = spec["namespace"]
    resources = {item["kind"]: client.resource(item["kind"], item["api_version"]) for item in spec["kinds"]}
    selector = label_selector(spec["selector"])
    found = {
        kind: [o.metadata.name for o in client.get(resource, namespace=namespace, label_selector=selector).items]
        for kind, resource in resources.items()
    }
    deleted = to_delete(found, applied)
    if module.check_mode:
        return deleted
    timeout = module.params["prune_wait_timeout"]
    for ref in deleted:
        kind, name = ref.split("/", 1)
        client.delete(resources[kind], name=name, namespace=namespace)
        deadline = time.monotonic() + timeout
        while True:
            try:
                client.get(resources[kind], name=name, namespace=namespace)
            except NotFoundError:
                break
            if time.monotonic() > deadline:
                module.fail_json(msg=f"{ref} was deleted but still exists after {timeout} s.")
            time.sleep(1)
    return deleted


def run(module, client):
    params = module.params
    errors = apply_set.rollout_errors(params["rollout_on"])
    if errors:
        module.fail_json(msg="; ".join(errors) + ".")
    # refused before anything is applied, as a malformed rollout_on is
    prune_errors = scope_errors(params["prune"]["selector"], params["prune"]["kinds"]) if params["prune"] else []
    if prune_errors:
        module.fail_json(msg="k8s_apply refuses to prune: " + "; ".join(prune_errors) + ".")
    try:
        definitions = apply_set.fill_secret_data(params["definitions"], params["secret_data"])
    except ValueError as e:
        module.fail_json(msg=str(e))
    # K8sService reads the apply's options from the module's parameters
    params["server_side_apply"] = dict(field_manager=params["field_manager"], force_conflicts=True)
    svc = K8sService(client, module)
    versions, objects, diffs, changed, instances = {}, [], [], False, {}
    for definition in apply_set.apply_order(definitions):
        if definition.get("kind") in apply_set.POD_TEMPLATE_PATHS and params["rollout_on"]:
            namespace = definition["metadata"].get("namespace")
            annotations = {}
            for annotation, target in params["rollout_on"].items():
                if target not in versions:
                    versions[target] = current_version(client, *target.split("/"), namespace)
                annotations[annotation] = versions[target]
            definition = apply_set.annotate_pod_template(definition, annotations)
        result = apply_one(module, svc, definition)
        instance = result.get("result") or {}
        version = (instance.get("metadata") or {}).get("resourceVersion", "")
        versions[apply_set.reference(definition)] = version
        instances[apply_set.reference(definition)] = instance
        changed |= bool(result["changed"])
        objects.append(
            dict(
                kind=definition["kind"],
                name=definition["metadata"]["name"],
                namespace=definition["metadata"].get("namespace", ""),
                changed=bool(result["changed"]),
                resource_version=version,
            )
        )
        if module._diff and result["changed"]:
            diffs.append(diff_entry(definition, result))
    applied = [
        apply_set.reference(d)
        for d in definitions
        if d["metadata"].get("namespace") == (params["prune"] or {}).get("namespace")
    ]
    deleted = prune(module, client, applied) if params["prune"] else []
    outcome = dict(
        changed=changed or bool(deleted),
        objects=objects,
        workloads=apply_set.workloads(definitions, instances),
        deleted=deleted,
    )
    if module._diff:
        outcome["diff"] = diffs + [
            dict(before_header=ref, after_header=ref, before={"exists": True}, after={"exists": False})
            for ref in deleted
        ]
    module.exit_json(**outcome)


def main():
    run_module(argspec(), run)


if __name__ == "__main__":
    main()
