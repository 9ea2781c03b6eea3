"""k8s_rollout: one wait for several workloads, done when each is rolled out, failing after a
workload's timeout with what keeps its pods from Ready, nothing in check mode.

The module's run against a fake dynamic client whose workloads progress over successive reads
(the last state stays), with their pods listed by label selector, and a fake clock that only
the module's sleeps move: the timeouts cost no time. The real API server is exercised by every
site.yml run (tests/site)."""

import copy
import types

import pytest
from ansible_collections.openms.streamlit_k8s.plugins.modules import k8s_rollout
from kubernetes.dynamic.exceptions import NotFoundError

NAMESPACE = "openms"
WEB = {"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "openms"}
REDIS = {"app.kubernetes.io/name": "redis", "app.kubernetes.io/instance": "openms"}


def deployment(ready=2, updated=2, replicas=None, generation=2, observed=2):
    return {
        "kind": "Deployment",
        "metadata": {"name": "openms-web", "namespace": NAMESPACE, "generation": generation},
        "spec": {"replicas": 2, "selector": {"matchLabels": WEB}},
        "status": {
            "observedGeneration": observed,
            "replicas": 2 if replicas is None else replicas,
            "updatedReplicas": updated,
            "readyReplicas": ready,
            "availableReplicas": ready,
        },
    }


def statefulset(ready=1, current="redis-2", update="redis-2"):
    return {
        "kind": "StatefulSet",
        "metadata": {"name": "openms-redis", "namespace": NAMESPACE, "generation": 2},
        "spec": {"replicas": 1, "selector": {"matchLabels": REDIS}, "updateStrategy": {"type": "RollingUpdate"}},
        "status": {
            "observedGeneration": 2,
            "replicas": 1,
            "updatedReplicas": 1,
            "readyReplicas": ready,
            "currentRevision": current,
            "updateRevision": update,
        },
    }


def pod(name, labels, ready=False, waiting=None, namespace=NAMESPACE):
    state = {"waiting": waiting} if waiting else {"running": {}}
    phase = "Pending" if waiting else "Running"
    return {
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "status": {"phase": phase, "containerStatuses": [{"name": "web", "ready": ready, "state": state}]},
    }


class Instance:
    """A ResourceInstance: what the dynamic client returns."""

    def __init__(self, data):
        self.data = data

    def to_dict(self):
        return copy.deepcopy(self.data)


class FakeCluster:
    """Workloads by (Kind/name, namespace), each a list of successive states, the last one kept."""

    def __init__(self, workloads, pods=()):
        self.workloads = {ref: list(states) for ref, states in workloads.items()}
        self.pods = list(pods)
        self.resources, self.reads, self.pod_lists, self.patches = [], [], [], []

    def patch(self, resource, body, name=None, namespace=None, content_type=None):
        assert content_type == "application/merge-patch+json"
        self.patches.append((f"{resource.kind}/{name}", namespace, body["metadata"]["annotations"]))

    def resource(self, kind, api_version):
        self.resources.append((kind, api_version))
        return types.SimpleNamespace(kind=kind)

    def get(self, resource, name=None, namespace=None, label_selector=None):
        if resource.kind == "Pod":
            self.pod_lists.append((namespace, label_selector))
            wanted = dict(pair.split("=", 1) for pair in label_selector.split(","))
            return types.SimpleNamespace(
                items=[
                    Instance(p)
                    for p in self.pods
                    if p["metadata"]["namespace"] == namespace and wanted.items() <= p["metadata"]["labels"].items()
                ]
            )
        ref = f"{resource.kind}/{name}"
        self.reads.append(ref)
        assert len(self.reads) < 1000, "the wait never ends"
        states = self.workloads.get((ref, namespace))
        if not states:
            raise NotFoundError(types.SimpleNamespace(status=404, reason="NotFound", body="", headers={}))
        return Instance(states.pop(0) if len(states) > 1 else states[0])


class Untouchable:
    def __getattr__(self, name):
        raise AssertionError(f"the client was used: {name}")


class FakeTime:
    """A clock that only sleeps move."""

    def __init__(self):
        self.now, self.sleeps = 5000.0, []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class Done(Exception):
    def __init__(self, result):
        super().__init__(result)
        self.result = result


class FakeModule:
    def __init__(self, workloads, check_mode=False, sleep=1):
        self.params = {"workloads": workloads, "sleep": sleep}
        self.check_mode, self._diff = check_mode, False

    def exit_json(self, **result):
        raise Done(result)

    def fail_json(self, msg, **result):
        raise Done({"failed": True, "msg": msg, **result})

    def warn(self, warning):
        raise AssertionError(f"unexpected warning: {warning}")


@pytest.fixture
def clock(monkeypatch):
    fake = FakeTime()
    monkeypatch.setattr(k8s_rollout, "time", fake)
    return fake


def run(module, client):
    with pytest.raises(Done) as done:
        k8s_rollout.run(module, client)
    return done.value.result


def wanted(kind, name, timeout=300, rolled_out=False):
    return {"kind": kind, "name": name, "namespace": NAMESPACE, "timeout": timeout, "rolled_out": rolled_out}


def test_succeeds_once_every_workload_is_rolled_out_each_read_until_it_is(clock):
    client = FakeCluster(
        {
            # surge: the old pod still there; then one new pod not ready; then done
            ("Deployment/openms-web", NAMESPACE): [
                deployment(ready=2, updated=1, replicas=3),
                deployment(ready=1, updated=2),
                deployment(),
            ],
            ("StatefulSet/openms-redis", NAMESPACE): [statefulset()],
        }
    )
    result = run(FakeModule([wanted("Deployment", "openms-web"), wanted("StatefulSet", "openms-redis")]), client)
    assert result == {
        "changed": False,
        "seconds": {"StatefulSet/openms-redis": 0.0, "Deployment/openms-web": 2.0},
        "nudged": [],
    }
    assert client.reads == ["Deployment/openms-web", "StatefulSet/openms-redis"] + ["Deployment/openms-web"] * 2
    assert clock.sleeps == [1, 1]
    assert sorted(client.resources) == [("Deployment", "apps/v1"), ("StatefulSet", "apps/v1")]
    assert client.pod_lists == []  # pods are only read to say why a roll-out is late


def test_a_workload_whose_controller_has_not_caught_up_is_waited_for(clock):
    client = FakeCluster(
        {
            ("Deployment/openms-web", NAMESPACE): [
                deployment(generation=3, observed=2),
                deployment(generation=3, observed=3),
            ],
            ("StatefulSet/openms-redis", NAMESPACE): [statefulset(current="redis-1"), statefulset()],
        }
    )
    result = run(
        FakeModule([wanted("Deployment", "openms-web"), wanted("StatefulSet", "openms-redis")], sleep=5), client
    )
    assert result == {
        "changed": False,
        "seconds": {"Deployment/openms-web": 5.0, "StatefulSet/openms-redis": 5.0},
        "nudged": [],
    }
    assert clock.sleeps == [5]


def test_fails_after_the_timeout_naming_the_workload_and_its_pods_reasons(clock):
    stuck = deployment(ready=1, updated=1, replicas=2)
    client = FakeCluster(
        {
            ("Deployment/openms-web", NAMESPACE): [stuck],
            ("StatefulSet/openms-redis", NAMESPACE): [statefulset(ready=0), statefulset()],
        },
        pods=[
            pod("openms-web-old", WEB, ready=True),  # ready: not a problem
            pod(
                "openms-web-new",
                WEB,
                waiting={"reason": "ImagePullBackOff", "message": 'Back-off pulling image "openms:9"\nmore detail'},
            ),
            pod("openms-redis-0", REDIS, waiting={"reason": "CrashLoopBackOff", "message": "no"}),  # not the web's
            pod("openms-web-x", WEB, waiting={"reason": "ErrImagePull"}, namespace="elsewhere"),  # not its namespace
        ],
    )
    start = clock.now
    result = run(
        FakeModule([wanted("Deployment", "openms-web", timeout=5), wanted("StatefulSet", "openms-redis")]), client
    )
    assert result == {
        "failed": True,
        "msg": "Not rolled out in time: Deployment/openms-web: 1 of 2 Ready, 1 updated"
        ' (openms-web-new Pending: web: ImagePullBackOff (Back-off pulling image "openms:9")).',
        "seconds": {"StatefulSet/openms-redis": 1.0},
        "nudged": [],
    }
    assert clock.now - start == 5  # waited for the timeout, no longer
    assert client.pod_lists == [(NAMESPACE, "app.kubernetes.io/instance=openms,app.kubernetes.io/name=web")]


def test_each_workload_has_its_own_timeout_and_the_wait_lasts_until_the_last(clock):
    client = FakeCluster(
        {("Deployment/openms-web", NAMESPACE): [deployment(ready=0, updated=2)]},
        pods=[pod("openms-web-a", WEB, waiting={"reason": "CrashLoopBackOff", "message": "back-off 10s\nlog"})],
    )
    result = run(
        FakeModule([wanted("StatefulSet", "openms-redis", timeout=4), wanted("Deployment", "openms-web", timeout=2)]),
        client,
    )
    assert result == {
        "failed": True,
        "msg": "Not rolled out in time: Deployment/openms-web: 0 of 2 Ready, 2 updated"
        " (openms-web-a Pending: web: CrashLoopBackOff (back-off 10s)) | StatefulSet/openms-redis: does not exist.",
        "seconds": {},
        "nudged": [],
    }
    assert client.reads.count("Deployment/openms-web") == 3  # at 0, 1 and 2 s: late, no longer read
    assert client.reads.count("StatefulSet/openms-redis") == 5
    assert sum(clock.sleeps) == 4


def test_check_mode_and_no_workloads_wait_for_nothing(clock):
    assert run(FakeModule([wanted("Deployment", "openms-web")], check_mode=True), Untouchable()) == {
        "changed": False,
        "seconds": {},
        "nudged": [],
    }
    assert run(FakeModule([]), Untouchable()) == {"changed": False, "seconds": {}, "nudged": []}
    assert clock.sleeps == []


def claim(phase):
    return {
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "openms-workspaces", "namespace": NAMESPACE},
        "spec": {"volumeName": "openms-openms-workspaces"},
        "status": {"phase": phase},
    }


def test_a_pending_claim_is_nudged_each_second_until_bound_then_the_nudge_is_taken_back(clock):
    client = FakeCluster(
        {("PersistentVolumeClaim/openms-workspaces", NAMESPACE): [claim("Pending")] * 3 + [claim("Bound")]}
    )
    result = run(FakeModule([wanted("PersistentVolumeClaim", "openms-workspaces", timeout=60)]), client)
    assert result == {
        "changed": False,
        "seconds": {"PersistentVolumeClaim/openms-workspaces": 3.0},
        "nudged": ["PersistentVolumeClaim/openms-workspaces"],
    }
    ref = ("PersistentVolumeClaim/openms-workspaces", NAMESPACE)
    nudge = "openms.de/bind-nudge"
    assert client.patches == [(*ref, {nudge: "1"}), (*ref, {nudge: "2"}), (*ref, {nudge: "3"}), (*ref, {nudge: None})]
    assert client.resources == [("PersistentVolumeClaim", "v1")]


def test_a_bound_claim_is_left_alone_and_one_that_stays_pending_is_named(clock):
    bound = FakeCluster({("PersistentVolumeClaim/openms-workspaces", NAMESPACE): [claim("Bound")]})
    assert run(FakeModule([wanted("PersistentVolumeClaim", "openms-workspaces")]), bound)["nudged"] == []
    assert bound.patches == []
    pending = FakeCluster({("PersistentVolumeClaim/openms-workspaces", NAMESPACE): [claim("Pending")]})
    result = run(FakeModule([wanted("PersistentVolumeClaim", "openms-workspaces", timeout=2)]), pending)
    assert result["failed"] and result["msg"] == (
        "Not rolled out in time: PersistentVolumeClaim/openms-workspaces: Pending, volume openms-openms-workspaces."
    )
    assert len(pending.patches) == 2 and pending.pod_lists == []


def test_a_workload_rolled_out_when_applied_is_not_read_again(clock):
    client = FakeCluster({("Deployment/openms-web", NAMESPACE): [deployment(ready=1), deployment()]})
    result = run(
        FakeModule([wanted("StatefulSet", "openms-redis", rolled_out=True), wanted("Deployment", "openms-web")]),
        client,
    )
    assert result == {"changed": False, "seconds": {"Deployment/openms-web": 1.0}, "nudged": []}
    assert "StatefulSet/openms-redis" not in client.reads
    assert run(FakeModule([wanted("Deployment", "openms-web", rolled_out=True)]), Untouchable())["seconds"] == {}
