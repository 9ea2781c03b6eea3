"""Smoke test: the local kind cluster is a real, working Kubernetes cluster.

Nodes Ready; a sticky Ingress through the ingress controller from the host (Traefik's own
annotations and the ingress-nginx ones); the shared host directory seen by pods on two
worker nodes; cluster DNS. test_kind_recreate.py deletes and re-creates the cluster; test_registry.py pushes and pulls.
"""

import http.client
import json
import pathlib
import shutil
import time
import uuid

import pytest
import yaml
from kubernetes import utils


def wait_for(predicate, timeout, what, interval=2.0):
    """Polls until the predicate is true. A socket error is "not yet": while a new route is set up
    a request through the ingress may time out (seen once in CI, cause not found)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
        except OSError as error:
            last = f"{type(error).__name__}: {error}"
        else:
            if last:
                return last
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def apply(kube, namespace, text):
    for doc in yaml.safe_load_all(text):
        utils.create_from_dict(kube.api, doc, namespace=namespace)


def pods_ready(kube, namespace, selector, count):
    pods = kube.core.list_namespaced_pod(namespace, label_selector=selector).items
    ready = [
        p
        for p in pods
        if p.status.conditions and any(c.type == "Ready" and c.status == "True" for c in p.status.conditions)
    ]
    return ready if len(ready) == count else None


def pod_output(kube, namespace, name, node, image, script, volumes=None, mounts=None, timeout=120):
    """Run a one-shot pod on `node`, wait for it to succeed, return its log."""
    kube.core.create_namespaced_pod(
        namespace,
        {
            "metadata": {"name": name},
            "spec": {
                "restartPolicy": "Never",
                "nodeName": node,
                "containers": [
                    {
                        "name": "main",
                        "image": image,
                        "imagePullPolicy": "IfNotPresent",
                        "command": ["sh", "-c", script],
                        "volumeMounts": mounts or [],
                    }
                ],
                "volumes": volumes or [],
            },
        },
    )
    phase = wait_for(
        lambda: (
            kube.core.read_namespaced_pod(name, namespace).status.phase in ("Succeeded", "Failed")
            and kube.core.read_namespaced_pod(name, namespace).status.phase
        ),
        timeout,
        f"pod {name}",
    )
    log = kube.core.read_namespaced_pod_log(name, namespace)
    assert phase == "Succeeded", f"pod {name} failed: {log}"
    return log


def get(port, path, cookie=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, resp.getheader("Set-Cookie"), body


def test_all_nodes_ready(kube, cluster):
    nodes = kube.core.list_node().items
    assert len(nodes) == cluster["workers"] + 1
    for node in nodes:
        ready = [c for c in node.status.conditions if c.type == "Ready"]
        assert ready and ready[0].status == "True", f"{node.metadata.name} is not Ready"
    workers = [n for n in nodes if "node-role.kubernetes.io/control-plane" not in n.metadata.labels]
    assert len(workers) == cluster["workers"]


ECHO_APP = """
apiVersion: apps/v1
kind: Deployment
metadata: {{name: echo}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: echo}}}}
  template:
    metadata: {{labels: {{app: echo}}}}
    spec:
      topologySpreadConstraints:
        - {{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule,
            labelSelector: {{matchLabels: {{app: echo}}}}}}
      containers:
        - name: echo
          image: {image}
          imagePullPolicy: IfNotPresent
          env: [{{name: POD_NAME, valueFrom: {{fieldRef: {{fieldPath: metadata.name}}}}}}]
          ports: [{{containerPort: 8080}}]
          readinessProbe: {{httpGet: {{path: /, port: 8080}}, periodSeconds: 2}}
---
apiVersion: v1
kind: Service
metadata:
  name: echo
  annotations:
    traefik.ingress.kubernetes.io/service.sticky.cookie: "true"
    traefik.ingress.kubernetes.io/service.sticky.cookie.name: smoke_route
spec:
  selector: {{app: echo}}
  ports: [{{port: 80, targetPort: 8080}}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: echo-traefik}}
spec:
  ingressClassName: traefik
  rules:
    - http:
        paths:
          - {{path: /{ns}/traefik, pathType: Prefix, backend: {{service: {{name: echo, port: {{number: 80}}}}}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: echo-nginx
  annotations:
    nginx.ingress.kubernetes.io/affinity: cookie
    nginx.ingress.kubernetes.io/affinity-mode: persistent
    nginx.ingress.kubernetes.io/session-cookie-name: stroute
spec:
  ingressClassName: nginx
  rules:
    - http:
        paths:
          - {{path: /{ns}/nginx, pathType: Prefix, backend: {{service: {{name: echo, port: {{number: 80}}}}}}}}
"""


@pytest.fixture(scope="module")
def echo_app(kube, namespace, echo_image):
    apply(kube, namespace, ECHO_APP.format(image=echo_image, ns=namespace))
    pods = wait_for(lambda: pods_ready(kube, namespace, "app=echo", 2), 180, "two echo pods Ready")
    return {p.metadata.name for p in pods}


@pytest.mark.parametrize("flavour,cookie_name", [("traefik", "smoke_route"), ("nginx", "stroute")])
def test_sticky_ingress(cluster, namespace, echo_app, flavour, cookie_name):
    port = cluster["ingress_http_port"]
    path = f"/{namespace}/{flavour}"
    wait_for(lambda: get(port, path)[0] == 200, 90, f"{path} to answer through the ingress")
    # The controller picks up new endpoints within seconds; wait until it routes to both pods.
    wait_for(
        lambda: {json.loads(get(port, path)[2])["pod"] for _request in range(10)} == echo_app,
        60,
        f"{path} to reach both pods",
    )

    served_without_cookie = set()
    for _request in range(50):
        status, set_cookie, body = get(port, path)
        assert status == 200
        assert set_cookie and set_cookie.startswith(cookie_name + "="), set_cookie
        served_without_cookie.add(json.loads(body)["pod"])
    assert served_without_cookie == echo_app, "without the cookie, requests should reach both pods"

    status, set_cookie, body = get(port, path)
    cookie = set_cookie.split(";", 1)[0]
    first_pod = json.loads(body)["pod"]
    served_with_cookie = [json.loads(get(port, path, cookie)[2])["pod"] for _request in range(50)]
    assert set(served_with_cookie) == {first_pod}, f"with {cookie} requests went to {set(served_with_cookie)}"


def test_shared_directory_across_worker_nodes(kube, cluster, namespace, echo_image):
    workers = sorted(
        n.metadata.name
        for n in kube.core.list_node().items
        if "node-role.kubernetes.io/control-plane" not in n.metadata.labels
    )
    assert len(workers) >= 2
    subdir = f"smoke-{namespace}"
    # The pods run as nobody; on the host side the directory is made writable for them.
    host_dir = pathlib.Path(cluster["shared_dir"]) / subdir
    host_dir.mkdir(mode=0o777)
    host_dir.chmod(0o777)
    kube.core.create_persistent_volume(
        {
            "metadata": {"name": f"{namespace}-shared"},
            "spec": {
                "capacity": {"storage": "1Gi"},
                "accessModes": ["ReadWriteMany"],
                "persistentVolumeReclaimPolicy": "Retain",
                "storageClassName": "",
                "hostPath": {"path": f"{cluster['shared_node_path']}/{subdir}", "type": "Directory"},
            },
        }
    )
    try:
        kube.core.create_namespaced_persistent_volume_claim(
            namespace,
            {
                "metadata": {"name": "shared"},
                "spec": {
                    "accessModes": ["ReadWriteMany"],
                    "storageClassName": "",
                    "volumeName": f"{namespace}-shared",
                    "resources": {"requests": {"storage": "1Gi"}},
                },
            },
        )
        volumes = [{"name": "shared", "persistentVolumeClaim": {"claimName": "shared"}}]
        mounts = [{"name": "shared", "mountPath": "/shared"}]
        token = uuid.uuid4().hex
        pod_output(kube, namespace, "writer", workers[0], echo_image, f"echo {token} > /shared/token", volumes, mounts)
        read = pod_output(kube, namespace, "reader", workers[1], echo_image, "cat /shared/token", volumes, mounts)
        assert read.strip() == token
        assert (host_dir / "token").read_text().strip() == token
    finally:
        kube.core.delete_persistent_volume(f"{namespace}-shared")
        shutil.rmtree(host_dir, ignore_errors=True)


def test_pod_resolves_service_by_dns(kube, namespace, echo_app, echo_image):
    service_ip = kube.core.read_namespaced_service("echo", namespace).spec.cluster_ip
    node = kube.core.list_node().items[-1].metadata.name
    out = pod_output(
        kube,
        namespace,
        "dns",
        node,
        echo_image,
        f"getent hosts echo.{namespace}.svc.cluster.local && getent hosts echo",
    )
    assert out.split()[0] == service_ip
    assert out.splitlines()[1].split()[0] == service_ip
