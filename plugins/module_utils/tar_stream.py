# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A tar stream of listed entries of a directory tree, here or on a host reached by ssh, handed
chunk by chunk to whatever consumes it (the workspaces_copy module: a pod's exec; the tree_copy
module: tar -x into a directory of the same host)."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
import threading

CHUNK = 1 << 20


def source_command(source, ssh=None, owner=None):
    """GNU tar writing the listed entries (NUL-separated on its stdin) to its stdout: modes with the
    owner's read and write added, mtimes to the nanosecond (POSIX format), here or over ssh; with
    `owner` (a uid), every entry recorded as that uid's and group's."""
    tar = ["tar", "-c", "-f", "-", "-C", source, "--format=posix", "--numeric-owner", "--no-recursion"]
    tar += [f"--owner=:{owner}", f"--group=:{owner}"] if owner is not None else []
    tar += ["--mode=u+rwX", "--null", "-T", "-"]
    if not ssh:
        return tar
    remote = (["sudo", "-n"] if ssh.get("become") else []) + tar
    command = ["ssh", "-o", "BatchMode=yes"]
    command += ["-p", str(ssh["port"])] if ssh.get("port") else []
    command += ["-i", ssh["private_key"]] if ssh.get("private_key") else []
    command += shlex.split(ssh["args"]) if ssh.get("args") else []
    target = f"{ssh['user']}@{ssh['host']}" if ssh.get("user") else ssh["host"]
    return [*command, target, shlex.join(remote)]


def _feed(pipe, data):
    """The list goes in while the archive comes out: tar reads it as it goes."""
    try:
        pipe.write(data)
    except BrokenPipeError:  # tar stopped early; its exit code says why
        pass
    finally:
        pipe.close()


def stream(source, ssh, entries, write, owner=None):
    """Runs the source's tar for `entries` and hands its output to `write` as it comes; returns
    (bytes, tar's exit code, what tar said). A process of its own rather than AnsibleModule's
    run_command, which returns the output only when the command has ended: a tree can be
    hundreds of GB."""
    listing = b"".join(os.fsencode(entry) + b"\0" for entry in entries)
    with tempfile.TemporaryFile() as said:
        tar = subprocess.Popen(
            source_command(source, ssh, owner), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=said
        )
        feeder = threading.Thread(target=_feed, args=(tar.stdin, listing), daemon=True)
        feeder.start()
        sent = 0
        for chunk in iter(lambda: tar.stdout.read(CHUNK), b""):
            write(chunk)
            sent += len(chunk)
        code = tar.wait()
        feeder.join()
        said.seek(0)
        return sent, code, said.read().decode(errors="replace")


def copy_into(source, entries, dest, owner):
    """The entries of source streamed into tar -x in dest, on this host: (bytes, what went wrong
    or "")."""
    target = ["tar", "-x", "-f", "-", "-C", dest, "-p", "--same-owner", "--numeric-owner"]
    target += ["--delay-directory-restore"]
    with tempfile.TemporaryFile() as said:
        untar = subprocess.Popen(target, stdin=subprocess.PIPE, stderr=said)
        try:
            sent, code, source_said = stream(source, None, entries, untar.stdin.write, owner=owner)
        except BrokenPipeError:
            sent, code, source_said = 0, -1, "tar -x stopped reading"
        untar.stdin.close()
        target_code = untar.wait()
        said.seek(0)
        if code != 0 or target_code != 0:
            target_said = said.read().decode(errors="replace").strip()[-2000:]
            return sent, (
                f"the copy failed: tar at the source exited {code} ({source_said.strip()[-2000:]}), "
                f"tar -x in {dest} exited {target_code} ({target_said})"
            )
        return sent, ""
