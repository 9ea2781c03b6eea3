"""k8s_read: the objects asked for in their order ({} for a missing one), the API server's
version when asked, and a failure naming the object for anything but a 404.

Against a fake dynamic client; the real API server is read by every site.yml run (the preflight
and the share phase)."""

import types

import pytest
from ansible_collections.openms.streamlit_k8s.plugins.modules import k8s_read
from kubernetes.dynamic.exceptions import ForbiddenError, NotFoundError

NAMESPACE = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "openms"}}
CLAIM = {"kind": "PersistentVolumeClaim", "metadata": {"name": "workspaces", "namespace": "openms"}}
VERSION = {"major": "1", "minor": "33", "gitVersion": "v1.33.1"}


def api_error(cls, status, reason):
    return cls(types.SimpleNamespace(status=status, reason=reason, body="", headers={}))


class Instance:
    def __init__(self, data):
        self.data = data

    def to_dict(self):
        return dict(self.data)


class FakeDynamicClient:
    def __init__(self):
        self.requests = []

    def request(self, method, path, serializer=None):
        self.requests.append((method, path))
        return serializer(self, dict(VERSION))


class FakeCluster:
    def __init__(self, objects, refused=()):
        self.objects, self.refused = objects, refused
        self.reads, self.client = [], FakeDynamicClient()

    def resource(self, kind, api_version):
        return types.SimpleNamespace(kind=kind, api_version=api_version)

    def get(self, resource, name=None, namespace=None):
        self.reads.append((resource.api_version, resource.kind, name, namespace))
        if resource.kind in self.refused:
            raise api_error(ForbiddenError, 403, "Forbidden")
        found = self.objects.get((resource.kind, namespace, name))
        if found is None:
            raise api_error(NotFoundError, 404, "NotFound")
        return Instance(found)


class Done(Exception):
    def __init__(self, result):
        super().__init__(result)
        self.result = result


class FakeModule:
    def __init__(self, objects, version=False):
        self.params = {
            "objects": [{"api_version": "v1", "namespace": None, **o} for o in objects],
            "version": version,
        }

    def exit_json(self, **result):
        raise Done(result)

    def fail_json(self, msg, **result):
        raise Done({"failed": True, "msg": msg, **result})


def run(module, client):
    with pytest.raises(Done) as done:
        k8s_read.run(module, client)
    return done.value.result


def test_each_object_in_the_order_asked_a_missing_one_empty():
    client = FakeCluster(
        {("Namespace", None, "openms"): NAMESPACE, ("PersistentVolumeClaim", "openms", "workspaces"): CLAIM}
    )
    asked = [
        {"kind": "PersistentVolume", "name": "openms-workspaces"},
        {"kind": "PersistentVolumeClaim", "name": "workspaces", "namespace": "openms"},
        {"kind": "Namespace", "name": "openms"},
    ]
    assert run(FakeModule(asked), client) == {"changed": False, "objects": [{}, CLAIM, NAMESPACE]}
    assert client.reads == [
        ("v1", "PersistentVolume", "openms-workspaces", None),
        ("v1", "PersistentVolumeClaim", "workspaces", "openms"),
        ("v1", "Namespace", "openms", None),
    ]
    assert client.client.requests == []  # the version only when asked


def test_the_version_is_what_the_api_server_says():
    client = FakeCluster({})
    result = run(FakeModule([{"kind": "Namespace", "name": "openms"}], version=True), client)
    assert result == {"changed": False, "objects": [{}], "version": VERSION}
    assert client.client.requests == [("get", "/version")]


def test_a_refused_read_fails_naming_the_object():
    client = FakeCluster({("Namespace", None, "openms"): NAMESPACE}, refused=("PersistentVolume",))
    result = run(
        FakeModule([{"kind": "Namespace", "name": "openms"}, {"kind": "PersistentVolume", "name": "pv"}]), client
    )
    assert result["failed"] and result["msg"].startswith("Reading PersistentVolume/pv failed: ")
    assert "403" in result["msg"] or "Forbidden" in result["msg"]
