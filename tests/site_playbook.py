"""Running site.yml from the tests: exit code, the recap's changed count, the output."""

import os
import pathlib
import re
import subprocess
import time

REPO = pathlib.Path(__file__).resolve().parents[1]


def run_site(*args, inventory="inventories/local", env=None):
    """(returncode, changed from the recap or None, output with its white space folded)."""
    done = subprocess.run(
        ["ansible-playbook", "site.yml", "-i", str(inventory), *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    output = done.stdout + done.stderr
    recap = re.search(r"localhost\s+: ok=\d+\s+changed=(\d+)", output)
    # The callback folds long messages over several lines: compare with the white space folded.
    return done.returncode, int(recap.group(1)) if recap else None, " ".join(output.split())


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
