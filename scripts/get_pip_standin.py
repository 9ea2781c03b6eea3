"""Stand-in for the get-pip.py that ansible-test downloads to bootstrap pip into its venvs.

ansible-test fetches get-pip.py from ci-files.testing.ansible.com unless a copy sits at
~/.ansible/test/cache/get_pip_<version>.py; the test command copies this file there instead.
ansible-test runs it with the interpreter of a fresh virtual environment that has no pip, and
with get-pip.py's arguments: pip options, the pinned packages (pip==..., ...) and
--no-setuptools/--no-wheel. This bootstraps pip from the interpreter's own bundled wheel
(ensurepip, no download), then lets that pip install what was asked for from the package index.
"""

from __future__ import annotations

import subprocess
import sys

# get-pip.py options that `pip install` does not know: they only say "do not add these".
GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}


def pip_install_args(argv):
    """The `pip install` arguments for get-pip.py's arguments `argv`."""
    return [arg for arg in argv if arg not in GET_PIP_ONLY]


def main():
    for command in (
        [sys.executable, "-m", "ensurepip", "--default-pip"],
        [sys.executable, "-m", "pip", "install", *pip_install_args(sys.argv[1:])],
    ):
        code = subprocess.call(command, stdout=subprocess.DEVNULL if "ensurepip" in command else None)
        if code:
            sys.exit(f"get-pip stand-in: {' '.join(command)} failed with exit code {code}")


if __name__ == "__main__":
    main()
