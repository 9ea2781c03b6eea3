# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""pods_on_two_nodes: two of the app's pods that run on two different nodes."""

from ansible.errors import AnsibleFilterError

DOCUMENTATION = r"""
name: pods_on_two_nodes
short_description: Two pods on two different nodes, with the container to run commands in
version_added: 1.0.0
author: OpenMS Streamlit Kubernetes maintainers
description:
  - I(_input) is the C(resources) list of a C(kubernetes.core.k8s_info) that read pods. Returns
    two of them that run on different nodes, web pods first, each as C(name), C(node) and
    C(container) (the pod's first container), or an empty list when every pod runs on one node.
options:
  _input:
    description: Pods as C(kubernetes.core.k8s_info) returns them.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Pick two pods on two nodes
  ansible.builtin.set_fact:
    pair: "{{ found.resources | openms.streamlit_k8s.pods_on_two_nodes }}"
"""

RETURN = r"""
_value:
  description: Two dicts with C(name), C(node) and C(container), or an empty list.
  type: list
  elements: dict
"""


def pods_on_two_nodes(pods):
    if not isinstance(pods, list):
        raise AnsibleFilterError(f"pods_on_two_nodes: expected a list of pods, got {pods!r}")

    def component(pod):
        return (pod.get("metadata", {}).get("labels") or {}).get("app.kubernetes.io/component", "")

    placed = [pod for pod in pods if pod.get("spec", {}).get("nodeName")]
    ordered = sorted(placed, key=lambda pod: (component(pod) != "web", pod["metadata"]["name"]))
    for index, first in enumerate(ordered):
        for second in ordered[index + 1 :]:
            if first["spec"]["nodeName"] != second["spec"]["nodeName"]:
                return [
                    {
                        "name": pod["metadata"]["name"],
                        "node": pod["spec"]["nodeName"],
                        "container": pod["spec"]["containers"][0]["name"],
                    }
                    for pod in (first, second)
                ]
    return []


class FilterModule:
    def filters(self):
        return {"pods_on_two_nodes": pods_on_two_nodes}
