"""manila module_utils: network normalisation, NFS export parsing, preferred export choice, and
the microversion each Manila call is sent with."""

import types

import openstack
import pytest
import requests
from ansible_collections.openms.streamlit_k8s.plugins.module_utils.manila import (
    CALLS,
    ManilaApi,
    ManilaError,
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


class FakeProxy:
    """The shared-file-system proxy as ManilaApi uses it for actions: version document and POST."""

    def __init__(self, highest=(2, 87), status=202, body=b""):
        self.highest, self.status, self.body = highest, status, body
        self.documents = 0
        self.posts = []

    def get_endpoint_data(self):
        self.documents += 1
        return types.SimpleNamespace(min_microversion=(2, 0), max_microversion=self.highest)

    def post(self, url, json, microversion):
        self.posts.append((url, json, microversion))
        response = requests.Response()
        response.status_code, response._content, response.url = self.status, self.body, url
        response.headers["Content-Type"] = "application/json"
        return response


SHARE = types.SimpleNamespace(id="s1")


def test_extend_is_sent_with_2_7_where_manila_routes_it():
    proxy = FakeProxy()
    api = ManilaApi(proxy, openstack.exceptions)
    api.extend_share(SHARE, 60)
    assert proxy.posts == [("/shares/s1/action", {"extend": {"new_size": 60}}, "2.7")]
    assert api.wrote is True


def test_a_call_the_cloud_lacks_names_the_microversion_and_the_cloud_range_before_sending():
    proxy = FakeProxy(highest=(2, 40))
    api = ManilaApi(proxy, openstack.exceptions)
    with pytest.raises(
        ManilaError, match=r"GET /share-access-rules needs Manila API microversion 2\.45.* 2\.0 to 2\.40"
    ):
        api.access_rules(SHARE)
    old = ManilaApi(FakeProxy(highest=(2, 6)), openstack.exceptions)
    with pytest.raises(ManilaError, match=r"extend needs Manila API microversion 2\.7"):
        old.extend_share(SHARE, 60)
    assert old.proxy.posts == [] and old.wrote is False


def test_the_version_document_is_read_once():
    proxy = FakeProxy()
    api = ManilaApi(proxy, openstack.exceptions)
    assert [api.microversion(call) for call in CALLS] == [call.microversion for call in CALLS.values()]
    assert proxy.documents == 1


def test_a_refused_action_is_an_sdk_error_and_no_change():
    body = b'{"itemNotFound": {"code": 404, "message": "The resource could not be found."}}'
    api = ManilaApi(FakeProxy(status=404, body=body), openstack.exceptions)
    with pytest.raises(openstack.exceptions.NotFoundException):
        api.deny_access(SHARE, types.SimpleNamespace(id="r1"))
    assert api.wrote is False
