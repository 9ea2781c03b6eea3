# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""content_reference: the content tag image_build gives an image."""

from ansible.errors import AnsibleFilterError
from ansible_collections.openms.streamlit_k8s.plugins.module_utils.image_reference import content_reference

DOCUMENTATION = r"""
name: content_reference
short_description: The content tag of an image built by image_build
version_added: 1.1.0
author: OpenMS Streamlit Kubernetes maintainers
description:
  - Returns C(<name>-<fingerprint>), the reference M(openms.streamlit_k8s.image_build) tags an
    image with when I(content_tag) is set (C(<repository>:latest-<fingerprint>) when I(_input)
    has no tag), so that a role finds the image its pods run from what the image's label says.
  - Fails when I(fingerprint) is not 16 hexadecimal digits.
options:
  _input:
    description: The image's name as given to image_build, e.g. C(openms-streamlit-k8s/app:dev).
    type: str
    required: true
  fingerprint:
    description: The recipe fingerprint from the image's C(org.openms.streamlit-k8s.recipe) label.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Name the reference the pods run
  ansible.builtin.set_fact:
    app_ref: "{{ 'openms-streamlit-k8s/app:dev' | openms.streamlit_k8s.content_reference('0123456789abcdef') }}"
"""

RETURN = r"""
_value:
  description: The content tag, for example C(openms-streamlit-k8s/app:dev-0123456789abcdef).
  type: str
"""


def content_reference_filter(name, fingerprint):
    fingerprint = str(fingerprint).strip()
    if len(fingerprint) != 16 or any(c not in "0123456789abcdef" for c in fingerprint):
        raise AnsibleFilterError(f"content_reference: {fingerprint!r} is not a 16-digit hexadecimal fingerprint")
    return content_reference(str(name), fingerprint)


class FilterModule:
    def filters(self):
        return {"content_reference": content_reference_filter}
