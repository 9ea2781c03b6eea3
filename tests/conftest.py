"""Shared fixtures: the local kind cluster described by the kind_cluster role's facts file."""

import json
import pathlib
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
# The collection imports as ansible_collections.openms.streamlit_k8s through collections/.
sys.path.insert(0, str(REPO / "collections"))
sys.path.insert(0, str(REPO / "tests"))


@pytest.fixture(scope="session")
def cluster():
    """What the kind_cluster role wrote about the cluster it made (kubeconfig, ports, images)."""
    from openms_streamlit_k8s import paths

    path = paths.cluster_facts()
    if not path.exists():
        pytest.fail(f"{path} is missing: run playbooks/local_cluster.yml first (the test command does)")
    return json.loads(path.read_text())


@pytest.fixture(scope="session")
def kube(cluster):
    """Kubernetes API clients bound to the local cluster."""
    from kubernetes import client, config

    api = config.new_client_from_config(config_file=cluster["kubeconfig"], context=cluster["context"])
    return type(
        "Kube",
        (),
        {"core": client.CoreV1Api(api), "apps": client.AppsV1Api(api), "net": client.NetworkingV1Api(api), "api": api},
    )


@pytest.fixture
def openstack_standin():
    """A fresh stand-in Keystone + Manila (tests/standin/openstack_api.py) on a free port."""
    from standin.openstack_api import StandInServer

    with StandInServer(delay=1.0) as server:
        yield server
