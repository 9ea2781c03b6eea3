import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.openms.streamlit_k8s.plugins.filter.pods_on_two_nodes import pods_on_two_nodes


def pod(name, node, component="web"):
    return {
        "metadata": {"name": name, "labels": {"app.kubernetes.io/component": component}},
        "spec": {"nodeName": node, "containers": [{"name": component}]},
    }


def test_picks_web_pods_first_on_two_nodes():
    pods = [pod("w-1", "n1", "worker"), pod("web-1", "n1"), pod("web-2", "n1"), pod("w-2", "n2", "worker")]
    assert pods_on_two_nodes(pods) == [
        {"name": "web-1", "node": "n1", "container": "web"},
        {"name": "w-2", "node": "n2", "container": "worker"},
    ]


def test_none_when_every_pod_shares_a_node():
    assert pods_on_two_nodes([pod("web-1", "n1"), pod("web-2", "n1"), {"metadata": {"name": "p"}, "spec": {}}]) == []


def test_refuses_what_is_not_a_list():
    with pytest.raises(AnsibleFilterError):
        pods_on_two_nodes({"resources": []})
