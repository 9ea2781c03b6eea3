"""Where a command's CPU time goes, and the cluster's beside it (cgroup v1, the cpuacct controller).

The command's processes are put into cgroups <root>/<lane>/<kind>: the lane is the pytest or
Molecule run a process belongs to (read from its ancestors' command lines), the kind is what the
process is (ansible, kubectl, docker, browser, ssh, python, other). A process started as python that then
runs ansible-playbook is moved to its kind when it is seen; what it starts stays there. The kind
nodes' containers are read beside it: each pod by namespace (static pods through their mirror's
annotation) and the rest of each node (kubelet, containerd, image pulls); the whole machine from
/proc/stat. Counters are read every second and the highest value of each kept, so a pod or group
that ends between two reads loses at most a second.

Written here because no packaged tool splits one process tree by its ancestors' commands: pidstat
and top see processes (and lose the children that end between samples), docker stats sees
containers, cgexec (cgroup-tools) starts a command in a cgroup but does not sort what it starts.
"""

import os
import subprocess
import time

CPUACCT = "/sys/fs/cgroup/cpuacct"
DOCKER_GROUPS = os.path.join(CPUACCT, "docker")  # each container's group, named by its ID
TERMINAL = ("ansible", "kubectl", "docker", "browser", "ssh")  # what these start is theirs


def kind_of(args):
    """What a process is, from its command line."""
    head = " ".join(args[:3])
    program = os.path.basename(args[0]) if args else ""
    if "ansible" in head:
        return "ansible"
    if program == "kubectl" or "/kubectl" in head:
        return "kubectl"
    if program in ("docker", "kind", "docker-buildx", "dockerd", "containerd"):
        return "docker"
    if "chrom" in head:
        return "browser"
    if program in ("ssh", "sshd", "scp"):
        return "ssh"
    return "python" if program.startswith("python") or "python" in head else "other"


def lane_of(chain):
    """The run a process belongs to: chain is the command lines of the process and its ancestors,
    nearest first. A Molecule scenario, a pytest run (by its test paths), or the harness itself."""
    for args in chain:
        if any(os.path.basename(a) == "molecule" for a in args[:2]) and "-s" in args[:-1]:
            return "molecule " + args[args.index("-s") + 1]
        if any(os.path.basename(a) in ("pytest", "py.test") for a in args[:2]) or args[1:3] == ["-m", "pytest"]:
            ignored = {b for a, b in zip(args, args[1:], strict=False) if a in ("--ignore", "--deselect")}
            paths = [a.removeprefix("tests/") for a in args if a.startswith("tests/") and a not in ignored]
            label = " ".join(os.path.splitext(p)[0] for p in paths) if paths else "(no paths)"
            return "pytest " + label + (" (others beside)" if ignored else "")
    return "harness"


class Proc:
    """/proc, as read by the sorter (a fake in the unit tests)."""

    def cmdline(self, pid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                return [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
        except OSError:
            return []

    def ppid(self, pid):
        try:
            with open(f"/proc/{pid}/stat") as f:
                return int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            return 0

    def chain(self, pid, limit=64):
        found = []
        while pid > 1 and len(found) < limit:
            found.append(self.cmdline(pid))
            pid = self.ppid(pid)
        return found


def _dir_name(text):
    return text.replace("/", "_").replace(" ", "_")[:100] or "_"


class Sorter:
    """Keeps the command's processes in <root>/<lane>/<kind>."""

    def __init__(self, root, proc=None):
        self.root, self.proc = root, proc or Proc()

    def procs(self, group):
        try:
            with open(os.path.join(group, "cgroup.procs")) as f:
                return [int(p) for p in f.read().split()]
        except OSError:
            return []

    def move(self, pid, lane, kind):
        group = os.path.join(self.root, _dir_name(lane), kind)
        os.makedirs(group, exist_ok=True)
        try:
            with open(os.path.join(group, "cgroup.procs"), "w") as f:
                f.write(str(pid))
        except OSError:  # it ended
            pass

    def sort(self, skip=()):
        """One pass: processes not yet in a terminal kind are put where their lane and kind say."""
        unsorted = [self.root]
        for lane in sorted(os.listdir(self.root)):
            lane_dir = os.path.join(self.root, lane)
            if not os.path.isdir(lane_dir):
                continue
            unsorted.append(lane_dir)
            unsorted += [os.path.join(lane_dir, k) for k in sorted(os.listdir(lane_dir)) if k not in TERMINAL]
        for group in unsorted:
            for pid in self.procs(group):
                if pid in skip:
                    continue
                chain = self.proc.chain(pid)  # the process's own command line first
                lane, kind = lane_of(chain), kind_of(chain[0] if chain else [])
                if group != os.path.join(self.root, _dir_name(lane), kind):
                    self.move(pid, lane, kind)


def read_usage(group):
    """Seconds of CPU a cgroup (and everything under it) has used, None when it is gone."""
    try:
        with open(os.path.join(group, "cpuacct.usage")) as f:
            return int(f.read()) / 1e9
    except (OSError, ValueError):
        return None


def counters(root, nodes, docker_root=DOCKER_GROUPS):
    """Every counter of one read: the command's groups ("host <lane>/<kind>"), each container
    ("node <name> <id>": the kind nodes, the registry; a re-created node has a new id) and each
    pod on a node ("pod <node id> <uid>"). nodes maps container id to name."""
    found = {}
    for dirpath, _dirs, _files in os.walk(root):
        value = read_usage(dirpath)
        if value is not None:
            found["host " + (os.path.relpath(dirpath, root) if dirpath != root else ".")] = value
    for cid, name in nodes.items():
        node = os.path.join(docker_root, cid)
        value = read_usage(node)
        if value is None:
            continue
        found[f"node {name} {cid[:12]}"] = value
        for dirpath, dirs, _files in os.walk(os.path.join(node, "kubelet.slice", "kubelet-kubepods.slice")):
            leaf = os.path.basename(dirpath)
            if "-pod" in leaf and leaf.endswith(".slice"):  # the systemd driver's kubelet-kubepods[-qos]-pod<uid>.slice
                value = read_usage(dirpath)
                if value is not None:
                    found[f"pod {cid[:12]} {leaf.rsplit('-pod', 1)[1][: -len('.slice')]}"] = value
                dirs[:] = []
    return found


def pod_namespaces(pods):
    """uid (as the cgroup names it, "_" for "-") to namespace, from a pod list; a static pod's
    cgroup carries the uid its mirror pod names in the kubernetes.io/config.mirror annotation."""
    found = {}
    for pod in pods:
        meta = pod["metadata"]
        for uid in (meta["uid"], meta.get("annotations", {}).get("kubernetes.io/config.mirror")):
            if uid:
                found[uid.replace("-", "_")] = meta["namespace"]
    return found


def summarize(highest, first, namespaces):
    """CPU seconds by where they went: each lane's kinds, the pods by namespace, each node's own
    processes, and the machine as a whole; first holds the counters' values when the run began
    (a counter not there then began at 0)."""
    used = {key: value - first.get(key, 0.0) for key, value in highest.items()}
    summary, pods_on = {}, {}
    for key, value in used.items():
        what, _, rest = key.partition(" ")
        if what == "host" and rest.count("/") == 1:
            summary[f"command: {rest}"] = value
        elif what == "pod":
            node, uid = rest.split(" ", 1)  # node: the container's id
            label = f"pods: {namespaces.get(uid, 'ended before their namespace was read')}"
            summary[label] = summary.get(label, 0.0) + value
            pods_on[node] = pods_on.get(node, 0.0) + value
    for key, value in used.items():
        if key.startswith("node "):
            name, cid = key[len("node ") :].rsplit(" ", 1)
            label = f"container {name}, without its pods"
            summary[label] = summary.get(label, 0.0) + value - pods_on.get(cid, 0.0)
    summary["command: all"] = used.get("host .", 0.0)
    summary["machine"] = used.get("machine", 0.0)
    return {key: round(value, 1) for key, value in sorted(summary.items(), key=lambda kv: -kv[1])}


def machine_busy():
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait


def containers():
    """Docker's running containers, ID to name (the kind nodes, the registry, any other)."""
    listed = subprocess.run(
        ["docker", "ps", "--no-trunc", "--format", "{{.ID}} {{.Names}}"], capture_output=True, text=True, check=False
    )
    return dict(line.split(" ", 1) for line in listed.stdout.splitlines() if " " in line)


def profile(command, pods=list, name="streamlit-k8s-bench", cwd=None):
    """Run command in its own cpuacct group and return (exit code, seconds, CPU seconds by where);
    pods() lists the cluster's pods ([] while there is no cluster). Counters are read every second,
    the containers and pods listed every 5 s (kept cheap: the profile runs on the measured CPUs)."""
    if not os.path.isdir(CPUACCT):
        raise RuntimeError(f"the CPU profile needs cgroup v1's cpuacct controller at {CPUACCT}")
    root = os.path.join(CPUACCT, name)
    if os.path.isdir(root):
        raise RuntimeError(f"{root} exists: another profile runs, or remove what an earlier one left")
    os.makedirs(root)
    sorter = Sorter(root)

    def enter():
        with open(os.path.join(root, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))

    highest, first, namespaces, nodes = {}, None, {}, containers()
    started, busy_at_start, last_names = time.monotonic(), machine_busy(), time.monotonic()
    child = subprocess.Popen(command, preexec_fn=enter, cwd=cwd)
    try:
        while True:
            ended = child.poll() is not None
            sorter.sort(skip={os.getpid()})
            now = counters(root, nodes)
            now["machine"] = machine_busy() - busy_at_start
            for key, value in now.items():
                highest[key] = max(highest.get(key, value), value)
            if first is None:
                first = {k: v for k, v in now.items() if not k.startswith("host ") and k != "machine"}
            if time.monotonic() - last_names > 5:
                last_names, nodes = time.monotonic(), containers()  # a container's counter starts at 0
                namespaces.update(pod_namespaces(pods()))
            if ended:
                break
            time.sleep(1)
    finally:
        if child.poll() is None:
            child.kill()
        _remove_groups(root)
    return child.returncode, round(time.monotonic() - started), summarize(highest, first or {}, namespaces)


def _remove_groups(root):
    for dirpath, _dirs, _files in sorted(os.walk(root), key=lambda w: -w[0].count("/")):
        try:
            os.rmdir(dirpath)
        except OSError:  # a process still in it (it outlived the command): left for the kernel
            pass
