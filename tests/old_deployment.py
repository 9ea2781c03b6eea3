"""The old deployment the migrate role moves from, on this machine: the test app's template-shaped
checkout run as ONE container in the template's shape (its entrypoint runs cron, Redis, RQ
workers and Streamlit together, as root), its workspaces in a Docker volume mounted where the
template mounts it, filled by using the app and with awkward content.

    python tests/old_deployment.py start NAME VOLUME PORT   # build (cached), run, wait for health
    python tests/old_deployment.py fill NAME [BIG_BYTES]     # awkward content; prints its workspaces
    python tests/old_deployment.py stop NAME VOLUME          # container and volume removed
"""

import json
import pathlib
import subprocess
import sys
import time
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "images"))
import checkout  # noqa: E402 (beside this file)

IMAGE = "openms-streamlit-k8s/old-deployment:test"
MOUNT = "/workspaces-streamlit-template"
APP_PYTHON = "/root/miniforge3/envs/streamlit-env/bin/python"
CACHE = pathlib.Path("/var/cache/openms-streamlit-k8s/build/old-deployment")
FACTS = pathlib.Path("/var/cache/openms-streamlit-k8s/clusters/openms.json")
BIG_BYTES = 1_100 * 1024 * 1024  # over 1 GB


def docker(*args, check=True, capture=True):
    done = subprocess.run(["docker", *args], capture_output=capture, text=True, check=False)
    if check and done.returncode != 0:
        raise RuntimeError(f"docker {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip() if capture else ""


def build(name):
    """The image, from a checkout of its own per deployment (the Molecule scenario and the site
    tests may build at the same time; Docker's cache makes the second build a no-op)."""
    base = json.loads(FACTS.read_text())["images"]["debian"]
    context = checkout.assemble(CACHE / name)
    docker("build", "-q", "--build-arg", f"BASE_IMAGE={base}", "-t", IMAGE, str(context))


def start(name, volume, port):
    build(name)
    stop(name, volume)  # a run killed before its clean-up left them
    docker("volume", "create", volume)
    docker("run", "-d", "--name", name, "-v", f"{volume}:{MOUNT}", "-p", f"127.0.0.1:{port}:8501", IMAGE)
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not answer on port {port} within 120 s: {docker('logs', name)[-2000:]}")
        time.sleep(2)


def fill(name, big_bytes=BIG_BYTES):
    """Awkward content beside what using the app made (old_deployment_fill.py, run in the
    container as root); prints the top-level entries of the volume."""
    inside(name, "python3", "fill", MOUNT, str(big_bytes))
    print(json.dumps(sorted(docker("exec", name, "ls", "-A", MOUNT).split())))


def inside(name, python, *args):
    """old_deployment_inside.py, run in the container by `python`."""
    docker("cp", str(HERE / "old_deployment_inside.py"), f"{name}:/tmp/inside.py")
    return docker("exec", name, python, "/tmp/inside.py", *args)


def hold(name, seconds):
    """A job on the old app's queue that holds one of its workers `seconds`; its id."""
    return inside(name, APP_PYTHON, "sleep", str(seconds))


def stop(name, volume):
    docker("rm", "-f", name, check=False)
    docker("volume", "rm", "-f", volume, check=False)


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"start": start, "fill": fill, "stop": stop}[command](*args)
