"""Running site.yml from the tests: exit code, the recap's changed count, the output."""

import os
import pathlib
import re
import subprocess

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
