"""The bench's apps on the local cluster: one deployed by site.yml, one made of the same objects
applied by `kubectl apply --server-side` (what a user of the template's own manifests does)."""

import base64
import copy
import functools
import json
import pathlib
import shutil
import subprocess
import time
import urllib.request

from openms_streamlit_k8s import paths, playbook

NAMESPACED_KINDS = (
    "configmaps,secrets,services,deployments.apps,statefulsets.apps,cronjobs.batch,"
    "ingresses.networking.k8s.io,networkpolicies.networking.k8s.io,poddisruptionbudgets.policy,"
    "persistentvolumeclaims"
)
# What the API server or a controller makes in every namespace, or from a StatefulSet's template
NOT_OURS = {("ConfigMap", "kube-root-ca.crt")}
ROLLOUTS = ("deployment/{app}-web", "deployment/{app}-worker", "statefulset/{app}-redis")
# where the local inventory's apps mount their workspaces
WORKSPACES_PATH = "/app/workspaces-streamlit-template"


facts = functools.cache(paths.read_cluster_facts)  # read once per bench run


def kubectl(*args, stdin=None, check=True):
    cluster = facts()
    done = subprocess.run(
        [cluster["kubectl"], "--kubeconfig", cluster["kubeconfig"], "--context", cluster["context"], *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if check and done.returncode != 0:
        raise RuntimeError(f"kubectl {' '.join(args)}: {done.stderr.strip()[-2000:]}")
    return done.stdout


def image(name):
    """An image of the local inventory's, in the cluster's registry."""
    return f"{facts()['registry']['address']}/openms-streamlit-k8s/{name}"


def volume_name(app):
    return f"{app}-{app}-workspaces"  # inventories/local: <namespace>-<claim>, claim <app>-workspaces


def site_vars(app):
    """The bench app: the local inventory's, in its own namespace, behind its own Ingress host, on
    the images of the `openms` app (already built and loaded: images are not what is compared), with
    workers small enough that four fit beside everything else."""
    return {
        "streamlit_k8s_app_name": app,
        "streamlit_k8s_app_image": image("openms-app:dev"),
        "ingress_host": f"{app}.local",
        "validate_host_header": f"{app}.local",
        "worker_cpu_request": "100m",
        "worker_memory_request": "256Mi",
        "worker_memory_limit": "1Gi",
    }


def remove(app):
    """The app's namespace, its volume and its directory on the shared host path: a deploy after
    this starts from nothing (but the images)."""
    kubectl("delete", "namespace", app, "--ignore-not-found", "--wait=true", "--timeout=300s")
    kubectl("delete", "namespace", f"{app}-prepare", "--ignore-not-found", "--wait=true", "--timeout=300s")
    kubectl("delete", "persistentvolume", volume_name(app), "--ignore-not-found", "--wait=true", "--timeout=120s")
    shutil.rmtree(pathlib.Path(facts()["shared_dir"]) / volume_name(app), ignore_errors=True)


def deploy(app, *extra_args, tags=None, images=False):
    """site.yml for the bench app, without validate, and without its images phase unless asked
    (the images are the `openms` app's)."""
    skipped = "validate" if images else "images,validate"
    args = ["--skip-tags", skipped, "-e", json.dumps(site_vars(app)), *extra_args]
    if tags:
        args = ["--tags", tags, *args]
    result = playbook.run("site.yml", args=args)
    if result.exit_code != playbook.EXIT_OK:
        raise RuntimeError(f"site.yml for {app}: {result.failure or result.output[-3000:]}")
    return result


def remove_image(reference):
    """An image of the bench, every tag of its name, from the kind nodes and the host's Docker (the
    registry keeps it: its storage is a cache)."""
    name = reference.rsplit(":", 1)[0]
    nodes = subprocess.run(
        [facts()["kind"], "get", "nodes", "--name", facts()["name"]], capture_output=True, text=True, check=False
    ).stdout.split()
    for node in nodes:
        listed = subprocess.run(
            ["docker", "exec", node, "crictl", "images", "-o", "json"], capture_output=True, text=True, check=False
        )
        for held in json.loads(listed.stdout or '{"images": []}')["images"]:
            tags = [tag for tag in held.get("repoTags", []) if tag.startswith(f"{name}:")]
            if tags:
                subprocess.run(["docker", "exec", node, "crictl", "rmi", *tags], capture_output=True, check=False)
    tags = subprocess.run(
        ["docker", "images", "--format", "{{.Repository}}:{{.Tag}}", name], capture_output=True, text=True, check=False
    ).stdout.split()
    if tags:
        subprocess.run(["docker", "rmi", *tags], capture_output=True, check=False)


def _clean(item):
    """An object as a user would write it: no status, no server-set metadata."""
    item = copy.deepcopy(item)
    item.pop("status", None)
    metadata = item["metadata"]
    for key in ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink"):
        metadata.pop(key, None)
    annotations = metadata.get("annotations") or {}
    for key in list(annotations):
        if key.startswith(("deployment.kubernetes.io/", "pv.kubernetes.io/", "kubectl.kubernetes.io/")):
            del annotations[key]
    if item["kind"] == "Service":
        for key in ("clusterIP", "clusterIPs"):
            item["spec"].pop(key, None)
    if item["kind"] == "PersistentVolume":
        for key in ("uid", "resourceVersion"):
            item["spec"]["claimRef"].pop(key, None)
    if item["kind"] == "StatefulSet":
        for template in item["spec"].get("volumeClaimTemplates", []):
            template.pop("status", None)
    return item


def _rename(item, source, target):
    """Every name, label, namespace and URL of `source` as `target`, in Secrets' values too."""
    item = json.loads(json.dumps(item).replace(source, target))
    if item["kind"] == "Secret":
        item["data"] = {
            key: base64.b64encode(base64.b64decode(value).replace(source.encode(), target.encode())).decode()
            for key, value in (item.get("data") or {}).items()
        }
    return item


def manifests(source, target):
    """The objects site.yml made for `source`, renamed for `target`: the namespace, the volume,
    then everything in the namespace (kubectl applies a List in its order)."""
    namespace = json.loads(kubectl("get", "namespace", source, "-o", "json"))
    volume = json.loads(kubectl("get", "persistentvolume", volume_name(source), "-o", "json"))
    listed = json.loads(kubectl("-n", source, "get", NAMESPACED_KINDS, "-o", "json"))["items"]
    objects = [namespace, volume]
    for item in listed:
        kind, name = item["kind"], item["metadata"]["name"]
        if (kind, name) in NOT_OURS or (kind == "PersistentVolumeClaim" and name != f"{source}-workspaces"):
            continue
        objects.append(item)
    return {"apiVersion": "v1", "kind": "List", "items": [_rename(_clean(o), source, target) for o in objects]}


def apply(app, documents):
    """kubectl apply --server-side, then every roll-out waited for, as a user of manifests does."""
    kubectl("apply", "--server-side", "--field-manager", "bench", "-f", "-", stdin=json.dumps(documents))
    for rollout in ROLLOUTS:
        kubectl("-n", app, "rollout", "status", rollout.format(app=app), "--timeout=300s")


def healthy_through_ingress(app, limit=300):
    """Seconds until the app's health answers 200 through the ingress (its own Host)."""
    started = time.monotonic()
    request = urllib.request.Request(f"{facts()['ingress_url']}/_stcore/health", headers={"Host": f"{app}.local"})
    while time.monotonic() - started < limit:
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                if answer.status == 200:
                    return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{app}: no healthy answer through the ingress within {limit} s")


def prepare_directory(app):
    """What the collection's prepare Job does for its share, done by hand for the kubectl app."""
    directory = pathlib.Path(facts()["shared_dir"]) / volume_name(app)
    directory.mkdir(mode=0o770, exist_ok=True)
    shutil.chown(directory, 1000, 1000)
