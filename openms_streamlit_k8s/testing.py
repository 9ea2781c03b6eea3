"""`streamlit-k8s test`: lint, unit tests, the collection, the cluster, the stack, and every test
against them; slow independent stages run beside the foreground ones."""

import glob
import os
import subprocess
import sys
import tempfile
import threading
import time

from . import collection, paths, playbook, shell

# Molecule scenarios in three lanes at once (each scenario has its own namespace): the worker
# scenarios and app_image, the validate and ingress scenarios (they mostly wait: on long jobs,
# drills, roll-outs), and all the others.
SLOW_LANE = ("worker", "app_image")
CHECKS_LANE = ("validate", "ingress")
# Site tests that neither see nor change the `openms` app (apps of their own, or runs for an app
# that must never get deployed): two processes beside the others, which run in their order (some
# change `openms` and put it back). They mostly wait (Jobs, roll-outs, a stand-in's delays). The
# migration goes into the fleet: one process, the fleet's pods up from its deployment to its end.
OWN_APP_LANES = (
    ("tests/site/test_workspaces_owner.py", "tests/site/test_denbi_manila.py", "tests/site/test_bad_input.py"),
    ("tests/site/test_fleet.py", "tests/site/test_migrate.py"),
)


def _self(*args):
    return [sys.executable, "-m", "openms_streamlit_k8s", *args]


def lint():
    root = paths.repo()
    shell.stage("lint")
    for command in (["ruff", "check", "."], ["ruff", "format", "--check", "."], ["yamllint", "--strict", "."]):
        shell.run(command, cwd=root)
    shell.run(["ansible-lint"], cwd=root)


def checks():
    """What needs no cluster: lint, unit tests, the collection, the Manila module tests (their own
    stand-in servers)."""
    root = paths.repo()
    lint()
    shell.stage("unit tests")
    shell.run(["pytest", "-q", "tests/unit"], cwd=root)
    shell.stage("collection: build")
    collection.check_all()
    shell.stage("Manila module tests (stand-in servers)")
    shell.run(["pytest", "-q", "-n", "3", "tests/integration/test_manila_modules.py"], cwd=root)
    shell.stage("")


def lanes(scenarios):
    slow = [s for s in scenarios if s.startswith(SLOW_LANE)]
    checks_lane = [s for s in scenarios if s in CHECKS_LANE]
    rest = [s for s in scenarios if s not in slow and s not in checks_lane]
    return [lane for lane in (rest, slow, checks_lane) if lane]


def molecule_all():
    """Every Molecule scenario; a lane runs its scenarios in turn and stops at its first failure.
    The summary counts the scenarios that ran and how each ended, not the scenarios found."""
    root = paths.repo()
    scenarios = sorted(os.path.basename(os.path.dirname(p)) for p in glob.glob(str(root / "molecule/*/molecule.yml")))
    results = {}
    logs = []

    def lane(names, log):
        for name in names:
            print(f"-- molecule test -s {name}", file=log, flush=True)
            started = time.monotonic()
            done = subprocess.run(["molecule", "test", "-s", name], cwd=root, stdout=log, stderr=subprocess.STDOUT)
            results[name] = ("passed" if done.returncode == 0 else "failed", round(time.monotonic() - started))
            if done.returncode != 0:
                print(f"molecule: scenario {name} FAILED", file=log, flush=True)
                return

    threads = []
    for names in lanes(scenarios):
        log = tempfile.TemporaryFile(mode="w+")
        logs.append((names, log))
        threads.append(threading.Thread(target=lane, args=(names, log)))
        threads[-1].start()
    for thread in threads:
        thread.join()
    for names, log in logs:
        print(f"== molecule lane: {' '.join(names)}")
        log.seek(0)
        sys.stdout.write(log.read())
        log.close()
    passed = sorted(name for name, (end, _) in results.items() if end == "passed")
    failed = sorted(name for name, (end, _) in results.items() if end == "failed")
    for name, (end, seconds) in sorted(results.items()):
        print(f"   {end} {name} ({seconds} s)")
    print(
        f"molecule: {len(passed)} passed, {len(failed)} failed, "
        f"{len(scenarios) - len(passed) - len(failed)} not run (of {len(scenarios)} scenarios)",
        flush=True,
    )
    if len(passed) != len(scenarios):
        raise shell.Failed("molecule: not every scenario passed (see above)")


def run_playbook(name, playbook_path, *args, inventory="inventories/local"):
    """A playbook as a stage: progress lines, the summary; Ansible's output when it failed."""
    shell.stage(name)
    result = playbook.run(playbook_path, inventory=inventory, args=args, echo=lambda line: print(line, flush=True))
    print(playbook.summary(result))
    if result.exit_code != playbook.EXIT_OK:
        # CI keeps only what is printed: Ansible's own account of the failure too
        print(result.output[-20000:])
        raise shell.Failed(
            f"{name}: exit {result.exit_code}" + (f": {result.failure.message}" if result.failure else "")
        )
    return result


def print_url():
    facts = paths.read_cluster_facts()
    print(
        f"\nThe app answers at {facts['ingress_url']}/  (kubeconfig {facts['kubeconfig']}, context {facts['context']})"
    )


def test():
    root = paths.repo()
    started = time.monotonic()
    # Host packages first, all at once (two apt runs at the same time would fight over its lock):
    # a real Redis for the RQ worker tests, shellcheck for sanity, chromium for the browser test.
    shell.need_debian_packages("redis-server", "shellcheck", "chromium")
    try:
        # The checks that need no cluster run beside the cluster's creation, its tests and the
        # deploy; their output follows when they are done.
        background_checks = shell.Background("checks", _self("checks"), cwd=root)
        run_playbook("local cluster", "playbooks/local_cluster.yml")
        shell.stage("cluster tests")
        shell.run(
            ["pytest", "-q", "tests/integration", "--deselect", "tests/integration/test_manila_modules.py"], cwd=root
        )
        # The acceptance checks run once, with their drills, in tests/site/test_validate.py on
        # this same deployment (`up` runs them as part of site.yml).
        run_playbook("site.yml on the local cluster", "site.yml", "--skip-tags", "validate")
        shell.stage("lint, unit tests, the collection, the Manila module tests (started with the cluster)")
        if background_checks.wait() != 0:
            raise shell.Failed("lint, the unit tests or the collection failed (see above)")
        # From here on the Molecule scenarios (each an app in its own namespace, on the same
        # cluster) run beside the tests of the deployed app; the installed collection's check
        # run only reads the cluster: beside the idempotence run.
        molecule = shell.Background("molecule", _self("molecule"), cwd=root)
        installed = shell.Background("installed collection", _self("installed-check"), cwd=root)
        # validate's own changed=0 (its checks and drills put everything back) is asserted by
        # tests/site/test_validate.py; here the deploying phases
        result = run_playbook("site.yml again: nothing may change", "site.yml", "--skip-tags", "validate")
        if result.changed != 0:
            raise shell.Failed(f"site.yml is not idempotent: changed={result.changed}")
        print(f"idempotent: changed=0 in {result.seconds:.0f} s")
        shell.stage("installed collection: openms.streamlit_k8s.site --check (started with the idempotence run)")
        if installed.wait() != 0:
            raise shell.Failed("the installed collection's check run failed (see above)")
        own_apps = [
            shell.Background(f"site tests beside the others ({i})", ["pytest", "-q", "--durations=10", *lane], cwd=root)
            for i, lane in enumerate(OWN_APP_LANES, 1)
        ]
        shell.stage("site tests of the deployed app: check mode, converge, validate, inside the pods")
        ignored = [option for lane in OWN_APP_LANES for path in lane for option in ("--ignore", path)]
        rc_site = subprocess.run(["pytest", "-q", "--durations=25", *ignored, "tests/site"], cwd=root).returncode
        shell.stage("site tests beside: the share owner, de.NBI Manila, bad input; the fleet and the migration")
        for lane in own_apps:
            rc_site = lane.wait() or rc_site
        shell.stage("molecule scenarios (started after the deploy; waiting for the last)")
        rc_molecule = molecule.wait()
        if rc_site != 0 or rc_molecule != 0:
            raise shell.Failed(f"tests failed: site tests exit {rc_site}, molecule exit {rc_molecule}")
        shell.stage("")
        print(f"total: {time.monotonic() - started:.0f} s")
        print_url()
    finally:
        shell.Background.stop_all()
