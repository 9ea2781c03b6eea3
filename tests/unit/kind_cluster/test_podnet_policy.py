"""The local cluster's NetworkPolicy enforcer: the nftables rules it writes for one node."""

import importlib.util
import pathlib

import pytest

SCRIPT = pathlib.Path(__file__).resolve().parents[3] / "roles/kind_cluster/files/images/podnet-policy/podnet_policy.py"
spec = importlib.util.spec_from_file_location("podnet_policy", SCRIPT)
podnet_policy = importlib.util.module_from_spec(spec)
spec.loader.exec_module(podnet_policy)

NODE = "node-a"


def pod(name, ip, labels, namespace="app", node=NODE, ports=(), host_network=False, phase="Running"):
    return {
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {
            "nodeName": node,
            "hostNetwork": host_network,
            "containers": [{"name": "c", "ports": [dict(p) for p in ports]}],
        },
        "status": {"phase": phase, "podIP": ip, "podIPs": [{"ip": ip}]},
    }


def policy(name, selector, namespace="app", types=None, ingress=None, egress=None):
    spec = {"podSelector": selector}
    if types is not None:
        spec["policyTypes"] = types
    if ingress is not None:
        spec["ingress"] = ingress
    if egress is not None:
        spec["egress"] = egress
    return {"metadata": {"name": name, "namespace": namespace}, "spec": spec}


NAMESPACES = {"app": {"kubernetes.io/metadata.name": "app"}, "ingress": {"kubernetes.io/metadata.name": "ingress"}}
REDIS = pod("redis-0", "10.0.0.10", {"component": "redis"}, ports=[{"name": "redis", "containerPort": 6379}])
WEB = pod("web-1", "10.0.0.11", {"component": "web"}, ports=[{"name": "http", "containerPort": 8501}])
WEB_REMOTE = pod("web-2", "10.0.1.11", {"component": "web"}, node="node-b")
WORKER = pod("worker-1", "10.0.0.12", {"component": "worker"})
STRANGER = pod("stranger", "10.0.0.13", {"component": "other"})
OTHER_NS_WEB = pod("web-x", "10.0.0.14", {"component": "web"}, namespace="ingress")
PODS = [REDIS, WEB, WEB_REMOTE, WORKER, STRANGER, OTHER_NS_WEB]
REDIS_POLICY = policy(
    "redis",
    {"matchLabels": {"component": "redis"}},
    types=["Ingress"],
    ingress=[
        {
            "from": [
                {
                    "podSelector": {
                        "matchExpressions": [{"key": "component", "operator": "In", "values": ["web", "worker"]}]
                    }
                }
            ],
            "ports": [{"port": "redis", "protocol": "TCP"}],
        }
    ],
)


def chain(script, name):
    lines = script.splitlines()
    start = lines.index(f"  chain {name} {{")
    end = lines.index("  }", start)
    return [line.strip() for line in lines[start + 1 : end]]


def test_no_policy_no_chain():
    script = podnet_policy.ruleset(NODE, PODS, NAMESPACES, [])
    assert " jump " not in script
    assert "ct state established,related accept" in script


def test_redis_accepts_web_and_worker_of_its_namespace_on_its_port_only():
    script = podnet_policy.ruleset(NODE, PODS, NAMESPACES, [REDIS_POLICY])
    assert "ip daddr 10.0.0.10 jump ingress-10-0-0-10" in script
    rules = chain(script, "ingress-10-0-0-10")
    # web on both nodes and the worker; not the stranger, not a web-labelled pod of another namespace
    assert rules[0] == "ip saddr { 10.0.0.11, 10.0.0.12, 10.0.1.11 } tcp dport 6379 return"
    assert rules[-1].startswith("counter drop")
    assert len(rules) == 2
    # ingress isolation only: no egress chain for Redis, no chain for unselected pods
    assert "egress-10-0-0-10" not in script
    assert "10-0-0-13" not in script


def test_pods_on_other_nodes_get_no_chain_here():
    policy_web = policy("web", {"matchLabels": {"component": "web"}}, types=["Ingress"], ingress=[])
    script = podnet_policy.ruleset(NODE, PODS, NAMESPACES, [policy_web])
    assert "ingress-10-0-0-11" in script
    assert "10-0-1-11" not in script


def test_empty_ingress_list_drops_everything():
    deny = policy("deny", {}, types=["Ingress"])
    script = podnet_policy.ruleset(NODE, PODS, NAMESPACES, [deny])
    for ip in ("10-0-0-10", "10-0-0-11", "10-0-0-12", "10-0-0-13"):
        assert chain(script, f"ingress-{ip}")[0].startswith("counter drop")
    # the default deny of namespace "app" does not isolate pods of namespace "ingress"
    assert "10-0-0-14" not in script


def test_namespace_selector_and_both_selectors():
    by_namespace = policy(
        "web",
        {"matchLabels": {"component": "web"}},
        types=["Ingress"],
        ingress=[
            {
                "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress"}}}],
                "ports": [{"port": "http"}],
            }
        ],
    )
    rules = chain(podnet_policy.ruleset(NODE, PODS, NAMESPACES, [by_namespace]), "ingress-10-0-0-11")
    assert rules[0] == "ip saddr { 10.0.0.14 } tcp dport 8501 return"
    both = policy(
        "web",
        {"matchLabels": {"component": "web"}},
        types=["Ingress"],
        ingress=[
            {
                "from": [
                    {
                        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress"}},
                        "podSelector": {"matchLabels": {"component": "nothing-has-this"}},
                    }
                ]
            }
        ],
    )
    rules = chain(podnet_policy.ruleset(NODE, PODS, NAMESPACES, [both]), "ingress-10-0-0-11")
    assert len(rules) == 1 and rules[0].startswith("counter drop")


def test_egress_resolves_named_ports_at_each_destination_and_keeps_dns():
    web_egress = policy(
        "web",
        {"matchLabels": {"component": "web"}},
        types=["Ingress", "Egress"],
        ingress=[],
        egress=[
            {"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]},
            {
                "to": [{"podSelector": {"matchLabels": {"component": "redis"}}}],
                "ports": [{"port": "redis", "protocol": "TCP"}],
            },
        ],
    )
    script = podnet_policy.ruleset(NODE, PODS, NAMESPACES, [web_egress])
    assert "ip saddr 10.0.0.11 jump egress-10-0-0-11" in script
    rules = chain(script, "egress-10-0-0-11")
    assert rules[:3] == ["udp dport 53 return", "tcp dport 53 return", "ip daddr 10.0.0.10 tcp dport 6379 return"]
    assert rules[3].startswith("counter drop")


def test_ip_block_with_except_and_port_range():
    blocked = policy(
        "worker",
        {"matchLabels": {"component": "worker"}},
        types=["Egress"],
        egress=[
            {
                "to": [{"ipBlock": {"cidr": "192.168.0.0/16", "except": ["192.168.1.0/24"]}}],
                "ports": [{"port": 8000, "endPort": 8080}],
            }
        ],
    )
    rules = chain(podnet_policy.ruleset(NODE, PODS, NAMESPACES, [blocked]), "egress-10-0-0-12")
    assert rules[0] == "ip daddr 192.168.0.0/16 ip daddr != { 192.168.1.0/24 } tcp dport 8000-8080 return"
    # Egress only: ingress of the worker stays open
    assert "ingress-10-0-0-12" not in podnet_policy.ruleset(NODE, PODS, NAMESPACES, [blocked])


def test_a_named_port_the_pod_lacks_allows_nothing():
    wrong_port = policy(
        "redis", {"matchLabels": {"component": "redis"}}, types=["Ingress"], ingress=[{"ports": [{"port": "http"}]}]
    )
    rules = chain(podnet_policy.ruleset(NODE, PODS, NAMESPACES, [wrong_port]), "ingress-10-0-0-10")
    assert len(rules) == 1 and rules[0].startswith("counter drop")


def test_host_network_and_finished_pods_are_not_peers():
    host = pod("host", "172.18.0.2", {"component": "web"}, host_network=True)
    done = pod("done", "10.0.0.20", {"component": "web"}, phase="Succeeded")
    rules = chain(podnet_policy.ruleset(NODE, [REDIS, host, done], NAMESPACES, [REDIS_POLICY]), "ingress-10-0-0-10")
    assert len(rules) == 1 and rules[0].startswith("counter drop")


@pytest.mark.parametrize(
    ("selector", "labels", "matches"),
    [
        ({}, {"a": "1"}, True),
        ({"matchLabels": {"a": "1"}}, {"a": "2"}, False),
        ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}, {}, True),
        ({"matchExpressions": [{"key": "a", "operator": "Exists"}]}, {}, False),
        ({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}, {"a": "1"}, False),
    ],
)
def test_label_selectors(selector, labels, matches):
    assert podnet_policy.selector_matches(selector, labels) is matches
