"""Commands, stages with their seconds, background stages, Debian packages."""

import os
import signal
import subprocess
import sys
import tempfile
import time


class Failed(Exception):
    """A step failed; its message says which and why."""


_stage = {"name": "", "started": time.monotonic()}


def stage(name):
    """Prints a stage's header, and the seconds the previous stage took."""
    now = time.monotonic()
    if _stage["name"]:
        print(f"-- {_stage['name']}: {now - _stage['started']:.0f} s", flush=True)
    _stage.update(name=name, started=now)
    if name:
        print(f"== {name}", flush=True)


def run(command, cwd=None, env=None):
    sys.stdout.flush()
    done = subprocess.run(command, cwd=cwd, env=env, check=False)
    if done.returncode != 0:
        raise Failed(f"{' '.join(map(str, command))}: exit {done.returncode}")


def output(command, cwd=None, env=None):
    done = subprocess.run(command, cwd=cwd, env=env, check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise Failed(f"{' '.join(map(str, command))}: exit {done.returncode}: {done.stderr.strip()[-2000:]}")
    return done.stdout


def need_debian_packages(*packages):
    """Installs the Debian packages a step needs when they are missing (root, Debian's mirrors)."""
    missing = [
        package
        for package in packages
        if "ok installed"
        not in subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True, check=False
        ).stdout
    ]
    if missing:
        print(f"bootstrap: installing {' '.join(missing)}", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run(["apt-get", "update", "-qq"], env=env)
        run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env)


class Background:
    """A command run beside the foreground stages, its output kept for when it is waited for.
    It runs in a process group of its own, so that stopping it stops everything it started."""

    running = []

    def __init__(self, name, command, cwd=None):
        self.name = name
        self.log = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            command, cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        Background.running.append(self)

    def wait(self):
        """Prints its output; returns its exit code."""
        rc = self.process.wait()
        Background.running.remove(self)
        self.log.seek(0)
        sys.stdout.write(self.log.read())
        sys.stdout.flush()
        self.log.close()
        return rc

    @classmethod
    def stop_all(cls):
        for job in list(cls.running):
            try:
                os.killpg(job.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            job.process.wait()
            cls.running.remove(job)
