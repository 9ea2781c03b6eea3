#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read some objects, and the cluster's Kubernetes version, in one module run."""

from __future__ import annotations

DOCUMENTATION = r"""
module: k8s_read
short_description: Read some objects and the cluster's Kubernetes version in one run
version_added: 1.3.0
description:
  - Reads each object of I(objects) by kind and name with one client and one process (where
    C(kubernetes.core.k8s_info) takes a module run per object), and with I(version) the API
    server's version.
  - An object that does not exist is returned as an empty dict; any other failure (the cluster
    does not answer, a kind it does not know) fails the module.
options:
  objects:
    description: The objects to read, in the order returned.
    type: list
    elements: dict
    default: []
    suboptions:
      kind:
        description: Kind, for example C(PersistentVolume).
        type: str
        required: true
      api_version:
        description: API version.
        type: str
        default: v1
      name:
        description: Name.
        type: str
        required: true
      namespace:
        description: Namespace (none for cluster-wide kinds).
        type: str
  version:
    description: Also ask the API server for its version (C(/version)).
    type: bool
    default: false
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
notes:
  - Reads only; the same in check mode.
requirements:
  - kubernetes >= 24.2.0
author:
  - OpenMS Streamlit Kubernetes maintainers (@OpenMS)
"""

EXAMPLES = r"""
- name: Read the app's namespace and the cluster's version
  openms.streamlit_k8s.k8s_read:
    objects:
      - {kind: Namespace, name: openms}
    version: true
  register: cluster
  # cluster.objects[0] is {} while the namespace does not exist; cluster.version.gitVersion
"""

RETURN = r"""
objects:
  description: Each object read, as the API returns it, in the order asked; C({}) for one that does not exist.
  returned: always
  type: list
  elements: dict
version:
  description: What the API server's C(/version) says (C(gitVersion), C(major), C(minor), ...).
  returned: when I(version) is true
  type: dict
"""

import copy

from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
from ansible_collections.openms.streamlit_k8s.plugins.module_utils.k8s_module import run_module

try:
    from kubernetes.dynamic.exceptions import DynamicApiError, NotFoundError
except ImportError:  # reported by AnsibleK8SModule's requirements check
    DynamicApiError = NotFoundError = Exception


def argspec():
    args = copy.deepcopy(AUTH_ARG_SPEC)
    args.update(
        objects=dict(
            type="list",
            elements="dict",
            default=[],
            options=dict(
                kind=dict(type="str", required=True),
                api_version=dict(type="str", default="v1"),
                name=dict(type="str", required=True),
                namespace=dict(type="str"),
            ),
        ),
        version=dict(type="bool", default=False),
    )
    return args


def read(client, wanted):
    resource = client.resource(wanted["kind"], wanted["api_version"])
    try:
        return client.get(resource, name=wanted["name"], namespace=wanted["namespace"]).to_dict()
    except NotFoundError:
        return {}


def run(module, client):
    objects = []
    for wanted in module.params["objects"]:
        try:
            objects.append(read(client, wanted))
        except DynamicApiError as e:
            module.fail_json(msg=f"Reading {wanted['kind']}/{wanted['name']} failed: {e.summary()}")
    result = dict(changed=False, objects=objects)
    if module.params["version"]:
        # /version is not an object (no kind): its JSON as it is
        result["version"] = client.client.request("get", "/version", serializer=lambda _client, data: data)
    module.exit_json(**result)


def main():
    run_module(argspec(), run)


if __name__ == "__main__":
    main()
