"""The share's root is given to the app's user once (NFS ignores fsGroup), or the run says why not.

The local "share" is a host directory every kind node mounts. A new one is root-owned, as a
new Manila share is; made immutable (chattr +i) it refuses chown as root squash does. The
tests use an app of their own (namespace, claim, directory), so a run killed half-way leaves
nothing that breaks the deployed app; the next run clears what it left.
"""

import pathlib
import shutil
import subprocess

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


def test_a_share_that_refuses_chown_stops_the_run_with_what_to_do(share_root, kube):
    share_root.mkdir(mode=0o755)
    subprocess.run(["chattr", "+i", str(share_root)], check=True)
    rc, _changed, output = run_share_phase()
    assert rc != 0
    assert "could not be given to uid 1000:1000 (manila_share_owner_uid)" in output, output[-3000:]
    assert "refused: owner 0:0" in output and "root squash" in output, output[-3000:]
    assert share_root.stat().st_uid == 0
    assert ANNOTATION not in annotations(kube)
