# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""resource_by_kind: the object one iteration of a looped k8s_info found, chosen by its kind."""

from ansible.errors import AnsibleFilterError

DOCUMENTATION = r"""
name: resource_by_kind
short_description: The object that a looped k8s_info found for one kind
version_added: 1.0.0
author: OpenMS Streamlit Kubernetes maintainers
description:
  - I(_input) is the C(results) list of a C(kubernetes.core.k8s_info) task that loops over
    items with a C(kind) key (one object per item, read by name). Returns the first resource
    of the iteration whose item has that I(kind), or an empty dict when it found none (the
    object does not exist, or the iteration was skipped).
  - The iteration is chosen by its item, not by its position, so reordering the loop does not
    swap the objects. Fails when no iteration, or more than one, read I(kind).
options:
  _input:
    description: The C(results) of the looped C(kubernetes.core.k8s_info).
    type: list
    elements: dict
    required: true
  kind:
    description: The C(kind) of the loop item to pick, for example C(PersistentVolume).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Read the volume and its claim
  kubernetes.core.k8s_info:
    kind: "{{ item.kind }}"
    name: "{{ item.name }}"
    namespace: "{{ item.namespace | default(omit) }}"
  loop:
    - {kind: PersistentVolume, name: shared}
    - {kind: PersistentVolumeClaim, name: shared, namespace: app}
  register: existing

- name: Show the claim's request, if the claim exists
  ansible.builtin.debug:
    msg: "{{ claim.spec.resources.requests.storage | default('no claim') }}"
  vars:
    claim: "{{ existing.results | openms.streamlit_k8s.resource_by_kind('PersistentVolumeClaim') }}"
"""

RETURN = r"""
_value:
  description: The object as k8s_info returned it, or C({}) when there is none.
  type: dict
"""


def resource_by_kind(results, kind):
    if not isinstance(results, list):
        raise AnsibleFilterError(f"resource_by_kind: expected the results list of a looped k8s_info, got {results!r}")
    chosen = []
    read = []
    for result in results:
        item = result.get(result.get("ansible_loop_var", "item")) if isinstance(result, dict) else None
        item_kind = item.get("kind") if isinstance(item, dict) else None
        read.append(item_kind)
        if item_kind == kind:
            chosen.append(result)
    if len(chosen) != 1:
        raise AnsibleFilterError(
            f"resource_by_kind: {len(chosen)} iterations read kind {kind}, expected one (kinds read: {read})"
        )
    resources = chosen[0].get("resources") or []
    return resources[0] if resources else {}


class FilterModule:
    def filters(self):
        return {"resource_by_kind": resource_by_kind}
