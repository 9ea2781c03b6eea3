"""The registry beside the kind cluster: it asks for its user's password, and the nodes pull
what was pushed to it with a pull secret, and only with one."""

import base64
import json
import os
import pathlib
import subprocess
import urllib.error
import urllib.request
import uuid

from test_kind_cluster import wait_for


def password(cluster):
    return pathlib.Path(cluster["registry"]["password_file"]).read_text().strip()


def status(cluster, user=None, secret=None):
    request = urllib.request.Request(f"http://{cluster['registry']['address']}/v2/")
    if user is not None:
        token = base64.b64encode(f"{user}:{secret}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_registry_asks_for_its_users_password(cluster):
    user = cluster["registry"]["user"]
    assert status(cluster) == 401
    assert status(cluster, user, "not-" + password(cluster)) == 401
    assert status(cluster, user, password(cluster)) == 200
    assert (os.stat(cluster["registry"]["password_file"]).st_mode & 0o077) == 0


def push(cluster, tmp_path, image, reference):
    """docker login and push with a configuration of the test's own (the host's stays as it is)."""
    env = {**os.environ, "DOCKER_CONFIG": str(tmp_path / "docker")}
    registry = cluster["registry"]
    subprocess.run(
        ["docker", "login", "--username", registry["user"], "--password-stdin", registry["address"]],
        input=password(cluster),
        text=True,
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run(["docker", "tag", image, reference], check=True)
    subprocess.run(["docker", "push", "-q", reference], env=env, check=True, capture_output=True)
    subprocess.run(["docker", "rmi", reference], check=True, capture_output=True)


def pull_secret(kube, namespace, cluster):
    registry = cluster["registry"]
    auth = {"username": registry["user"], "password": password(cluster)}
    auth["auth"] = base64.b64encode(f"{auth['username']}:{auth['password']}".encode()).decode()
    config = json.dumps({"auths": {registry["address"]: auth}})
    kube.core.create_namespaced_secret(
        namespace,
        {
            "metadata": {"name": "registry"},
            "type": "kubernetes.io/dockerconfigjson",
            "data": {".dockerconfigjson": base64.b64encode(config.encode()).decode()},
        },
    )


def pod(kube, namespace, name, node, image, secrets):
    kube.core.create_namespaced_pod(
        namespace,
        {
            "metadata": {"name": name},
            "spec": {
                "restartPolicy": "Never",
                "nodeName": node,
                "imagePullSecrets": [{"name": s} for s in secrets],
                "containers": [{"name": "main", "image": image, "command": ["true"]}],
            },
        },
    )


def test_every_node_pulls_a_pushed_image_with_the_pull_secret_only(kube, cluster, namespace, echo_image, tmp_path):
    reference = f"{cluster['registry']['address']}/openms-streamlit-k8s/echo:{uuid.uuid4().hex[:12]}"
    push(cluster, tmp_path, echo_image, reference)
    nodes = [node.metadata.name for node in kube.core.list_node().items]
    # First without the secret (a node that pulled the image with it would then run it from its
    # own store: the kubelet pulls only what is not present)
    pod(kube, namespace, "no-secret", nodes[0], reference, [])

    def waiting_reason():
        statuses = kube.core.read_namespaced_pod("no-secret", namespace).status.container_statuses or []
        waiting = statuses and statuses[0].state.waiting
        return waiting and waiting.reason in ("ErrImagePull", "ImagePullBackOff") and waiting.message

    message = wait_for(waiting_reason, 120, "the pull without a secret to fail")
    assert "401" in message or "unauthorized" in message.lower(), message
    kube.core.delete_namespaced_pod("no-secret", namespace, grace_period_seconds=0)
    pull_secret(kube, namespace, cluster)
    for index, node in enumerate(nodes):
        pod(kube, namespace, f"pull-{index}", node, reference, ["registry"])
    for index in range(len(nodes)):
        wait_for(
            lambda index=index: kube.core.read_namespaced_pod(f"pull-{index}", namespace).status.phase == "Succeeded",
            180,
            f"pod pull-{index} to run the pushed image",
        )
