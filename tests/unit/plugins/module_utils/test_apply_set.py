"""apply_set module_utils: what k8s_apply and k8s_rollout decide, as pure functions: Secret data
filled in and encoded, the apply order, pod template annotations, rollout_on refusals, diffs
without secret values, the workloads awaited, when a roll-out is done and what keeps pods from
Ready."""

import base64
import copy

import pytest
from ansible_collections.openms.streamlit_k8s.plugins.module_utils import apply_set


def obj(kind, name, **rest):
    return {"apiVersion": "v1", "kind": kind, "metadata": {"name": name, "namespace": "openms"}, **rest}


def b64(text):
    return base64.b64encode(text.encode()).decode()


# fill_secret_data


def test_secret_data_is_base64_of_each_value_and_replaces_the_rendered_data():
    definitions = [
        obj("Secret", "openms-web", type="Opaque", data={"stale": b64("old")}),
        obj("ConfigMap", "openms-web", data={"a": "plain"}),
    ]
    rendered = copy.deepcopy(definitions)
    filled = apply_set.fill_secret_data(
        definitions, {"openms-web": {"secrets.toml": '[admin]\npassword = "ä"\n', "port": 6379}}
    )
    assert filled[0]["data"] == {"port": b64("6379"), "secrets.toml": b64('[admin]\npassword = "ä"\n')}
    assert base64.b64decode(filled[0]["data"]["secrets.toml"]).decode() == '[admin]\npassword = "ä"\n'
    assert filled[1] == definitions[1]  # not a Secret: untouched
    assert definitions == rendered  # the caller's definitions are not changed


def test_secret_data_for_a_secret_the_definitions_lack_is_refused():
    definitions = [obj("Secret", "openms-web"), obj("ConfigMap", "openms-redis")]
    with pytest.raises(ValueError) as raised:
        apply_set.fill_secret_data(definitions, {"openms-web": {}, "openms-redis": {"p": "x"}, "other": {}})
    # a ConfigMap of that name is not a Secret
    assert str(raised.value) == "secret_data names openms-redis, other, which no Secret of the definitions is"


def test_no_secret_data_leaves_the_definitions_as_rendered():
    definitions = [obj("Secret", "openms-web", data={"k": b64("v")})]
    assert apply_set.fill_secret_data(definitions, {}) == definitions


# apply_order


def test_objects_running_pods_from_a_template_are_applied_after_the_rest_each_group_in_order():
    kinds = ["Deployment", "Secret", "CronJob", "Service", "StatefulSet", "ConfigMap", "Job", "DaemonSet", "PDB"]
    definitions = [obj(kind, f"n{i}") for i, kind in enumerate(kinds)]
    ordered = apply_set.apply_order(definitions)
    assert [(d["kind"], d["metadata"]["name"]) for d in ordered] == [
        ("Secret", "n1"),
        ("Service", "n3"),
        ("ConfigMap", "n5"),
        ("PDB", "n8"),
        ("Deployment", "n0"),
        ("CronJob", "n2"),
        ("StatefulSet", "n4"),
        ("Job", "n6"),
        ("DaemonSet", "n7"),
    ]


# annotate_pod_template


@pytest.mark.parametrize("kind", ["Deployment", "StatefulSet", "DaemonSet", "Job"])
def test_the_pod_template_is_annotated_keeping_its_own_annotations(kind):
    definition = obj(kind, "openms-web", spec={"template": {"metadata": {"annotations": {"mine": "1"}}, "spec": {}}})
    annotated = apply_set.annotate_pod_template(definition, {"openms.de/secret-version": "42"})
    assert annotated["spec"]["template"]["metadata"]["annotations"] == {"mine": "1", "openms.de/secret-version": "42"}
    assert "annotations" not in annotated["metadata"]  # the object's own metadata is not the template's
    assert definition["spec"]["template"]["metadata"]["annotations"] == {"mine": "1"}  # not changed


def test_a_cron_job_s_pod_template_is_its_job_template_s():
    definition = obj("CronJob", "cleanup", spec={"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {}}}})
    annotated = apply_set.annotate_pod_template(definition, {"v": ""})
    assert annotated["spec"]["jobTemplate"]["spec"]["template"]["metadata"] == {"annotations": {"v": ""}}
    assert "template" not in annotated["spec"]


def test_objects_without_a_pod_template_and_empty_annotations_are_left_alone():
    service = obj("Service", "openms-web", spec={"ports": []})
    assert apply_set.annotate_pod_template(service, {"v": "1"}) == service
    deployment = obj("Deployment", "openms-web", spec={"template": {}})
    assert apply_set.annotate_pod_template(deployment, {}) == deployment


# rollout_errors


def test_rollout_on_names_a_secret_or_config_map():
    assert apply_set.rollout_errors({}) == []
    assert apply_set.rollout_errors({"a": "Secret/openms-web", "b": "ConfigMap/openms-web"}) == []
    assert apply_set.rollout_errors(
        {"a": "Secret", "b": "Deployment/openms-web", "c": "Secret/", "d": "Secret/x/y", "e": 3, "f": "secret/x"}
    ) == [
        f"rollout_on[{key}] must be Secret/<name> or ConfigMap/<name>, not {value!r}"
        for key, value in [
            ("a", "Secret"),
            ("b", "Deployment/openms-web"),
            ("c", "Secret/"),
            ("d", "Secret/x/y"),
            ("e", 3),
            ("f", "secret/x"),
        ]
    ]


# mask_secret


def test_a_secret_s_diff_hides_every_value_and_says_which_changed():
    before = {"metadata": {"labels": {"a": "1"}}, "data": {"cookie": b64("old"), "same": b64("s")}}
    after = {"metadata": {"labels": {"a": "2"}}, "data": {"cookie": b64("new"), "same": b64("s"), "added": b64("n")}}
    masked_before, masked_after = apply_set.mask_secret(before, after)
    assert masked_before == {"metadata": {"labels": {"a": "1"}}, "data": {"cookie": "<hidden>", "same": "<hidden>"}}
    assert masked_after == {
        "metadata": {"labels": {"a": "2"}},
        "data": {"cookie": "<hidden, changed>", "same": "<hidden>", "added": "<hidden, changed>"},
    }
    assert before["data"]["cookie"] == b64("old")  # the caller's diff is not changed


def test_a_secret_s_diff_without_data_or_before_gets_none_added():
    assert apply_set.mask_secret(None, {"data": {"k": b64("v")}}) == ({}, {"data": {"k": "<hidden, changed>"}})
    assert apply_set.mask_secret({"metadata": {}}, {"metadata": {"x": 1}}) == ({"metadata": {}}, {"metadata": {"x": 1}})


# workloads


def test_the_workloads_are_the_deployments_and_stateful_sets():
    definitions = [
        obj("Secret", "s"),
        obj("Deployment", "openms-web"),
        obj("CronJob", "cleanup"),
        obj("StatefulSet", "openms-redis"),
        {"kind": "Deployment", "metadata": {"name": "no-namespace"}},
    ]
    # as the API server answered the apply: the web rolled out, Redis rolling, one not answered
    applied = {"Deployment/openms-web": deployment(), "StatefulSet/openms-redis": statefulset(readyReplicas=0)}
    assert apply_set.workloads(definitions, applied) == [
        {"kind": "Deployment", "name": "openms-web", "namespace": "openms", "rolled_out": True},
        {"kind": "StatefulSet", "name": "openms-redis", "namespace": "openms", "rolled_out": False},
        {"kind": "Deployment", "name": "no-namespace", "namespace": "", "rolled_out": False},
    ]


# rolled_out


def deployment(wanted=2, generation=3, **status):
    done = dict(observedGeneration=3, replicas=2, updatedReplicas=2, readyReplicas=2, availableReplicas=2)
    return {
        "kind": "Deployment",
        "metadata": {"name": "openms-web", "generation": generation},
        "spec": {"replicas": wanted},
        "status": {**done, **status},
    }


def statefulset(strategy="RollingUpdate", **status):
    done = dict(observedGeneration=2, replicas=1, updatedReplicas=1, readyReplicas=1)
    done.update(currentRevision="redis-1", updateRevision="redis-1")
    return {
        "kind": "StatefulSet",
        "metadata": {"name": "openms-redis", "generation": 2},
        "spec": {"replicas": 1, "updateStrategy": {"type": strategy}},
        "status": {**done, **status},
    }


def test_a_deployment_is_rolled_out_when_every_replica_runs_the_current_template_ready():
    assert apply_set.rolled_out(deployment())
    assert not apply_set.rolled_out(deployment(wanted=3))  # scaled up, the new pod not there yet


def test_a_deployment_with_surge_pods_still_present_is_not_rolled_out():
    # the new pods are ready, an old one is still terminating or about to be
    assert apply_set.rolled_out(deployment(replicas=2))
    assert not apply_set.rolled_out(deployment(replicas=3))


def test_a_deployment_whose_controller_has_not_seen_the_new_spec_is_not_rolled_out():
    # the status still describes generation 2's (complete) roll-out
    assert not apply_set.rolled_out(deployment(generation=4))


def test_a_deployment_with_pods_ready_but_not_yet_available_or_not_updated_is_not_rolled_out():
    assert not apply_set.rolled_out(deployment(availableReplicas=1))
    assert not apply_set.rolled_out(deployment(updatedReplicas=1))
    assert not apply_set.rolled_out(deployment(readyReplicas=1))


def test_a_deployment_scaled_to_zero_and_one_with_the_default_replicas():
    zero = {"kind": "Deployment", "metadata": {"generation": 1}, "spec": {"replicas": 0}, "status": {}}
    assert apply_set.rolled_out({**zero, "status": {"observedGeneration": 1}})
    default = {"kind": "Deployment", "metadata": {}, "spec": {}, "status": {}}
    assert not apply_set.rolled_out(default)  # one replica wanted, none there
    one = dict(replicas=1, updatedReplicas=1, readyReplicas=1, availableReplicas=1)
    assert apply_set.rolled_out({**default, "status": one})


def test_a_stateful_set_is_rolled_out_once_its_current_revision_is_the_update_revision():
    assert apply_set.rolled_out(statefulset())
    assert not apply_set.rolled_out(statefulset(currentRevision="redis-0"))
    assert not apply_set.rolled_out(statefulset(readyReplicas=0))
    assert not apply_set.rolled_out(statefulset(observedGeneration=1))


def test_a_stateful_set_updated_on_delete_is_rolled_out_with_its_replicas_ready_whatever_their_revision():
    # OnDelete: the controller replaces no pod, so updatedReplicas and the revisions may never match
    assert apply_set.rolled_out(statefulset("OnDelete", updatedReplicas=0, currentRevision="redis-0"))
    assert not apply_set.rolled_out(statefulset("OnDelete", readyReplicas=0))
    assert not apply_set.rolled_out(statefulset("OnDelete", replicas=2))


# pod_problems


def pod(name, phase="Running", containers=None, conditions=None):
    status = {"phase": phase}
    if containers is not None:
        status["containerStatuses"] = containers
    if conditions is not None:
        status["conditions"] = conditions
    return {"metadata": {"name": name}, "status": status}


def container(name, ready=False, waiting=None, terminated=None, running=False):
    state = {}
    if waiting:
        state["waiting"] = waiting
    if terminated:
        state["terminated"] = terminated
    if running:
        state["running"] = {"startedAt": "2024-01-01T00:00:00Z"}
    return {"name": name, "ready": ready, "state": state}


def test_pod_problems_name_each_container_s_reason_with_its_message_s_first_line():
    pods = [
        pod(
            "openms-web-1",
            "Pending",
            [
                container(
                    "web",
                    waiting={
                        "reason": "ImagePullBackOff",
                        "message": '\nBack-off pulling image "registry/openms:9"\nsecond line\n',
                    },
                ),
                container("helper", ready=True, running=True),
            ],
        ),
        pod(
            "openms-worker-1",
            "Running",
            [container("worker", waiting={"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting\nmore"})],
        ),
        pod("openms-web-2", "Running", [container("web", terminated={"reason": "OOMKilled"})]),
        pod("openms-web-3", "Running", [container("web", running=True)]),
    ]
    assert apply_set.pod_problems(pods) == [
        'openms-web-1 Pending: web: ImagePullBackOff (Back-off pulling image "registry/openms:9")',
        "openms-worker-1 Running: worker: CrashLoopBackOff (back-off 5m0s restarting)",
        "openms-web-2 Running: web: OOMKilled",
        "openms-web-3 Running: web: running, not ready",
    ]


def test_ready_pods_are_not_problems():
    ready = pod("openms-web-1", containers=[container("web", ready=True), container("helper", ready=True)])
    half = pod("openms-web-2", containers=[container("web", ready=True), container("helper", running=True)])
    assert apply_set.pod_problems([ready, half]) == ["openms-web-2 Running: helper: running, not ready"]


def test_a_pod_without_containers_yet_says_its_false_conditions():
    unschedulable = pod(
        "openms-redis-0",
        "Pending",
        conditions=[
            {"type": "Initialized", "status": "True"},
            {"type": "PodScheduled", "status": "False", "message": "0/1 nodes are available: " + "x" * 300},
            {"type": "Ready", "status": "False"},  # no message: nothing to say
        ],
    )
    assert apply_set.pod_problems([unschedulable]) == [
        "openms-redis-0 Pending: PodScheduled: " + ("0/1 nodes are available: " + "x" * 300)[:200]
    ]
    assert apply_set.pod_problems([{"metadata": {"name": "bare"}}]) == ["bare Unknown"]


def test_a_long_message_is_cut():
    long = pod("p", containers=[container("c", waiting={"reason": "ErrImagePull", "message": "y" * 500})])
    assert apply_set.pod_problems([long]) == ["p Running: c: ErrImagePull (" + "y" * 200 + ")"]
