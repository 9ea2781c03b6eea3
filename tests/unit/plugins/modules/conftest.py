"""Modules run on the target, in a process without Ansible's controller code. Tests in the same
pytest process that import the controller (the filter plugins' tests, through ansible.errors)
set ansible.module_utils._internal.is_controller, which sends a module's warnings to the
controller's display instead of its result: each module test runs as on the target."""

import pytest
from ansible.module_utils import _internal


@pytest.fixture(autouse=True)
def as_on_the_target(monkeypatch):
    monkeypatch.setattr(_internal, "is_controller", False)
