"""A phase that finds bad state in the cluster itself stops before it applies anything.

Needs the app deployed on the local cluster by site.yml -i inventories/local (the test
command does that first); every object of the app keeps its resourceVersion.
"""

import pytest
from site_playbook import run_site

from openms_streamlit_k8s import playbook

MANAGED = "app.kubernetes.io/managed-by=openms.streamlit_k8s"


@pytest.fixture
def snapshot(kube):
    """resourceVersions of every object the collection made for the app; equal before and after
    means nothing changed. Molecule scenarios and other apps' tests run beside: only the
    `openms` app's objects count."""
    from kubernetes import client

    batch = client.BatchV1Api(kube.api)

    def take():
        listed = {
            "Namespace": kube.core.list_namespace(label_selector=MANAGED),
            "PersistentVolume": kube.core.list_persistent_volume(label_selector=MANAGED),
            "PersistentVolumeClaim": kube.core.list_namespaced_persistent_volume_claim("openms"),
            "ConfigMap": kube.core.list_namespaced_config_map("openms", label_selector=MANAGED),
            "Secret": kube.core.list_namespaced_secret("openms", label_selector=MANAGED),
            "Service": kube.core.list_namespaced_service("openms", label_selector=MANAGED),
            "Deployment": kube.apps.list_namespaced_deployment("openms", label_selector=MANAGED),
            "StatefulSet": kube.apps.list_namespaced_stateful_set("openms", label_selector=MANAGED),
            "CronJob": batch.list_namespaced_cron_job("openms", label_selector=MANAGED),
            "Ingress": kube.net.list_namespaced_ingress("openms", label_selector=MANAGED),
        }
        return {
            f"{kind}/{item.metadata.name}": item.metadata.resource_version
            for kind, found in listed.items()
            for item in found.items
            if (item.metadata.labels or {}).get("app.kubernetes.io/instance") == "openms"
        }

    before = take()
    assert {"Deployment/openms-web", "Deployment/openms-worker", "StatefulSet/openms-redis"} <= before.keys()
    yield
    assert take() == before, "a rejected run changed the cluster"


def test_missing_tls_secret_stops_the_ingress_phase_before_it_applies(snapshot):
    # Whether the Secret exists is the cluster's state, read by the ingress phase itself.
    rc, changed, output = run_site("--tags", "ingress", "-e", "ingress_tls_secret=no-such-secret")
    assert (rc, changed) == (playbook.EXIT_FAILED, 0), output[-3000:]
    assert "ingress_tls_secret=no-such-secret: no such Secret in namespace openms" in output, output[-3000:]
