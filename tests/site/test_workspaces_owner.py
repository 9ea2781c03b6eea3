"""The share's root is given to the app's user once (NFS ignores fsGroup), or the run says why not.

The local "share" is a host directory every kind node mounts. A new one is root-owned, as a
new Manila share is; made immutable (chattr +i) it refuses chown as root squash does. The
tests use an app of their own (namespace, claim, directory), so a run killed half-way leaves
nothing that breaks the deployed app; the next run clears what it left.
"""

import pathlib
import shutil
import subprocess
import sys

import pytest
from site_playbook import remove_app, run_site

ANNOTATION = "openms.de/workspaces-owner"
APP = "owner-test"
CLAIM = f"{APP}-workspaces"
PV = f"{APP}-{CLAIM}"


def run_share_phase():
    return run_site("--tags", "manila_share", "-e", f"streamlit_k8s_app_name={APP}")


@pytest.fixture
def share_root(cluster, kube):
    """Where the test app's share lives on the host; it, its namespace and its PV are removed around the test."""
    path = pathlib.Path(cluster["shared_dir"]) / PV

    def clear():
        if path.exists():
            subprocess.run(["chattr", "-i", str(path)], check=True)
            shutil.rmtree(path)
        remove_app(kube, APP, PV)

    clear()
    yield path
    clear()


def annotations(kube):
    return kube.core.read_namespaced_persistent_volume_claim(CLAIM, APP).metadata.annotations or {}


def test_a_root_owned_share_is_given_to_the_app_user_once(share_root, kube):
    rc, changed, output = run_share_phase()
    assert rc == 0 and changed >= 1, output[-3000:]
    assert (share_root.stat().st_uid, share_root.stat().st_gid) == (1000, 1000)
    assert share_root.stat().st_mode & 0o777 == 0o770
    assert annotations(kube).get(ANNOTATION) == "1000:1000"
    assert not kube.core.list_namespaced_pod(APP, label_selector=f"job-name={CLAIM}-prepare").items
    rc, changed, output = run_share_phase()
    assert (rc, changed) == (0, 0), output[-3000:]


def test_down_keeps_the_share_and_the_next_deploy_binds_it_again(share_root, kube):
    """`streamlit-k8s down` deletes the namespace (and the claim); Retain keeps the volume, which is
    then Released, still bound to the deleted claim's uid; the next run frees it and binds again."""
    rc, _changed, output = run_share_phase()
    assert rc == 0, output[-3000:]
    kept = share_root / "workspace-1" / "result.txt"
    kept.parent.mkdir()
    kept.write_text("kept")
    down = subprocess.run(
        [sys.executable, "-m", "openms_streamlit_k8s", "down", "-e", f"streamlit_k8s_app_name={APP}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert down.returncode == 0, down.stdout + down.stderr
    assert f"kept: PersistentVolume {PV} (Retain)" in down.stdout
    assert not [ns for ns in kube.core.list_namespace().items if ns.metadata.name == APP]
    assert kube.core.read_persistent_volume(PV).status.phase == "Released"
    rc, changed, output = run_share_phase()
    assert rc == 0 and changed >= 1, output[-3000:]
    assert "Free a Released volume for the claim of the same name" in output
    claim = kube.core.read_namespaced_persistent_volume_claim(CLAIM, APP)
    assert (claim.status.phase, claim.spec.volume_name) == ("Bound", PV)
    assert kept.read_text() == "kept"


def test_a_share_that_refuses_chown_stops_the_run_with_what_to_do(share_root, kube):
    share_root.mkdir(mode=0o755)
    subprocess.run(["chattr", "+i", str(share_root)], check=True)
    rc, _changed, output = run_share_phase()
    assert rc != 0
    assert "could not be given to uid 1000:1000 (manila_share_owner_uid)" in output, output[-3000:]
    assert "refused: owner 0:0" in output and "root squash" in output, output[-3000:]
    assert share_root.stat().st_uid == 0
    assert ANNOTATION not in annotations(kube)
