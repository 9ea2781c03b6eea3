# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""migrate_plan: what a workspaces migration sends, removes and refuses."""

from ansible_collections.openms.streamlit_k8s.plugins.module_utils.migrate import plan

DOCUMENTATION = r"""
name: migrate_plan
short_description: Plan one pass of a workspaces migration from two manifests
version_added: 1.1.0
author: OpenMS Streamlit Kubernetes maintainers
description:
  - Compares the source tree's manifest with the destination's (each a list of entries as
    C(roles/migrate/files/tree_manifest.py) prints them) and returns what to send, what to
    remove first, and what is never copied (symlinks that point outside the workspaces, special
    files).
options:
  _input:
    description: The source's manifest.
    type: list
    elements: dict
    required: true
  dest:
    description: The destination's manifest.
    type: list
    elements: dict
    required: true
  mount_path:
    description: Where the app mounts the tree; absolute symlinks below it stay inside.
    type: str
    required: true
  final:
    description: Also remove what the source no longer has.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Plan the pass
  ansible.builtin.set_fact:
    plan: "{{ source | openms.streamlit_k8s.migrate_plan(dest, '/workspaces-streamlit-template') }}"
"""

RETURN = r"""
_value:
  description: C(send) and C(remove) (paths, in order), C(refused) (path, reason), C(files), C(bytes).
  type: dict
"""


class FilterModule:
    def filters(self):
        return {"migrate_plan": plan}
