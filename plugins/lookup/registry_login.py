# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether a registry takes a login, asked from the controller's process."""

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_login
short_description: Why a registry refuses a login (empty when it takes it)
version_added: 1.3.0
description:
  - Asks the registry (the Docker Registry HTTP API v2) as C(docker login) does, in the
    controller's process and without storing anything, C(GET /v2/) with Basic authentication,
    and after a Bearer challenge a token from the challenge's realm for the account.
  - Returns one string per registry, empty when the registry takes the login, else its refusal
    (for example C(401 Unauthorized)) or why it did not answer. The password is never in it.
  - Plain HTTP for registries on this machine (C(localhost), C(127.x)), as Docker uses; HTTPS
    otherwise.
options:
  _terms:
    description: Registry hosts, for example C(localhost:5001) or C(registry.example.org).
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - openms.streamlit_k8s.registry_auth
author:
  - OpenMS Streamlit Kubernetes maintainers (@OpenMS)
"""

EXAMPLES = r"""
- name: Stop unless the registry takes the credentials
  ansible.builtin.assert:
    that: refusal == ''
    fail_msg: "The registry refused the login: {{ refusal }}"
  vars:
    refusal: "{{ lookup('openms.streamlit_k8s.registry_login', 'localhost:5001', username=user, password=password) }}"
"""

RETURN = r"""
_raw:
  description: Per registry, the refusal, or an empty string.
  type: list
  elements: str
"""

from ansible.plugins.lookup import LookupBase
from ansible_collections.openms.streamlit_k8s.plugins.plugin_utils import registry


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        username, password = self.get_option("username"), self.get_option("password")
        return [registry.login_refusal(str(host), username, password) for host in terms]
