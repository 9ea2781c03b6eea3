"""The echo image and a namespace of its own, for the cluster's smoke tests."""

import pathlib
import subprocess
import uuid

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ECHO_IMAGE = "openms-streamlit-k8s/echo:smoke"


@pytest.fixture(scope="module")
def echo_image(cluster):
    subprocess.run(
        [
            "docker",
            "build",
            "-q",
            "-t",
            ECHO_IMAGE,
            "--build-arg",
            f"BASE_IMAGE={cluster['images']['debian']}",
            str(HERE / "echo_image"),
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [cluster["kind"], "load", "docker-image", "--name", cluster["name"], ECHO_IMAGE],
        check=True,
        capture_output=True,
    )
    return ECHO_IMAGE


@pytest.fixture(scope="module")
def namespace(kube):
    name = f"smoke-{uuid.uuid4().hex[:8]}"
    kube.core.create_namespace({"metadata": {"name": name}})
    yield name
    kube.core.delete_namespace(name)


def pytest_collection_modifyitems(items):
    """test_kind_recreate.py last: the cluster it re-creates has a new API port and credentials,
    which the session's clients of the other tests do not have."""
    items.sort(key=lambda item: item.path.name == "test_kind_recreate.py")
