"""Run inside the old deployment's container, as root (tests/old_deployment.py copies it in).

python3 old_deployment_inside.py fill ROOT BIG_BYTES   # the awkward content an old volume holds
APP_PYTHON old_deployment_inside.py sleep SECONDS      # a job that holds a worker, on the app's queue;
                                                       # prints its id
"""

import os
import sys
import time

DAY = 86_400


def write(root, path, data=b"x", mode=0o644, mtime=None):
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as handle:
        handle.write(data)
    os.chmod(full, mode)
    if mtime:
        os.utime(full, (mtime, mtime))


def fill(root, big_bytes):
    write(root, "awkward-names/params.json", b"{}")
    write(root, "awkward-names/mzML-files/run 1 (copy).mzML", b"spectra, with spaces in the name")
    write(root, "awkward-names/mzML-files/Probe_\u00e4\u00f6\u00fc_\u03bc\u00df.mzML", b"a non-ASCII name")
    deep = "/".join(f"level-{index}" for index in range(12))
    write(root, f"awkward-names/{deep}/deep.txt", b"twelve levels down")
    write(root, "awkward-names/empty.txt", b"")
    write(root, "awkward-names/root-only/secret.txt", b"root only", mode=0o600)
    os.chmod(os.path.join(root, "awkward-names/root-only"), 0o700)
    os.symlink("mzML-files/run 1 (copy).mzML", os.path.join(root, "awkward-names/latest.mzML"))
    os.symlink("/etc/passwd", os.path.join(root, "awkward-names/outside"))
    # demo workspaces link by absolute path, as the template's do
    write(root, ".demos/example/params.json", b"{}")
    os.symlink(os.path.join(root, ".demos/example/params.json"), os.path.join(root, "awkward-names/demo.json"))
    os.makedirs(os.path.join(root, "big-workspace"), exist_ok=True)
    block = os.urandom(1 << 20)
    with open(os.path.join(root, "big-workspace/big.bin"), "wb") as handle:
        for _megabyte in range(big_bytes >> 20):
            handle.write(block)
    old = time.time() - 40 * DAY
    write(root, "old-workspace/params.json", b"{}", mtime=old)
    os.utime(os.path.join(root, "old-workspace"), (old, old))


def sleep(seconds):
    """Queued as the app queues its workflows: RQ, the app's queue, REDIS_URL (the container's own)."""
    from redis import Redis
    from rq import Queue

    queue = Queue(
        "openms-workflows", connection=Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
    )
    print(queue.enqueue("time.sleep", int(seconds), job_timeout=int(seconds) + 60).id)


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "fill":
        fill(args[0], int(args[1]))
    else:
        sleep(*args)
