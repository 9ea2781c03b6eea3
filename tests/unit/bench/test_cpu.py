"""bench/cpu.py: which lane and kind a process is counted under, how the sorter moves processes
between the command's cgroups, which counters a read finds, and how they are summed up.

Against fake cgroup trees and a fake /proc; the real ones are read by `bench --steps tests`."""

import os

from bench import cpu

PLAYBOOK = ["/venv/bin/python3", "/venv/bin/ansible-playbook", "site.yml"]
MOLECULE = ["/venv/bin/python3", "/venv/bin/molecule", "test", "-s", "web"]
SITE_LANE = ["/venv/bin/python3", "/venv/bin/pytest", "-q", "tests/site/test_fleet.py", "tests/site/test_migrate.py"]
HARNESS = ["/venv/bin/python3", "-m", "openms_streamlit_k8s", "test"]


def test_a_process_is_counted_as_what_it_runs():
    assert cpu.kind_of(PLAYBOOK) == "ansible"
    assert cpu.kind_of(["/venv/bin/python3", "/root/.ansible/tmp/x/AnsiballZ_k8s.py"]) == "ansible"
    assert cpu.kind_of(["/usr/bin/kubectl", "get", "pods"]) == "kubectl"
    assert cpu.kind_of(["docker", "build", "."]) == "docker"
    assert cpu.kind_of(["/usr/lib/chromium/chromium", "--headless"]) == "browser"
    assert cpu.kind_of(["ssh", "-p", "2222", "old-vm"]) == "ssh"
    assert cpu.kind_of(SITE_LANE) == "python"
    assert cpu.kind_of(["/bin/sh", "-c", "true"]) == "other"


def test_a_process_belongs_to_the_nearest_pytest_or_molecule_run():
    assert cpu.lane_of([PLAYBOOK, MOLECULE, HARNESS]) == "molecule web"
    assert cpu.lane_of([PLAYBOOK, SITE_LANE, HARNESS]) == "pytest site/test_fleet site/test_migrate"
    assert cpu.lane_of([["python3", "-m", "pytest", "-q", "tests/unit"], HARNESS]) == "pytest unit"
    main_site = [
        "/venv/bin/pytest",
        "--ignore",
        "tests/site/test_fleet.py",
        "--deselect",
        "tests/site/x.py",
        "tests/site",
    ]
    assert cpu.lane_of([main_site]) == "pytest site (others beside)"
    assert cpu.lane_of([PLAYBOOK, HARNESS]) == "harness"
    assert cpu.lane_of([]) == "harness"


class FakeProc(cpu.Proc):
    def __init__(self, table):
        self.table = table  # pid: (ppid, args)

    def cmdline(self, pid):
        return self.table.get(pid, (0, []))[1]

    def ppid(self, pid):
        return self.table.get(pid, (0, []))[0]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def read(path):
    with open(path) as f:
        return f.read()


def test_the_sorter_moves_each_process_to_its_lane_and_kind_and_leaves_terminal_kinds_alone(tmp_path):
    root = str(tmp_path)
    proc = FakeProc(
        {
            2: (0, HARNESS),
            3: (2, MOLECULE),
            4: (3, PLAYBOOK),  # still in the harness's root group
            5: (2, SITE_LANE),
            6: (5, PLAYBOOK),  # started by the pytest lane's python: moved to its kind
            7: (6, ["/venv/bin/python3", "/root/.ansible/tmp/AnsiballZ_command.py"]),
            8: (6, ["/bin/sh", "-c", "sleep 1"]),  # in the ansible group: stays
        }
    )
    site = os.path.join(root, "pytest_site_test_fleet_site_test_migrate")
    write(os.path.join(root, "cgroup.procs"), "4\n99\n")
    write(os.path.join(site, "python", "cgroup.procs"), "5\n6\n")
    write(os.path.join(site, "ansible", "cgroup.procs"), "8\n")
    cpu.Sorter(root, proc).sort(skip={99})
    assert read(os.path.join(root, "molecule_web", "ansible", "cgroup.procs")) == "4"
    assert read(os.path.join(site, "ansible", "cgroup.procs")) == "6"  # written by the move
    assert not os.path.exists(os.path.join(site, "other"))  # 8 stays with the ansible-playbook that started it
    assert not os.path.exists(os.path.join(root, "harness"))  # 99 (the profiler) is skipped


def test_a_read_finds_the_command_s_groups_each_container_and_each_pod(tmp_path):
    root, docker = str(tmp_path / "cmd"), str(tmp_path / "docker")
    write(os.path.join(root, "cpuacct.usage"), "3000000000")
    write(os.path.join(root, "molecule_web", "cpuacct.usage"), "2000000000")
    write(os.path.join(root, "molecule_web", "ansible", "cpuacct.usage"), "1500000000")
    slices = os.path.join(docker, "abc0123456789", "kubelet.slice", "kubelet-kubepods.slice")
    write(os.path.join(docker, "abc0123456789", "cpuacct.usage"), "9000000000")
    write(os.path.join(slices, "kubelet-kubepods-burstable.slice", "cpuacct.usage"), "5000000000")
    pod = os.path.join(slices, "kubelet-kubepods-burstable.slice", "kubelet-kubepods-burstable-pod1a_2b.slice")
    write(os.path.join(pod, "cpuacct.usage"), "4000000000")
    write(os.path.join(pod, "cri-containerd-x.scope", "cpuacct.usage"), "3900000000")  # not read: the pod's is
    write(os.path.join(slices, "kubelet-kubepods-podff.slice", "cpuacct.usage"), "1000000000")  # Guaranteed QoS
    found = cpu.counters(root, {"abc0123456789": "openms-worker", "gone": "openms-registry"}, docker_root=docker)
    assert found == {
        "host .": 3.0,
        "host molecule_web": 2.0,
        "host molecule_web/ansible": 1.5,
        "node openms-worker abc012345678": 9.0,
        "pod abc012345678 1a_2b": 4.0,
        "pod abc012345678 ff": 1.0,
    }


def test_static_pods_are_named_through_their_mirror():
    pods = [
        {"metadata": {"uid": "1a-2b", "namespace": "openms"}},
        {"metadata": {"uid": "c-d", "namespace": "kube-system", "annotations": {"kubernetes.io/config.mirror": "e7"}}},
    ]
    assert cpu.pod_namespaces(pods) == {"1a_2b": "openms", "c_d": "kube-system", "e7": "kube-system"}


def test_the_summary_counts_from_the_start_and_splits_pods_from_their_node():
    first = {"node openms-worker n1": 100.0, "pod n1 a": 10.0}
    highest = {
        "host .": 50.0,
        "host molecule_web": 30.0,
        "host molecule_web/ansible": 25.0,
        "host harness/python": 5.0,
        "node openms-worker n1": 160.0,
        "pod n1 a": 30.0,  # 20 during the run
        "pod n1 b": 15.0,  # began during the run
        "pod n1 c": 5.0,  # its namespace never read
        "node openms-worker n2": 4.0,  # the node re-created under the same name
        "pod n2 d": 3.0,
        "machine": 120.0,
    }
    summary = cpu.summarize(highest, first, {"a": "openms", "b": "openms", "d": "openms"})
    assert summary == {
        "machine": 120.0,
        "command: all": 50.0,
        "pods: openms": 38.0,
        "command: molecule_web/ansible": 25.0,
        "container openms-worker, without its pods": 21.0,
        "command: harness/python": 5.0,
        "pods: ended before their namespace was read": 5.0,
    }
    assert list(summary) == sorted(summary, key=lambda k: -summary[k])
