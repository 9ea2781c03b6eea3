"""resource_by_kind: the object of one iteration of a looped k8s_info, chosen by the item's kind."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.openms.streamlit_k8s.plugins.filter.resource_by_kind import resource_by_kind

PV = {"kind": "PersistentVolume", "metadata": {"name": "ns-claim"}, "spec": {"nfs": {"server": "s", "path": "/p"}}}
PVC = {"kind": "PersistentVolumeClaim", "spec": {"resources": {"requests": {"storage": "50Gi"}}}}


def result(kind, resources, **extra):
    """One entry of a looped k8s_info's results, as Ansible registers it."""
    return {
        "changed": False,
        "api_found": True,
        "resources": resources,
        "item": {"kind": kind, "name": "x"},
        "ansible_loop_var": "item",
        **extra,
    }


def test_picks_by_kind_whatever_the_order():
    results = [result("PersistentVolume", [PV]), result("PersistentVolumeClaim", [PVC])]
    assert resource_by_kind(results, "PersistentVolume") == PV
    assert resource_by_kind(results, "PersistentVolumeClaim") == PVC
    results.reverse()
    assert resource_by_kind(results, "PersistentVolume") == PV
    assert resource_by_kind(results, "PersistentVolumeClaim") == PVC


def test_an_object_that_does_not_exist_is_an_empty_dict():
    results = [result("PersistentVolume", []), result("PersistentVolumeClaim", [PVC])]
    assert resource_by_kind(results, "PersistentVolume") == {}


def test_a_skipped_iteration_is_an_empty_dict():
    skipped = {"skipped": True, "item": {"kind": "PersistentVolume"}, "ansible_loop_var": "item"}
    assert resource_by_kind([skipped], "PersistentVolume") == {}


def test_a_renamed_loop_var_is_followed():
    renamed = {"resources": [PV], "volume": {"kind": "PersistentVolume"}, "ansible_loop_var": "volume"}
    assert resource_by_kind([renamed], "PersistentVolume") == PV


@pytest.mark.parametrize(
    ("results", "message"),
    [
        ([result("PersistentVolumeClaim", [PVC])], r"0 iterations read kind PersistentVolume"),
        ([result("PersistentVolume", [PV]), result("PersistentVolume", [])], r"2 iterations read kind"),
        ([{"resources": [PV]}], r"kinds read: \[None\]"),
    ],
)
def test_fails_unless_exactly_one_iteration_read_the_kind(results, message):
    with pytest.raises(AnsibleFilterError, match=message):
        resource_by_kind(results, "PersistentVolume")


def test_fails_on_a_registered_result_that_is_not_a_loop():
    with pytest.raises(AnsibleFilterError, match="results list"):
        resource_by_kind({"resources": [PV]}, "PersistentVolume")
