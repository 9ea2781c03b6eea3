"""The command line's reading of ansible-runner's events: phases, counts, seconds, exit codes."""

import datetime
import pathlib

import pytest
import yaml

from openms_streamlit_k8s import playbook

REPO = pathlib.Path(__file__).resolve().parents[3]
T0 = datetime.datetime(2026, 11, 27, 10, 0, 0, tzinfo=datetime.UTC)


class Events:
    """Events shaped as ansible-runner hands them to an event handler (seen in a real run)."""

    def __init__(self):
        self.progress = playbook.Progress()
        self.clock = 0.0

    def send(self, event, at=None, **data):
        if at is not None:
            self.clock = at
        self.progress(
            {"event": event, "created": (T0 + datetime.timedelta(seconds=self.clock)).isoformat(), "event_data": data}
        )

    def task(self, path, name, at, action="ansible.builtin.debug", result="ok", changed=False, role=None, **extra):
        common = {"task": name, "task_path": f"/work/main/{path}", "resolved_action": action, "role": role}
        self.send("playbook_on_task_start", at=at, **common)
        if result == "ok":
            self.send("runner_on_ok", res={"changed": changed}, **common)
        elif result is not None:
            self.send(f"runner_on_{result}", res=extra.pop("res", {"msg": "boom"}), **common, **extra)

    def end(self, at, **stats):
        self.send("playbook_on_stats", at=at, **stats)


def deploy(events):
    events.task("playbooks/tasks/inputs.yml:3", "Check the app's inputs", at=0)
    events.task("collections/ansible_collections/openms/streamlit_k8s/roles/web/tasks/inputs.yml:2", "web inputs", at=1)
    # a file of another role, included while the inputs are checked, is still an input check
    events.task(
        "roles/images/tasks/check.yml:4", "Check that the image exists", at=2, role="openms.streamlit_k8s.images"
    )
    events.task("playbooks/tasks/preflight.yml:2", "Reach the cluster", at=3, action="kubernetes.core.k8s_info")
    events.task("playbooks/tasks/preflight.yml:61", "Apply the app's namespace", at=4, changed=True)
    events.task(
        "", "Validating arguments against arg spec 'main'", at=6, action="ansible.builtin.validate_argument_spec"
    )
    events.task("roles/redis/tasks/main.yml:2", "Apply Redis", at=6.5, changed=True, role="openms.streamlit_k8s.redis")
    events.task(
        "", "Validating arguments against arg spec 'main'", at=10, action="ansible.builtin.validate_argument_spec"
    )
    events.task("roles/web/tasks/main.yml:2", "Check the inputs", at=10.5, role="openms.streamlit_k8s.web")
    # web runs images' check.yml: web's time, not a phase of its own
    events.task(
        "roles/images/tasks/check.yml:4", "Check that the image exists", at=11, role="openms.streamlit_k8s.images"
    )
    events.task("roles/web/tasks/main.yml:14", "Apply the web tier", at=12, changed=True)
    events.task("roles/web/tasks/main.yml:40", "Note the roll-out to wait for", at=14)
    # the wait for every roll-out of the run, after the phases: a phase of its own
    events.task(
        "roles/common/tasks/rollout_wait.yml:5",
        "Wait for the run's roll-outs",
        at=15,
        role="openms.streamlit_k8s.common",
    )


def test_each_task_counts_to_the_phase_that_runs_it():
    events = Events()
    deploy(events)
    events.end(at=20, changed={"localhost": 3}, ok={"localhost": 12})
    progress = events.progress
    assert list(progress.phases) == ["inputs", "preflight", "redis", "web", "rollouts"]
    counts = {name: (p.tasks, p.changed, p.seconds) for name, p in progress.phases.items()}
    # inputs: 0-3, and both argument-spec validations (6-6.5, 10-10.5)
    assert counts == {
        "inputs": (5, 0, 4.0),
        "preflight": (2, 1, 3.0),
        "redis": (1, 1, 3.5),
        "web": (4, 1, 4.5),
        "rollouts": (1, 0, 5.0),
    }
    assert progress.changed == 3
    assert progress.exit_code(0) == playbook.EXIT_OK


def test_a_role_outside_site_yml_is_a_phase_of_its_own():
    events = Events()
    events.task(
        "roles/kind_cluster/tasks/main.yml:2", "Check the inputs", at=0, role="openms.streamlit_k8s.kind_cluster"
    )
    events.task("roles/kind_cluster/tasks/images.yml:8", "Build the images", at=1, changed=True)
    events.end(at=5)
    assert [(p.name, p.tasks, p.changed, p.seconds) for p in events.progress.phases.values()] == [
        ("kind_cluster", 2, 1, 5.0)
    ]


def test_progress_lines_name_phase_task_and_elapsed_time():
    lines = []
    events = Events()
    events.progress.echo = lines.append
    deploy(events)
    assert lines[0] == "[    0.0 s] inputs: Check the app's inputs"
    assert "[   12.0 s] web: changed: Apply the web tier" in lines
    assert "[    6.5 s] redis: Apply Redis" in lines


@pytest.mark.parametrize(
    "path,name,action,expected",
    [
        ("playbooks/tasks/inputs.yml:3", "Check the app's inputs", "ansible.builtin.assert", playbook.EXIT_BAD_INPUT),
        (
            "roles/worker/tasks/inputs.yml:9",
            "Check the worker inputs",
            "ansible.builtin.assert",
            playbook.EXIT_BAD_INPUT,
        ),
        ("", "Validating arguments against arg spec 'main'", "ansible.builtin.validate_argument_spec", 2),
        ("playbooks/tasks/preflight.yml:9", "Stop when the cluster does not answer", "ansible.builtin.assert", 3),
        ("playbooks/tasks/preflight.yml:28", "Stop below the oldest Kubernetes", "ansible.builtin.assert", 1),
        ("roles/web/tasks/main.yml:14", "Apply the web tier", "kubernetes.core.k8s", playbook.EXIT_FAILED),
    ],
)
def test_the_exit_code_says_why_the_run_stopped(path, name, action, expected):
    events = Events()
    events.task("playbooks/tasks/inputs.yml:3", "Check the app's inputs", at=0)
    events.task(path, name, at=1, action=action, result="failed")
    events.end(at=2, failures={"localhost": 1})
    assert events.progress.exit_code(2) == expected
    assert events.progress.failures[-1].message == "boom"


def test_a_rescued_failure_does_not_decide_the_exit_code():
    events = Events()
    deploy(events)
    events.task("roles/validate/tasks/main.yml:5", "validate", at=16, role="openms.streamlit_k8s.validate")
    events.task("roles/validate/tasks/check_sticky.yml:5", "a check fails", at=17, result="failed")
    events.task("roles/validate/tasks/main.yml:40", "Report", at=18)
    events.end(at=19, rescued={"localhost": 1})
    assert events.progress.exit_code(0) == playbook.EXIT_OK
    # the same failure, then the run fails at its end (the report's "a check failed")
    events.task("roles/validate/tasks/main.yml:50", "Fail when a check failed", at=20, result="failed")
    assert events.progress.exit_code(2) == playbook.EXIT_FAILED
    assert events.progress.phases["validate"].failed == 2


def test_an_ignored_failure_is_not_a_failure():
    events = Events()
    events.task("playbooks/tasks/inputs.yml:3", "x", at=0, result="failed", ignore_errors=True)
    events.end(at=1)
    assert events.progress.failures == [] and events.progress.phases["inputs"].failed == 0


def test_an_unreachable_host_and_a_run_without_any_failed_task():
    events = Events()
    events.task("playbooks/tasks/preflight.yml:2", "Reach the cluster", at=0, result="unreachable")
    events.end(at=1, dark={"localhost": 1})
    assert events.progress.exit_code(4) == playbook.EXIT_UNREACHABLE
    # a syntax error or a bad option: ansible-playbook stops before any task
    assert playbook.Progress().exit_code(4) == playbook.EXIT_ERROR


def test_the_message_of_a_failed_loop_is_its_first_failed_item():
    result = {"results": [{"failed": False, "msg": "fine"}, {"failed": True, "msg": "item\n  two   failed"}]}
    assert playbook._message(result) == "item two failed"


def test_the_table_has_a_row_per_phase_and_a_total():
    events = Events()
    deploy(events)
    events.end(at=20, changed={"localhost": 4})
    result = playbook.Result("site.yml", 0, 0, 4, 21.3, list(events.progress.phases.values()), None, "", "log")
    lines = playbook.table(result).splitlines()
    assert lines[0].split() == ["phase", "tasks", "changed", "seconds"]
    assert lines[2].split() == ["inputs", "5", "0", "4.0"]
    assert lines[-1].split() == ["total", "13", "4", "21.3"]


def test_the_summary_of_a_failed_run_says_why_and_where_the_output_is():
    events = Events()
    deploy(events)
    events.end(at=20)
    phases = list(events.progress.phases.values())
    ok = playbook.Result("site.yml", 0, playbook.EXIT_OK, 0, 20.0, phases, None, "all output", "/runs/1")
    assert playbook.summary(ok) == playbook.table(ok)
    failure = playbook.Failure("web", "Apply the web tier", "boom", "failed")
    failed = playbook.Result("site.yml", 2, playbook.EXIT_FAILED, None, 20.0, phases, failure, "x" * 5000, "/runs/2")
    lines = playbook.summary(failed).splitlines()
    assert lines[-3:] == ["FAILED (failed) in web: Apply the web tier", "  boom", "Ansible's output: /runs/2"]
    # without a failed task (a syntax error) the end of Ansible's own output instead
    broken = playbook.Result("site.yml", 4, playbook.EXIT_ERROR, None, 0.0, [], None, "y" * 5000, "/runs/3")
    assert playbook.summary(broken, output_tail=100).splitlines()[-2:] == ["y" * 100, "Ansible's output: /runs/3"]


def test_the_names_it_relies_on_are_those_of_the_playbooks():
    # each phase is a role of site.yml tagged with its own name (what --tags selects)
    site = yaml.safe_load((REPO / "playbooks/site.yml").read_text())[0]
    assert playbook.phases() == tuple(tag for role in site["roles"] for tag in role["tags"])
    assert len(playbook.phases()) == len(site["roles"])
    preflight = [task["name"] for task in yaml.safe_load((REPO / "playbooks/tasks/preflight.yml").read_text())]
    assert set(playbook.UNREACHABLE_TASKS) <= set(preflight)


def test_a_real_run_through_ansible_runner(tmp_path):
    """The events of a real ansible-runner run are read as the fakes above are: a role named as a
    phase changes something, then its inputs.yml fails (bad input)."""
    tasks = tmp_path / "roles" / "web" / "tasks"
    tasks.mkdir(parents=True)
    (tasks / "main.yml").write_text(
        "- name: Change something\n  ansible.builtin.command: 'true'\n"
        "- name: Check the inputs\n  ansible.builtin.include_tasks: inputs.yml\n"
    )
    (tasks / "inputs.yml").write_text(
        "- name: Refuse the input\n  ansible.builtin.fail:\n    msg: demo_size=-1 is not allowed\n"
    )
    (tmp_path / "play.yml").write_text("- hosts: localhost\n  gather_facts: false\n  roles: [web]\n")
    result = playbook.run(
        str(tmp_path / "play.yml"), inventory="localhost,", env={"ANSIBLE_ROLES_PATH": str(tmp_path / "roles")}
    )
    assert (result.exit_code, result.rc) == (playbook.EXIT_BAD_INPUT, 2), result.output
    assert result.failure.message == "demo_size=-1 is not allowed"
    assert [(p.name, p.tasks, p.changed, p.failed) for p in result.phases] == [("web", 2, 1, 0), ("inputs", 1, 0, 1)]
    assert result.changed == 1
    assert "fatal: [localhost]: FAILED!" in result.output and "\x1b[" not in result.output


def test_a_failure_names_the_app_of_a_fleet_it_failed_for():
    lines = []
    events = Events()
    events.progress.echo = lines.append
    events.task("roles/web/tasks/main.yml:14", "Apply the web tier", at=1, result="failed", host="fleet-b")
    events.end(at=2, failures={"fleet-b": 1})
    (failure,) = events.progress.failures
    assert failure.host == "fleet-b"
    assert lines[-1] == "[    0.0 s] web: FAILED: Apply the web tier [fleet-b]: boom"
    result = playbook.Result("site.yml", 2, playbook.EXIT_FAILED, None, 2.0, [], failure, "", "/runs/4")
    assert "FAILED (failed) in web: Apply the web tier [fleet-b]" in playbook.summary(result).splitlines()
