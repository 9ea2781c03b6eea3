"""kind delete, then the local_cluster playbook re-creates the cluster from cached images."""

import os
import pathlib
import subprocess
import time

import pytest
import urllib3
from kubernetes import client, config

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.skipif(os.environ.get("OPENMS_K8S_SKIP_RECREATE") == "1", reason="OPENMS_K8S_SKIP_RECREATE=1")
def test_delete_and_recreate(kube, cluster):
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
