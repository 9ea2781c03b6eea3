"""A playbook of the collection run through ansible-runner: progress per phase from its events,
a summary per phase, and an exit code a script can trust."""

import contextlib
import dataclasses
import datetime
import fcntl
import functools
import os
import re
import shlex
import shutil
import sys
import tempfile
import time

from . import paths

# Exit codes of every command that runs a playbook
EXIT_OK = 0
EXIT_FAILED = 1  # a task failed
EXIT_BAD_INPUT = 2  # an input check stopped the run before its first change
EXIT_UNREACHABLE = 3  # the cluster (or a host) did not answer
EXIT_ERROR = 4  # ansible-playbook itself stopped: a syntax error, a bad option, no such playbook
EXIT_INTERRUPTED = 130

# Tasks before the first phase: every input checked (playbooks/tasks/inputs.yml and each role's
# tasks/inputs.yml, or a role's argument specs), then the cluster and the namespace (preflight.yml)
INPUTS, PREFLIGHT = "inputs", "preflight"
# The wait for the run's roll-outs (role common's rollout_wait.yml), after the phases that started them
ROLLOUTS = "rollouts"
# The preflight task that fails when the cluster does not answer
UNREACHABLE_TASKS = ("Stop when the cluster does not answer",)


@functools.cache
def phases():
    """The phases: the roles of playbooks/site.yml, in order (each tagged with its name)."""
    import yaml

    plays = yaml.safe_load((paths.repo() / "playbooks" / "site.yml").read_text())
    return tuple(entry["role"].rsplit(".", 1)[-1] for entry in plays[0]["roles"])


_ROLE_TASK = re.compile(r"/roles/(?P<role>[^/]+)/tasks/(?P<file>[^:]+):\d+$")
_PLAYBOOK_TASK = re.compile(r"/playbooks/tasks/(?P<file>[^:]+):\d+$")


@dataclasses.dataclass
class Phase:
    name: str
    tasks: int = 0
    changed: int = 0
    failed: int = 0
    seconds_sum: float = 0.0

    @property
    def seconds(self):
        return round(self.seconds_sum, 1)


@dataclasses.dataclass
class Failure:
    phase: str
    task: str
    message: str
    kind: str  # "failed", "bad_input" or "unreachable"
    host: str = ""  # the app (inventory host) it failed for


def _timestamp(event):
    created = event.get("created")
    if created:
        return datetime.datetime.fromisoformat(created).timestamp()
    return time.time()


def _for(host):
    """Which app a line is about, for the apps of an inventory (the local inventory's one too)."""
    return f" [{host}]" if host else ""


def _message(result):
    """The line a failed task's result is best summed up by."""
    if not isinstance(result, dict):
        return str(result)
    for key in ("msg", "message", "stderr", "reason"):
        if result.get(key):
            return " ".join(str(result[key]).split())
    failed_items = [item for item in result.get("results", []) if isinstance(item, dict) and item.get("failed")]
    if failed_items:
        return _message(failed_items[0])
    return "failed (no message)"


class Progress:
    """Follows ansible-runner's events: the phase each task belongs to, per-phase counts and
    seconds, failures.

    Input checks (playbooks/tasks/inputs.yml, a role's tasks/inputs.yml, a role's argument specs)
    count to `inputs`, the cluster and namespace checks (playbooks/tasks/*) to `preflight`. A phase
    (a role: site.yml's phases, kind_cluster) starts with the first task of its tasks/main.yml; the
    wait for the run's roll-outs (common's rollout_wait.yml) counts to `rollouts`; a task of any
    other file or role (images' check.yml run by web) counts to the phase that runs it. A phase's
    seconds are
    the sum of its tasks' times, from each task's start to the next one's.
    """

    def __init__(self, echo=None):
        self.echo = echo
        self.phases = {}
        self.failures = []
        self.stats = None
        self.started = None
        self._current = INPUTS
        self._open = None  # (phase, task, when it started)
        self.task_seconds = []  # (phase, task, seconds), in the order they ran

    def phase_of(self, event_data):
        path = event_data.get("task_path") or ""
        action = event_data.get("resolved_action") or event_data.get("task_action") or ""
        role_task = _ROLE_TASK.search(path)
        playbook_task = _PLAYBOOK_TASK.search(path)
        if action.endswith("validate_argument_spec"):
            return INPUTS
        if (role_task and role_task["file"] == "inputs.yml") or (
            playbook_task and playbook_task["file"] == "inputs.yml"
        ):
            return INPUTS
        if playbook_task:
            return PREFLIGHT
        if role_task and role_task["file"] == "main.yml":
            return role_task["role"]
        if role_task and role_task["file"] == "rollout_wait.yml":
            return ROLLOUTS
        return self._current

    def _phase(self, name):
        if name not in self.phases:
            self.phases[name] = Phase(name)
        return self.phases[name]

    def _close(self, at):
        """The open task's time goes to its phase."""
        if self._open is not None:
            phase, task, since = self._open
            self.phases[phase].seconds_sum += max(0.0, at - since)
            self.task_seconds.append((phase, task, round(max(0.0, at - since), 2)))
            self._open = None

    def _say(self, at, line):
        if self.echo:
            self.echo(f"[{at - self.started:7.1f} s] {line}")

    def __call__(self, event):
        at = _timestamp(event)
        if self.started is None:
            self.started = at
        kind = event.get("event", "")
        data = event.get("event_data") or {}
        if kind == "playbook_on_task_start":
            self._close(at)
            name = self.phase_of(data)
            if name not in (INPUTS, PREFLIGHT) or self._current in (INPUTS, PREFLIGHT):
                self._current = name
            phase = self._phase(name)
            phase.tasks += 1
            self._open = (name, data.get("task", ""), at)
            self._say(at, f"{name}: {data.get('task', '')}")
        elif kind in ("runner_on_ok", "runner_on_failed", "runner_on_unreachable"):
            name = self._open[0] if self._open else self.phase_of(data)
            phase = self._phase(name)
            result = data.get("res") or {}
            if kind == "runner_on_ok" and result.get("changed"):
                phase.changed += 1
                self._say(at, f"{name}: changed: {data.get('task', '')}")
            elif kind == "runner_on_failed" and not data.get("ignore_errors"):
                phase.failed += 1
                self._fail(name, data, result, at)
            elif kind == "runner_on_unreachable":
                phase.failed += 1
                self._fail(name, data, result, at, unreachable=True)
        elif kind == "playbook_on_stats":
            self._close(at)
            self.stats = {
                key: data.get(key) or {} for key in ("ok", "changed", "failures", "dark", "rescued", "ignored")
            }
        return True

    def _fail(self, phase, data, result, at, unreachable=False):
        task = data.get("task", "")
        if unreachable or task in UNREACHABLE_TASKS:
            kind = "unreachable"
        elif phase == INPUTS:
            kind = "bad_input"
        else:
            kind = "failed"
        failure = Failure(phase, task, _message(result), kind, data.get("host") or "")
        self.failures.append(failure)
        self._say(at, f"{phase}: FAILED: {task}{_for(failure.host)}: {failure.message}")

    @property
    def changed(self):
        """Tasks that changed something, from the play's recap (the sum over hosts)."""
        if self.stats is not None:
            return sum(self.stats["changed"].values())
        return None

    def exit_code(self, rc):
        """What the run's end means, from ansible-playbook's exit code and the decisive failure.

        A failure that a block rescued does not decide: the last failure before a non-zero end does.
        """
        if rc == 0:
            return EXIT_OK
        if self.stats and self.stats["dark"]:
            return EXIT_UNREACHABLE
        if self.failures:
            return {"unreachable": EXIT_UNREACHABLE, "bad_input": EXIT_BAD_INPUT}.get(
                self.failures[-1].kind, EXIT_FAILED
            )
        return EXIT_ERROR


@dataclasses.dataclass
class Result:
    playbook: str
    rc: int  # ansible-playbook's own exit code
    exit_code: int
    changed: int | None
    seconds: float
    phases: list
    failure: Failure | None
    output: str
    log: str
    tasks: list = dataclasses.field(default_factory=list)  # (phase, task, seconds)

    def slowest(self, count=10):
        """The tasks that took longest, for a profile of the run."""
        return sorted(self.tasks, key=lambda task: -task[2])[:count]

    def as_dict(self):
        return {
            "playbook": self.playbook,
            "exit_code": self.exit_code,
            "ansible_rc": self.rc,
            "changed": self.changed,
            "seconds": self.seconds,
            "phases": [
                {"name": p.name, "tasks": p.tasks, "changed": p.changed, "failed": p.failed, "seconds": p.seconds}
                for p in self.phases
            ],
            "failure": dataclasses.asdict(self.failure) if self.failure else None,
            "slowest_tasks": [{"phase": p, "task": t, "seconds": s} for p, t, s in self.slowest()],
            "log": self.log,
        }


IN_USE = ".in-use"  # a run holds an exclusive lock on this file in its directory while it runs


def _in_use(directory):
    try:
        with open(os.path.join(directory, IN_USE), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    return False


@contextlib.contextmanager
def _run_directory(name):
    """A private directory for one run's artifacts (its output, events), locked while the run
    lasts; the oldest beyond the last KEPT_RUNS are removed unless another run still uses them
    (the test command runs playbooks from two processes, and a long run is among the oldest)."""
    runs = paths.cache_home() / "runs"
    runs.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(runs, 0o700)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    private = tempfile.mkdtemp(prefix=f"{stamp}-{re.sub(r'[^a-z0-9]+', '-', name.lower())}-", dir=runs)
    with open(os.path.join(private, IN_USE), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        kept = sorted(runs.iterdir(), key=lambda p: p.stat().st_mtime)
        for old in kept[: max(0, len(kept) - paths.KEPT_RUNS)]:
            if not _in_use(old):
                shutil.rmtree(old, ignore_errors=True)
        yield private


def run(
    playbook="site.yml", inventory="inventories/local", args=(), env=None, echo=None, stream=False, extra_handler=None
):
    """Run a playbook of the checkout; returns a Result. `args` are ansible-playbook's options
    (--tags, -e, --check, --diff); `echo` gets the progress lines; `stream` prints Ansible's own
    output as it comes; `extra_handler` sees every event after the progress."""
    root = paths.repo()
    with _run_directory(pathlib_name(playbook)) as private:
        return _run(private, root, playbook, inventory, args, env, echo, stream, extra_handler)


def _run(private, root, playbook, inventory, args, env, echo, stream, extra_handler):
    import ansible_runner

    progress = Progress(echo=echo)
    # Ansible runs in a pseudo-terminal under ansible-runner: no colour codes in the output
    envvars = {"ANSIBLE_CONFIG": str(root / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1", **(env or {})}
    inventory = str(inventory)
    if "," not in inventory and not os.path.isabs(inventory):
        inventory = str(root / inventory)
    started = time.monotonic()
    runner = ansible_runner.run(
        private_data_dir=private,
        project_dir=str(root),
        playbook=playbook,
        inventory=inventory,
        cmdline=shlex.join(str(arg) for arg in args),
        envvars=envvars,
        suppress_env_files=True,  # the environment may hold secrets (de.NBI inventory)
        quiet=not stream,
        event_handler=progress if extra_handler is None else (lambda event: progress(event) and extra_handler(event)),
    )
    seconds = round(time.monotonic() - started, 1)
    output = runner.stdout.read() if runner.stdout else ""
    stderr = runner.stderr.read() if runner.stderr else ""
    rc = runner.rc if runner.rc is not None else EXIT_ERROR
    exit_code = progress.exit_code(rc)
    if runner.status == "canceled":
        exit_code = EXIT_INTERRUPTED
    return Result(
        playbook=playbook,
        rc=rc,
        exit_code=exit_code,
        changed=progress.changed,
        seconds=seconds,
        phases=list(progress.phases.values()),
        failure=progress.failures[-1] if exit_code not in (EXIT_OK, EXIT_ERROR) and progress.failures else None,
        output=output + stderr,
        log=os.path.join(runner.config.artifact_dir, "stdout"),
        tasks=progress.task_seconds,
    )


def pathlib_name(playbook):
    return os.path.splitext(os.path.basename(playbook))[0]


def table(result):
    """The summary a person reads after a run: one row per phase, then the total."""
    rows = [("phase", "tasks", "changed", "seconds")]
    rows += [(p.name, str(p.tasks), str(p.changed), f"{p.seconds:.1f}") for p in result.phases]
    rows.append(("total", str(sum(p.tasks for p in result.phases)), str(result.changed), f"{result.seconds:.1f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells))
        if index == 0 or index == len(rows) - 2:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def summary(result, output_tail=3000):
    """The table, and for a failed run why it failed and where Ansible's whole output is."""
    lines = [table(result)]
    if result.exit_code != EXIT_OK:
        if result.failure:
            failure = result.failure
            lines.append(f"FAILED ({failure.kind}) in {failure.phase}: {failure.task}{_for(failure.host)}")
            lines.append(f"  {result.failure.message}")
        else:
            lines.append(result.output[-output_tail:])
        lines.append(f"Ansible's output: {result.log}")
    return "\n".join(lines)


def echo_stderr(line):
    print(line, file=sys.stderr, flush=True)
