"""k8s_apply: what a phase applies, in which order, with which Secret data and pod template
annotations, what it prunes (and refuses to), check mode and diffs without secret values.

The module's run against a fake API server: kubernetes.core's perform_action and K8sService are
replaced by a fake that applies a definition as server-side apply does here (the object becomes
the definition, a new resourceVersion when it changed, none in check mode) and answers as
kubernetes.core's does; the fake dynamic client reads objects by name (404 when missing), lists
them by label selector per kind and deletes them. The real API server is exercised by every
site.yml run (tests/site)."""

import base64
import copy
import types

import pytest
from ansible.module_utils.common.dict_transformations import recursive_diff
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException
from ansible_collections.openms.streamlit_k8s.plugins.module_utils import prune
from ansible_collections.openms.streamlit_k8s.plugins.modules import k8s_apply
from kubernetes.dynamic.exceptions import NotFoundError

NAMESPACE = "openms"
SELECTOR = {
    "app.kubernetes.io/instance": "openms",
    "app.kubernetes.io/managed-by": "openms.streamlit_k8s",
    "app.kubernetes.io/component": "web",
}
REDIS = {**SELECTOR, "app.kubernetes.io/component": "redis"}
KINDS = [
    {"api_version": "v1", "kind": "Secret"},
    {"api_version": "v1", "kind": "Service"},
    {"api_version": "apps/v1", "kind": "Deployment"},
]
# secret values, distinct from anything else the objects say
OLD, NEW, SAME, FRESH = "cookie-old-7f3a", "cookie-new-91c2", "toml-same-55d0", "token-fresh-e1b8"
PRUNE = {"namespace": NAMESPACE, "selector": SELECTOR, "kinds": KINDS}


def b64(text):
    return base64.b64encode(text.encode()).decode()


def obj(kind, name, labels=None, namespace=NAMESPACE, api_version="v1", **rest):
    metadata = {"name": name, "namespace": namespace, "labels": dict(SELECTOR if labels is None else labels)}
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, **rest}


def workload(kind, name, labels=None):
    template = {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}
    return obj(kind, name, labels, api_version="apps/v1", spec={"replicas": 1, "template": template})


def key(definition):
    return definition["kind"], definition["metadata"].get("namespace"), definition["metadata"]["name"]


class FakeCluster:
    """The API server's objects by (kind, namespace, name), each with its resourceVersion."""

    def __init__(self, *objects):
        self.objects, self.version = {}, 100
        self.applied, self.action_params, self.reads, self.deleted = [], [], [], []
        for o in objects:
            self.store(o)

    def store(self, definition):
        self.version += 1
        stored = copy.deepcopy(definition)
        stored["metadata"]["resourceVersion"] = str(self.version)
        self.objects[key(stored)] = stored
        return stored

    # the dynamic client

    def resource(self, kind, api_version):
        return types.SimpleNamespace(kind=kind, api_version=api_version)

    def get(self, resource, name=None, namespace=None, label_selector=None):
        if name is not None:
            self.reads.append(f"{resource.kind}/{name}")
            found = self.objects.get((resource.kind, namespace, name))
            if found is None:
                raise NotFoundError(types.SimpleNamespace(status=404, reason="NotFound", body="", headers={}))
            return types.SimpleNamespace(metadata=types.SimpleNamespace(**found["metadata"]))
        wanted = dict(pair.split("=", 1) for pair in label_selector.split(","))
        items = [
            types.SimpleNamespace(metadata=types.SimpleNamespace(name=n))
            for (k, ns, n), o in sorted(self.objects.items())
            if k == resource.kind and ns == namespace and wanted.items() <= o["metadata"]["labels"].items()
        ]
        return types.SimpleNamespace(items=items)

    def delete(self, resource, name=None, namespace=None):
        del self.objects[(resource.kind, namespace, name)]
        self.deleted.append(f"{resource.kind}/{name}")


class FakeService:
    """K8sService: what the module gives it."""

    def __init__(self, client, module):
        self.client, self.module = client, module
        self.server_side_apply = copy.deepcopy(module.params.get("server_side_apply"))
        client.services.append(self)


def fake_perform_action(svc, definition, params):
    """kubernetes.core's perform_action with apply: true, against the fake cluster."""
    cluster = svc.client
    cluster.applied.append(copy.deepcopy(definition))
    cluster.action_params.append(params)
    existing = copy.deepcopy(cluster.objects.get(key(definition)))
    unversioned = copy.deepcopy(existing or {})
    unversioned.get("metadata", {}).pop("resourceVersion", None)
    changed = unversioned != definition
    if not changed:
        instance = existing
    elif svc.module.check_mode:  # a dry run: the object as it would be, nothing stored
        instance = copy.deepcopy(definition)
        instance["metadata"]["resourceVersion"] = (existing or {"metadata": {}})["metadata"].get("resourceVersion", "")
    else:
        instance = cluster.store(definition)
    result = {"changed": changed, "method": "apply", "result": copy.deepcopy(instance)}
    if svc.module._diff:
        diff = recursive_diff(existing or {}, instance)
        result["diff"] = {"before": diff[0], "after": diff[1]} if diff else {}
    result.update(cluster.warnings.get(definition["metadata"]["name"], {}))
    return result


class Done(Exception):
    def __init__(self, result):
        super().__init__(result)
        self.result = result


class FakeModule:
    def __init__(self, check_mode=False, diff=False, **params):
        self.params = {
            "definitions": [],
            "field_manager": "openms.streamlit_k8s.web",
            "secret_data": {},
            "rollout_on": {},
            "prune": None,
            "prune_wait_timeout": 120,
            **copy.deepcopy(params),
        }
        self.check_mode, self._diff = check_mode, diff
        self.warnings = []

    def exit_json(self, **result):
        raise Done(result)

    def fail_json(self, msg, **result):
        raise Done({"failed": True, "msg": msg, **result})

    def warn(self, warning):
        self.warnings.append(warning)


class FakeTime:
    """A clock that only sleeps move."""

    def __init__(self):
        self.now = 1000.0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


@pytest.fixture(autouse=True)
def fake_kubernetes_core(monkeypatch):
    monkeypatch.setattr(k8s_apply, "perform_action", fake_perform_action)
    monkeypatch.setattr(k8s_apply, "K8sService", FakeService)
    monkeypatch.setattr(k8s_apply, "time", FakeTime())


def run(module, client):
    client.__dict__.setdefault("services", [])
    client.__dict__.setdefault("warnings", {})
    with pytest.raises(Done) as done:
        k8s_apply.run(module, client)
    return done.value.result


def cluster():
    return FakeCluster(
        obj("Secret", "openms-web", type="Opaque", data={"cookie-secret": b64(OLD), "secrets.toml": b64(SAME)}),
        obj("Secret", "openms-redis", labels=REDIS, type="Opaque", data={"password": b64("redis")}),
        obj("Service", "openms-web", spec={"ports": [{"port": 8501}]}),
        obj("Service", "old-web", spec={"ports": [{"port": 8501}]}),  # no longer rendered
        workload("Deployment", "openms-worker", labels=REDIS),  # another phase's
        obj("Deployment", "by-hand", labels={"app.kubernetes.io/instance": "openms"}),  # not the collection's
        obj("ConfigMap", "old-web"),  # a kind the phase does not prune
        obj("Service", "old-web", namespace="elsewhere"),  # another namespace
    )


def web():
    """The web phase's definitions, as rendered (pod templates first, to be reordered)."""
    definitions = [
        workload("Deployment", "openms-web"),
        obj("Secret", "openms-web", type="Opaque"),
        obj("Service", "openms-web", spec={"ports": [{"port": 8501}]}),
        obj("ConfigMap", "openms-web", data={"settings.json": "{}"}),
    ]
    return dict(definitions=definitions, secret_data={"openms-web": {"cookie-secret": NEW, "secrets.toml": SAME}})


def test_applies_every_object_server_side_with_the_secret_data_encoded_pod_templates_last():
    client = cluster()
    module = FakeModule(**web())
    result = run(module, client)
    assert [f"{d['kind']}/{d['metadata']['name']}" for d in client.applied] == [
        "Secret/openms-web",
        "Service/openms-web",
        "ConfigMap/openms-web",
        "Deployment/openms-web",
    ]
    assert client.applied[0]["data"] == {"cookie-secret": b64(NEW), "secrets.toml": b64(SAME)}
    assert client.objects[("Secret", NAMESPACE, "openms-web")]["data"]["cookie-secret"] == b64(NEW)
    # one service for the run, the field manager's, conflicts forced; each object applied as k8s does
    [service] = client.services
    assert service.server_side_apply == {"field_manager": "openms.streamlit_k8s.web", "force_conflicts": True}
    assert {p["state"] for p in client.action_params} == {"present"}
    assert all(p["apply"] and not p["wait"] for p in client.action_params)
    assert result == {
        "changed": True,
        "objects": [
            {
                "kind": "Secret",
                "name": "openms-web",
                "namespace": NAMESPACE,
                "changed": True,
                "resource_version": "109",
            },
            {
                "kind": "Service",
                "name": "openms-web",
                "namespace": NAMESPACE,
                "changed": False,
                "resource_version": "103",
            },
            {
                "kind": "ConfigMap",
                "name": "openms-web",
                "namespace": NAMESPACE,
                "changed": True,
                "resource_version": "110",
            },
            {
                "kind": "Deployment",
                "name": "openms-web",
                "namespace": NAMESPACE,
                "changed": True,
                "resource_version": "111",
            },
        ],
        "workloads": [{"kind": "Deployment", "name": "openms-web", "namespace": NAMESPACE, "rolled_out": False}],
        "deleted": [],
    }
    # the next run changes nothing
    again = run(FakeModule(**web()), client)
    assert not again["changed"] and not any(o["changed"] for o in again["objects"])


def test_secret_data_for_a_secret_not_among_the_definitions_is_refused_before_anything_is_applied():
    client = cluster()
    params = web()
    params["secret_data"]["openms-redis"] = {"password": "p"}
    result = run(FakeModule(**params), client)
    assert result == {
        "failed": True,
        "msg": "secret_data names openms-redis, which no Secret of the definitions is",
    }
    assert client.applied == []


def test_the_workloads_are_the_deployments_and_stateful_sets_applied():
    definitions = [
        obj("Service", "openms-redis", labels=REDIS),
        workload("StatefulSet", "openms-redis"),
        obj("CronJob", "cleanup", api_version="batch/v1", spec={"jobTemplate": {"spec": {"template": {}}}}),
        workload("Deployment", "openms-web"),
    ]
    result = run(FakeModule(definitions=definitions), FakeCluster())
    assert result["workloads"] == [
        {"kind": "StatefulSet", "name": "openms-redis", "namespace": NAMESPACE, "rolled_out": False},
        {"kind": "Deployment", "name": "openms-web", "namespace": NAMESPACE, "rolled_out": False},
    ]


def test_a_workload_the_api_server_answers_rolled_out_is_said_so_and_one_it_changed_is_not():
    ready = {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1, "availableReplicas": 1}
    deployed = workload("Deployment", "openms-web")
    deployed["metadata"]["generation"] = 1
    client = FakeCluster({**deployed, "status": ready})
    # the same definition (status is the server's): rolled out as answered
    result = run(FakeModule(definitions=[{**deployed, "status": ready}]), client)
    assert not result["changed"] and result["workloads"][0]["rolled_out"] is True
    # a new template: the answer's generation is ahead of what the controller observed
    changed = copy.deepcopy(deployed)
    changed["metadata"]["generation"] = 2
    changed["spec"]["template"]["spec"]["containers"][0]["image"] = "i:2"
    result = run(FakeModule(definitions=[{**changed, "status": ready}]), client)
    assert result["changed"] and result["workloads"][0]["rolled_out"] is False


ROLLOUT_ON = {
    "openms.de/secret-version": "Secret/openms-web",
    "openms.de/redis-secret-version": "Secret/openms-redis",
    "openms.de/settings-version": "ConfigMap/openms-settings",
}


def template_annotations(definition):
    path = {"CronJob": ("spec", "jobTemplate", "spec", "template")}.get(definition["kind"], ("spec", "template"))
    node = definition
    for part in path:
        node = node[part]
    return node["metadata"].get("annotations")


def test_pod_templates_carry_the_resource_version_of_what_they_roll_on():
    client = cluster()
    params = web()
    params["definitions"].append(
        obj("CronJob", "cleanup", api_version="batch/v1", spec={"jobTemplate": {"spec": {"template": {}}}})
    )
    result = run(FakeModule(rollout_on=ROLLOUT_ON, **params), client)
    secret = client.objects[("Secret", NAMESPACE, "openms-web")]["metadata"]["resourceVersion"]
    assert secret != "101"  # the version this run's apply gave it, not the one before
    assert result["objects"][0] == {
        "kind": "Secret",
        "name": "openms-web",
        "namespace": NAMESPACE,
        "changed": True,
        "resource_version": secret,
    }
    wanted = {
        "openms.de/secret-version": secret,  # applied in this run
        "openms.de/redis-secret-version": "102",  # another phase's, read from the cluster
        "openms.de/settings-version": "",  # not there (yet)
    }
    applied = {d["kind"]: d for d in client.applied}
    assert template_annotations(applied["Deployment"]) == wanted
    assert template_annotations(applied["CronJob"]) == wanted
    stored = client.objects[("Deployment", NAMESPACE, "openms-web")]
    assert template_annotations(stored) == wanted
    assert "annotations" not in applied["Service"]["metadata"]
    # what was applied in the run is not read back; what was not is read once
    assert client.reads == ["Secret/openms-redis", "ConfigMap/openms-settings"]


def test_a_new_secret_value_rolls_the_pods_and_the_same_values_do_not():
    client = cluster()
    run(FakeModule(rollout_on=ROLLOUT_ON, **web()), client)
    deployment = ("Deployment", NAMESPACE, "openms-web")
    first = template_annotations(client.objects[deployment])

    same = run(FakeModule(rollout_on=ROLLOUT_ON, **web()), client)
    assert not same["changed"]
    assert template_annotations(client.objects[deployment]) == first

    params = web()
    params["secret_data"]["openms-web"]["cookie-secret"] = "newer"
    rolled = run(FakeModule(rollout_on=ROLLOUT_ON, **params), client)
    assert [o["changed"] for o in rolled["objects"]] == [True, False, False, True]
    assert (
        template_annotations(client.objects[deployment])["openms.de/secret-version"]
        == (client.objects[("Secret", NAMESPACE, "openms-web")]["metadata"]["resourceVersion"])
    )
    assert template_annotations(client.objects[deployment]) != first


@pytest.mark.parametrize("target", ["Deployment/openms-web", "Secret", "Secret/", "Secret/a/b", None])
def test_a_malformed_rollout_on_is_refused_before_anything_is_applied_or_read(target):
    client = cluster()
    result = run(FakeModule(rollout_on={"openms.de/secret-version": target}, **web()), client)
    assert result == {
        "failed": True,
        "msg": f"rollout_on[openms.de/secret-version] must be Secret/<name> or ConfigMap/<name>, not {target!r}.",
    }
    assert client.applied == [] and client.reads == []


# prune


def test_the_prune_scope_must_be_the_collection_s_objects_of_one_app_and_component():
    assert prune.scope_errors(SELECTOR, KINDS) == []
    foreign = {**SELECTOR, "app.kubernetes.io/managed-by": "helm"}
    assert prune.scope_errors(foreign, KINDS) == [
        "selector must carry app.kubernetes.io/managed-by=openms.streamlit_k8s"
    ]
    no_component = {k: v for k, v in SELECTOR.items() if k != "app.kubernetes.io/component"}
    assert prune.scope_errors(no_component, KINDS) == ["selector must carry app.kubernetes.io/component"]
    claims = KINDS + [{"api_version": "v1", "kind": "PersistentVolumeClaim"}]
    assert prune.scope_errors(SELECTOR, claims) == [
        "kinds must not list PersistentVolumeClaim (volumes and claims are never pruned)"
    ]


def test_the_label_selector_and_what_is_deleted():
    assert prune.label_selector({"b": "2", "a": "1"}) == "a=1,b=2"
    found = {"Service": ["openms-web", "old-web"], "Deployment": ["openms-web"]}
    assert prune.to_delete(found, ["Service/openms-web", "Deployment/openms-web"]) == ["Service/old-web"]
    assert prune.to_delete(found, []) == ["Service/old-web", "Service/openms-web", "Deployment/openms-web"]


def test_prune_deletes_only_the_phase_s_objects_of_the_listed_kinds_it_no_longer_renders():
    client = cluster()
    before = set(client.objects)
    result = run(FakeModule(prune=PRUNE, **web()), client)
    assert result["deleted"] == ["Service/old-web"]
    assert client.deleted == ["Service/old-web"]
    assert ("Service", NAMESPACE, "old-web") not in client.objects
    untouched = before - {("Service", NAMESPACE, "old-web")}
    assert untouched <= set(client.objects)  # another phase's, by hand, another kind, another namespace
    # the next run finds nothing to do
    again = run(FakeModule(prune=PRUNE, **web()), client)
    assert again["deleted"] == [] and not again["changed"]
    assert client.deleted == ["Service/old-web"]


def test_pruning_alone_is_a_change():
    client = cluster()
    run(FakeModule(**web()), client)
    result = run(FakeModule(prune=PRUNE, **web()), client)
    assert not any(o["changed"] for o in result["objects"])
    assert result["changed"] and result["deleted"] == ["Service/old-web"]


def test_an_object_applied_in_another_namespace_does_not_keep_the_pruned_namespace_s():
    client = cluster()
    params = web()
    params["definitions"].append(obj("Service", "old-web", namespace="elsewhere"))
    result = run(FakeModule(prune=PRUNE, **params), client)
    assert result["deleted"] == ["Service/old-web"]
    assert ("Service", "elsewhere", "old-web") in client.objects


@pytest.mark.parametrize(
    ("scope", "refusal"),
    [
        (
            {**PRUNE, "selector": {"app.kubernetes.io/instance": "openms"}},
            "selector must carry app.kubernetes.io/managed-by=openms.streamlit_k8s;"
            " selector must carry app.kubernetes.io/component",
        ),
        (
            {**PRUNE, "kinds": KINDS + [{"api_version": "v1", "kind": "PersistentVolumeClaim"}]},
            "kinds must not list PersistentVolumeClaim (volumes and claims are never pruned)",
        ),
    ],
)
def test_prune_refuses_a_scope_beyond_the_collection_s_objects_or_claims_before_anything_is_applied(scope, refusal):
    client = cluster()
    before = copy.deepcopy(client.objects)
    result = run(FakeModule(prune=scope, **web()), client)
    assert result == {"failed": True, "msg": f"k8s_apply refuses to prune: {refusal}."}
    assert client.applied == [] and client.deleted == [] and client.objects == before


def test_check_mode_deletes_nothing_and_says_what_it_would():
    client = cluster()
    result = run(FakeModule(check_mode=True, prune=PRUNE, **web()), client)
    assert result["changed"] and result["deleted"] == ["Service/old-web"]
    assert client.deleted == [] and ("Service", NAMESPACE, "old-web") in client.objects


def test_an_object_that_stays_after_its_delete_fails_the_run():
    client = cluster()
    client.delete = lambda resource, name=None, namespace=None: None  # accepted, never gone
    result = run(FakeModule(prune=PRUNE, prune_wait_timeout=3, **web()), client)
    assert result == {"failed": True, "msg": "Service/old-web was deleted but still exists after 3 s."}
    assert client.reads.count("Service/old-web") == 5  # read once a second until past the deadline


# diffs, warnings and errors


def test_diff_hides_the_secret_values_and_says_which_changed():
    client = cluster()
    params = web()
    params["definitions"].append(obj("Secret", "openms-new", type="Opaque"))
    params["secret_data"]["openms-new"] = {"token": FRESH}
    result = run(FakeModule(diff=True, prune=PRUNE, **params), client)
    diffs = {d["before_header"]: d for d in result["diff"]}
    assert all(d["before_header"] == d["after_header"] for d in result["diff"])
    # changed key only (recursive diff), its value hidden
    assert diffs["Secret/openms-web"]["before"]["data"] == {"cookie-secret": "<hidden>"}
    assert diffs["Secret/openms-web"]["after"]["data"] == {"cookie-secret": "<hidden, changed>"}
    # a new Secret: every key new
    assert diffs["Secret/openms-new"]["before"] == {}
    assert diffs["Secret/openms-new"]["after"]["data"] == {"token": "<hidden, changed>"}
    assert diffs["Secret/openms-new"]["after"]["metadata"]["name"] == "openms-new"
    # no secret value anywhere, plain or encoded
    for value in (OLD, NEW, SAME, FRESH):
        assert value not in str(result) and b64(value) not in str(result)
    # other objects as they are; unchanged ones not at all; what was pruned goes
    assert diffs["ConfigMap/openms-web"]["after"]["data"] == {"settings.json": "{}"}
    assert "Service/openms-web" not in diffs
    assert diffs["Service/old-web"]["before"] == {"exists": True}
    assert diffs["Service/old-web"]["after"] == {"exists": False}
    assert list(diffs) == [
        "Secret/openms-web",
        "ConfigMap/openms-web",
        "Secret/openms-new",
        "Deployment/openms-web",
        "Service/old-web",
    ]


def test_no_diff_without_diff_mode():
    assert "diff" not in run(FakeModule(**web()), cluster())


def test_a_created_secret_s_diff_is_the_whole_object_values_hidden():
    definition = obj("Secret", "s")
    created = {"changed": True, "method": "create", "result": {**definition, "data": {"k": b64("v")}}}
    assert k8s_apply.diff_entry(definition, created) == {
        "before_header": "Secret/s",
        "after_header": "Secret/s",
        "before": {},
        "after": {**definition, "data": {"k": "<hidden, changed>"}},
    }


def test_warnings_name_their_object_and_a_failed_apply_fails_naming_it(monkeypatch):
    client = cluster()
    client.warnings = {"openms-web": {"warnings": ["unknown field"]}}
    module = FakeModule(definitions=[obj("ConfigMap", "openms-web", data={})])
    run(module, client)
    assert module.warnings == ["ConfigMap/openms-web: unknown field"]

    def refused(svc, definition, params):
        raise CoreException("Failed to apply object: admission webhook denied")

    monkeypatch.setattr(k8s_apply, "perform_action", refused)
    result = run(FakeModule(definitions=[obj("ConfigMap", "openms-web")]), cluster())
    assert result == {
        "failed": True,
        "msg": "ConfigMap/openms-web: Failed to apply object: admission webhook denied",
    }


def test_a_refused_secret_s_message_and_warnings_never_show_its_values(monkeypatch):
    def refused(svc, definition, params):
        raise CoreException(f"Failed to apply object: invalid data {definition['data']} (was s3cr3t-value)")

    monkeypatch.setattr(k8s_apply, "perform_action", refused)
    secret = obj("Secret", "openms-web-secrets")
    result = run(FakeModule(definitions=[secret], secret_data={"openms-web-secrets": {"k": "s3cr3t-value"}}), cluster())
    assert result["failed"] and "Secret/openms-web-secrets: Failed to apply object" in result["msg"]
    assert "s3cr3t-value" not in result["msg"] and b64("s3cr3t-value") not in result["msg"], result["msg"]
    assert "<hidden>" in result["msg"]
