"""tar_stream: the source's tar command, here and over ssh, and its stream of the listed entries
(the workspaces_copy module hands it to a pod's exec: tests/site/test_migrate.py, molecule/migrate)."""

import shlex
import tarfile

from ansible_collections.openms.streamlit_k8s.plugins.module_utils.tar_stream import source_command, stream

TAR = "tar -c -f - -C /data --format=posix --numeric-owner --no-recursion --mode=u+rwX --null -T -"


def test_here_tar_runs_itself():
    assert shlex.join(source_command("/data", None)) == TAR


def test_over_ssh_with_sudo_the_remote_command_is_one_quoted_word():
    ssh = {"host": "10.0.0.5", "user": "ubuntu", "port": 2222, "private_key": "/k/id", "become": True}
    command = source_command("/var/lib/docker/volumes/a b/_data", ssh)
    assert command[:8] == ["ssh", "-o", "BatchMode=yes", "-p", "2222", "-i", "/k/id", "ubuntu@10.0.0.5"]
    assert shlex.split(command[8])[:2] == ["sudo", "-n"]
    assert shlex.split(command[8])[6:8] == ["-C", "/var/lib/docker/volumes/a b/_data"]
    plain = {"host": "old", "user": None, "port": None, "private_key": None, "become": False}
    assert source_command("/d", plain)[3:] == ["old", shlex.join(source_command("/d", None))]


def test_the_inventorys_ssh_options_come_before_the_host():
    ssh = {"host": "old", "args": "-o ProxyJump=ubuntu@jump -o 'UserKnownHostsFile=/k/known hosts'"}
    command = source_command("/d", ssh)
    assert command[3:8] == ["-o", "ProxyJump=ubuntu@jump", "-o", "UserKnownHostsFile=/k/known hosts", "old"]


def test_the_listed_entries_only_with_the_owners_read_and_write(tmp_path):
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "secret").write_text("root only")
    (tmp_path / "ws" / "secret").chmod(0o400)
    (tmp_path / "ws" / "unlisted").write_text("x")
    chunks = []
    sent, code, said = stream(str(tmp_path), None, ["ws", "ws/secret"], chunks.append)
    archive = tmp_path / "out.tar"
    archive.write_bytes(b"".join(chunks))
    assert (sent, code, said) == (archive.stat().st_size, 0, "")
    with tarfile.open(archive) as tar:
        members = {member.name: member for member in tar.getmembers()}
    assert sorted(members) == ["ws", "ws/secret"]
    assert members["ws/secret"].mode & 0o777 == 0o600


def test_a_long_list_streams_while_it_is_read(tmp_path):
    """A list longer than a pipe holds, and an archive longer too: the list goes in while the
    archive comes out (written whole first, both would wait for ever)."""
    names = [f"{index:05d}-{'x' * 100}" for index in range(2000)]
    for name in names:
        (tmp_path / name).write_bytes(b"y" * 100)
    chunks = []
    sent, code, said = stream(str(tmp_path), None, names, chunks.append)
    assert code == 0 and sent > 2000 * 512
    archive = tmp_path / "out.tar"
    archive.write_bytes(b"".join(chunks))
    with tarfile.open(archive) as tar:
        assert len(tar.getnames()) == 2000


def test_what_tar_says_when_an_entry_is_missing(tmp_path):
    sent, code, said = stream(str(tmp_path), None, ["gone"], lambda chunk: None)
    assert code != 0 and "gone" in said
