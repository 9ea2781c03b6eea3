# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""input_errors: what is wrong with a role's inputs, by the rules the API server applies later."""

from ansible_collections.openms.streamlit_k8s.plugins.plugin_utils.inputs import input_errors

DOCUMENTATION = r"""
name: input_errors
short_description: Say which inputs break the rules the cluster would enforce later
version_added: 1.1.0
author: OpenMS Streamlit Kubernetes maintainers
description:
  - Takes a list of checks, each C([name, value, rule]) or C([name, value, rule, options]), and
    returns one message per value that breaks its rule, naming the variable, the value and what
    is allowed; an empty list when all pass. Values checked with the C(secret) rule are never shown.
  - "Rules: C(int) (options C(minimum), C(maximum)), C(dns_label) and C(dns_1035_label) (option
    C(max_length)), C(dns_subdomain), C(host) (options C(allow_empty), C(allow_ip)), C(labels),
    C(absolute_path), C(relative_path), C(names), C(cpu),
    C(memory), C(storage) (options C(maximum), C(maximum_name)), C(cron), C(time_zone), C(url),
    C(image), C(env) (options C(reserved), C(reserved_prefixes)), C(secret) (options
    C(min_length), C(allow_empty)), C(choice) (option C(choices)), C(networks), C(cookie_name),
    C(url_path)."
  - Each role's C(inputs) entry point uses it, so that site.yml stops before its first change.
options:
  _input:
    description: The checks.
    type: list
    elements: list
    required: true
"""

EXAMPLES = r"""
- name: Check the inputs
  ansible.builtin.assert:
    that: errors == []
    fail_msg: "{{ errors | join(' ') }}"
    quiet: true
  vars:
    errors: >-
      {{ [['web_replicas', web_replicas, 'int', {'minimum': 0, 'maximum': 20}],
          ['web_workspaces_path', web_workspaces_path, 'absolute_path']]
         | openms.streamlit_k8s.input_errors }}
"""

RETURN = r"""
_value:
  description: One message per value that breaks its rule.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"input_errors": input_errors}
