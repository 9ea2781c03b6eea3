"""The stand-in Manila (tests/standin/openstack_api.py) refuses what Manila refuses: called over
HTTP with the wrong microversion, a missing API, an unknown action or a share in the wrong status."""

import pytest
import requests
from standin.openstack_api import MICROVERSION_HEADER, StandInServer

ADDRESS = {"access_type": "ip", "access_to": "10.0.0.0/24", "access_level": "rw"}


class Manila:
    """A bare HTTP client of the stand-in: a token, then one call per request."""

    def __init__(self, server: StandInServer):
        self.cloud = server.cloud
        credential = {"id": self.cloud.app_credential["id"], "secret": self.cloud.app_credential["secret"]}
        identity = {"methods": ["application_credential"], "application_credential": credential}
        answer = requests.post(f"{server.auth_url}/auth/tokens", json={"auth": {"identity": identity}}, timeout=10)
        self.token = answer.headers["X-Subject-Token"]
        self.url = f"{self.cloud.base_url}/share/v2/{self.cloud.project_id}"

    def call(self, method: str, path: str, version: str | None, body: dict | None = None) -> requests.Response:
        headers = {"X-Auth-Token": self.token}
        if version:
            headers[MICROVERSION_HEADER] = version
        return requests.request(method, f"{self.url}{path}", headers=headers, json=body, timeout=10)

    def share(self, size: int = 5) -> str:
        """A new share, available (the stand-in runs without delay here)."""
        body = {"share": {"share_proto": "NFS", "size": size, "share_type": "isilon-denbi", "name": "s"}}
        share_id = self.call("POST", "/shares", "2.6", body).json()["share"]["id"]
        assert self.call("GET", f"/shares/{share_id}", "2.6").json()["share"]["status"] == "available"
        return share_id

    def action(self, share_id: str, name: str, args: dict, version: str | None) -> requests.Response:
        return self.call("POST", f"/shares/{share_id}/action", version, {name: args})

    def rule_states(self, share_id: str, reads: int) -> list[str]:
        answers = [self.call("GET", f"/share-access-rules?share_id={share_id}", "2.45") for _read in range(reads)]
        return [answer.json()["access_list"][0]["state"] for answer in answers]


@pytest.fixture
def manila():
    with StandInServer(delay=0.0, rule_reads=2) as server:
        yield Manila(server)


@pytest.fixture
def old_manila():
    """A cloud whose newest microversion is 2.40."""
    with StandInServer(delay=0.0, max_version=(2, 40)) as server:
        yield Manila(server)


def action_args(manila: Manila, share_id: str, action: str) -> dict:
    if action == "extend":
        return {"new_size": 6}
    if action == "shrink":
        return {"new_size": 4}
    if action == "deny_access":
        return {"access_id": manila.action(share_id, "allow_access", ADDRESS, "2.7").json()["access"]["id"]}
    return ADDRESS if action == "allow_access" else {}


@pytest.mark.parametrize("action", ["extend", "shrink", "allow_access", "deny_access", "access_list"])
@pytest.mark.parametrize(
    "prefix,version,routed",
    [
        ("os-", None, True),  # no header: Manila serves 2.0
        ("os-", "2.6", True),
        ("os-", "2.7", False),
        ("", None, False),
        ("", "2.6", False),
        ("", "2.7", True),
    ],
)
def test_share_actions_are_routed_by_microversion(manila, action, prefix, version, routed):
    share_id = manila.share()
    answer = manila.action(share_id, prefix + action, action_args(manila, share_id, action), version)
    if routed:
        assert answer.status_code in (200, 202), answer.text
    else:
        assert answer.status_code == 404, answer.text
        assert answer.json() == {"itemNotFound": {"code": 404, "message": "The resource could not be found."}}


def test_the_access_list_action_ends_where_share_access_rules_begin(manila):
    share_id = manila.share()
    assert manila.action(share_id, "access_list", {}, "2.44").status_code == 200
    assert manila.action(share_id, "access_list", {}, "2.45").status_code == 404
    assert manila.call("GET", f"/share-access-rules?share_id={share_id}", "2.44").status_code == 404
    assert manila.call("GET", f"/share-access-rules?share_id={share_id}", "2.45").status_code == 200
    assert manila.call("GET", f"/share-access-rules?share_id={share_id}", None).status_code == 404


def test_an_unknown_action_is_a_bad_request(manila):
    answer = manila.action(manila.share(), "grow", {"new_size": 6}, "2.7")
    assert answer.status_code == 400
    assert "There is no such action: grow" in answer.text


def test_an_older_cloud_refuses_microversions_above_its_maximum(old_manila):
    document = requests.get(f"{old_manila.cloud.base_url}/share/v2/", timeout=10).json()["versions"][0]
    assert (document["min_version"], document["version"]) == ("2.0", "2.40")
    answer = old_manila.call("GET", "/shares", "2.45")
    assert answer.status_code == 406
    assert "maximum is 2.40" in answer.json()["notAcceptable"]["message"]
    assert old_manila.call("GET", "/shares", "latest").headers[MICROVERSION_HEADER] == "2.40"
    assert old_manila.call("GET", "/shares", "2.40").status_code == 200


def test_a_rule_stays_queued_and_applying_for_several_reads(manila):
    share_id = manila.share()
    created = manila.action(share_id, "allow_access", ADDRESS, "2.45").json()["access"]
    assert created["state"] == "queued_to_apply"
    states = manila.rule_states(share_id, 6)
    assert states == ["queued_to_apply", "queued_to_apply", "applying", "applying", "active", "active"]


def test_a_listed_rule_has_no_share_id_but_a_shown_one_has(manila):
    share_id = manila.share()
    rule_id = manila.action(share_id, "allow_access", ADDRESS, "2.45").json()["access"]["id"]
    (listed,) = manila.call("GET", f"/share-access-rules?share_id={share_id}", "2.45").json()["access_list"]
    assert "share_id" not in listed and listed["id"] == rule_id
    shown = manila.call("GET", f"/share-access-rules/{rule_id}", "2.45").json()["access"]
    assert shown["share_id"] == share_id


def test_ipv6_rules_need_2_38(manila):
    share_id = manila.share()
    ipv6 = {**ADDRESS, "access_to": "fd00:10::/64"}
    refused = manila.action(share_id, "allow_access", ipv6, "2.37")
    assert refused.status_code == 400 and "Expected 4 octets" in refused.text
    assert manila.action(share_id, "allow_access", ipv6, "2.38").status_code == 200
    host_bits = manila.action(share_id, "allow_access", {**ADDRESS, "access_to": "10.0.0.7/24"}, "2.45")
    assert host_bits.status_code == 400 and "host bits set" in host_bits.text


def test_rules_of_a_share_in_a_transitional_status_cannot_change(manila):
    manila.cloud.delay = 60.0
    body = {"share": {"share_proto": "NFS", "size": 5, "share_type": "isilon-denbi"}}
    share_id = manila.call("POST", "/shares", "2.6", body).json()["share"]["id"]
    answer = manila.action(share_id, "allow_access", ADDRESS, "2.45")
    assert answer.status_code == 400
    assert "status creating" in answer.text


def test_a_share_that_fails_to_delete_stays_in_error_deleting_and_cannot_be_deleted(manila):
    share_id = manila.share()
    manila.cloud.faults["delete"] = True
    assert manila.call("DELETE", f"/shares/{share_id}", "2.6").status_code == 202
    assert manila.call("GET", f"/shares/{share_id}", "2.6").json()["share"]["status"] == "error_deleting"
    again = manila.call("DELETE", f"/shares/{share_id}", "2.6")
    assert again.status_code == 403 and "error_deleting" in again.text


def test_growing_beyond_the_quota_is_forbidden(manila):
    answer = manila.action(manila.share(), "extend", {"new_size": 5000}, "2.7")
    assert answer.status_code == 403 and "quota" in answer.text


def test_share_type_and_export_locations_follow_the_microversion(manila):
    share_id = manila.share()
    old = manila.call("GET", f"/shares/{share_id}", "2.5").json()["share"]
    assert old["share_type"] == "isilon-denbi" and "share_type_name" not in old
    assert old["export_location"].endswith(f"share-{share_id}")
    new = manila.call("GET", f"/shares/{share_id}", "2.6").json()["share"]
    assert (new["share_type"], new["share_type_name"]) == (manila.cloud.share_types["isilon-denbi"], "isilon-denbi")

    assert manila.call("GET", f"/shares/{share_id}/export_locations", "2.8").status_code == 404
    plain = manila.call("GET", f"/shares/{share_id}/export_locations", "2.13").json()["export_locations"]
    assert all("preferred" not in location for location in plain)
    marked = manila.call("GET", f"/shares/{share_id}/export_locations", "2.14").json()["export_locations"]
    assert [location["preferred"] for location in marked] == [False, True]


def test_share_types_are_listed_and_shown_by_id_only(manila):
    types = manila.call("GET", "/types", "2.0").json()["share_types"]
    by_name = {t["name"]: t["id"] for t in types}
    assert by_name == manila.cloud.share_types
    assert manila.call("GET", f"/types/{by_name['isilon-denbi']}", "2.0").json()["share_type"]["name"] == "isilon-denbi"
    assert manila.call("GET", "/types/isilon-denbi", "2.0").status_code == 404
