"""Least privilege and disruption on the deployed app: no pod of it holds a Kubernetes API token,
no pod shows a value derived from a secret (the web pods roll on the Secret's version instead),
and drains go one web pod and one worker at a time."""

import base64
import hashlib
import itertools

from kubernetes import client

NS = "openms"
APP = "app.kubernetes.io/instance=openms"
TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"


def app_pods(kube):
    return kube.core.list_namespaced_pod(NS, label_selector=APP).items


def test_no_pod_of_the_app_mounts_an_api_token(kube):
    pods = app_pods(kube)
    assert {pod.metadata.labels["app.kubernetes.io/component"] for pod in pods} >= {"web", "worker", "redis"}
    for pod in pods:
        assert pod.spec.automount_service_account_token is False, pod.metadata.name
        projected = [v.name for v in pod.spec.volumes or [] if v.projected and v.name.startswith("kube-api-access")]
        assert projected == [], (pod.metadata.name, projected)
        for container in (pod.spec.init_containers or []) + pod.spec.containers:
            paths = [m.mount_path for m in container.volume_mounts or []]
            assert TOKEN_PATH not in paths, (pod.metadata.name, container.name)


def secret_values(kube):
    values = []
    for secret in kube.core.list_namespaced_secret(NS, label_selector=APP).items:
        values += [base64.b64decode(value).decode(errors="replace") for value in (secret.data or {}).values()]
    web = kube.core.read_namespaced_secret("openms-web-secrets", NS)
    toml = base64.b64decode(web.data["secrets.toml"]).decode()
    password = toml.split("password = ", 1)[1].strip().strip('"')
    return values + [password], password, base64.b64decode(web.data["cookie-secret"]).decode()


def test_no_pod_shows_a_value_derived_from_a_secret(kube):
    values, password, cookie_secret = secret_values(kube)
    # each value, and each pair run together (the old annotation hashed password + cookie secret)
    inputs = values + [a + b for a, b in itertools.permutations([password, cookie_secret], 2)]
    digests = {hashlib.new(name, text.encode()).hexdigest() for name in ("md5", "sha1", "sha256") for text in inputs}
    for pod in app_pods(kube):
        shown = {**(pod.metadata.annotations or {}), **(pod.metadata.labels or {})}
        for key, value in shown.items():
            assert value not in digests and value not in inputs, (pod.metadata.name, key)
    web_secret = kube.core.read_namespaced_secret("openms-web-secrets", NS)
    web_pods = [pod for pod in app_pods(kube) if pod.metadata.labels["app.kubernetes.io/component"] == "web"]
    assert web_pods
    for pod in web_pods:
        assert pod.metadata.annotations["openms.de/secret-version"] == web_secret.metadata.resource_version


def test_drains_take_one_web_pod_and_one_worker_at_a_time(kube):
    policy = client.PolicyV1Api(kube.api)
    for component in ("web", "worker"):
        budget = policy.read_namespaced_pod_disruption_budget(f"openms-{component}", NS)
        deployment = kube.apps.read_namespaced_deployment(f"openms-{component}", NS)
        assert budget.spec.max_unavailable == 1
        assert budget.spec.selector.match_labels == deployment.spec.selector.match_labels
        assert budget.status.expected_pods == deployment.spec.replicas == 2
        assert budget.status.disruptions_allowed == 1, budget.status
