"""Where the checkout, the caches and the local cluster's facts are."""

import json
import os
import pathlib

# Runs whose artifacts (Ansible's output, the events) are kept under <cache>/runs
KEPT_RUNS = 40
DEFAULT_CLUSTER_FACTS = "/var/cache/openms-streamlit-k8s/clusters/openms.json"


def repo():
    """The checkout the commands run from: $OPENMS_K8S_ROOT, the package's parent, or the working directory."""
    for candidate in (os.environ.get("OPENMS_K8S_ROOT"), pathlib.Path(__file__).resolve().parents[1], os.getcwd()):
        if candidate and (pathlib.Path(candidate) / "playbooks" / "site.yml").is_file():
            return pathlib.Path(candidate).resolve()
    raise SystemExit("streamlit-k8s: run it from a checkout of the collection (or set OPENMS_K8S_ROOT)")


def cache_home():
    """The same directory scripts/bootstrap.sh keeps the virtualenv in."""
    base = os.environ.get("OPENMS_K8S_CACHE_HOME")
    if base:
        return pathlib.Path(base)
    return pathlib.Path(os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache") / "openms-streamlit-k8s"


def cluster_facts():
    """The file the kind_cluster role writes about the local cluster it made."""
    return pathlib.Path(os.environ.get("OPENMS_K8S_CLUSTER_FACTS", DEFAULT_CLUSTER_FACTS))


def read_cluster_facts():
    """What that file says: kubeconfig, context, ingress URL, kind and kubectl binaries, shared directory."""
    return json.loads(cluster_facts().read_text())
