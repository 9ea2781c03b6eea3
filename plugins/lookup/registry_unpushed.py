# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The image references the registry does not hold as they are here (to push)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_unpushed
short_description: The image references whose tag the registry does not hold as the local image
version_added: 1.3.0
description:
  - For each reference (registry host, repository and tag), asks the registry for the digest its
    tag points at (a HEAD of the manifest, the Docker Registry HTTP API v2, with Basic or Bearer
    authentication as Docker uses) and compares it with the local image's repository digests
    (C(docker image inspect)). Returns the references to push. One HTTP request per reference,
    in the controller's process.
  - A reference whose answer is unknown (no registry host, a network error, a refused login) is
    returned, so that the push decides.
  - Plain HTTP for registries on this machine (C(localhost), C(127.x)), as Docker uses; HTTPS
    otherwise.
options:
  _terms:
    description: Image references, for example C(localhost:5001/openms/app:dev).
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - openms.streamlit_k8s.registry_auth
author:
  - OpenMS Streamlit Kubernetes maintainers (@OpenMS)
"""

EXAMPLES = r"""
- name: Push what the registry does not hold
  community.docker.docker_image_push:
    name: "{{ item }}"
  loop: "{{ query('openms.streamlit_k8s.registry_unpushed', *images, username=user, password=password) }}"
"""

RETURN = r"""
_raw:
  description: The references to push, in the order given.
  type: list
  elements: str
"""

import json
import subprocess

from ansible.plugins.lookup import LookupBase
from ansible_collections.openms.streamlit_k8s.plugins.plugin_utils import registry


def local_digests(references):
    """Each reference's repository digests (Repository@sha256:...), [] when not here."""
    found = {}
    for reference in references:
        done = subprocess.run(
            ["docker", "image", "inspect", "--format", "{{json .RepoDigests}}", reference],
            capture_output=True,
            text=True,
            check=False,
        )
        found[reference] = json.loads(done.stdout or "[]") if done.returncode == 0 else []
    return found


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        username, password = self.get_option("username"), self.get_option("password")
        references = [str(term) for term in terms]
        return registry.unpushed(
            references,
            local_digests(references),
            lambda reference: registry.remote_digest(reference, username, password),
        )
