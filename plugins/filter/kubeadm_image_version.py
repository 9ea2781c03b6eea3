# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""kubeadm_image_version: the Go module version of the program in a Kubernetes image."""

import re

from ansible.errors import AnsibleFilterError
from ansible_collections.openms.streamlit_k8s.plugins.plugin_utils.image_reference import split_image

DOCUMENTATION = r"""
name: kubeadm_image_version
short_description: The Go module version of the program in an image that kubeadm lists
version_added: 1.0.0
author: OpenMS Streamlit Kubernetes maintainers
description:
  - Returns the tag of the image reference I(_input) as the version of the Go module it was
    built from, for building that program from source - without the image revision that
    Kubernetes appends (C(-0) in C(3.6.5-0)) and with a leading C(v).
  - C(registry.k8s.io/etcd:3.6.5-0) gives C(v3.6.5);
    C(registry.k8s.io/coredns/coredns:v1.12.1) gives C(v1.12.1).
  - Fails when the reference has no tag.
options:
  _input:
    description: An image reference with a tag.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Build etcd in the version kubeadm expects
  openms.streamlit_k8s.go_build:
    module: go.etcd.io/etcd/server/v3
    version: "{{ etcd_image | openms.streamlit_k8s.kubeadm_image_version }}"
    packages: {etcd: "."}
    dest: /var/cache/etcd
"""

RETURN = r"""
_value:
  description: The version, for example C(v3.6.5).
  type: str
"""

REVISION = re.compile(r"-[0-9]+$")


def kubeadm_image_version(image):
    tag = split_image(str(image))[1]
    if not tag:
        raise AnsibleFilterError(f"kubeadm_image_version: {image} has no tag")
    version = REVISION.sub("", tag)
    return version if version.startswith("v") else f"v{version}"


class FilterModule:
    def filters(self):
        return {"kubeadm_image_version": kubeadm_image_version}
