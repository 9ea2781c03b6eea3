"""The images phase's registry path on the deployed `openms` app: the pods run the content tag
the nodes pulled from the cluster's registry with the pull Secret, an unchanged image is not
pushed again, and a wrong password stops the run with the registry's refusal before anything
changes (the password never shown)."""

import datetime
import pathlib
import re
import subprocess

from ansible_collections.openms.streamlit_k8s.plugins.plugin_utils import registry as registry_api
from site_playbook import run_site

from openms_streamlit_k8s import playbook

NS = "openms"
SECRET = "openms-registry"


def test_the_pods_pull_their_content_tag_from_the_registry_with_the_pull_secret(kube, cluster):
    registry = cluster["registry"]["address"]
    password = pathlib.Path(cluster["registry"]["password_file"]).read_text().strip()
    pods = kube.core.list_namespaced_pod(NS, label_selector="app.kubernetes.io/component in (web,worker)").items
    assert pods
    for pod in pods:
        assert [s.name for s in pod.spec.image_pull_secrets or []] == [SECRET], pod.metadata.name
        for spec, status in zip(pod.spec.containers, pod.status.container_statuses or [], strict=True):
            # <registry>/<name>:<tag>-<recipe>, pulled by the node from the registry: the digest it
            # runs is the one the registry holds for that tag (a node names an image by any of its
            # tags, another app's of the same content too)
            assert spec.image.startswith(f"{registry}/openms-streamlit-k8s/openms-app:dev-"), spec.image
            digest = registry_api.remote_digest(spec.image, cluster["registry"]["user"], password)
            assert status.image_id.startswith(f"{registry}/") and status.image_id.endswith(f"@{digest}"), (
                status.image_id,
                digest,
            )
    secret = kube.core.read_namespaced_secret(SECRET, NS)
    assert secret.type == "kubernetes.io/dockerconfigjson"


def test_a_wrong_registry_password_stops_with_the_registrys_refusal(kube, cluster):
    before = kube.core.read_namespaced_secret(SECRET, NS).metadata.resource_version
    wrong = "not-the-registry-password-4711"
    rc, changed, output = run_site("--tags", "images", "-e", f"images_registry_password={wrong}")
    # site.yml's preflight logs in before any phase: a stop there counts as bad input
    assert rc == playbook.EXIT_BAD_INPUT, output[-3000:]
    registry = cluster["registry"]["address"]
    assert f"Logging in to the registry {registry} as {cluster['registry']['user']} failed" in output, output[-3000:]
    assert "401" in output or "unauthorized" in output.lower(), output[-3000:]
    assert "images_registry_password" in output and wrong not in output, output[-3000:]
    assert changed == 0, output[-3000:]
    # the pull secret was not written from the refused password
    assert kube.core.read_namespaced_secret(SECRET, NS).metadata.resource_version == before


def test_an_unchanged_image_is_not_pushed_again(cluster):
    """The registry's own request log: a rerun of the images phase asks for the manifests (HEAD)
    and writes nothing (no blob upload, no manifest PUT)."""
    since = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    rc, changed, output = run_site("--tags", "images")
    assert (rc, changed) == (playbook.EXIT_OK, 0), output[-3000:]
    logged = subprocess.run(
        ["docker", "logs", "--since", since, cluster["registry"]["container"]],
        capture_output=True,
        text=True,
        check=True,
    )
    requests = [line for line in (logged.stdout + logged.stderr).splitlines() if " /v2/" in line]
    # this app's tags (other tests may push other tags at the same time)
    ours = re.compile(r'"(HEAD|PUT) /v2/openms-streamlit-k8s/(openms-app|cleanup)/manifests/dev(-[0-9a-f]{16})? ')
    asked = [line for line in requests if (m := ours.search(line)) and m[1] == "HEAD"]
    written = [line for line in requests if (m := ours.search(line)) and m[1] == "PUT"]
    assert len(asked) >= 4, requests[-20:]  # the tag given and the content tag of both images
    assert not written, written[:5]
