"""The microversions the Manila modules' documentation and the README name are the ones
module_utils/manila.py sends (CALLS): one table, checked wherever it is written down."""

import pathlib
import re

import pytest
import yaml
from ansible_collections.openms.streamlit_k8s.plugins.module_utils.manila import CALLS
from ansible_collections.openms.streamlit_k8s.plugins.modules import (
    manila_share,
    manila_share_access,
    manila_share_info,
)

README = pathlib.Path(__file__).resolve().parents[4] / "README.md"
NAMED = re.compile(r"(\d+\.\d+) \(([^()]+)\)")  # "2.7 (the share action extend)"
SENT = {(call.microversion, call.request) for call in CALLS.values()}


@pytest.mark.parametrize("module", [manila_share, manila_share_access, manila_share_info])
def test_a_module_names_only_microversions_it_sends(module):
    description = " ".join(" ".join(yaml.safe_load(module.DOCUMENTATION)["description"]).split())
    named = set(NAMED.findall(description))
    assert named, "the module's description names no microversion"
    assert named <= SENT, f"named but not sent: {named - SENT}"


def test_the_readme_has_a_row_for_each_call():
    text = README.read_text()
    missing = [
        f"| {c.request} | {c.microversion} |"
        for c in CALLS.values()
        if f"| {c.request} | {c.microversion} |" not in text
    ]
    assert missing == []
