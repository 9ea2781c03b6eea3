"""k8s_module.run_module: the module built from its spec, run with a client, kubernetes.core's
errors failed as kubernetes.core fails them, and a cluster that does not answer named."""

import pytest
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException
from ansible_collections.openms.streamlit_k8s.plugins.module_utils.k8s_module import run_module
from urllib3.exceptions import MaxRetryError


class Failed(Exception):
    pass


class FakeModule:
    def __init__(self, module_class, argument_spec, supports_check_mode):
        self.argument_spec, self.supports_check_mode = argument_spec, supports_check_mode
        self.failure = None

    def fail_json(self, msg):
        self.failure = msg
        raise Failed(msg)

    def fail_from_exception(self, e):
        self.fail_json(msg=f"from exception: {e}")


def run_with(raised=None):
    seen = {}

    def run(module, client):
        seen.update(module=module, client=client)
        if raised:
            raise raised

    try:
        run_module(
            {"objects": {"type": "list"}}, run, module_class=FakeModule, client=lambda module: ("client", module)
        )
    except Failed:
        pass
    return seen


def test_run_gets_the_module_of_the_spec_and_its_client():
    seen = run_with()
    assert seen["module"].argument_spec == {"objects": {"type": "list"}} and seen["module"].supports_check_mode
    assert seen["client"] == ("client", seen["module"])
    assert seen["module"].failure is None


def test_kubernetes_core_errors_and_a_silent_cluster_fail_the_module():
    assert run_with(CoreException("no kubeconfig"))["module"].failure == "from exception: no kubeconfig"
    silent = run_with(MaxRetryError(None, "https://127.0.0.1:1/version", "Connection refused"))
    assert silent["module"].failure.startswith("The cluster did not answer: ")
    with pytest.raises(KeyError):  # anything else is the module's own bug: not hidden
        run_with(KeyError("x"))
