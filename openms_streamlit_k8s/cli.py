"""streamlit-k8s: the collection's commands.

  up        the local kind cluster, the whole stack deployed and validated, the URL printed
  deploy    site.yml on an inventory: each of its apps (--limit, --tags, --check --diff, -e)
  validate  the acceptance checks on the live stack (--drills adds the drills)
  migrate   an app's workspaces from its Docker volume onto Kubernetes (--from-volume, --final)
  status    for each app: pods per tier, ready/desired, the queue, workers alive, the URL
  down      an app removed (its workspaces volume is kept), or with --cluster the local cluster
  test      lint, unit tests, the collection, the cluster, the stack, and every test against them
  bench     the benchmark on the local cluster: bench/results/latest.json and its plots

Exit codes: 0 ok, 1 a task or test failed, 2 bad input (stopped before any change), 3 the cluster
did not answer, 4 Ansible itself stopped (syntax, options), 130 interrupted.
"""

import argparse
import json
import sys

from . import paths, playbook, shell

LOCAL = "inventories/local"
# The migrate role's tasks whose messages the command prints
MIGRATE_SAYS = ("Report the pass", "Say what the operator does next")


def _progress(args):
    """Progress lines go to stderr, so that --json leaves stdout to the document."""
    return None if args.verbose else playbook.echo_stderr


def _report(args, results, extra=None):
    """The summary of one or more playbook runs; returns the exit code of the first that failed."""
    code = next((r.exit_code for r in results if r.exit_code != playbook.EXIT_OK), playbook.EXIT_OK)
    if args.json:
        print(json.dumps({"exit_code": code, "runs": [r.as_dict() for r in results], **(extra or {})}, indent=2))
        return code
    for result in results:
        print(f"\n{result.playbook}:")
        print(playbook.summary(result))
    for key, value in (extra or {}).items():
        if not isinstance(value, list):
            print(f"{key}: {value}")
        elif value:
            print(f"{key}:", *value, sep="\n  ")
    return code


def _site_args(args):
    options = ["--limit", args.limit] if getattr(args, "limit", None) else []
    for flag in ("tags", "skip_tags"):
        if getattr(args, flag, None):
            options += [f"--{flag.replace('_', '-')}", getattr(args, flag)]
    for value in getattr(args, "extra_vars", None) or []:
        options += ["-e", value]
    if getattr(args, "check", False):
        options.append("--check")
    if getattr(args, "diff", False):
        options.append("--diff")
    return options


def cmd_up(args):
    cluster = playbook.run("playbooks/local_cluster.yml", echo=_progress(args), stream=args.verbose)
    if cluster.exit_code != playbook.EXIT_OK:
        return _report(args, [cluster])
    site = playbook.run("site.yml", inventory=LOCAL, args=_site_args(args), echo=_progress(args), stream=args.verbose)
    facts = paths.read_cluster_facts()
    return _report(args, [cluster, site], {"url": facts["ingress_url"] + "/", "kubeconfig": facts["kubeconfig"]})


def cmd_deploy(args):
    result = playbook.run(
        "site.yml", inventory=args.inventory, args=_site_args(args), echo=_progress(args), stream=args.verbose
    )
    return _report(args, [result])


def cmd_validate(args):
    options = ["--tags", "validate"] + (["--limit", args.limit] if args.limit else [])
    if args.drills:
        options += ["-e", "validate_drills=true"]
    if args.checks:
        options += ["-e", json.dumps({"validate_checks": args.checks.split(",")})]
    for value in args.extra_vars or []:
        options += ["-e", value]
    result = playbook.run("site.yml", inventory=args.inventory, args=options, echo=_progress(args), stream=args.verbose)
    return _report(args, [result])


def cmd_migrate(args):
    options = _site_args(args) + ["-e", json.dumps({"migrate_volume": args.from_volume})]
    if args.from_host:
        options += ["-e", json.dumps({"migrate_from_host": args.from_host})]
    if args.final:
        options += ["-e", json.dumps({"migrate_final": True})]
    said = []

    def keep_said(event):
        """What the role tells the operator: what each pass copied (or would), the DNS step."""
        data = event.get("event_data") or {}
        if event.get("event") == "runner_on_ok" and data.get("task") in MIGRATE_SAYS:
            said.append(f"{data.get('host')}: {' '.join(str((data.get('res') or {}).get('msg', '')).split())}")
        return True

    result = playbook.run(
        "playbooks/migrate.yml",
        inventory=args.inventory,
        args=options,
        echo=_progress(args),
        stream=args.verbose,
        extra_handler=keep_said,
    )
    return _report(args, [result], {"said": said})


def cmd_status(args):
    from . import status

    try:
        apps = status.describe(args.inventory, args.extra_vars, args.limit)
        states = [status.collect(app) for app in apps]
    except Exception as error:  # the cluster or Ansible did not answer: say which, exit 3
        print(f"status: {error}", file=sys.stderr)
        return playbook.EXIT_UNREACHABLE
    healthy = all(status.healthy(state) for state in states)
    if args.json:
        print(json.dumps({"healthy": healthy, "apps": states}, indent=2))
    else:
        print(status.render(states))
    return playbook.EXIT_OK if healthy else playbook.EXIT_FAILED


def cmd_down(args):
    from . import teardown

    return teardown.cluster() if args.cluster else teardown.apps(args.inventory, args.extra_vars, args.limit)


def cmd_test(args):
    from . import testing

    testing.test()
    return playbook.EXIT_OK


def cmd_checks(args):
    from . import testing

    testing.checks()
    return playbook.EXIT_OK


def cmd_lint(args):
    from . import testing

    testing.lint()
    shell.stage("")
    return playbook.EXIT_OK


def cmd_collection(args):
    from . import collection

    shell.stage("collection: build")
    collection.check_all()
    shell.stage("")
    return playbook.EXIT_OK


def cmd_installed_check(args):
    from . import collection

    shell.stage("installed collection: openms.streamlit_k8s.site --check")
    collection.installed_check(args.ansible_args)
    shell.stage("")
    return playbook.EXIT_OK


def cmd_bench(args):
    from bench import run

    return run.main((["--steps", args.steps] if args.steps else []) + (["--keep"] if args.keep else []))


def cmd_molecule(args):
    from . import testing

    testing.molecule_all()
    return playbook.EXIT_OK


def parser():
    main = argparse.ArgumentParser(
        prog="streamlit-k8s", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    main.add_argument("--json", action="store_true", help="print one JSON document (progress goes to stderr)")
    main.add_argument("-v", "--verbose", action="store_true", help="print Ansible's own output as it runs")
    commands = main.add_subparsers(dest="command", required=True, metavar="command")

    def command(name, function, help_text, inventory=False):
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(function=function)
        if inventory:
            sub.add_argument("-i", "--inventory", default=LOCAL, help=f"inventory (default {LOCAL})")
            sub.add_argument("-l", "--limit", help="only these apps of the inventory (an Ansible host pattern)")
        return sub

    def extra_vars(sub):
        sub.add_argument("-e", "--extra-vars", action="append", help="extra variables, as ansible-playbook takes them")

    up = command("up", cmd_up, "the local kind cluster, the whole stack deployed and validated, the URL")
    extra_vars(up)
    deploy = command("deploy", cmd_deploy, "site.yml on an inventory", inventory=True)
    deploy.add_argument("--tags", help="phases to run, comma-separated")
    deploy.add_argument("--skip-tags", help="phases to skip, comma-separated")
    deploy.add_argument("--check", action="store_true", help="change nothing, say what would change")
    deploy.add_argument("--diff", action="store_true", help="show the differences")
    extra_vars(deploy)
    validate = command("validate", cmd_validate, "the acceptance checks on the live stack", inventory=True)
    validate.add_argument(
        "--drills", action="store_true", help="add the drills (they kill pods, stop Redis, drain a node)"
    )
    validate.add_argument("--checks", help="only these checks, comma-separated")
    extra_vars(validate)
    migrate = command(
        "migrate", cmd_migrate, "move an app's workspaces from its Docker volume onto Kubernetes", inventory=True
    )
    migrate.add_argument("--from-volume", required=True, help="the old app's Docker volume")
    migrate.add_argument("--from-host", help="the old host, an inventory host (default: this machine)")
    migrate.add_argument("--final", action="store_true", help="cut over: drain and stop the old app, last pass")
    migrate.add_argument("--check", action="store_true", help="copy nothing, say what would be copied")
    extra_vars(migrate)
    extra_vars(command("status", cmd_status, "the live state of each app of the inventory", inventory=True))
    down = command("down", cmd_down, "remove an app (its workspaces volume is kept)", inventory=True)
    extra_vars(down)
    down.add_argument("--cluster", action="store_true", help="delete the local kind cluster instead")
    command("test", cmd_test, "every test, with its own set-up")
    command("lint", cmd_lint, "ruff, yamllint, ansible-lint")
    command("collection", cmd_collection, "build, ansible-doc, changelog lint, ansible-test sanity")
    installed = command("installed-check", cmd_installed_check, "the installed artifact's check run on the local stack")
    installed.add_argument("ansible_args", nargs=argparse.REMAINDER, help="more ansible-playbook options")
    command("molecule", cmd_molecule, "every Molecule scenario, in three lanes")
    bench = command("bench", cmd_bench, "the benchmark on the local cluster (bench/, writes bench/results)")
    bench.add_argument(
        "--steps",
        help="comma-separated, of deploy, queue, failure, rollout, migrate, idle (default: these six), "
        "and tests (the test command with its CPU profile)",
    )
    bench.add_argument("--keep", action="store_true", help="keep the bench app deployed afterwards")
    command("checks", cmd_checks, "what the test command runs beside the cluster: lint, unit, collection")
    return main


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return args.function(args)
    except shell.Failed as failure:
        print(f"streamlit-k8s {args.command}: {failure}", file=sys.stderr)
        return playbook.EXIT_FAILED
    except KeyboardInterrupt:
        return playbook.EXIT_INTERRUPTED
