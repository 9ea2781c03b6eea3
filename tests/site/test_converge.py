"""site.yml converges exactly: what it no longer renders disappears, hand edits are put back.

Runs against the app deployed by site.yml -i inventories/local (the test command deploys it
first) and leaves it as it found it. Three runs are shared by the tests, in file order:
  moved     the workspaces path, the ingress flavour, a settings override and extra env vars
            changed from the inventory's values, and the app image rebuilt from a changed copy
            of the test app
  disabled  the clean-up CronJob turned off
  restored  the inventory's values again, after hand edits of fields the roles own
"""

import base64
import json
import pathlib
import re
import shutil
import uuid

import pytest
from kubernetes import client
from kubernetes.stream import stream
from site_playbook import run_site

REPO = pathlib.Path(__file__).resolve().parents[2]
NS = "openms"
MOVED = "/app/ws-moved"
HOME = "/app/workspaces-streamlit-template"
PHASES = "images,web,worker,cronjob,ingress"
MOVED_VARS = {
    "streamlit_k8s_workspaces_path": MOVED,
    "ingress_flavour": "nginx",
    "web_settings_overrides": {"converge-test": True},
    "web_env": {"CONVERGE_TEST": "web"},
    "worker_env": {"CONVERGE_TEST": "worker"},
}
HAND = "hand-edit"


def mounts(pod_spec, volume="workspaces"):
    found = []
    for container in (pod_spec.init_containers or []) + pod_spec.containers:
        found += [m.mount_path for m in container.volume_mounts or [] if m.name == volume]
    return found


def env(container):
    return {e.name: e.value for e in container.env or []}


def deployment(kube, name):
    return kube.apps.read_namespaced_deployment(name, NS)


def cronjobs(kube):
    return client.BatchV1Api(kube.api).list_namespaced_cron_job(NS).items


@pytest.fixture(scope="module")
def rebuilt(cluster):
    """The changed app's image, in the cluster's registry under a tag of its own."""
    return f"{cluster['registry']['address']}/openms-streamlit-k8s/openms-app:rebuilt"


@pytest.fixture(scope="module")
def original_image(kube):
    return deployment(kube, "openms-web").spec.template.spec.containers[0].image


@pytest.fixture(scope="module")
def changed_app(tmp_path_factory):
    """A copy of the test app with one more file: an app-only change."""
    app = tmp_path_factory.mktemp("changed") / "app"
    shutil.copytree(REPO / "files/test-app", app, symlinks=True)
    marker = uuid.uuid4().hex
    (app / "rollout-marker.txt").write_text(marker)
    return app, marker


@pytest.fixture(scope="module")
def moved(original_image, changed_app, rebuilt):
    # Built under a tag of its own: the Molecule scenarios, running beside these tests, build
    # the unchanged app under the inventory's tag.
    source = {
        "images_app_source": "directory",
        "images_app_dir": str(changed_app[0]),
        "streamlit_k8s_app_image": rebuilt,
    }
    rc, changed, output = run_site("--tags", PHASES, "-e", json.dumps({**MOVED_VARS, **source}))
    assert rc == 0, output[-3000:]
    return changed


@pytest.fixture(scope="module")
def disabled(moved):
    rc, changed, output = run_site("--tags", "cronjob", "-e", json.dumps({**MOVED_VARS, "cronjob_enabled": False}))
    assert rc == 0, output[-3000:]
    return changed


@pytest.fixture(scope="module")
def restored(kube, cluster, disabled, original_image):
    """Edit owned fields by hand (another field manager), then run site.yml with the inventory's values."""
    kube.apps.patch_namespaced_deployment_scale("openms-web", NS, {"spec": {"replicas": 3}}, field_manager=HAND)
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "worker",
                            "image": f"{cluster['registry']['address']}/openms-streamlit-k8s/cleanup:dev",
                            "env": [{"name": "RQ_JOB_MONITORING_INTERVAL", "value": "99"}],
                        }
                    ]
                }
            }
        }
    }
    kube.apps.patch_namespaced_deployment("openms-worker", NS, patch, field_manager=HAND)
    rc, changed, output = run_site("--tags", PHASES)
    assert rc == 0, output[-3000:]
    return changed, original_image


def test_moved_path_is_the_only_workspaces_mount(kube, moved):
    assert moved > 0
    for name in ("openms-web", "openms-worker"):
        spec = deployment(kube, name).spec.template.spec
        assert set(mounts(spec)) == {MOVED}, (name, mounts(spec))
        assert all(env(c).get("WORKSPACES_DIR") in (None, MOVED) for c in spec.containers)
    (cronjob,) = cronjobs(kube)
    assert mounts(cronjob.spec.job_template.spec.template.spec) == [MOVED]


def test_a_rebuilt_app_image_rolls_out_by_its_content_tag(kube, moved, rebuilt, original_image, changed_app):
    image = deployment(kube, "openms-web").spec.template.spec.containers[0].image
    assert image != original_image and image.startswith(f"{rebuilt}-"), image
    assert deployment(kube, "openms-worker").spec.template.spec.containers[0].image == image
    pods = [
        p
        for p in kube.core.list_namespaced_pod(NS, label_selector="app.kubernetes.io/component=web").items
        if p.metadata.deletion_timestamp is None
    ]
    assert pods and all(p.spec.containers[0].image == image for p in pods), [p.spec.containers[0].image for p in pods]
    # the run returned once the roll-outs it started were done: every pod of both Deployments
    # (terminating ones aside) runs the new image and is Ready
    for component in ("web", "worker"):
        running = [
            p
            for p in kube.core.list_namespaced_pod(NS, label_selector=f"app.kubernetes.io/component={component}").items
            if p.metadata.deletion_timestamp is None
        ]
        assert len(running) == 2, (component, [p.metadata.name for p in running])
        for pod in running:
            assert pod.spec.containers[0].image == image, (pod.metadata.name, pod.spec.containers[0].image)
            assert all(c.ready for c in pod.status.container_statuses or []), pod.metadata.name
    said = stream(
        kube.core.connect_get_namespaced_pod_exec,
        pods[0].metadata.name,
        NS,
        container="web",
        command=["cat", "/app/rollout-marker.txt"],
        stderr=True,
        stdin=False,
        stdout=True,
        tty=False,
    )
    assert said == changed_app[1]


def test_flavour_switch_to_nginx_leaves_no_traefik_annotation(kube, moved):
    ingress = kube.net.read_namespaced_ingress("openms", NS)
    assert ingress.spec.ingress_class_name == "nginx"
    assert ingress.metadata.annotations["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    service = kube.core.read_namespaced_service("openms-web", NS)
    assert not [a for a in service.metadata.annotations or {} if a.startswith("traefik.")], service.metadata.annotations


def test_added_override_and_env_are_rendered(kube, moved):
    config = kube.core.read_namespaced_config_map("openms-web-config", NS)
    assert json.loads(config.data["settings-overrides.json"])["converge-test"] is True
    assert env(deployment(kube, "openms-web").spec.template.spec.containers[0])["CONVERGE_TEST"] == "web"
    assert env(deployment(kube, "openms-worker").spec.template.spec.containers[0])["CONVERGE_TEST"] == "worker"


def test_disabled_cronjob_is_deleted(kube, disabled):
    assert disabled > 0
    assert cronjobs(kube) == []


def test_restore_reports_changes_and_puts_hand_edits_back(kube, restored):
    changed, image = restored
    assert changed > 0
    assert deployment(kube, "openms-web").spec.replicas == 2
    worker = deployment(kube, "openms-worker").spec.template.spec.containers[0]
    assert worker.image == image
    assert env(worker)["RQ_JOB_MONITORING_INTERVAL"] == "10"


def test_restore_leaves_one_mount_at_the_inventory_path(kube, restored):
    for name in ("openms-web", "openms-worker"):
        spec = deployment(kube, name).spec.template.spec
        assert set(mounts(spec)) == {HOME}, (name, mounts(spec))
        assert "CONVERGE_TEST" not in env(spec.containers[0])
    (cronjob,) = cronjobs(kube)
    assert mounts(cronjob.spec.job_template.spec.template.spec) == [HOME]


def test_restore_leaves_no_nginx_annotation_or_override(kube, restored):
    ingress = kube.net.read_namespaced_ingress("openms", NS)
    assert ingress.spec.ingress_class_name == "traefik"
    assert not [a for a in ingress.metadata.annotations or {} if a.startswith("nginx.")], ingress.metadata.annotations
    service = kube.core.read_namespaced_service("openms-web", NS)
    assert service.metadata.annotations["traefik.ingress.kubernetes.io/service.sticky.cookie"] == "true"
    config = kube.core.read_namespaced_config_map("openms-web-config", NS)
    assert "converge-test" not in json.loads(config.data["settings-overrides.json"])


def test_secrets_keep_exactly_their_keys(kube, restored):
    secret = kube.core.read_namespaced_secret("openms-web-secrets", NS)
    assert sorted(secret.data) == ["cookie-secret", "secrets.toml"]
    assert base64.b64decode(secret.data["secrets.toml"]).startswith(b"[admin]")


def test_workers_scaled_to_zero_on_purpose_pass_validate_with_a_skip(kube, restored):
    # the checks that need workers (the session checks would only add their 75 s hold)
    rc, _changed, output = run_site(
        "--tags",
        "worker,validate",
        "-e",
        "worker_replicas=0",
        "-e",
        '{"validate_checks": ["tiers", "workflow", "scaling"]}',
    )
    try:
        assert rc == 0, output[-3000:]
        assert re.search(r"SKIPPED +[0-9.]+ +8\.1 +workflow +worker_replicas is 0", output), output[-3000:]
        assert re.search(r"SKIPPED +[0-9.]+ +8\.3 +scaling +needs two ready workers, 0 ready", output), output[-3000:]
        assert deployment(kube, "openms-worker").spec.replicas == 0
    finally:
        rc, _changed, output = run_site("--tags", "worker")
        assert rc == 0, output[-3000:]
    assert deployment(kube, "openms-worker").status.ready_replicas == 2
