"""go_build, image_build, image_archive: the go and docker commands they run.

A missing command fails the module with a message naming it (not a traceback), in check mode
too; the commands run through AnsibleModule.run_command, here against stand-in scripts.
"""

import json
import textwrap

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.openms.streamlit_k8s.plugins.modules import go_build, image_archive, image_build


@pytest.fixture
def bin_dir(tmp_path, monkeypatch):
    """An empty directory as the whole PATH: no go, no docker."""
    path = tmp_path / "bin"
    path.mkdir()
    monkeypatch.setenv("PATH", str(path))
    return path


def stand_in(bin_dir, name, script):
    """An executable `name` in bin_dir running the shell `script`; it logs its arguments."""
    command = bin_dir / name
    command.write_text(f'#!/bin/sh\necho "$@" >>"{bin_dir}/{name}.log"\n' + textwrap.dedent(script))
    command.chmod(0o755)
    return command


def run(plugin, capsys, check_mode=False, /, **args):
    """The result and exit code of the module `plugin`, as AnsibleModule prints them."""
    with patch_module_args({"_ansible_check_mode": check_mode, **args}), pytest.raises(SystemExit) as exited:
        plugin.main()
    return json.loads(capsys.readouterr().out), exited.value.code


def go_args(tmp_path):
    return {
        "module": "sigs.k8s.io/kind",
        "version": "v0.30.0",
        "packages": {"kind": "."},
        "dest": str(tmp_path / "out"),
    }


def docker_context(tmp_path):
    context = tmp_path / "context"
    context.mkdir()
    (context / "Dockerfile").write_text("FROM scratch\n")
    return str(context)


@pytest.mark.parametrize("check_mode", [False, True])
def test_go_build_without_go_fails_with_a_message(bin_dir, tmp_path, capsys, check_mode):
    result, code = run(go_build, capsys, check_mode, **go_args(tmp_path))
    assert code == 1 and result["failed"] is True
    assert "Failed to find required executable" in result["msg"] and "go" in result["msg"]
    assert not (tmp_path / "out").exists()


def test_go_build_with_a_go_path_that_does_not_exist_fails_with_a_message(bin_dir, tmp_path, capsys):
    result, code = run(go_build, capsys, go=str(tmp_path / "nowhere/go"), **go_args(tmp_path))
    assert code == 1 and "nowhere/go" in result["msg"]


def test_go_build_reports_a_failing_go_command(bin_dir, tmp_path, capsys):
    stand_in(bin_dir, "go", 'echo "no network" >&2\nexit 1\n')
    result, code = run(go_build, capsys, env={"GOPROXY": "off"}, **go_args(tmp_path))
    assert code == 1
    assert result["msg"].endswith("go mod download failed with exit code 1")
    assert result["stderr"].strip() == "no network"
    assert (bin_dir / "go.log").read_text().split() == ["mod", "download", "-json", "sigs.k8s.io/kind@v0.30.0"]


@pytest.mark.parametrize("check_mode", [False, True])
def test_image_build_without_docker_fails_with_a_message(bin_dir, tmp_path, capsys, check_mode):
    result, code = run(image_build, capsys, check_mode, name="app:dev", path=docker_context(tmp_path))
    assert code == 1 and "Failed to find required executable" in result["msg"] and "docker" in result["msg"]


def test_image_build_in_check_mode_only_inspects(bin_dir, tmp_path, capsys):
    stand_in(bin_dir, "docker", "exit 1\n")  # no such image
    result, code = run(image_build, capsys, True, name="app:dev", path=docker_context(tmp_path))
    assert code == 0 and result["changed"] is True and result["image_id"] == ""
    assert (bin_dir / "docker.log").read_text().splitlines() == ["image inspect app:dev"]


def test_image_build_reports_a_failing_build(bin_dir, tmp_path, capsys):
    stand_in(bin_dir, "docker", 'if [ "$1" = build ]; then echo "bad Dockerfile" >&2; fi\nexit 1\n')
    result, code = run(image_build, capsys, name="app:dev", path=docker_context(tmp_path), build_args={"A": "$HOME"})
    assert code == 1 and result["msg"] == "docker build of app:dev failed"
    assert result["stderr"].strip() == "bad Dockerfile"
    build = (bin_dir / "docker.log").read_text().splitlines()[1]
    # Arguments reach docker as given: no expansion of ~ or $VARIABLES.
    assert build.startswith("build -t app:dev --label org.openms.streamlit-k8s.recipe=")
    assert build.endswith("-f Dockerfile --build-arg A=$HOME .")


@pytest.mark.parametrize("check_mode", [False, True])
def test_image_archive_without_docker_fails_with_a_message(bin_dir, tmp_path, capsys, check_mode):
    result, code = run(image_archive, capsys, check_mode, images=["pause:3.10"], dest=str(tmp_path / "a.tar"))
    assert code == 1 and "Failed to find required executable" in result["msg"] and "docker" in result["msg"]


def test_image_archive_names_an_image_docker_does_not_have(bin_dir, tmp_path, capsys):
    stand_in(bin_dir, "docker", 'echo "No such image: pause:3.10" >&2\nexit 1\n')
    result, code = run(image_archive, capsys, images=["pause:3.10"], dest=str(tmp_path / "a.tar"))
    assert code == 1
    assert result["msg"] == "image pause:3.10 is not in the local Docker engine: No such image: pause:3.10"


def test_image_archive_in_check_mode_reads_the_image_ids(bin_dir, tmp_path, capsys):
    stand_in(bin_dir, "docker", "echo sha256:abc\n")
    result, code = run(image_archive, capsys, True, images=["pause:3.10"], dest=str(tmp_path / "a.tar"))
    assert code == 0 and result["changed"] is True and result["image_ids"] == {"pause:3.10": "sha256:abc"}
    assert not (tmp_path / "a.tar").exists()
