"""The command line as a user runs it, against the app deployed on the local cluster."""

import json
import time

import pytest
from site_playbook import cli

from openms_streamlit_k8s import playbook, status


def wait_ready(kube, seconds=180):
    """Every workload of the app with all its replicas Ready (a pod of it may be restarting after
    an earlier test, or under the load of the tests beside)."""
    deadline = time.monotonic() + seconds
    while True:
        workloads = [kube.apps.read_namespaced_deployment(f"openms-{tier}", "openms") for tier in ("web", "worker")]
        workloads.append(kube.apps.read_namespaced_stateful_set("openms-redis", "openms"))
        if all((w.status.ready_replicas or 0) == w.spec.replicas for w in workloads) or time.monotonic() > deadline:
            return
        time.sleep(2)


def test_status_shows_the_live_state(kube, cluster):
    wait_ready(kube)
    rc, out, err = cli("--json", "status")
    assert rc == playbook.EXIT_OK, out + err
    report = json.loads(out)
    (state,) = report["apps"]  # the local inventory's one app
    assert report["healthy"] is True and state["app"] == "openms"
    assert state["url"] == cluster["ingress_url"]
    for tier, name in (("web", "openms-web"), ("worker", "openms-worker")):
        live = kube.apps.read_namespaced_deployment(name, "openms")
        assert state["workloads"][tier] == {
            "kind": "Deployment",
            "name": name,
            "desired": live.spec.replicas,
            "ready": live.status.ready_replicas,
        }
        pods = kube.core.list_namespaced_pod("openms", label_selector=f"app.kubernetes.io/component={tier}").items
        assert sorted(p["name"] for p in state["pods"][tier]) == sorted(p.metadata.name for p in pods)
    assert state["workloads"]["redis"]["ready"] == 1
    # the workers RQ knows in Redis are the worker pods
    assert state["queue"]["workers"] == state["workloads"]["worker"]["ready"]
    rc, text, err = cli("status")
    assert rc == playbook.EXIT_OK and f"{state['queue']['workers']} workers alive" in text, text + err


def test_a_workload_short_of_replicas_is_not_healthy():
    state = {"workloads": {"web": {"ready": 2, "desired": 2}, "worker": {"ready": 1, "desired": 2}}, "queue": {}}
    assert not status.healthy(state)
    state["workloads"]["worker"]["ready"] = 2
    assert status.healthy(state)
    assert not status.healthy({**state, "queue": {"error": "no Ready web or worker pod"}})


def test_a_no_op_deploy_as_json():
    rc, out, err = cli("--json", "deploy", "--tags", "cronjob")
    assert rc == playbook.EXIT_OK, out + err
    report = json.loads(out)
    (run,) = report["runs"]
    assert (report["exit_code"], run["changed"], run["failure"]) == (0, 0, None)
    # the wait for the run's roll-outs runs with any --tags (nothing to wait for here)
    assert [p["name"] for p in run["phases"]] == ["inputs", "preflight", "cronjob", "rollouts"]
    assert "cronjob: Apply the clean-up CronJob" in err  # the progress, on stderr


@pytest.mark.parametrize(
    "args,code,kind",
    [
        (["deploy", "-e", "web_replicas=-1"], playbook.EXIT_BAD_INPUT, "bad_input"),
        (["deploy", "-e", "streamlit_k8s_context=no-such-context"], playbook.EXIT_UNREACHABLE, "unreachable"),
    ],
)
def test_the_exit_code_and_the_report_say_why(args, code, kind):
    rc, out, err = cli("--json", *args)
    report = json.loads(out)
    assert (rc, report["exit_code"], report["runs"][0]["failure"]["kind"]) == (code, code, kind), out + err


def test_status_of_a_cluster_that_does_not_answer():
    rc, out, err = cli("status", "-e", "streamlit_k8s_context=no-such-context")
    assert rc == playbook.EXIT_UNREACHABLE and "status:" in err, out + err
