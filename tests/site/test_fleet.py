"""inventories/local-fleet: two apps of the test app, each a host of group `apps`, deployed and
validated in one site.yml run on the local cluster; apart from each other (namespaces, Redis and
its password, queues, volumes, NetworkPolicies), a second run changes nothing, `--limit` changes
only the app it names, `status` shows both in one table and `down` asks which.

Runs beside the deployed `openms` app's tests (openms_streamlit_k8s/testing.py: OWN_APP_LANES).
"""

import base64
import hashlib
import json
import pathlib
import uuid

from fleet import APPS, FLEET, SHARE, host_vars
from kubernetes import client
from pods import connects, eventually, run_in, running_pods
from site_playbook import cli, run_site

from openms_streamlit_k8s import playbook


def test_one_run_deploys_and_validates_each_app_with_its_own_settings(fleet, kube):
    for app in APPS:
        settings = host_vars(app)
        report = json.loads((fleet["reports"] / f"{app}.json").read_text())
        assert (report["app"], report["namespace"], report["passed"]) == (app, app, True), report
        results = {check["check"]: check["result"] for check in report["checks"]}
        assert "failed" not in results.values() and results["workflow"] == "passed", results
        for tier in ("web", "worker"):
            deployment = kube.apps.read_namespaced_deployment(f"{app}-{tier}", app)
            wanted = settings[f"{tier}_replicas"]
            assert (deployment.spec.replicas, deployment.status.ready_replicas) == (wanted, wanted), (app, tier)
            mounts = {m.name: m.mount_path for m in deployment.spec.template.spec.containers[0].volume_mounts}
            assert mounts["workspaces"] == settings["streamlit_k8s_workspaces_path"], (app, tier, mounts)
        config = kube.core.read_namespaced_config_map(f"{app}-web-config", app)
        overrides = json.loads(config.data["settings-overrides.json"])
        assert overrides["app-name"] == settings["web_settings_overrides"]["app-name"]
        ingress = client.NetworkingV1Api(kube.api).read_namespaced_ingress(app, app)
        assert [rule.host for rule in ingress.spec.rules] == [f"{app}.fleet.test"]


def test_the_apps_are_apart(fleet, kube, cluster):
    shared = pathlib.Path(cluster["shared_dir"]) / SHARE
    passwords = set()
    for app, other in (APPS, APPS[::-1]):
        # each app's objects in its own namespace, its own Redis with its own password
        secret = kube.core.read_namespaced_secret(f"{app}-redis", app)
        passwords.add(hashlib.sha256(json.dumps(secret.data, sort_keys=True).encode()).hexdigest())
        web = running_pods(kube, app, "web")[0].metadata.name
        # its web pod reaches its own Redis, never the other app's (both apps' NetworkPolicies)
        reached, output = connects(kube, web, "web", f"{app}-redis", 6379, app)
        assert reached, f"{app}'s web pod cannot reach its own Redis: {output}"
        blocked, output = eventually(
            lambda web=web, app=app, other=other: connects(
                kube, web, "web", f"{other}-redis.{other}.svc.cluster.local", 6379, app
            ),
            False,
        )
        assert blocked is False, f"{app}'s web pod reached {other}'s Redis: {output}"
        # its workspaces volume: its own directory of the shared host directory, owned by the app
        volume = kube.core.read_persistent_volume(f"{app}-{app}-workspaces")
        assert volume.spec.host_path.path == f"{cluster['shared_node_path']}/{SHARE}/{app}"
        marker = f"fleet-probe-{uuid.uuid4().hex}"
        path = host_vars(app)["streamlit_k8s_workspaces_path"]
        code, output = run_in(kube, web, "web", f"touch {path}/{marker} && id -u", app)
        assert code == 0, output
        try:
            assert (shared / app / marker).stat().st_uid == int(output.splitlines()[-1]) == 1000
            other_web = running_pods(kube, other, "web")[0].metadata.name
            other_path = host_vars(other)["streamlit_k8s_workspaces_path"]
            code, output = run_in(kube, other_web, "web", f"ls {other_path}/{marker}", other)
            assert code != 0, f"{other} sees {app}'s workspaces: {output}"
        finally:
            (shared / app / marker).unlink(missing_ok=True)
    assert len(passwords) == 2, "the apps share a Redis password"


def test_a_second_run_changes_nothing(fleet):
    rc, changed, output = run_site("--skip-tags", "validate", inventory=FLEET)
    assert (rc, changed) == (playbook.EXIT_OK, 0), output[-5000:]


def test_limit_changes_only_the_app_it_names(fleet, kube):
    batch = client.BatchV1Api(kube.api)

    def cronjob(app):
        return batch.read_namespaced_cron_job(f"{app}-cleanup", app)

    before = cronjob("fleet-a").metadata.resource_version
    rc, changed, output = run_site(
        "--limit", "fleet-b", "--tags", "cronjob", "-e", '{"cronjob_schedule": "5 3 * * *"}', inventory=FLEET
    )
    try:
        assert (rc, changed) == (playbook.EXIT_OK, 1), output[-5000:]
        assert cronjob("fleet-b").spec.schedule == "5 3 * * *"
        assert cronjob("fleet-a").metadata.resource_version == before
        assert "fleet-a" not in output.rsplit("PLAY RECAP", maxsplit=1)[-1], output[-2000:]
    finally:
        rc, changed, output = run_site("--limit", "fleet-b", "--tags", "cronjob", inventory=FLEET)
    assert (rc, changed) == (playbook.EXIT_OK, 1), output[-5000:]
    assert cronjob("fleet-b").spec.schedule == "0 3 * * *"


def test_status_shows_every_app_in_one_table(fleet, kube):
    rc, out, err = cli("--json", "status", "-i", FLEET)
    assert rc == playbook.EXIT_OK, out + err
    state = json.loads(out)
    assert state["healthy"] is True
    assert [app["app"] for app in state["apps"]] == list(APPS)
    for app in state["apps"]:
        assert app["url"] == f"http://{app['app']}.fleet.test:{app['url'].rsplit(':', 1)[1]}"
        workers = kube.apps.read_namespaced_deployment(f"{app['app']}-worker", app["app"]).status.ready_replicas
        assert app["queue"]["workers"] == workers
    rc, text, err = cli("status", "-i", FLEET, "--limit", "fleet-b")
    assert rc == playbook.EXIT_OK, text + err
    rows = [line.split()[0] for line in text.splitlines()[1:] if line and not line.startswith(("fleet-b:", " "))]
    assert set(rows) == {"fleet-b"}, text


def test_down_of_a_fleet_asks_which_app(fleet, kube):
    rc, out, err = cli("down", "-i", FLEET)
    assert rc == playbook.EXIT_BAD_INPUT, out + err
    assert "fleet-a, fleet-b" in err and "--limit" in err, err
    for app in APPS:
        assert kube.core.read_namespace(app).status.phase == "Active"


def test_no_app_password_in_the_output(fleet, kube):
    for app in APPS:
        password = base64.b64decode(kube.core.read_namespaced_secret(f"{app}-redis", app).data["password"]).decode()
        assert len(password) >= 16 and password not in fleet["output"], f"{app}'s Redis password is in the output"
