"""NetworkPolicy enforcement for the local kind cluster's pod network (podnet).

Why not kube-network-policies (kind's own enforcer): it sends first packets to user space with
nftables' `queue` expression, and this machine's kernel is built without it
(CONFIG_NFT_QUEUE is not set; its rule sync fails with "netlink receive: no such file or
directory"). This enforcer needs only plain nftables: every few seconds it reads pods,
namespaces and NetworkPolicies from the API and writes, for the pods on its own node, one
nftables table that accepts what the policies allow and drops the rest.

Semantics, as the Kubernetes API reference (networking.k8s.io/v1 NetworkPolicy) defines them:
  - A pod is isolated for ingress (egress) when a policy in its namespace selects it and lists
    Ingress (Egress) in policyTypes; a connection must then be allowed by at least one rule of
    one such policy. Isolation in one direction does not touch the other.
  - Policies are additive; both ends must allow a connection between two pods (the source's
    egress, the destination's ingress).
  - A peer is a podSelector (pods of the policy's namespace), a namespaceSelector (every pod of
    the matching namespaces), both (matching pods in matching namespaces), or an ipBlock (a
    CIDR minus its excepts). An empty or missing `from`/`to` allows every peer; empty or
    missing `ports` every port. A port is a number or a named container port of the
    destination pod, with endPort for a range; the protocol defaults to TCP.
  - Only the first packet of a connection is judged (conntrack lets replies through).
  - Traffic the node itself sends (kubelet probes, host-network pods on that node) is not
    judged, as in kube-network-policies; host-network pods are not pod peers.

Pods are matched by their IPv4 address (the cluster is single-stack IPv4). Run as
`python3 podnet_policy.py` (loop) or with `--once`; NODE_NAME names this node.
"""

import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.request

TABLE = "podnet-policy"
SA = "/var/run/secrets/kubernetes.io/serviceaccount"


# ----- selectors and peers ---------------------------------------------------------------


def selector_matches(selector, labels):
    """A metav1.LabelSelector against a label map; an empty selector matches everything."""
    if selector is None:
        return False
    labels = labels or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values") or []
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def pod_ip(pod):
    ips = [entry.get("ip", "") for entry in pod.get("status", {}).get("podIPs") or []]
    ips = ips or [pod.get("status", {}).get("podIP", "")]
    return next((ip for ip in ips if ip and ":" not in ip), None)


def network_pods(pods):
    """Pods on the pod network that have an address and are not finished."""
    return [
        pod
        for pod in pods
        if not pod.get("spec", {}).get("hostNetwork")
        and pod.get("status", {}).get("phase") not in ("Succeeded", "Failed")
        and pod_ip(pod)
    ]


def policy_types(policy):
    spec = policy.get("spec", {})
    types = spec.get("policyTypes")
    if types:
        return types
    return ["Ingress"] + (["Egress"] if spec.get("egress") else [])


def peer_pods(peer, policy_namespace, pods, namespaces):
    """The pods one NetworkPolicyPeer selects (None for an ipBlock peer)."""
    if "ipBlock" in peer:
        return None
    pod_selector = peer.get("podSelector")
    namespace_selector = peer.get("namespaceSelector")
    if namespace_selector is not None:
        allowed = {name for name, labels in namespaces.items() if selector_matches(namespace_selector, labels)}
    else:
        allowed = {policy_namespace}
    return [
        pod
        for pod in pods
        if pod["metadata"]["namespace"] in allowed
        and (pod_selector is None or selector_matches(pod_selector, pod["metadata"].get("labels")))
    ]


def container_port(pod, name, protocol):
    for container in pod.get("spec", {}).get("containers", []):
        for port in container.get("ports") or []:
            if port.get("name") == name and port.get("protocol", "TCP") == protocol:
                return port["containerPort"]
    return None


def port_matches(rule_ports, destination_pod):
    """The nftables matches for a rule's ports at one destination pod (None: no port applies).

    Returns a list of strings such as "tcp dport 8501", or [""] when every port is allowed.
    """
    if not rule_ports:
        return [""]
    matches = []
    for port in rule_ports:
        protocol = port.get("protocol", "TCP")
        keyword = {"TCP": "tcp", "UDP": "udp", "SCTP": "sctp"}[protocol]
        number = port.get("port")
        if number is None:
            matches.append(f"meta l4proto {keyword}")
            continue
        if isinstance(number, str) and not number.isdigit():
            number = container_port(destination_pod, number, protocol) if destination_pod else None
            if number is None:
                continue
        number = int(number)
        end = port.get("endPort")
        matches.append(f"{keyword} dport {number}-{int(end)}" if end else f"{keyword} dport {number}")
    return matches


def address_set(addresses):
    return "{ " + ", ".join(sorted(addresses)) + " }"


def ip_block_match(block, field):
    match = f"ip {field} {block['cidr']}"
    if block.get("except"):
        match += f" ip {field} != {address_set(block['except'])}"
    return match


# ----- the rules for one node ------------------------------------------------------------


def direction_rules(pod, direction, policies, pods, namespaces):
    """nftables rules (each ending in `return`) that allow connections of one isolated pod.

    direction "ingress": the pod is the destination, peers are sources (ip saddr).
    direction "egress": the pod is the source, peers are destinations (ip daddr).
    """
    peer_field = "saddr" if direction == "ingress" else "daddr"
    key = "from" if direction == "ingress" else "to"
    rules = []
    for policy in policies:
        for rule in policy["spec"].get(direction) or []:
            peers = rule.get(key) or [None]
            for peer in peers:
                if peer is None:
                    targets = [(None, pod if direction == "ingress" else None)]
                elif "ipBlock" in peer:
                    targets = [(ip_block_match(peer["ipBlock"], peer_field), pod if direction == "ingress" else None)]
                else:
                    selected = peer_pods(peer, policy["metadata"]["namespace"], pods, namespaces)
                    if not selected:
                        continue
                    if direction == "ingress":
                        targets = [(f"ip saddr {address_set(pod_ip(p) for p in selected)}", pod)]
                    else:
                        targets = [(f"ip daddr {pod_ip(p)}", p) for p in selected]
                for peer_match, destination in targets:
                    for port_match in port_matches(rule.get("ports"), destination):
                        rules.append(" ".join(part for part in (peer_match, port_match, "return") if part))
    return list(dict.fromkeys(rules))


def ruleset(node_name, pods, namespaces, policies):
    """The nftables script for this node: the table is replaced in one transaction."""
    pods = network_pods(pods)
    local = sorted((pod for pod in pods if pod.get("spec", {}).get("nodeName") == node_name), key=pod_ip)
    forward, chains = [], []
    for pod in local:
        ip = pod_ip(pod)
        namespace = pod["metadata"]["namespace"]
        labels = pod["metadata"].get("labels")
        selecting = [
            policy
            for policy in policies
            if policy["metadata"]["namespace"] == namespace
            and selector_matches(policy["spec"].get("podSelector", {}), labels)
        ]
        for direction, match in (("egress", "saddr"), ("ingress", "daddr")):
            isolating = [policy for policy in selecting if direction.capitalize() in policy_types(policy)]
            if not isolating:
                continue
            chain = f"{direction}-{ip.replace('.', '-')}"
            name = f"{namespace}/{pod['metadata']['name']}"
            forward.append(f"ip {match} {ip} jump {chain}")
            body = direction_rules(pod, direction, isolating, pods, namespaces)
            body.append(f'counter drop comment "{direction} of {name} not allowed"')
            chains.append((chain, body))
    lines = [
        f"table inet {TABLE} {{}}",
        f"delete table inet {TABLE}",
        f"table inet {TABLE} {{",
        "  chain forward {",
        "    type filter hook forward priority filter; policy accept;",
        "    ct state established,related accept",
    ]
    lines += [f"    {rule}" for rule in forward]
    lines.append("  }")
    for chain, body in chains:
        lines.append(f"  chain {chain} {{")
        lines += [f"    {rule}" for rule in body]
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


# ----- the API and the loop --------------------------------------------------------------


def api_get(path):
    host, port = os.environ["KUBERNETES_SERVICE_HOST"], os.environ["KUBERNETES_SERVICE_PORT"]
    with open(f"{SA}/token") as handle:
        token = handle.read().strip()
    context = ssl.create_default_context(cafile=f"{SA}/ca.crt")
    request = urllib.request.Request(f"https://{host}:{port}{path}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, context=context, timeout=10) as answer:
        return json.load(answer)["items"]


def read_cluster():
    pods = api_get("/api/v1/pods")
    namespaces = {
        item["metadata"]["name"]: item["metadata"].get("labels") or {} for item in api_get("/api/v1/namespaces")
    }
    policies = api_get("/apis/networking.k8s.io/v1/networkpolicies")
    return pods, namespaces, policies


def log(message):
    print(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "podnet-policy:", message, flush=True)


def main(argv):
    # PID 1 in its container: without a handler SIGTERM would be ignored until the kill. The
    # rules stay in place when it stops; the next start replaces them.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    node_name = os.environ["NODE_NAME"]
    interval = float(os.environ.get("PODNET_POLICY_INTERVAL", "2"))
    applied = None
    while True:
        try:
            script = ruleset(node_name, *read_cluster())
            if script != applied:
                subprocess.run(["nft", "-f", "-"], input=script, text=True, check=True, capture_output=True)
                applied = script
                log(f"applied {script.count(' jump ')} pod chains")
        except subprocess.CalledProcessError as error:
            log(f"nft refused the rules: {error.stderr.strip()}")
        except Exception as error:  # keep enforcing the last rules; try again
            log(f"could not read the cluster: {error}")
        if "--once" in argv:
            return 0 if applied else 1
        time.sleep(interval)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
