# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""kubeadm_image: pick one image from the output of kubeadm config images list."""

from ansible.errors import AnsibleFilterError
from ansible_collections.openms.streamlit_k8s.plugins.plugin_utils.image_reference import split_image

DOCUMENTATION = r"""
name: kubeadm_image
short_description: Pick an image by name from C(kubeadm config images list)
version_added: 1.0.0
author: OpenMS Streamlit Kubernetes maintainers
description:
  - Returns the first image reference in I(_input) whose repository ends in the path element
    I(name) and that carries a tag, for example C(registry.k8s.io/coredns/coredns:v1.12.1) for
    C(coredns) and C(registry.k8s.io/etcd:3.6.5-0) for C(etcd).
  - Fails, naming I(name) and the images listed, when none matches.
options:
  _input:
    description: The output of C(kubeadm config images list), as lines or as one string.
    type: raw
    required: true
  name:
    description: The last element of the image's repository path.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Ask kubeadm which images it needs
  ansible.builtin.command: kubeadm config images list --kubernetes-version v1.34.4
  register: kubeadm_images
  changed_when: false

- name: Name the etcd image
  ansible.builtin.set_fact:
    etcd_image: "{{ kubeadm_images.stdout_lines | openms.streamlit_k8s.kubeadm_image('etcd') }}"
"""

RETURN = r"""
_value:
  description: The image reference as kubeadm printed it.
  type: str
"""


def kubeadm_image(lines, name):
    if isinstance(lines, str):
        lines = lines.splitlines()
    images = [str(line).strip() for line in lines if str(line).strip()]
    for image in images:
        repository, tag = split_image(image)
        if tag and repository.rsplit("/", 1)[-1] == name:
            return image
    raise AnsibleFilterError(f"kubeadm_image: no {name} image among {images}")


class FilterModule:
    def filters(self):
        return {"kubeadm_image": kubeadm_image}
