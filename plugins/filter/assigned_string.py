# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""assigned_string: the double-quoted string a Go constant or a TOML key is set to."""

import re

from ansible.errors import AnsibleFilterError

DOCUMENTATION = r"""
name: assigned_string
short_description: Read the double-quoted string a Go constant or a TOML key is set to
version_added: 1.0.0
author: OpenMS Streamlit Kubernetes maintainers
description:
  - Returns the value of the first line of I(_input) that assigns a double-quoted string to
    I(name) - in Go C(const name = "value") or C(var name = "value") (also typed C(string), or
    inside a C(const) block whose C(=) gofmt aligned), in TOML C(name = "value").
  - Only whole names count (C(kindnetdImage) does not match
    C(otherKindnetdImage)); commented-out lines and other uses of the name are ignored.
  - Fails, naming I(name), when no line assigns it, instead of returning an empty value.
  - The kind_cluster role reads the images that kind's node image expects from kind's sources
    with it.
options:
  _input:
    description: The text of the Go source file or TOML file.
    type: str
    required: true
  name:
    description: The Go constant or variable, or the TOML key.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Read the kindnetd image from kind's source
  ansible.builtin.set_fact:
    kindnetd_image: >-
      {{ lookup('ansible.builtin.file', kind_dir ~ '/pkg/build/nodeimage/const_cni.go')
         | openms.streamlit_k8s.assigned_string('kindnetdImage') }}

- name: Read the pause image from containerd's configuration
  ansible.builtin.set_fact:
    pause_image: >-
      {{ lookup('ansible.builtin.file', kind_dir ~ '/images/base/files/etc/containerd/config.toml')
         | openms.streamlit_k8s.assigned_string('sandbox_image') }}
"""

RETURN = r"""
_value:
  description: The string between the quotes, for example C(docker.io/kindest/kindnetd:v20250512-df8de77b).
  type: str
"""


def assigned_string(text, name):
    if not isinstance(text, str):
        raise AnsibleFilterError(f"assigned_string: expected the text of a file, got {type(text).__name__}")
    pattern = re.compile(
        r"^[ \t]*(?:(?:const|var)[ \t]+)?" + re.escape(str(name)) + r'(?:[ \t]+string)?[ \t]*=[ \t]*"([^"\n]+)"',
        re.MULTILINE,
    )
    match = pattern.search(text)
    if match is None:
        raise AnsibleFilterError(f'assigned_string: no line assigns a string to {name} (name = "...")')
    return match.group(1)


class FilterModule:
    def filters(self):
        return {"assigned_string": assigned_string}
