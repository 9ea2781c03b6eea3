"""manila module_utils: network normalisation, NFS export parsing, preferred export choice."""

import pytest
from ansible_collections.openms.streamlit_k8s.plugins.module_utils.manila import (
    export_summary,
    preferred_export,
    split_nfs_export,
)
from ansible_collections.openms.streamlit_k8s.plugins.module_utils.networks import normalise_network, same_network


@pytest.mark.parametrize(
    "value,expected",
    [
        ("10.0.0.0/24", "10.0.0.0/24"),
        ("10.0.0.7", "10.0.0.7/32"),
        (" fd00::/64 ", "fd00::/64"),
        ("fd00::1", "fd00::1/128"),
    ],
)
def test_networks_are_normalised(value, expected):
    assert normalise_network(value) == expected


@pytest.mark.parametrize("value", ["10.0.0.7/24", "10.0.0.0/33", "denbi", ""])
def test_wrong_networks_are_refused_with_the_value(value):
    with pytest.raises(ValueError, match="is not an IP network"):
        normalise_network(value)


def test_a_single_address_and_its_slash32_are_the_same_rule():
    assert same_network("10.0.0.7", "10.0.0.7/32")
    assert not same_network("10.0.0.0/24", "10.0.0.0/25")


@pytest.mark.parametrize(
    "path,expected",
    [
        ("manila.example:/ifs/denbi/prod/share-1", ("manila.example", "/ifs/denbi/prod/share-1")),
        ("10.0.0.5:/export", ("10.0.0.5", "/export")),
        ("[fd00::5]:/export/a", ("fd00::5", "/export/a")),
        ("\\\\cifs-server\\share", ("", "")),
    ],
)
def test_nfs_exports_split_into_server_and_path(path, expected):
    assert split_nfs_export(path) == expected


def test_the_preferred_user_export_wins_over_the_first():
    locations = [
        {"path": "a:/x", "preferred": False, "is_admin_only": False},
        {"path": "admin:/x", "preferred": True, "is_admin_only": True},
        {"path": "b:/x", "preferred": True, "is_admin_only": False},
    ]
    assert preferred_export(locations)["path"] == "b:/x"


def test_without_a_preferred_export_the_first_user_export_is_taken():
    locations = [{"path": "admin:/x", "is_admin_only": True}, {"path": "a:/x"}, {"path": "b:/x"}]
    assert preferred_export(locations)["path"] == "a:/x"
    assert preferred_export([]) is None


def test_the_export_summary_splits_the_preferred_export():
    locations = [{"path": "a:/x", "preferred": False}, {"path": "b.example:/ifs/y", "preferred": True}]
    assert export_summary(locations) == {
        "export_location": "b.example:/ifs/y",
        "nfs_server": "b.example",
        "nfs_path": "/ifs/y",
    }
    assert export_summary([]) == {"export_location": "", "nfs_server": "", "nfs_path": ""}
