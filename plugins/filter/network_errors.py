# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""network_errors: what is wrong with each item of a list of IP networks (empty when nothing)."""

from ansible_collections.openms.streamlit_k8s.plugins.module_utils.networks import network_errors

DOCUMENTATION = r"""
name: network_errors
short_description: Say what is wrong with a list of IP networks
version_added: 1.0.0
author: OpenMS Streamlit Kubernetes maintainers
description:
  - Returns one message per item that is not an IP network in CIDR notation or a single
    address (for example C(10.0.0.7/24), whose host bits are set); an empty list when all are.
  - Roles use it to stop before they create anything that the networks are for.
options:
  _input:
    description: The networks.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Check the networks
  ansible.builtin.assert:
    that: networks | openms.streamlit_k8s.network_errors | length == 0
    fail_msg: "{{ networks | openms.streamlit_k8s.network_errors | join('; ') }}"
"""

RETURN = r"""
_value:
  description: One message per wrong item.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"network_errors": network_errors}
