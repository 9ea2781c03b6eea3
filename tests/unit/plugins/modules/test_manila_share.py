"""manila_share's decisions, with a fake ManilaApi: what it asks Manila to do and what it returns."""

import json
import types

import openstack
import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.openms.streamlit_k8s.plugins.module_utils import manila
from ansible_collections.openms.streamlit_k8s.plugins.modules import manila_share


class FakeShare(types.SimpleNamespace):
    def to_dict(self, computed=False):
        return dict(vars(self))


class FakeApi:
    """ManilaApi's calls as manila_share uses them; writes are recorded in `calls`."""

    def __init__(self, shares, created_status="available"):
        self.shares_ = shares
        self.created_status = created_status
        self.calls = []
        self.wrote = False
        self.types = [types.SimpleNamespace(id="type-1", name="isilon-denbi")]

    def shares(self, name=None):
        return [s for s in self.shares_ if name is None or s.name == name]

    def share_types(self):
        return self.types

    def create_share(self, **attrs):
        self.calls.append(("create_share", attrs))
        self.wrote = True
        share = FakeShare(id="new", status=self.created_status, share_protocol=attrs["share_proto"], **attrs)
        self.shares_.append(share)
        return share

    def extend_share(self, share, size):
        self.calls.append(("extend_share", share.id, size))
        self.wrote = True
        share.size = size

    def get_share(self, share_id):
        return next(s for s in self.shares_ if s.id == share_id)

    def export_locations(self, share):
        return [types.SimpleNamespace(id="e1", path=f"nfs.example:/ifs/{share.id}", is_preferred=True, is_admin=False)]


def existing(**extra):
    fields = dict(id="s1", name="ws", size=10, status="available", share_protocol="NFS", availability_zone="nova")
    return FakeShare(**{**fields, **extra})


@pytest.fixture
def run(monkeypatch, capsys):
    def run_module(shares, check_mode=False, created_status="available", **args):
        api = FakeApi(shares, created_status)
        monkeypatch.setattr(openstack, "connect", lambda **kwargs: types.SimpleNamespace(shared_file_system=None))
        monkeypatch.setattr(manila, "ManilaApi", lambda proxy, exceptions: api)
        with patch_module_args({"_ansible_check_mode": check_mode, **args}), pytest.raises(SystemExit):
            manila_share.main()
        return json.loads(capsys.readouterr().out), api.calls

    return run_module


def test_a_missing_share_is_created_with_the_requested_attributes(run):
    result, calls = run([], name="ws", size=50, availability_zone="nova")
    assert result["changed"] is True
    assert calls == [
        (
            "create_share",
            {"name": "ws", "size": 50, "share_proto": "NFS", "share_type": "type-1", "availability_zone": "nova"},
        )
    ]
    assert (result["nfs_server"], result["nfs_path"]) == ("nfs.example", "/ifs/new")


def test_check_mode_creates_and_grows_nothing(run):
    result, calls = run([], check_mode=True, name="ws", size=50)
    assert result["changed"] is True and calls == []
    assert result["share"]["size"] == 50 and result["export_location"] == ""
    assert (result["share"]["share_type"], result["share"]["share_type_name"]) == ("type-1", "isilon-denbi")

    result, calls = run([existing()], check_mode=True, name="ws", size=20)
    assert result["changed"] is True and calls == []
    assert result["diff"]["before"]["size"] == 10 and result["diff"]["after"]["size"] == 20


def test_an_unknown_share_type_fails_before_anything_is_created(run):
    for check_mode in (True, False):
        result, calls = run([], check_mode=check_mode, name="ws", size=50, share_type="fast")
        assert result["failed"] is True and calls == []
        assert "share_type 'fast'" in result["msg"] and "isilon-denbi" in result["msg"]


def test_a_larger_share_is_kept_and_a_smaller_one_grown(run):
    result, calls = run([existing(size=80)], name="ws", size=50)
    assert result["changed"] is False and calls == []
    assert "no shrinking" in json.dumps(result["warnings"])

    result, calls = run([existing()], name="ws", size=12)
    assert calls == [("extend_share", "s1", 12)]
    assert result["changed"] is True and result["share"]["size"] == 12


def test_a_share_manila_fails_to_create_is_a_change_and_a_failure(run):
    result, calls = run([], created_status="error", name="ws", size=50)
    assert [call[0] for call in calls] == ["create_share"]
    assert result["failed"] is True and result["changed"] is True
    assert "status 'error'" in result["msg"] and "state=absent" in result["msg"]


def test_a_share_in_error_deleting_is_left_to_the_operators(run):
    result, calls = run([existing(status="error_deleting")], name="ws", state="absent")
    assert result["failed"] is True and result["changed"] is False and calls == []
    assert "'error_deleting'" in result["msg"] and "operators" in result["msg"]


def test_without_wait_a_share_still_creating_is_not_grown(run):
    result, calls = run([existing(status="creating")], name="ws", size=20, wait=False)
    assert result["failed"] is True and calls == []
    assert "'creating'" in result["msg"] and "wait: true" in result["msg"]


def test_two_shares_of_one_name_are_refused(run):
    result, calls = run([existing(), existing(id="s2")], name="ws", size=10)
    assert result["failed"] is True
    assert "2 shares are named 'ws' (s1, s2)" in result["msg"]
    assert calls == []


def test_an_existing_share_in_another_zone_is_refused(run):
    result, calls = run([existing(availability_zone="zone-b")], name="ws", size=10, availability_zone="nova")
    assert result["failed"] is True
    assert "availability_zone 'zone-b'" in result["msg"] and calls == []
