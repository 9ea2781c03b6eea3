"""The old VM as Ansible reaches it on de.NBI: an SSH server (OpenSSH's sshd, on 127.0.0.1 and a
port of its own) with an unprivileged login user who may `sudo` without a password, as the
cloud image's `ubuntu` user does. Behind it is this machine's Docker, so the old deployment's
volume is the one the tests made; what runs differently is everything between the controller
and the old host: key login, `become`, interpreter discovery, `tar` through `ssh` and `sudo -n`.

The inventory is the local fleet plus a group `compose` with the host `old-vm`, as
docs/migration.md tells an operator to add theirs."""

import os
import pathlib
import subprocess
import time

from openms_streamlit_k8s import shell

USER = "oldvm"
HOST = "old-vm"
PORT = 2222
PACKAGES = ("openssh-server", "sudo", "python3-docker")


def _run(*args):
    subprocess.run(args, check=True, capture_output=True, text=True)


class OldVm:
    def __init__(self, directory: pathlib.Path, fleet_inventory: pathlib.Path):
        self.directory = directory
        self.fleet = fleet_inventory
        self.key = directory / "id_ed25519"
        self.log = directory / "sshd.log"
        self.inventory = directory / "inventory"
        self.sshd = None

    def start(self):
        shell.need_debian_packages(*PACKAGES)
        if subprocess.run(["id", USER], capture_output=True, check=False).returncode != 0:
            _run("useradd", "--create-home", "--shell", "/bin/bash", USER)
        sudoers = pathlib.Path(f"/etc/sudoers.d/{USER}")
        sudoers.write_text(f"{USER} ALL=(ALL) NOPASSWD: ALL\n")
        sudoers.chmod(0o440)
        home = pathlib.Path(f"/home/{USER}")
        (home / ".ssh").mkdir(mode=0o700, exist_ok=True)
        _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(self.key))
        host_key = self.directory / "host_ed25519"
        _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key))
        (home / ".ssh/authorized_keys").write_text(self.key.with_suffix(".pub").read_text())
        _run("chown", "-R", f"{USER}:{USER}", str(home / ".ssh"))
        pathlib.Path("/run/sshd").mkdir(exist_ok=True)  # privilege separation directory
        self.sshd = subprocess.Popen(
            [
                "/usr/sbin/sshd",
                "-D",
                "-e",
                "-p",
                str(PORT),
                "-o",
                "ListenAddress=127.0.0.1",
                "-o",
                f"HostKey={host_key}",
                "-o",
                "PasswordAuthentication=no",
                "-o",
                "PermitRootLogin=no",
                "-o",
                f"PidFile={self.directory / 'sshd.pid'}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("w"),
        )
        known_hosts = self.directory / "known_hosts"
        for _attempt in range(50):
            scan = subprocess.run(
                ["ssh-keyscan", "-p", str(PORT), "-t", "ed25519", "127.0.0.1"],
                capture_output=True,
                text=True,
                check=False,
            )
            if scan.stdout.strip():
                known_hosts.write_text(scan.stdout)
                break
            time.sleep(0.2)
        else:
            raise AssertionError(f"sshd did not answer on port {PORT}: {self.log.read_text()}")
        self._write_inventory(known_hosts)
        return self

    def _write_inventory(self, known_hosts):
        self.inventory.mkdir()
        for name in ("hosts.yml", "group_vars", "host_vars"):
            (self.inventory / name).symlink_to(self.fleet / name)
        (self.inventory / "old-vm.yml").write_text(
            "all:\n  children:\n    compose:\n      hosts:\n"
            f"        {HOST}:\n"
            "          ansible_connection: ssh\n"
            "          ansible_host: 127.0.0.1\n"
            f"          ansible_port: {PORT}\n"
            f"          ansible_user: {USER}\n"
            f"          ansible_ssh_private_key_file: {self.key}\n"
            f"          ansible_ssh_common_args: -o UserKnownHostsFile={known_hosts}\n"
            "          ansible_become: true\n"
        )

    def logins(self):
        """How often the login user came in by key."""
        return self.log.read_text().count(f"Accepted publickey for {USER}")

    def stop(self):
        if self.sshd:
            self.sshd.terminate()
            self.sshd.wait(timeout=30)
        os.unlink(f"/etc/sudoers.d/{USER}")
