"""Least privilege and disruption on the deployed app: no pod of it holds a Kubernetes API token,
no pod shows a value derived from a secret (the web pods roll on the Secret's version instead),
drains go one web pod and one worker at a time, the namespace refuses pods that break Pod
Security "restricted", root filesystems are read-only, NetworkPolicies are enforced (each
probe is also run with the policy removed, where it must connect), and Redis's app user may
not run the commands that empty the queue or change the server."""

import base64
import hashlib
import itertools
import json
import time
import uuid

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException
from kubernetes.dynamic import DynamicClient
from pods import connects, eventually, run_in, running_pods

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


# ----- helpers ---------------------------------------------------------------------------


def restricted_pod(name, labels, image, run_as_user=1000):
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "automountServiceAccountToken": False,
            "terminationGracePeriodSeconds": 0,
            "securityContext": {
                "runAsNonRoot": run_as_user != 0,
                "runAsUser": run_as_user,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "containers": [
                {
                    "name": "probe",
                    "image": image,
                    "imagePullPolicy": "IfNotPresent",
                    "command": ["sleep", "600"],
                    "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
                    "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"memory": "128Mi"}},
                }
            ],
        },
    }


def wait_running(kube, name, namespace):
    for _second in range(90):
        pod = kube.core.read_namespaced_pod(name, namespace)
        if pod.status.phase == "Running" and pod.status.pod_ip:
            return pod
        time.sleep(1)
    raise AssertionError(f"pod {namespace}/{name} did not start: {pod.status}")


@pytest.fixture(scope="module")
def app_image(kube):
    return running_pods(kube, NS, "web")[0].spec.containers[0].image


@pytest.fixture(scope="module")
def stranger(kube, app_image):
    """A pod of the app's namespace without a web or worker label."""
    name = f"np-stranger-{uuid.uuid4().hex[:6]}"
    body = restricted_pod(
        name, {"app.kubernetes.io/instance": "openms", "app.kubernetes.io/component": "np-stranger"}, app_image
    )
    kube.core.create_namespaced_pod(NS, body)
    try:
        yield wait_running(kube, name, NS)
    finally:
        kube.core.delete_namespaced_pod(name, NS, grace_period_seconds=0)


@pytest.fixture(scope="module")
def lookalike(kube, app_image):
    """A pod labelled exactly like a web pod, in another namespace."""
    namespace = f"np-other-{uuid.uuid4().hex[:6]}"
    kube.core.create_namespace({"metadata": {"name": namespace}})
    try:
        labels = running_pods(kube, NS, "web")[0].metadata.labels
        kube.core.create_namespaced_pod(namespace, restricted_pod("lookalike", labels, app_image))
        yield wait_running(kube, "lookalike", namespace)
    finally:
        kube.core.delete_namespace(namespace, grace_period_seconds=0)


# ----- Pod Security ----------------------------------------------------------------------


def test_the_namespace_refuses_pods_that_break_pod_security_restricted(kube, app_image):
    namespace = kube.core.read_namespace(NS)
    for mode in ("enforce", "warn", "audit"):
        assert namespace.metadata.labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
    # the same pod as root is refused by the API server; as uid 1000 it is admitted (dry run)
    with pytest.raises(ApiException) as refused:
        kube.core.create_namespaced_pod(NS, restricted_pod("psa-root", {}, app_image, run_as_user=0), dry_run="All")
    message = json.loads(refused.value.body)["message"]
    assert refused.value.status == 403 and 'violates PodSecurity "restricted:latest"' in message
    assert "runAsNonRoot != true" in message and "runAsUser=0" in message
    kube.core.create_namespaced_pod(NS, restricted_pod("psa-ok", {}, app_image), dry_run="All")


def test_web_worker_redis_and_cleanup_run_on_read_only_root_filesystems(kube):
    for component, container in (("web", "web"), ("worker", "worker"), ("redis", "redis")):
        for pod in running_pods(kube, NS, component):
            spec = next(c for c in pod.spec.containers if c.name == container)
            assert spec.security_context.read_only_root_filesystem is True, (pod.metadata.name, container)
            code, output = run_in(kube, pod.metadata.name, container, "touch /usr/local/probe-write", NS)
            assert code != 0 and "Read-only file system" in output, (pod.metadata.name, output)
    for component in ("web", "worker"):
        pod = running_pods(kube, NS, component)[0].metadata.name
        code, output = run_in(
            kube,
            pod,
            component,
            "touch /tmp/probe && rm /tmp/probe && readlink /app/settings.json && cat /app/settings.json",
            NS,
        )
        assert code == 0, output
        lines = output.splitlines()
        assert lines[0] == "/run/openms-app/settings.json"
        assert '"online_deployment": true' in output
    cleanup = client.BatchV1Api(kube.api).read_namespaced_cron_job("openms-cleanup", NS)
    for container in cleanup.spec.job_template.spec.template.spec.containers:
        assert container.security_context.read_only_root_filesystem is True


def test_every_container_has_requests_and_limits(kube):
    for pod in app_pods(kube):
        for container in (pod.spec.init_containers or []) + pod.spec.containers:
            resources = container.resources
            assert {"cpu", "memory"} <= set(resources.requests or {}), (pod.metadata.name, container.name)
            assert "memory" in (resources.limits or {}), (pod.metadata.name, container.name)


# ----- NetworkPolicies -------------------------------------------------------------------


def test_only_web_and_worker_pods_of_the_app_reach_redis(kube, stranger, lookalike):
    redis = "openms-redis.openms.svc"
    for component in ("web", "worker"):
        pod = running_pods(kube, NS, component)[0].metadata.name
        reached, output = connects(kube, pod, component, redis, 6379, NS)
        assert reached, (component, output)
    blocked, output = eventually(lambda: connects(kube, stranger.metadata.name, "probe", redis, 6379, NS), False)
    assert blocked is False, "a pod without the web/worker label reached Redis"
    blocked, output = connects(kube, "lookalike", "probe", redis, 6379, namespace=lookalike.metadata.namespace)
    assert blocked is False, "a web-labelled pod of another namespace reached Redis"
    # Proof the probe would see missing policies: without the two that select Redis (its own
    # and the namespace's default deny) the stranger connects
    policies = DynamicClient(kube.api).resources.get(api_version="networking.k8s.io/v1", kind="NetworkPolicy")
    saved = [policies.get(name=name, namespace=NS).to_dict() for name in ("openms-redis", "default-deny-ingress")]
    for policy in saved:
        policies.delete(name=policy["metadata"]["name"], namespace=NS)
    try:
        reached, output = eventually(lambda: connects(kube, stranger.metadata.name, "probe", redis, 6379, NS), True)
        assert reached, f"without the policies the stranger still could not connect: {output}"
    finally:
        # put back as the collection applied them (server-side, by the same field manager), so
        # that its next run finds nothing to change
        for policy in saved:
            manager = next(f["manager"] for f in policy["metadata"]["managedFields"] if f["operation"] == "Apply")
            body = {
                "apiVersion": policy["apiVersion"],
                "kind": policy["kind"],
                "metadata": {
                    k: policy["metadata"][k] for k in ("name", "namespace", "labels") if k in policy["metadata"]
                },
                "spec": policy["spec"],
            }
            policies.server_side_apply(body=body, namespace=NS, field_manager=manager, force_conflicts=True)
    blocked, output = eventually(lambda: connects(kube, stranger.metadata.name, "probe", redis, 6379, NS), False)
    assert blocked is False, "the policies were put back but the stranger still reaches Redis"


def test_web_answers_the_ingress_only_and_reaches_dns_and_redis_only(kube, stranger):
    web = running_pods(kube, NS, "web")
    worker = running_pods(kube, NS, "worker")[0].metadata.name
    target = web[-1].status.pod_ip
    # not from another app pod, not from the stranger
    assert connects(kube, worker, "worker", target, 8501, NS)[0] is False
    assert eventually(lambda: connects(kube, stranger.metadata.name, "probe", target, 8501, NS), False)[0] is False
    # web's egress: the API server and the other web pod are out of reach, DNS answers
    assert connects(kube, web[0].metadata.name, "web", "kubernetes.default.svc", 443, NS)[0] is False
    code, output = run_in(
        kube,
        web[0].metadata.name,
        "web",
        "/usr/local/bin/openms-k8s-python -c \"import socket; print(socket.gethostbyname('openms-redis'))\"",
        NS,
    )
    assert code == 0 and output.count(".") == 3, output
    # workers accept nothing, not even from web
    assert (
        connects(kube, web[0].metadata.name, "web", running_pods(kube, NS, "worker")[0].status.pod_ip, 8501, NS)[0]
        is False
    )


# ----- Redis's users ---------------------------------------------------------------------


def test_redis_app_user_may_queue_but_not_flush_reconfigure_or_stop(kube):
    redis = running_pods(kube, NS, "redis")[0].metadata.name
    cli = "redis-cli --user app -h 127.0.0.1"
    code, output = run_in(kube, redis, "redis", f"{cli} ping", NS)
    assert output == "PONG", output
    for command in (
        "FLUSHALL",
        "FLUSHDB",
        "CONFIG SET dir /tmp",
        "KEYS '*'",
        "SHUTDOWN NOSAVE",
        "MODULE LIST",
        "ACL LIST",
    ):
        code, output = run_in(kube, redis, "redis", f"{cli} {command}", NS)
        assert "NOPERM" in output, (command, output)
    # DEBUG: Redis 7 refuses it before the ACL is asked (enable-debug-command no); the ACL denies it too
    code, output = run_in(kube, redis, "redis", f"{cli} DEBUG SLEEP 0", NS)
    assert "DEBUG command not allowed" in output, output
    code, output = run_in(kube, redis, "redis", f"{cli} rpush probe:list x && {cli} del probe:list", NS)
    assert output.splitlines() == ["1", "1"], output
    # the default user is off, whatever password is offered
    code, output = run_in(kube, redis, "redis", "redis-cli -h 127.0.0.1 ping", NS)
    assert "PONG" not in output, output
    # the password is not on any command line in the pod
    password = base64.b64decode(kube.core.read_namespaced_secret("openms-redis", NS).data["password"]).decode()
    code, output = run_in(kube, redis, "redis", "cat /proc/[0-9]*/cmdline | tr '\\0' ' '", NS)
    assert "redis-server" in output and password not in output
