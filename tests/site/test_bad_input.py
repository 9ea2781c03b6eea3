"""Bad input stops site.yml early, with a message naming the variable, and changes nothing.

Needs the app deployed on the local cluster by site.yml -i inventories/local (the test
command does that first).
"""

import pathlib

import pytest
import yaml
from site_playbook import run_site

REPO = pathlib.Path(__file__).resolve().parents[2]
LOCAL_VARS = REPO / "inventories/local/group_vars/all/streamlit_k8s.yml"


@pytest.fixture
def snapshot(kube):
    """resourceVersions of the app's objects; equal before and after means nothing changed."""

    def take():
        versions = {}
        for name in ("openms-web", "openms-worker"):
            versions[name] = kube.apps.read_namespaced_deployment(name, "openms").metadata.resource_version
        versions["redis"] = kube.apps.read_namespaced_stateful_set("openms-redis", "openms").metadata.resource_version
        versions["config"] = kube.core.read_namespaced_config_map(
            "openms-web-config", "openms"
        ).metadata.resource_version
        versions["pv"] = kube.core.read_persistent_volume("openms-openms-workspaces").metadata.resource_version
        return versions

    before = take()
    yield
    assert take() == before, "a rejected run changed the cluster"


@pytest.mark.parametrize(
    "args,expected",
    [
        (["--tags", "web", "-e", "web_replicas=-1"], "web_replicas must be 0 to 20"),
        (["--tags", "worker", "-e", "worker_replicas=-3"], "worker_replicas must be 0 to 50"),
        (["--tags", "web", "-e", "web_replicas=many"], "web_replicas"),
        (["--tags", "manila_share", "-e", "manila_share_size_gb=5000"], "manila_share_size_gb=5000"),
        (["--tags", "redis", "-e", "redis_storage_size=lots"], "redis_storage_size=lots"),
        (["--tags", "cronjob", "-e", "cronjob_schedule='0 3 * *'"], "cronjob_schedule needs five cron fields"),
        (
            ["--tags", "web", "-e", "web_image=openms-streamlit-k8s/openms-app:no-such-tag"],
            "The image openms-streamlit-k8s/openms-app:no-such-tag does not exist",
        ),
        (["-e", "streamlit_k8s_context=no-such-context"], "The cluster did not answer"),
        (["-e", "streamlit_k8s_kubeconfig=/nonexistent/kubeconfig"], "Set streamlit_k8s_kubeconfig"),
    ],
    ids=[
        "negative-web-replicas",
        "negative-workers",
        "replicas-not-int",
        "share-too-big",
        "redis-size",
        "cron-schedule",
        "missing-image-tag",
        "unknown-context",
        "missing-kubeconfig",
    ],
)
def test_bad_value_stops_with_a_clear_message(snapshot, args, expected):
    rc, _, output = run_site(*args)
    assert rc != 0
    assert expected in output, output[-3000:]


@pytest.mark.parametrize("secret", ["web_admin_password", "web_cookie_secret", "redis_password"])
def test_missing_secret_stops_with_its_name(snapshot, tmp_path, secret):
    variables = yaml.safe_load(LOCAL_VARS.read_text())
    del variables[secret]
    (tmp_path / "group_vars/all").mkdir(parents=True)
    (tmp_path / "group_vars/all/streamlit_k8s.yml").write_text(yaml.safe_dump(variables))
    (tmp_path / "hosts.yml").write_text((REPO / "inventories/local/hosts.yml").read_text())
    rc, _, output = run_site(inventory=tmp_path)
    assert rc != 0
    assert secret in output, output[-3000:]
    assert "missing required arguments" in output or "is undefined" in output, output[-3000:]
