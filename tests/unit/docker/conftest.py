"""A real Redis (Debian's redis-server) and each RQ an app can resolve, for the worker helpers.

Each RQ version is pip-installed once into its own directory under the cache
(~/.cache/openms-streamlit-k8s/rq/<version>) and put on the PYTHONPATH of the processes a test
starts, so the tests run the very RQ code the app image gets.
"""

import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[3]
CACHE = pathlib.Path(os.environ.get("OPENMS_K8S_CACHE_HOME", pathlib.Path.home() / ".cache/openms-streamlit-k8s"))
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
PASSWORD = "unit-test-password"
ADMIN = "test-admin"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is missing: apt-get install redis-server (the test command does)")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    # The redis role's users: "default" off, the app's user without the denied commands, so
    # the worker code under test meets the same refusals as in the cluster.
    defaults = yaml.safe_load((REPO / "roles/redis/defaults/main.yml").read_text())
    user, denied = defaults["redis_username"], defaults["redis_denied_commands"]
    (workdir / "users.acl").write_text(
        f"user default off\nuser {user} on >{PASSWORD} ~* &* +@all " + " ".join(f"-{c}" for c in denied) + "\n"
        # the tests' own user, to empty the database between tests
        f"user {ADMIN} on >{PASSWORD} ~* &* +@all\n"
    )
    proc = subprocess.Popen(
        [
            server,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--dir",
            str(workdir),
            "--aclfile",
            str(workdir / "users.acl"),
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(f"AUTH {user} {PASSWORD}\r\nPING\r\n".encode())
                if b"+PONG" in sock.recv(64):
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("redis-server did not answer PING within 10 s")
        time.sleep(0.1)
    yield f"redis://{user}:{PASSWORD}@127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


def rq_install(version):
    """The directory holding rq==version and its dependencies, installed when missing."""
    target = CACHE / "rq" / version
    if not (target / ".complete").exists():
        shutil.rmtree(target, ignore_errors=True)
        env = dict(os.environ)
        if "PIP_CERT" not in env and os.path.exists(CA_BUNDLE):
            env["PIP_CERT"] = CA_BUNDLE
        pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, "--target", str(target), f"rq=={version}"], check=True, env=env)
        (target / ".complete").touch()
    return target
