"""Running site.yml from the tests, through the command line's own runner (ansible-runner), and the
command line itself as a user runs it."""

import os
import pathlib
import subprocess
import sys
import time

from openms_streamlit_k8s import playbook

REPO = pathlib.Path(__file__).resolve().parents[1]


def run_site(*args, inventory="inventories/local", env=None):
    """(the command line's exit code, the recap's changed count or None, the output with its white
    space folded: the callback folds long messages over several lines)."""
    result = playbook.run("site.yml", inventory=inventory, args=args, env=env)
    return result.exit_code, result.changed, " ".join(result.output.split())


def remove_app(kube, namespace, pv):
    """Delete a test app's namespace and PV (Retain: not deleted with the claim); wait until gone."""
    from kubernetes.client.exceptions import ApiException

    for read, delete in (
        (lambda: kube.core.read_namespace(namespace), lambda: kube.core.delete_namespace(namespace)),
        (lambda: kube.core.read_persistent_volume(pv), lambda: kube.core.delete_persistent_volume(pv)),
    ):
        try:
            delete()
        except ApiException as err:
            if err.status != 404:
                raise
        for _attempt in range(120):
            try:
                read()
            except ApiException as err:
                if err.status == 404:
                    break
                raise
            time.sleep(1)
        else:
            raise AssertionError(f"namespace {namespace} or PV {pv} was not deleted within 120 s")


def cli(*args, env=None):
    """The command line as a user runs it (`env`: variables added to this process's): (exit code,
    stdout, stderr)."""
    done = subprocess.run(
        [sys.executable, "-m", "openms_streamlit_k8s", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env} if env else None,
    )
    return done.returncode, done.stdout, done.stderr
