"""Moving an app's workspaces off the Docker Compose deployment, as `streamlit-k8s migrate` does
it: the old deployment is the test app's template-shaped checkout run as one container
(tests/old_deployment.py: cron, Redis, RQ workers and Streamlit together, as root, its volume at
/workspaces-streamlit-template), used in Chromium (two uploads, a workflow through its own
queue) and filled with awkward content (spaces and non-ASCII in names, a deep tree, an empty
file, a file over 1 GB, root-only modes, a symlink inside and one pointing outside, a workspace
40 days old). The destination is the fleet's app fleet-a, which mounts its volume at the same
path. Runs beside the deployed `openms` app's tests (openms_streamlit_k8s/testing.py).
"""

import datetime
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import app_page
import old_deployment
import old_vm
import pytest
from fleet import FLEET, SHARE
from kubernetes import client
from pods import run_in, running_pods
from site_playbook import cli

from openms_streamlit_k8s import playbook

APP = "fleet-a"
OLD = "old-fleet-a"
VOLUME = "old-fleet-a-workspaces"
PORT = 28598
MOUNT = old_deployment.MOUNT
REPORT = pathlib.Path.home() / f".cache/openms-streamlit-k8s/migrate/{APP}-{APP}.json"
# every regular file with its SHA-256, every file with its mtime (seconds), then how many entries
# the app's user does not own
LISTING = (
    "cd {root} && find . -type f -exec sha256sum {{}} + | sort -k 2"
    " && find . -type f -printf 'mtime %T@ %p\\n' | sed 's/[.][0-9]* / /' | sort -k 3"
    " && echo owners $(find . ! -user 1000 | wc -l)"
)
BIG = "big-workspace/big.bin"


def migrate(*args, inventory=FLEET, env=None):
    """`streamlit-k8s --json migrate` of fleet-a from the old volume: (exit code, report, output)."""
    command = ("--json", "migrate", "-i", str(inventory), "--limit", APP, "--from-volume", VOLUME, *args)
    rc, out, err = cli(*command, env=env)
    return rc, json.loads(out) if out.strip().startswith("{") else {}, out + err


def background_migrate():
    """The same run, as a process group of its own that a test kills."""
    command = [sys.executable, "-m", "openms_streamlit_k8s", "migrate", "-i", FLEET, "--limit", APP]
    return subprocess.Popen(
        [*command, "--from-volume", VOLUME],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def source_files():
    """The old volume, read on this host (whether its container runs or not)."""
    root = old_deployment.docker("volume", "inspect", "-f", "{{.Mountpoint}}", VOLUME)
    return subprocess.run(
        ["sh", "-c", LISTING.format(root=root)], capture_output=True, text=True, check=True
    ).stdout.splitlines()


def dest_files(kube):
    web = running_pods(kube, APP, "web")[0]
    code, output = run_in(kube, web.metadata.name, "web", LISTING.format(root=MOUNT), APP)
    assert code == 0, output
    return output.splitlines()


def files_only(lines):
    """The files (SHA-256 and mtime lines) of a listing."""
    return {line for line in lines if not line.startswith("owners ")}


@pytest.fixture(scope="module")
def old(fleet, tmp_path_factory):
    """The old deployment, used in Chromium (a workspace with two uploads and a finished workflow,
    run through its own queue), then filled with awkward content."""
    from playwright.sync_api import sync_playwright

    old_deployment.start(OLD, VOLUME, PORT)
    files = app_page.mzml_files(tmp_path_factory.mktemp("old-uploads"))
    with sync_playwright() as playwright:
        browser = app_page.launch(playwright)
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{PORT}/")
        workspace = app_page.caption(page)["workspace"]
        app_page.upload_and_run(page, files)
        browser.close()
    old_deployment.fill(OLD)
    yield {"workspace": workspace}
    old_deployment.stop(OLD, VOLUME)


@pytest.fixture(scope="module")
def first_pass(old):
    rc, report, output = migrate()
    assert rc == playbook.EXIT_OK, output[-5000:]
    return json.loads(REPORT.read_text())


def test_check_mode_lists_what_it_would_copy_and_copies_nothing(old, kube, cluster):
    rc, report, output = migrate("--check")
    assert rc == playbook.EXIT_OK, output[-5000:]
    (last,) = json.loads(REPORT.read_text())["passes"]
    assert last["check"] and last["files"] >= 12 and last["bytes"] > 1_100 * 2**20, last
    assert f"fleet-a: Would copy {last['files']} files ({last['bytes']} bytes" in report["said"][0], report
    assert not (pathlib.Path(cluster["shared_dir"]) / SHARE / APP / BIG).exists()


def test_every_file_arrives_with_its_bytes_mtime_and_the_apps_owner(first_pass, old, kube):
    (done,) = first_pass["passes"]
    assert done["bytes"] > 1_100 * 2**20 and done["mb_per_s"] > 0, done
    assert [item["path"] for item in done["refused"]] == ["awkward-names/outside"]
    source, dest = source_files(), dest_files(kube)
    # every file of the old volume, with its bytes and mtime (the destination may hold more: the
    # demo workspaces the app seeded)
    assert files_only(source) - files_only(dest) == set() and len(files_only(source)) >= 2 * 12
    assert "owners 0" in dest
    for name in ("awkward-names/mzML-files/Probe_äöü_μß.mzML", "level-11/deep.txt", "empty.txt", BIG):
        assert any(line.endswith(name) for line in dest), name


def test_a_rerun_copies_nothing(first_pass):
    rc, report, output = migrate()
    assert (rc, report["runs"][0]["changed"]) == (playbook.EXIT_OK, 0), output[-5000:]
    assert json.loads(REPORT.read_text())["passes"][-1]["files"] == 0


@pytest.fixture(scope="module")
def over_ssh(tmp_path_factory):
    """The old VM reached over SSH (tests/old_vm.py)."""
    vm = old_vm.OldVm(tmp_path_factory.mktemp("old-vm"), pathlib.Path(FLEET).resolve()).start()
    yield vm
    vm.stop()


def test_a_pass_over_ssh_reads_the_old_vm_as_the_inventory_reaches_it(first_pass, old, over_ssh, kube):
    """A workspace written by the old app after the first pass, copied from the old VM through
    ssh, sudo and the inventory's ssh options (its own known_hosts)."""
    added = "awkward-names/over ssh.txt"
    old_deployment.docker("exec", OLD, "sh", "-c", f"cd {MOUNT} && echo 'over ssh' > '{added}' && chmod 600 '{added}'")
    rc, report, output = migrate("--from-host", old_vm.HOST, inventory=over_ssh.inventory)
    assert rc == playbook.EXIT_OK, output[-5000:]
    done = json.loads(REPORT.read_text())
    assert done["from_host"] == old_vm.HOST and done["passes"][-1]["files"] == 1, done
    # the listing (Ansible) and the copy (its own ssh) each logged in by key
    assert over_ssh.logins() >= 2, over_ssh.log.read_text()[-3000:]
    dest = dest_files(kube)
    assert files_only(source_files()) - files_only(dest) == set() and "owners 0" in dest
    assert any(line.endswith(added) for line in dest)


@pytest.fixture
def share_export(openstack_standin, cluster):
    """The fleet's share in the stand-in Manila, its export's path on this machine the fleet's
    host directory (which the kind nodes mount): the old host's bind mount of that path stands
    in for the NFS mount of the export (no NFS client in this kernel)."""
    cloud = openstack_standin.cloud
    share = cloud.create_share(
        {"share": {"name": SHARE, "size": 1, "share_proto": "NFS", "share_type": "isilon-denbi"}}
    )
    export = pathlib.Path(f"/ifs/denbi/prod/share-{share.id}")
    export.parent.mkdir(parents=True, exist_ok=True)
    export.symlink_to(pathlib.Path(cluster["shared_dir"]) / SHARE)
    time.sleep(cloud.delay)  # the share becomes available
    yield share
    export.unlink()
    os.removedirs(export.parent)  # the directories it made, as far as they are empty


SHARE_ROUTE = {
    "migrate_route": "share",
    "migrate_share_access_to": ["127.0.0.1/32"],
    "migrate_share_mount_type": "none",
    "migrate_share_mount_options": "bind",
}


def test_the_share_route_copies_on_the_old_host_with_an_access_rule_only_while_it_runs(
    first_pass, old, share_export, openstack_standin, kube
):
    cloud = openstack_standin.cloud
    added = "awkward-names/via the share.txt"
    old_deployment.docker("exec", OLD, "sh", "-c", f"cd {MOUNT} && echo share > '{added}' && chmod 400 '{added}'")
    env = openstack_standin.environment()
    rc, report, output = migrate("-e", json.dumps(SHARE_ROUTE), env=env)
    assert rc == playbook.EXIT_OK, output[-5000:]
    done = json.loads(REPORT.read_text())
    assert done["route"] == "share" and done["passes"][-1]["files"] == 1, done
    dest = dest_files(kube)
    assert any(line.endswith(added) for line in dest) and "owners 0" in dest
    assert files_only(source_files()) - files_only(dest) == set()
    # the rule was added, then removed; nothing is left mounted on the old host
    actions = [request.action for request in cloud.requests if request.action]
    assert actions.count("allow_access") == 1 and actions.count("deny_access") == 1, actions
    assert cloud.rules == {}
    mountpoint = f"/mnt/openms-migrate-{APP}"
    assert not os.path.exists(mountpoint) and mountpoint not in pathlib.Path("/proc/mounts").read_text()

    # an access rule the operator gave the old host before the run stays; nothing new, no change
    rule = cloud._allow(share_export, {"access_type": "ip", "access_to": "127.0.0.1/32"}, (2, 45))
    time.sleep(cloud.delay)
    rc, report, output = migrate("-e", json.dumps(SHARE_ROUTE), env=env)
    assert (rc, report["runs"][0]["changed"]) == (playbook.EXIT_OK, 0), output[-5000:]
    assert list(cloud.rules) == [rule.id]


def test_the_share_route_without_the_old_hosts_address_stops_before_anything(fleet, openstack_standin):
    rc, report, output = migrate("-e", '{"migrate_route": "share"}', env=openstack_standin.environment())
    assert rc == playbook.EXIT_BAD_INPUT, output[-3000:]
    assert "migrate_share_access_to" in output and "10.0.0.5/32" in output, output[-3000:]
    assert openstack_standin.cloud.requests == [], "the run reached Manila"


def copying(path, before):
    try:
        now = path.stat()
    except FileNotFoundError:  # tar replaces a file: gone for a moment
        return False
    return now.st_mtime != before and now.st_size < 1_100 * 2**20


def test_an_interrupted_run_completes_when_run_again(first_pass, old, kube, cluster):
    """The big file changed at the source; its copy cut twice: the transfer pod killed mid-file,
    then the controller killed mid-file; the next run completes, the one after copies nothing."""
    big = pathlib.Path(cluster["shared_dir"]) / SHARE / APP / BIG
    old_deployment.docker("exec", OLD, "sh", "-c", f"head -c {1_100 * 2**20} /dev/urandom > {MOUNT}/{BIG}")

    def cut(kill):
        started = big.stat().st_mtime
        run = background_migrate()
        deadline = time.monotonic() + 300
        # the copy has begun when the destination's big file is being rewritten
        while not copying(big, started):
            assert run.poll() is None and time.monotonic() < deadline, "the copy never started"
            time.sleep(0.2)
        kill(run)
        run.wait(timeout=120)
        assert run.returncode != 0

    cut(lambda run: kube.core.delete_namespaced_pod(f"{APP}-migrate", APP, grace_period_seconds=0))
    cut(lambda run: os.killpg(run.pid, signal.SIGKILL))
    rc, report, output = migrate()
    assert rc == playbook.EXIT_OK, output[-5000:]
    assert files_only(source_files()) - files_only(dest_files(kube)) == set()
    rc, report, output = migrate()
    assert (rc, report["runs"][0]["changed"]) == (playbook.EXIT_OK, 0), output[-5000:]
    pods = kube.core.list_namespaced_pod(APP, label_selector="app.kubernetes.io/component=migrate").items
    assert pods == [], "a transfer pod was left behind"


def test_a_migrated_workspace_opens_by_its_url(first_pass, old, cluster):
    from playwright.sync_api import sync_playwright

    url = f"http://{APP}.fleet.test:{cluster['ingress_url'].rsplit(':', 1)[1]}/?workspace={old['workspace']}"
    with sync_playwright() as playwright:
        browser = app_page.launch(playwright, f"{APP}.fleet.test")
        page = browser.new_page()
        page.goto(url)
        assert app_page.caption(page)["workspace"] == old["workspace"]
        page.get_by_text("2 mzML file(s)").wait_for(timeout=30_000)
        app_page.open_result(page)
        browser.close()


def test_the_next_clean_up_removes_the_40_day_old_workspace_only(first_pass, old, kube, cluster):
    batch = client.BatchV1Api(kube.api)
    cron = batch.read_namespaced_cron_job(f"{APP}-cleanup", APP)
    job = client.V1Job(
        metadata=client.V1ObjectMeta(name=f"{APP}-cleanup-migrated", labels=cron.spec.job_template.metadata.labels),
        spec=cron.spec.job_template.spec,
    )
    batch.create_namespaced_job(APP, job)
    try:
        deadline = time.monotonic() + 180
        while not (batch.read_namespaced_job(job.metadata.name, APP).status.succeeded or 0):
            assert time.monotonic() < deadline, "the clean-up Job did not succeed within 180 s"
            time.sleep(2)
    finally:
        batch.delete_namespaced_job(job.metadata.name, APP, propagation_policy="Foreground")
    root = pathlib.Path(cluster["shared_dir"]) / SHARE / APP
    assert not (root / "old-workspace").exists()
    for kept in (old["workspace"], "awkward-names", "big-workspace", ".demos"):
        assert (root / kept).is_dir(), kept


def test_the_cut_over_waits_for_a_running_job_then_copies_the_last_changes(first_pass, old, kube):
    # after the first pass: one file changed, one removed, one added at the source
    changed, removed, added = "awkward-names/params.json", "awkward-names/empty.txt", "awkward-names/late.txt"
    old_deployment.docker("exec", OLD, "sh", "-c", f"cd {MOUNT} && echo changed >> {changed} && rm {removed}")
    old_deployment.docker("exec", OLD, "sh", "-c", f"cd {MOUNT} && echo late > {added}")
    held = time.time()
    job = old_deployment.hold(OLD, 20)
    rc, report, output = migrate("--final", "-e", json.dumps({"validate_checks": ["tiers", "health", "workflow"]}))
    assert rc == playbook.EXIT_OK, output[-5000:]
    assert old_deployment.docker("inspect", "-f", "{{.State.Running}}", OLD) == "false"
    # stopped only after the job's 20 s
    stopped = old_deployment.docker("inspect", "-f", "{{.State.FinishedAt}}", OLD)
    stopped_at = datetime.datetime.fromisoformat(stopped[:26].rstrip("Z") + "+00:00").timestamp()
    assert stopped_at - held >= 19, f"the old container stopped {stopped_at - held:.1f} s after job {job} began"
    source, dest = files_only(source_files()), files_only(dest_files(kube))
    assert source - dest == set()
    assert any(line.endswith(added) for line in dest) and not any(line.endswith(removed) for line in dest)
    final = json.loads(REPORT.read_text())["passes"][-1]
    assert final["final"] and final["removed"] >= 1, final
    # the DNS step, said last
    assert report["said"][-1].startswith("fleet-a: fleet-a now serves its users' workspaces on Kubernetes. Point ")


def test_a_job_that_never_ends_stops_the_cut_over_with_its_id(old):
    # rolling back is starting the old container again
    old_deployment.docker("start", OLD)
    time.sleep(5)
    job = old_deployment.hold(OLD, 3600)
    # as an operator types it: a string the role takes as a number
    rc, report, output = migrate("--final", "-e", "migrate_drain_timeout=10")
    assert rc == playbook.EXIT_FAILED, output[-5000:]
    assert job in output and "migrate_drain_timeout" in output, output[-3000:]
    assert old_deployment.docker("inspect", "-f", "{{.State.Running}}", OLD) == "true"
