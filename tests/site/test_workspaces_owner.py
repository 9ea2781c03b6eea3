"""The share's root is given to the app's user once (NFS ignores fsGroup), or the run says why not.

Needs the app deployed on the local cluster by site.yml -i inventories/local. The local
"share" is a host directory every kind node mounts; made root-owned here it is what a new
Manila share looks like, and made immutable (chattr +i) it refuses chown as root squash does.
"""

import os
import pathlib
import subprocess

import pytest
from site_playbook import run_site

ANNOTATION = "openms.de/workspaces-owner"
CLAIM = "openms-workspaces"


@pytest.fixture
def share_root(cluster, kube):
    """The app's directory, root-owned and not yet recorded as prepared; put back afterwards."""
    path = pathlib.Path(cluster["shared_dir"]) / f"openms-{CLAIM}"
    forget = {"metadata": {"annotations": {ANNOTATION: None}}}
    kube.core.patch_namespaced_persistent_volume_claim(CLAIM, "openms", forget)
    os.chown(path, 0, 0)
    os.chmod(path, 0o755)
    yield path
    subprocess.run(["chattr", "-i", str(path)], check=True)
    os.chown(path, 1000, 1000)
    os.chmod(path, 0o770)
    rc, _changed, output = run_site("--tags", "manila_share")
    assert rc == 0, output[-3000:]


def annotations(kube):
    return kube.core.read_namespaced_persistent_volume_claim(CLAIM, "openms").metadata.annotations or {}


def test_a_root_owned_share_is_given_to_the_app_user_once(share_root, kube):
    rc, changed, output = run_site("--tags", "manila_share")
    assert rc == 0 and changed >= 1, output[-3000:]
    assert (share_root.stat().st_uid, share_root.stat().st_gid) == (1000, 1000)
    assert annotations(kube).get(ANNOTATION) == "1000:1000"
    assert not kube.core.list_namespaced_pod("openms", label_selector=f"job-name={CLAIM}-prepare").items
    rc, changed, output = run_site("--tags", "manila_share")
    assert (rc, changed) == (0, 0), output[-3000:]


def test_a_share_that_refuses_chown_stops_the_run_with_what_to_do(share_root, kube):
    subprocess.run(["chattr", "+i", str(share_root)], check=True)
    rc, _changed, output = run_site("--tags", "manila_share")
    assert rc != 0
    assert "could not be given to uid 1000:1000 (manila_share_owner_uid)" in output, output[-3000:]
    assert "refused: owner 0:0" in output and "root squash" in output, output[-3000:]
    assert share_root.stat().st_uid == 0
    assert ANNOTATION not in annotations(kube)
