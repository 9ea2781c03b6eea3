"""manila_share's decisions, with a fake openstacksdk connection: what it calls and returns."""

import json
import types

import openstack
import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.openms.streamlit_k8s.plugins.modules import manila_share


class FakeShare(types.SimpleNamespace):
    def to_dict(self, computed=False):
        return dict(vars(self))


class FakeSharedFileSystem:
    def __init__(self, shares):
        self.shares_ = shares
        self.calls = []

    def shares(self, details=True, name=None):
        return [s for s in self.shares_ if name is None or s.name == name]

    def create_share(self, **attrs):
        self.calls.append(("create_share", attrs))
        share = FakeShare(id="new", status="available", share_protocol=attrs["share_proto"], **attrs)
        self.shares_.append(share)
        return share

    def resize_share(self, share_id, size, no_shrink=False):
        self.calls.append(("resize_share", share_id, size, no_shrink))
        next(s for s in self.shares_ if s.id == share_id).size = size

    def get_share(self, share_id):
        return next(s for s in self.shares_ if s.id == share_id)

    def wait_for_status(self, res, status, **kwargs):
        return res

    def export_locations(self, share_id):
        return [types.SimpleNamespace(id="e1", path=f"nfs.example:/ifs/{share_id}", is_preferred=True, is_admin=False)]


def existing(**extra):
    fields = dict(id="s1", name="ws", size=10, status="available", share_protocol="NFS", availability_zone="nova")
    return FakeShare(**{**fields, **extra})


@pytest.fixture
def run(monkeypatch, capsys):
    def run_module(shares, check_mode=False, **args):
        sfs = FakeSharedFileSystem(shares)
        monkeypatch.setattr(openstack, "connect", lambda **kwargs: types.SimpleNamespace(shared_file_system=sfs))
        with patch_module_args({"_ansible_check_mode": check_mode, **args}), pytest.raises(SystemExit):
            manila_share.main()
        return json.loads(capsys.readouterr().out), sfs.calls

    return run_module


def test_a_missing_share_is_created_with_the_requested_attributes(run):
    result, calls = run([], name="ws", size=50, availability_zone="nova")
    assert result["changed"] is True
    assert calls == [
        (
            "create_share",
            {"name": "ws", "size": 50, "share_proto": "NFS", "share_type": "isilon-denbi", "availability_zone": "nova"},
        )
    ]
    assert (result["nfs_server"], result["nfs_path"]) == ("nfs.example", "/ifs/new")


def test_check_mode_creates_and_grows_nothing(run):
    result, calls = run([], check_mode=True, name="ws", size=50)
    assert result["changed"] is True and calls == []
    assert result["share"]["size"] == 50 and result["export_location"] == ""

    result, calls = run([existing()], check_mode=True, name="ws", size=20)
    assert result["changed"] is True and calls == []
    assert result["diff"]["before"]["size"] == 10 and result["diff"]["after"]["size"] == 20


def test_a_larger_share_is_kept_and_a_smaller_one_grown(run):
    result, calls = run([existing(size=80)], name="ws", size=50)
    assert result["changed"] is False and calls == []
    assert "no shrinking" in json.dumps(result["warnings"])

    result, calls = run([existing()], name="ws", size=12)
    assert calls == [("resize_share", "s1", 12, True)]
    assert result["changed"] is True and result["share"]["size"] == 12


def test_two_shares_of_one_name_are_refused(run):
    result, calls = run([existing(), existing(id="s2")], name="ws", size=10)
    assert result["failed"] is True
    assert "2 shares are named 'ws' (s1, s2)" in result["msg"]
    assert calls == []


def test_an_existing_share_in_another_zone_is_refused(run):
    result, calls = run([existing(availability_zone="zone-b")], name="ws", size=10, availability_zone="nova")
    assert result["failed"] is True
    assert "availability_zone 'zone-b'" in result["msg"] and calls == []
