"""site.yml -i inventories/denbi --tags manila_share against the stand-in Keystone + Manila
(tests/standin/openstack_api.py) and the local kind cluster: check mode changes nothing, a
real run creates the share, its access rule and the NFS PV/PVC, a second run changes nothing.

The app is renamed so that its namespace and PV stay apart from the local deployment.
"""

import json
import os

import pytest
from kubernetes.client.exceptions import ApiException
from site_playbook import remove_app, run_site

HOST = "streamlit-template"
APP = "denbi-standin"
CLAIM = f"{APP}-workspaces"
PV = f"{APP}-{CLAIM}"
SUBNET = "10.89.0.0/24"


@pytest.fixture
def site(openstack_standin, cluster, kube):
    """Run site.yml with the denbi inventory; the environment is what an operator would set."""
    env = {
        **openstack_standin.environment(),
        "KUBECONFIG": cluster["kubeconfig"],
        "OPENMS_KUBE_CONTEXT": cluster["context"],
        "OPENMS_MANILA_ACCESS_CIDRS": SUBNET,
        "OPENMS_CERT_MANAGER_ISSUER": "letsencrypt",
    }

    def run(*args, tags="manila_share", **extra_env):
        # No NFS server answers the stand-in's export: the share's root cannot be prepared here
        # (tests/site/test_workspaces_owner.py prepares a real directory).
        # one app of the fleet, renamed
        app = ["--limit", HOST, "-e", f"streamlit_k8s_app_name={APP}", "-e", "manila_share_prepare_owner=false"]
        return run_site("--tags", tags, *app, *args, inventory="inventories/denbi", env={**env, **extra_env})

    remove_app(kube, APP, PV)
    yield run
    remove_app(kube, APP, PV)


def read_pv(kube):
    try:
        return kube.core.read_persistent_volume(PV)
    except ApiException as err:
        if err.status == 404:
            return None
        raise


def test_check_then_create_then_nothing_to_do(site, openstack_standin, kube):
    cloud = openstack_standin.cloud

    rc, changed, output = site("--check", "--diff")
    assert rc == 0, output[-3000:]
    assert changed >= 3, output[-3000:]  # share, access rule, PV (the namespace is not there yet)
    assert f"+ name: {PV}" in output or f"name: {PV}" in output
    assert f"ip:{SUBNET} rw" in output
    assert cloud.shares == {} and cloud.rules == {}, "check mode changed the cloud"
    assert read_pv(kube) is None, "check mode created the PV"

    rc, changed, output = site()
    assert rc == 0, output[-3000:]
    assert changed > 0
    (share,) = cloud.shares.values()
    assert (share.name, share.size, share.share_type, share.status) == (PV, 50, "isilon-denbi", "available")
    (rule,) = cloud.rules.values()
    assert (rule.access_to, rule.access_level, rule.state) == (SUBNET, "rw", "active")
    pv = read_pv(kube)
    assert pv.spec.nfs.server == "manila-prod.isilon.standin"  # the preferred export
    assert pv.spec.nfs.path == f"/ifs/denbi/prod/share-{share.id}"
    assert pv.spec.mount_options == ["nfsvers=3"]
    assert pv.spec.capacity["storage"] == "50Gi"
    assert pv.spec.persistent_volume_reclaim_policy == "Retain"
    pvc = kube.core.read_namespaced_persistent_volume_claim(CLAIM, APP)
    assert pvc.status.phase == "Bound" and pvc.spec.volume_name == PV
    assert pvc.spec.access_modes == ["ReadWriteMany"] and pvc.spec.storage_class_name == ""

    rc, changed, output = site()
    assert (rc, changed) == (0, 0), output[-3000:]
    assert len(cloud.shares) == 1 and len(cloud.rules) == 1

    # Growing the share grows the PV; the bound claim keeps its request (it cannot grow).
    rc, changed, output = site("-e", "manila_share_size_gb=60")
    assert rc == 0 and changed > 0, output[-3000:]
    assert "WARNING: manila_share_size_gb=60 is above the 50 GB" in output
    assert share.size == 60
    assert [r.microversion for r in cloud.requests if r.action in ("extend", "os-extend")] == ["2.7"]
    assert read_pv(kube).spec.capacity["storage"] == "60Gi"
    assert kube.core.read_namespaced_persistent_volume_claim(CLAIM, APP).spec.resources.requests["storage"] == "50Gi"
    rc, changed, output = site("-e", "manila_share_size_gb=60")
    assert (rc, changed) == (0, 0), output[-3000:]

    # The share is gone (deleted by hand): the role makes a new one, but will not repoint the PV.
    cloud.shares.clear()
    cloud.rules.clear()
    rc, _changed, output = site("-e", "manila_share_size_gb=60")
    assert rc != 0
    assert f"PersistentVolume {PV} points at manila-prod.isilon.standin:/ifs/denbi/prod/share-{share.id}" in output
    assert read_pv(kube).spec.nfs.path == f"/ifs/denbi/prod/share-{share.id}"


def test_a_check_run_of_every_phase_changes_nothing(site, openstack_standin, kube):
    # the app's own secrets, named after its inventory host
    prefix = f"OPENMS_{HOST.upper().replace('-', '_')}_"
    secrets = {prefix + name: os.urandom(16).hex() for name in ("REDIS_PASSWORD", "ADMIN_PASSWORD")}
    secrets[prefix + "COOKIE_SECRET"] = os.urandom(32).hex()
    rc, changed, output = site("--check", "--diff", tags="all", **secrets)
    assert rc == 0, output[-3000:]
    assert changed > 0
    assert f"Namespace {APP} does not exist yet" in output
    assert openstack_standin.cloud.shares == {}
    assert read_pv(kube) is None
    with pytest.raises(ApiException):
        kube.core.read_namespace(APP)


@pytest.mark.parametrize(
    "args,env,expected",
    [
        ([], {"OPENMS_MANILA_ACCESS_CIDRS": ""}, "manila_share_access_cidrs=[] is not allowed"),
        (["-e", "manila_share_size_gb=300"], {}, "needs manila_share_allow_large=true"),
        (
            [],
            {"OPENMS_MANILA_ACCESS_CIDRS": "10.89.0.1/24"},
            "access_to item '10.89.0.1/24' is not an IP network: 10.89.0.1/24 has host bits set",
        ),
        ([], {"OS_APPLICATION_CREDENTIAL_SECRET": "wrong"}, "requires authentication"),
    ],
    ids=["no-access-cidrs", "share-over-250", "cidr-host-bits", "wrong-credentials"],
)
def test_bad_input_stops_before_anything_is_made(site, openstack_standin, kube, args, env, expected):
    rc, _changed, output = site(*args, **env)
    assert rc != 0
    assert expected in output, output[-3000:]
    assert openstack_standin.cloud.shares == {}
    assert read_pv(kube) is None


def test_two_apps_share_one_share_each_in_its_own_directory(openstack_standin, cluster, kube):
    """Two apps of the fleet in one run, one Manila share: made once (the apps take turns), one
    access rule, each app's volume on its own directory of the share's export."""
    apps = ("streamlit-template", "nuxl-app")
    env = {
        **openstack_standin.environment(),
        "KUBECONFIG": cluster["kubeconfig"],
        "OPENMS_KUBE_CONTEXT": cluster["context"],
        "OPENMS_MANILA_ACCESS_CIDRS": SUBNET,
    }
    shared = {"manila_share_share_name": "denbi-shared", "manila_share_subdirectory": "{{ streamlit_k8s_app_name }}"}
    args = ["--tags", "manila_share", "--limit", ",".join(apps), "-e", "manila_share_prepare_owner=false"]
    args += ["-e", json.dumps(shared)]
    volumes = [f"{app}-{app}-workspaces" for app in apps]
    for app, volume in zip(apps, volumes, strict=True):
        remove_app(kube, app, volume)
    try:
        rc, changed, output = run_site(*args, inventory="inventories/denbi", env=env)
        assert rc == 0, output[-3000:]
        cloud = openstack_standin.cloud
        (share,) = cloud.shares.values()
        assert share.name == "denbi-shared"
        assert len(cloud.rules) == 1
        export = f"/ifs/denbi/prod/share-{share.id}"
        for app, volume in zip(apps, volumes, strict=True):
            pv = kube.core.read_persistent_volume(volume)
            assert pv.spec.nfs.path == f"{export}/{app}", pv.spec.nfs
            assert kube.core.read_namespaced_persistent_volume_claim(f"{app}-workspaces", app).status.phase == "Bound"
        rc, changed, output = run_site(*args, inventory="inventories/denbi", env=env)
        assert (rc, changed) == (0, 0), output[-3000:]
        assert len(cloud.shares) == 1 and len(cloud.rules) == 1
    finally:
        for app, volume in zip(apps, volumes, strict=True):
            remove_app(kube, app, volume)
