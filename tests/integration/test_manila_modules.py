"""The Manila modules, run by Ansible through the real openstacksdk against the stand-in
Keystone + Manila service (tests/standin/openstack_api.py): real HTTP calls, real polling."""

import json
import os
import pathlib
import subprocess
import sys
import time

import pytest
from standin.openstack_api import StandInServer

REPO = pathlib.Path(__file__).resolve().parents[2]
PREFERRED = "manila-prod.isilon.standin"


@pytest.fixture
def cloud(openstack_standin):
    return openstack_standin.cloud


@pytest.fixture
def run(openstack_standin):
    """Run one module as an ad-hoc task; return its result dict."""

    def run_module(module, args, *flags, env=None):
        command = [
            "ansible",
            "localhost",
            "-i",
            "localhost,",
            "-c",
            "local",
            "-e",
            f"ansible_python_interpreter={sys.executable}",
            "-m",
            f"openms.streamlit_k8s.{module}",
            *(["-a", json.dumps(args)] if args else []),
            *flags,
        ]
        environ = {
            **os.environ,
            **(env if env is not None else openstack_standin.environment()),
            "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
            "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1",
            "ANSIBLE_STDOUT_CALLBACK": "json",
            "ANSIBLE_CALLBACKS_ENABLED": "ansible.builtin.json",
        }
        done = subprocess.run(command, cwd=REPO, env=environ, capture_output=True, text=True, check=False)
        try:
            output = json.loads(done.stdout)
        except ValueError:
            pytest.fail(f"no JSON from {module}: {done.stdout}\n{done.stderr}")
        return output["plays"][0]["tasks"][0]["hosts"]["localhost"]

    return run_module


@pytest.fixture
def old_cloud():
    """A second stand-in that plays a cloud whose Manila API ends at microversion 2.40."""
    with StandInServer(delay=1.0, max_version=(2, 40)) as server:
        yield server


def share_args(**extra):
    return {"name": "openms-workspaces", "size": 5, "availability_zone": "nova", **extra}


def manila_calls(cloud):
    """The requests to Manila's API (the version document aside)."""
    return [r for r in cloud.requests if r.path.startswith(f"/share/v2/{cloud.project_id}/")]


def test_share_is_created_once_and_reports_its_preferred_export(run, cloud):
    planned = run("manila_share", share_args(), "--check", "--diff")
    assert planned["changed"] is True
    assert planned["share"]["size"] == 5
    assert cloud.shares == {}, "check mode created a share"

    created = run("manila_share", share_args())
    assert created["changed"] is True, created
    (share,) = cloud.shares.values()
    assert (share.name, share.size, share.status, share.share_type) == (
        "openms-workspaces",
        5,
        "available",
        "isilon-denbi",
    )
    assert created["share"]["id"] == share.id
    assert created["share"]["status"] == "available"
    assert created["nfs_server"] == PREFERRED
    assert created["nfs_path"] == f"/ifs/denbi/prod/share-{share.id}"
    assert len(created["export_locations"]) == 2

    again = run("manila_share", share_args())
    assert again["changed"] is False
    assert again["share"]["id"] == share.id
    assert len(cloud.shares) == 1


def test_share_grows_but_never_shrinks(run, cloud):
    run("manila_share", share_args())
    (share,) = cloud.shares.values()

    planned = run("manila_share", share_args(size=8), "--check", "--diff")
    assert planned["changed"] is True
    assert planned["diff"]["before"]["size"] == 5 and planned["diff"]["after"]["size"] == 8
    assert share.size == 5, "check mode grew the share"

    grown = run("manila_share", share_args(size=8))
    assert grown["changed"] is True
    assert grown["share"]["size"] == 8
    assert share.size == 8 and share.status == "available"

    smaller = run("manila_share", share_args(size=3))
    assert smaller["changed"] is False
    assert smaller["share"]["size"] == 8
    assert any("no shrinking" in w for w in smaller.get("warnings", []))
    assert share.size == 8


def test_share_is_deleted(run, cloud):
    run("manila_share", share_args())
    assert run("manila_share", {"name": "openms-workspaces", "state": "absent"}, "--check")["changed"] is True
    assert len(cloud.shares) == 1
    assert run("manila_share", {"name": "openms-workspaces", "state": "absent"})["changed"] is True
    assert cloud.shares == {}
    assert run("manila_share", {"name": "openms-workspaces", "state": "absent"})["changed"] is False


def test_a_share_manila_puts_into_error_fails_clearly(run, cloud):
    cloud.faults["create"] = True
    failed = run("manila_share", share_args())
    assert failed.get("failed") is True
    assert failed["changed"] is True, "the share was created (in error): that is a change"
    assert "'error'" in failed["msg"] and "openms-workspaces" in failed["msg"]
    # A later run finds the broken share and says what to do instead of waiting on it.
    again = run("manila_share", share_args())
    assert again.get("failed") is True
    assert "status 'error'" in again["msg"] and "state=absent" in again["msg"]


def test_a_failed_extend_fails_clearly(run, cloud):
    run("manila_share", share_args())
    cloud.faults["extend"] = True
    failed = run("manila_share", share_args(size=9))
    assert failed.get("failed") is True
    assert "extending_error" in failed["msg"]


def test_quota_and_protocol_errors_name_the_problem(run, cloud):
    over = run("manila_share", share_args(size=2000))
    assert over.get("failed") is True
    assert "quota" in over["msg"]
    assert cloud.shares == {}

    run("manila_share", share_args())
    wrong = run("manila_share", share_args(share_proto="CIFS"))
    assert wrong.get("failed") is True
    assert "share_proto" in wrong["msg"] and "'NFS'" in wrong["msg"]


def test_wrong_credentials_fail_before_anything_is_done(run, openstack_standin, cloud):
    env = {**openstack_standin.environment(), "OS_APPLICATION_CREDENTIAL_SECRET": "wrong"}
    failed = run("manila_share", share_args(), env=env)
    assert failed.get("failed") is True
    assert "401" in failed["msg"] or "authenticat" in failed["msg"].lower()
    assert cloud.shares == {}


def test_access_rules_are_added_once_and_become_active(run, cloud):
    run("manila_share", share_args())
    (share,) = cloud.shares.values()
    args = {"share": "openms-workspaces", "access_to": ["10.0.0.0/24", "10.0.1.7"]}

    planned = run("manila_share_access", args, "--check", "--diff")
    assert planned["changed"] is True
    assert planned["added"] == ["10.0.0.0/24", "10.0.1.7/32"]
    assert cloud.rules == {}

    applied = run("manila_share_access", args)
    assert applied["changed"] is True
    rules = {r.access_to: r for r in cloud.rules.values()}
    assert sorted(rules) == ["10.0.0.0/24", "10.0.1.7/32"]
    assert {(r.access_level, r.state, r.share_id) for r in rules.values()} == {("rw", "active", share.id)}
    assert {r["state"] for r in applied["rules"]} == {"active"}
    # Access rules are read and written with a microversion that has share-access-rules (2.45+).
    versions = [r.microversion for r in cloud.requests if "share-access-rules" in r.path]
    assert versions and all(tuple(map(int, v.split("."))) >= (2, 45) for v in versions)

    again = run("manila_share_access", args)
    assert again["changed"] is False
    assert len(cloud.rules) == 2


def test_access_level_change_replaces_the_rule_and_exclusive_removes_others(run, cloud):
    run("manila_share", share_args())
    run("manila_share_access", {"share": "openms-workspaces", "access_to": ["10.0.0.0/24", "192.168.5.0/24"]})

    ro = run("manila_share_access", {"share": "openms-workspaces", "access_to": ["10.0.0.0/24"], "access_level": "ro"})
    assert ro["changed"] is True
    levels = {r.access_to: r.access_level for r in cloud.rules.values()}
    assert levels == {"10.0.0.0/24": "ro", "192.168.5.0/24": "rw"}

    only = run(
        "manila_share_access",
        {"share": "openms-workspaces", "access_to": ["10.0.0.0/24"], "access_level": "ro", "exclusive": True},
    )
    assert only["removed"] == ["192.168.5.0/24"]
    assert [r.access_to for r in cloud.rules.values()] == ["10.0.0.0/24"]

    gone = run("manila_share_access", {"share": "openms-workspaces", "access_to": ["10.0.0.0/24"], "state": "absent"})
    assert gone["changed"] is True
    assert cloud.rules == {}


def test_a_rule_manila_cannot_apply_fails_clearly(run, cloud):
    run("manila_share", share_args())
    cloud.faults["access_to"].add("10.9.0.0/16")
    args = {"share": "openms-workspaces", "access_to": ["10.9.0.0/16"]}
    failed = run("manila_share_access", args)
    assert failed.get("failed") is True
    assert "ip:10.9.0.0/16" in failed["msg"] and "'error'" in failed["msg"]
    again = run("manila_share_access", args)
    assert again.get("failed") is True
    assert "state=absent" in again["msg"]
    removed = run("manila_share_access", {**args, "state": "absent"})
    assert removed["changed"] is True and cloud.rules == {}


def test_bad_access_input_stops_before_any_call(run, cloud):
    run("manila_share", share_args())
    count = len(cloud.requests)
    failed = run("manila_share_access", {"share": "openms-workspaces", "access_to": ["10.0.0.7/24"]})
    assert failed.get("failed") is True
    assert "10.0.0.7/24" in failed["msg"] and "host bits" in failed["msg"]
    assert len(cloud.requests) == count

    missing = run("manila_share_access", {"share": "no-such-share", "access_to": ["10.0.0.0/24"]})
    assert missing.get("failed") is True
    assert "no-such-share" in missing["msg"] and "does not exist" in missing["msg"]


def test_info_lists_rules_and_exports(run, cloud):
    assert run("manila_share_info", {"name": "openms-workspaces"})["shares"] == []
    run("manila_share", share_args())
    run("manila_share_access", {"share": "openms-workspaces", "access_to": ["10.0.0.0/24"]})
    (share,) = run("manila_share_info", {"name": "openms-workspaces"})["shares"]
    assert share["size"] == 5 and share["status"] == "available"
    assert [(r["access_to"], r["state"]) for r in share["access_rules"]] == [("10.0.0.0/24", "active")]
    assert share["export_location"].startswith(PREFERRED + ":/")
    assert len(run("manila_share_info", {})["shares"]) == 1


def test_growing_50_to_60_sends_extend_with_its_microversion(run, cloud):
    run("manila_share", share_args(size=50))
    (share,) = cloud.shares.values()
    grown = run("manila_share", share_args(size=60))
    assert grown.get("failed") is not True, grown.get("msg")
    assert grown["changed"] is True and grown["share"]["size"] == 60
    assert (share.size, share.status) == (60, "available")
    (extend,) = [r for r in cloud.requests if r.action in ("extend", "os-extend")]
    assert (extend.action, extend.microversion) == ("extend", "2.7")
    assert run("manila_share", share_args(size=60))["changed"] is False


def test_every_manila_call_names_its_microversion(run, cloud):
    run("manila_share", share_args())
    run("manila_share", share_args(size=6))
    run("manila_share_access", {"share": "openms-workspaces", "access_to": ["10.0.0.0/24"]})
    run("manila_share_access", {"share": "openms-workspaces", "access_to": ["10.0.0.0/24"], "state": "absent"})
    run("manila_share_info", {})
    unpinned = [f"{r.method} {r.path} {r.action or ''}" for r in manila_calls(cloud) if not r.microversion]
    assert unpinned == [], "requests served as 2.0 because no microversion was sent"


@pytest.mark.parametrize("state,pending", [("queued_to_apply", ["applying", "active"]), ("applying", ["active"])])
def test_a_rerun_while_a_rule_is_in_flight_waits_until_it_is_active(run, cloud, state, pending):
    run("manila_share", share_args())
    args = {"share": "openms-workspaces", "access_to": ["10.0.0.0/24"]}
    assert run("manila_share_access", {**args, "wait": False})["changed"] is True
    (rule,) = cloud.rules.values()
    rule.state, rule.pending, rule.reads = state, pending, 0  # as another run left it

    again = run("manila_share_access", args)
    assert again["changed"] is False
    assert [r["state"] for r in again["rules"]] == ["active"]
    assert rule.state == "active"


def test_a_rerun_while_a_rule_is_in_flight_fails_with_its_error(run, cloud):
    run("manila_share", share_args())
    cloud.faults["access_to"].add("10.9.0.0/16")
    args = {"share": "openms-workspaces", "access_to": ["10.9.0.0/16"]}
    assert run("manila_share_access", {**args, "wait": False})["changed"] is True
    failed = run("manila_share_access", args)
    assert failed.get("failed") is True
    assert "ip:10.9.0.0/16" in failed["msg"] and "'error'" in failed["msg"]


def test_a_cloud_without_share_access_rules_gets_a_message_naming_2_45(run, old_cloud):
    env = old_cloud.environment()
    created = run("manila_share", share_args(), env=env)
    assert created["changed"] is True, created.get("msg")
    grown = run("manila_share", share_args(size=6), env=env)
    assert grown["share"]["size"] == 6, grown.get("msg")
    for module, args in (
        ("manila_share_access", {"share": "openms-workspaces", "access_to": ["10.0.0.0/24"]}),
        ("manila_share_info", {"name": "openms-workspaces"}),
    ):
        failed = run(module, args, env=env)
        assert failed.get("failed") is True
        assert "2.45" in failed["msg"] and "2.40" in failed["msg"], failed["msg"]
    assert old_cloud.cloud.rules == {}


def test_a_share_stuck_in_error_deleting_fails_at_once(run, cloud):
    run("manila_share", share_args())
    cloud.faults["delete"] = True
    started = time.monotonic()
    failed = run("manila_share", {"name": "openms-workspaces", "state": "absent", "timeout": 40})
    assert time.monotonic() - started < 30, "waited for the time-out instead of failing on error_deleting"
    assert failed.get("failed") is True and failed["changed"] is True
    assert "error_deleting" in failed["msg"], failed["msg"]
    again = run("manila_share", {"name": "openms-workspaces", "state": "absent"})
    assert again.get("failed") is True and again["changed"] is False
    assert "error_deleting" in again["msg"] and "operators" in again["msg"], again["msg"]


def test_an_unknown_share_type_fails_in_check_mode_as_in_the_real_run(run, cloud):
    args = share_args(share_type="no-such-type")
    checked = run("manila_share", args, "--check")
    real = run("manila_share", args)
    for result in (checked, real):
        assert result.get("failed") is True, result
        assert "share_type" in result["msg"] and "no-such-type" in result["msg"] and "isilon-denbi" in result["msg"]
    assert checked["msg"] == real["msg"]
    assert cloud.shares == {}


def test_access_to_a_share_still_creating(run, cloud):
    # long enough for two module runs on a loaded machine (3 s was not, beside the cluster's creation)
    cloud.delay = 15.0
    assert run("manila_share", share_args(wait=False))["share"]["status"] == "creating"
    args = {"share": "openms-workspaces", "access_to": ["10.0.0.0/24"]}
    refused = run("manila_share_access", {**args, "wait": False})
    assert refused.get("failed") is True
    assert "'creating'" in refused["msg"] and "wait" in refused["msg"], refused["msg"]
    waited = run("manila_share_access", args)
    assert waited["changed"] is True and [r["state"] for r in waited["rules"]] == ["active"], waited


def test_ipv6_networks_get_rules(run, cloud):
    run("manila_share", share_args())
    added = run("manila_share_access", {"share": "openms-workspaces", "access_to": ["fd00:10::/64"]})
    assert added["changed"] is True, added.get("msg")
    assert [(r.access_to, r.state) for r in cloud.rules.values()] == [("fd00:10::/64", "active")]
    (allow,) = [r for r in cloud.requests if r.action == "allow_access"]
    assert tuple(map(int, allow.microversion.split("."))) >= (2, 38)


def test_a_rule_still_being_removed_does_not_count_as_present(run, cloud):
    run("manila_share", share_args())
    args = {"share": "openms-workspaces", "access_to": ["10.0.0.0/24"]}
    run("manila_share_access", args)
    assert run("manila_share_access", {**args, "state": "absent", "wait": False})["changed"] is True
    (old,) = cloud.rules.values()
    assert old.state == "queued_to_deny"

    again = run("manila_share_access", args)
    assert again["changed"] is True and again["added"] == ["10.0.0.0/24"]
    (rule,) = cloud.rules.values()
    assert rule.id != old.id and rule.state == "active"
