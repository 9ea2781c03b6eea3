"""kind delete, then the local_cluster playbook re-creates the cluster from cached images; the
registry beside it keeps running with what was pushed to it, and the new nodes pull from it."""

import os
import pathlib
import subprocess
import time

import pytest
import urllib3
from kubernetes import client, config
from test_kind_cluster import wait_for
from test_registry import pod, pull_secret, push

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.skipif(os.environ.get("OPENMS_K8S_SKIP_RECREATE") == "1", reason="OPENMS_K8S_SKIP_RECREATE=1")
def test_delete_and_recreate(kube, cluster, echo_image, tmp_path):
    reference = f"{cluster['registry']['address']}/openms-streamlit-k8s/echo:before-recreate"
    push(cluster, tmp_path, echo_image, reference)
    registry = registry_container(cluster)
    subprocess.run([cluster["kind"], "delete", "cluster", "--name", cluster["name"]], check=True)
    with pytest.raises(urllib3.exceptions.HTTPError):
        kube.core.list_node(_request_timeout=5)
    started = time.monotonic()
    result = subprocess.run(
        ["ansible-playbook", "playbooks/local_cluster.yml"], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    print(f"re-created the cluster in {time.monotonic() - started:.0f}s")
    # The new cluster has new credentials: read the kubeconfig again.
    fresh = client.CoreV1Api(
        config.new_client_from_config(config_file=cluster["kubeconfig"], context=cluster["context"])
    )
    nodes = fresh.list_node().items
    assert len(nodes) == cluster["workers"] + 1
    assert all(any(c.type == "Ready" and c.status == "True" for c in n.status.conditions) for n in nodes)
    # the same registry container, and a node of the new cluster pulls what was pushed before
    assert registry_container(cluster) == registry
    kube_new = type("Kube", (), {"core": fresh})
    pull_secret(kube_new, "default", cluster)
    try:
        pod(kube_new, "default", "pull-after-recreate", nodes[-1].metadata.name, reference, ["registry"])
        wait_for(
            lambda: fresh.read_namespaced_pod("pull-after-recreate", "default").status.phase == "Succeeded",
            180,
            "a pod of the new cluster to run the image pushed before",
        )
    finally:
        fresh.delete_namespaced_pod("pull-after-recreate", "default")
        fresh.delete_namespaced_secret("registry", "default")


def registry_container(cluster):
    """The registry container's ID and start time."""
    return subprocess.run(
        ["docker", "inspect", "--format", "{{.Id}} {{.State.StartedAt}}", cluster["registry"]["container"]],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
