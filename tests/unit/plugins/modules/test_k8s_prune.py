"""k8s_prune: what a phase may prune, what it deletes, and that check mode deletes nothing.

The module's run against a fake dynamic client that answers as the API server does: lists by
label selector per kind, deletes, and answers 404 for a deleted object. The real API server is
exercised by every site.yml run (tests/site/test_converge.py: a disabled CronJob is deleted)."""

import types

import pytest
from ansible_collections.openms.streamlit_k8s.plugins.module_utils import prune
from ansible_collections.openms.streamlit_k8s.plugins.modules import k8s_prune
from kubernetes.dynamic.exceptions import NotFoundError

SELECTOR = {
    "app.kubernetes.io/instance": "openms",
    "app.kubernetes.io/managed-by": "openms.streamlit_k8s",
    "app.kubernetes.io/component": "web",
}
KINDS = [{"api_version": "v1", "kind": "Service"}, {"api_version": "apps/v1", "kind": "Deployment"}]


def test_the_scope_must_be_the_collection_s_objects_of_one_app_and_component():
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


class FakeCluster:
    """Objects by kind with their labels; list by selector, delete, 404 once deleted."""

    def __init__(self, objects):
        self.objects = objects  # {(kind, name): labels}
        self.deleted = []

    def resource(self, kind, api_version):
        return kind

    def get(self, kind, name=None, namespace=None, label_selector=None):
        if name is not None:
            if (kind, name) not in self.objects:
                raise NotFoundError(types.SimpleNamespace(status=404, reason="NotFound", body="", headers={}))
            return types.SimpleNamespace()
        wanted = dict(pair.split("=", 1) for pair in label_selector.split(","))
        items = [
            types.SimpleNamespace(metadata=types.SimpleNamespace(name=n))
            for (k, n), labels in self.objects.items()
            if k == kind and wanted.items() <= labels.items()
        ]
        return types.SimpleNamespace(items=items)

    def delete(self, kind, name=None, namespace=None):
        del self.objects[(kind, name)]
        self.deleted.append(f"{kind}/{name}")


class Done(Exception):
    pass


class FakeModule:
    def __init__(self, check_mode=False, diff=False, **params):
        self.params = {"namespace": "openms", "selector": SELECTOR, "kinds": KINDS, "wait_timeout": 5, **params}
        self.check_mode, self._diff = check_mode, diff

    def exit_json(self, **result):
        self.result = result
        raise Done

    def fail_json(self, msg, **result):
        self.result = {"failed": True, "msg": msg}
        raise Done


def cluster():
    other = {**SELECTOR, "app.kubernetes.io/component": "worker"}
    return FakeCluster(
        {
            ("Service", "openms-web"): SELECTOR,
            ("Service", "old-web"): SELECTOR,
            ("Deployment", "openms-web"): SELECTOR,
            ("Deployment", "openms-worker"): other,  # another phase's
            ("Deployment", "by-hand"): {"app.kubernetes.io/instance": "openms"},  # not the collection's
        }
    )


def run(module, client):
    with pytest.raises(Done):
        k8s_prune.run(module, client)
    return module.result


def test_deletes_only_what_the_phase_made_and_no_longer_renders():
    client = cluster()
    result = run(FakeModule(keep=["Service/openms-web", "Deployment/openms-web"]), client)
    assert result == {"changed": True, "deleted": ["Service/old-web"]}
    assert client.deleted == ["Service/old-web"]
    assert ("Deployment", "openms-worker") in client.objects and ("Deployment", "by-hand") in client.objects
    # the next run finds nothing to do
    assert run(FakeModule(keep=["Service/openms-web", "Deployment/openms-web"]), client) == {
        "changed": False,
        "deleted": [],
    }


def test_check_mode_deletes_nothing_and_diff_shows_before_and_after():
    client = cluster()
    result = run(FakeModule(check_mode=True, diff=True, keep=["Service/openms-web", "Deployment/openms-web"]), client)
    assert result["changed"] and result["deleted"] == ["Service/old-web"]
    assert client.deleted == []
    assert result["diff"] == {
        "before": {"objects": ["Deployment/openms-web", "Service/old-web", "Service/openms-web"]},
        "after": {"objects": ["Deployment/openms-web", "Service/openms-web"]},
    }


def test_refuses_a_scope_beyond_the_collection_s_objects_before_listing():
    client = cluster()
    client.get = None  # any call would fail
    result = run(FakeModule(selector={"app.kubernetes.io/instance": "openms"}, keep=[]), client)
    assert result["failed"] and "selector must carry app.kubernetes.io/managed-by" in result["msg"]
    assert client.deleted == []


def test_an_object_that_stays_after_its_delete_fails_the_run():
    client = cluster()
    client.delete = lambda kind, name=None, namespace=None: None  # accepted, never gone
    result = run(FakeModule(wait_timeout=1, keep=["Service/openms-web", "Deployment/openms-web"]), client)
    assert result == {"failed": True, "msg": "Service/old-web was deleted but still exists after 1 s."}
