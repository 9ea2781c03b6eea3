# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The digest a registry holds for each image reference ("" when it holds none)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: registry_digest
short_description: The digest a registry holds for an image reference
version_added: 1.3.0
description:
  - For each reference (registry host, repository and tag), asks the registry for the digest its
    tag points at (a HEAD of the manifest, the Docker Registry HTTP API v2, with Basic or Bearer
    authentication as Docker uses), in the controller's process. Returns the digest, or an empty
    string when the registry holds no such tag.
  - Without I(username), a registry that asks for a login is asked through C(docker manifest
    inspect), which uses the credentials of an earlier C(docker login).
  - Plain HTTP for registries on this machine (C(localhost), C(127.x)), as Docker uses; HTTPS
    otherwise. Fails with the registry's answer when it neither has nor lacks the tag (a refused
    login, no answer).
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
- name: Stop unless the registry holds the image
  ansible.builtin.assert:
    that: lookup('openms.streamlit_k8s.registry_digest', image, username=user, password=password) | length > 0
"""

RETURN = r"""
_raw:
  description: Each reference's digest (C(sha256:...)), or an empty string, in the order given.
  type: list
  elements: str
"""

import subprocess
import urllib.error

from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase
from ansible_collections.openms.streamlit_k8s.plugins.plugin_utils import registry


def docker_manifest_digest(reference):
    """Whether Docker (with its stored logins) finds the reference: "present" or ""."""
    insecure = ["--insecure"] if registry.manifest_url(reference).startswith("http://") else []
    done = subprocess.run(
        ["docker", "manifest", "inspect", *insecure, reference], capture_output=True, text=True, check=False
    )
    return "present" if done.returncode == 0 else ""


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        username, password = self.get_option("username"), self.get_option("password")
        digests = []
        for reference in (str(term) for term in terms):
            try:
                digests.append(registry.remote_digest(reference, username, password) or "")
            except urllib.error.HTTPError as error:
                if error.code == 401 and not username:
                    digests.append(docker_manifest_digest(reference))
                    continue
                raise AnsibleError(f"The registry did not say whether it holds {reference}: {error}") from error
            except (OSError, ValueError) as error:
                raise AnsibleError(f"The registry did not say whether it holds {reference}: {error}") from error
        return digests
