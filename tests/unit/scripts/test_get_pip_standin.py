"""scripts/get_pip_standin.py: get-pip.py's arguments become a `pip install` after ensurepip."""

import importlib.util
import pathlib
import subprocess
import sys

SCRIPT = pathlib.Path(__file__).resolve().parents[3] / "scripts" / "get_pip_standin.py"
spec = importlib.util.spec_from_file_location("get_pip_standin", SCRIPT)
get_pip_standin = importlib.util.module_from_spec(spec)
spec.loader.exec_module(get_pip_standin)


def test_get_pip_only_options_are_dropped():
    # As ansible-test's bootstrap calls it: pip options, the pinned packages, get-pip.py's flags.
    argv = ["--disable-pip-version-check", "pip==24.2", "--no-setuptools", "--no-wheel"]
    assert get_pip_standin.pip_install_args(argv) == ["--disable-pip-version-check", "pip==24.2"]


def test_a_failing_step_exits_with_a_message(tmp_path):
    # A virtual environment without pip, and a package pip cannot find in an empty local index.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")], check=True)
    python = tmp_path / "venv" / "bin" / "python"
    done = subprocess.run(
        [str(python), str(SCRIPT), "--no-index", "--find-links", str(tmp_path), "no-such-package==1.0", "--no-wheel"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "get-pip stand-in:" in done.stderr and "pip install" in done.stderr
    # ensurepip ran: the environment has pip now, from the interpreter's bundled wheel.
    assert subprocess.run([str(python), "-m", "pip", "--version"], capture_output=True, check=False).returncode == 0
