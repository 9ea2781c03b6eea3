"""Inside the deployed app's containers (testinfra over kubectl exec)."""

import json
import os
import pathlib
import uuid

import pytest
import testinfra

NAMESPACE = "openms"


@pytest.fixture(scope="module")
def pod_host(cluster, kube):
    kubectl_dir = str(pathlib.Path(cluster.get("kubectl", "kubectl")).parent)
    if kubectl_dir != ".":
        os.environ["PATH"] = kubectl_dir + os.pathsep + os.environ["PATH"]

    def hosts(component, container):
        pods = kube.core.list_namespaced_pod(
            NAMESPACE, label_selector=f"app.kubernetes.io/component={component}", field_selector="status.phase=Running"
        ).items
        assert pods, f"no running {component} pod"
        return [
            testinfra.get_host(
                f"kubectl://{pod.metadata.name}?namespace={NAMESPACE}&container={container}",
                kubeconfig=cluster["kubeconfig"],
                context=cluster["context"],
            )
            for pod in pods
        ]

    def host(component, container):
        return hosts(component, container)[0]

    host.all = hosts
    return host


def test_redis_answers_and_persists(pod_host):
    redis = pod_host("redis", "redis")
    assert redis.check_output("redis-cli --user app -h 127.0.0.1 ping") == "PONG"
    assert redis.check_output("id -u") == "999"
    assert redis.file("/data/appendonlydir").is_directory


def test_web_runs_streamlit_as_the_app_user_with_its_secrets(pod_host):
    web = pod_host("web", "web")
    assert web.check_output("id -u") == "1000"
    assert any("streamlit run app.py" in " ".join(p["args"].split()) for p in web.process.filter(user="app"))
    assert web.file("/app/admin-secrets/secrets.toml").contains(r"^\[admin\]")
    workspaces = web.check_output("printenv WORKSPACES_DIR")
    assert workspaces == "/app/workspaces-streamlit-template"
    assert web.run(f"touch {workspaces}/.testinfra && rm {workspaces}/.testinfra").rc == 0


def test_web_every_pod_runs_streamlit_as_a_server_not_a_dev_tool(pod_host):
    """The test app's config.toml turns the file watcher and run-on-save on, as a developer
    would leave them; what the pods run with must be off (no "File change. Rerun" prompt)."""
    webs = pod_host.all("web", "web")
    assert len(webs) >= 2
    for web in webs:
        assert web.file("/app/.streamlit/config.toml").contains("^runOnSave = true")
        effective = web.check_output("streamlit config show 2>/dev/null")
        assert 'fileWatcherType = "none"' in effective.splitlines()
        assert "runOnSave = false" in effective.splitlines()


SAVE_DEMO = """
import json, pathlib, sys
from src import demos
settings = json.load(open("settings.json"))
workspace = pathlib.Path(sys.argv[1])
(workspace / "mzML-files").mkdir(parents=True)
(workspace / "mzML-files" / "a.mzML").write_text("saved through one pod")
saved, message = demos.save(settings, workspace, sys.argv[2])
print(message)
sys.exit(0 if saved else 1)
"""
LIST_DEMOS = """
import json
from src import demos
settings = json.load(open("settings.json"))
print(json.dumps({"dirs": settings["demo_workspaces"]["source_dirs"], "demos": demos.available(settings)}))
"""


def test_web_a_demo_saved_through_one_pod_is_listed_by_the_other(pod_host):
    one, other = pod_host.all("web", "web")[:2]
    root = one.check_output("printenv WORKSPACES_DIR")
    name = f"pytest-demo-{uuid.uuid4().hex[:8]}"
    workspace = f"{root}/{name}-workspace"
    try:
        saved = one.run(f"cd /app && python3 -c '{SAVE_DEMO}' {workspace} {name}")
        assert saved.rc == 0, saved.stdout + saved.stderr
        for web in (one, other):
            seen = json.loads(web.check_output(f"cd /app && python3 -c '{LIST_DEMOS}'"))
            # the shared directory first, then the app's own demos
            assert seen["dirs"][0] == f"{root}/.demos" and len(seen["dirs"]) >= 2, seen
            assert name in seen["demos"], seen
        assert other.file(f"{root}/.demos/{name}/mzML-files/a.mzML").content_string == "saved through one pod"
    finally:
        one.run(f"rm -rf {workspace} {root}/.demos/{name}")


def test_worker_runs_one_rq_worker_with_the_topp_tools(pod_host):
    worker = pod_host("worker", "worker")
    workers = [p for p in worker.process.filter(user="app") if "rq worker openms-workflows" in p["args"]]
    assert len(workers) == 1
    # the Redis URL (it holds the password) is not on the command line
    on_command_line = "redis://" in workers[0]["args"] or "--url" in workers[0]["args"]
    assert not on_command_line, "the worker's command line holds the Redis URL (not shown: it has the password)"
    assert all(worker.exists(tool) for tool in ("FeatureFinderMetabo", "FeatureLinkerUnlabeledKD", "TextExporter"))
    # the worker answers its probes itself (the kubelet's GET, from inside the pod here)
    probe = "import urllib.request as u; print(u.urlopen('http://127.0.0.1:9476/live', timeout=5).read().decode())"
    assert worker.check_output(f'python3 -c "{probe}"').strip() == "ok"


@pytest.mark.parametrize("count", [1, 2], ids=["one-file", "two-files"])
def test_worker_the_app_workflow_needs_two_files_as_the_template_s_does(pod_host, cluster, count):
    """The test app's workflow links features across files as the template's does: on one file
    its FeatureLinkerUnlabeledKD refuses ("At least two maps must be given!", exit 8) and, as in
    the template, the run still returns success: only the log's ERROR line and the missing
    feature matrix tell. On two files the matrix is written."""
    import subprocess
    import sys

    worker = pod_host("worker", "worker")
    name = f"pods-test-{uuid.uuid4().hex[:8]}"
    host_dir = pathlib.Path(cluster["shared_dir"]) / "openms-openms-workspaces" / name
    pod_dir = f"{worker.check_output('printenv WORKSPACES_DIR')}/{name}"
    make_mzml = pathlib.Path(__file__).resolve().parents[2] / "roles/validate/files/make_mzml.py"
    try:
        (host_dir / "mzML-files").mkdir(parents=True)
        (host_dir / "topp-workflow").mkdir()
        files = [f"run-{index}.mzML" for index in range(count)]
        for mzml in files:
            subprocess.run([sys.executable, str(make_mzml), str(host_dir / "mzML-files" / mzml), "100"], check=True)
        params = {"mzML-files": [f"{pod_dir}/mzML-files/{mzml}" for mzml in files], "run-python-script": False}
        (host_dir / "topp-workflow/params.json").write_text(json.dumps(params))
        subprocess.run(["chown", "-R", "1000:1000", str(host_dir)], check=True)
        said = worker.check_output(
            f"cd /app && /usr/local/bin/openms-k8s-python -c "
            f"\"from src.Workflow import Workflow; print(Workflow('{pod_dir}/topp-workflow').run())\""
        )
        assert said == "{'success': True}"
        log = (host_dir / "topp-workflow/logs/minimal.log").read_text()
        matrix = host_dir / "topp-workflow/results/feature-linking/feature_matrix.tsv"
        if count == 1:
            assert "ERROR: FeatureLinkerUnlabeledKD exited with 8" in log, log
            assert "At least two maps must be given!" in log, log
            assert not matrix.exists()
        else:
            assert "ERROR" not in log and log.rstrip().endswith("DONE"), log
            assert matrix.read_text().count("\nCONSENSUS") >= 1
    finally:
        subprocess.run(["rm", "-rf", str(host_dir)], check=True)
