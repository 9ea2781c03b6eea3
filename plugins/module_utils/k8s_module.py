# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The frame the collection's Kubernetes modules run in: kubernetes.core's module class and API
client (its connection options, AUTH_ARG_SPEC), its errors failed as kubernetes.core fails them,
and a cluster that does not answer named as such."""

from __future__ import annotations

from ansible_collections.kubernetes.core.plugins.module_utils.ansiblemodule import AnsibleModule
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException

try:
    from urllib3.exceptions import HTTPError
except ImportError:  # reported by AnsibleK8SModule's requirements check

    class HTTPError(Exception):
        pass


def run_module(argument_spec, run, module_class=AnsibleK8SModule, client=get_api_client):
    """Build the module from its argument spec and call run(module, client)."""
    module = module_class(module_class=AnsibleModule, argument_spec=argument_spec, supports_check_mode=True)
    try:
        run(module, client(module))
    except CoreException as e:
        module.fail_from_exception(e)
    except HTTPError as e:  # urllib3's retries ended
        module.fail_json(msg=f"The cluster did not answer: {e}")
