# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""migrate_differences: what the destination holds that is not what the source has."""

from ansible_collections.openms.streamlit_k8s.plugins.module_utils.migrate import differences

DOCUMENTATION = r"""
name: migrate_differences
short_description: Compare a migrated tree with its source, entry by entry
version_added: 1.1.0
author: OpenMS Streamlit Kubernetes maintainers
description:
  - One line per entry of the source (that a migration copies) that the destination lacks or
    holds otherwise - bytes (SHA-256), size, type, mode with the owner's read and write, mtime
    to the second, link target - or that does not belong to I(uid); empty when they match.
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
  uid:
    description: Who must own each entry at the destination.
    type: int
    required: true
"""

EXAMPLES = r"""
- name: Compare
  ansible.builtin.assert:
    that: source | openms.streamlit_k8s.migrate_differences(dest, '/workspaces-streamlit-template', 1000) == []
"""

RETURN = r"""
_value:
  description: One line per difference.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"migrate_differences": differences}
