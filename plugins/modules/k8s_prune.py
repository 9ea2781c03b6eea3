#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Delete the objects a phase made and no longer renders, all its kinds in one call."""

from __future__ import annotations

DOCUMENTATION = r"""
module: k8s_prune
short_description: Delete the objects a phase made and no longer renders
version_added: 1.2.0
description:
  - Lists the objects of each of I(kinds) in I(namespace) that carry every label of
    I(selector), and deletes each one that is not in I(keep), waiting until it is gone.
  - One module run for every kind of a phase (a loop of C(k8s_info) starts a Python process and
    a client per kind, most of a no-op run's time).
  - Refuses a selector without the collection as manager, the app's instance and a component,
    and refuses volumes and claims (their data outlives a rename).
options:
  namespace:
    description: The app's namespace.
    type: str
    required: true
  selector:
    description: Labels every pruned object carries (instance, managed-by, component).
    type: dict
    required: true
  kinds:
    description: The kinds the phase manages.
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
  keep:
    description: The objects the phase renders now, as C(Kind/name).
    type: list
    elements: str
    required: true
  wait_timeout:
    description: Seconds to wait for each deleted object to be gone.
    type: int
    default: 120
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
notes:
  - Supports check mode (lists, deletes nothing) and diff mode (the objects before and after).
requirements:
  - kubernetes >= 24.2.0
author:
  - OpenMS Streamlit Kubernetes maintainers (@OpenMS)
"""

EXAMPLES = r"""
- name: Delete what the web phase made and no longer renders
  openms.streamlit_k8s.k8s_prune:
    namespace: openms
    selector:
      app.kubernetes.io/instance: openms
      app.kubernetes.io/managed-by: openms.streamlit_k8s
      app.kubernetes.io/component: web
    kinds:
      - {api_version: v1, kind: Service}
      - {api_version: apps/v1, kind: Deployment}
    keep: [Service/openms-web, Deployment/openms-web]
"""

RETURN = r"""
deleted:
  description: The objects deleted (in check mode, that would be), as C(Kind/name).
  returned: always
  type: list
  elements: str
"""

import copy
import time

from ansible_collections.kubernetes.core.plugins.module_utils.ansiblemodule import AnsibleModule
from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException
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
    args.update(
        namespace=dict(type="str", required=True),
        selector=dict(type="dict", required=True),
        kinds=dict(
            type="list",
            elements="dict",
            required=True,
            options=dict(api_version=dict(type="str", required=True), kind=dict(type="str", required=True)),
        ),
        keep=dict(type="list", elements="str", required=True),
        wait_timeout=dict(type="int", default=120),
    )
    return args


def wait_gone(client, resource, name, namespace, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            client.get(resource, name=name, namespace=namespace)
        except NotFoundError:
            return True
        time.sleep(1)
    return False


def run(module, client):
    params = module.params
    errors = scope_errors(params["selector"], params["kinds"])
    if errors:
        module.fail_json(msg="k8s_prune refuses to run: " + "; ".join(errors) + ".")
    resources = {item["kind"]: client.resource(item["kind"], item["api_version"]) for item in params["kinds"]}
    selector = label_selector(params["selector"])
    found = {}
    for kind, resource in resources.items():
        listed = client.get(resource, namespace=params["namespace"], label_selector=selector)
        found[kind] = [obj.metadata.name for obj in listed.items]
    deleted = to_delete(found, params["keep"])
    if not module.check_mode:
        for reference in deleted:
            kind, name = reference.split("/", 1)
            client.delete(resources[kind], name=name, namespace=params["namespace"])
            if not wait_gone(client, resources[kind], name, params["namespace"], params["wait_timeout"]):
                module.fail_json(msg=f"{reference} was deleted but still exists after {params['wait_timeout']} s.")
    result = dict(changed=bool(deleted), deleted=deleted)
    if module._diff:
        before = sorted(f"{kind}/{name}" for kind, names in found.items() for name in names)
        result["diff"] = dict(before={"objects": before}, after={"objects": [r for r in before if r not in deleted]})
    module.exit_json(**result)


def main():
    module = AnsibleK8SModule(module_class=AnsibleModule, argument_spec=argspec(), supports_check_mode=True)
    try:
        run(module, get_api_client(module))
    except CoreException as e:
        module.fail_from_exception(e)


if __name__ == "__main__":
    main()
