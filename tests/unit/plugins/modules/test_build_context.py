"""build_context: each context holds exactly its entries (copies of files and trees, texts),
strays are deleted, a second run writes nothing, a changed source rewrites only itself, bad
entries stop the run before anything is written, check mode writes nothing."""

import os

import pytest
from ansible_collections.openms.streamlit_k8s.plugins.modules import build_context


class Done(Exception):
    def __init__(self, result):
        super().__init__(result)
        self.result = result


class FakeModule:
    def __init__(self, contexts, check_mode=False):
        self.params = {"contexts": contexts}
        self.check_mode = check_mode

    def exit_json(self, **result):
        raise Done(result)

    def fail_json(self, msg, **result):
        raise Done({"failed": True, "msg": msg, **result})


def run(contexts, check_mode=False):
    full = [
        {
            "path": str(c["path"]),
            "entries": [
                {
                    "src": None,
                    "content": None,
                    "missing_msg": None,
                    **{k: str(v) if k == "src" else v for k, v in e.items()},
                }
                for e in c["entries"]
            ],
        }
        for c in contexts
    ]
    with pytest.raises(Done) as done:
        build_context.run(FakeModule(full, check_mode))
    return done.value.result


def listing(root):
    return {str(p.relative_to(root)): p.read_text() if p.is_file() else "<dir>" for p in sorted(root.rglob("*"))}


@pytest.fixture
def sources(tmp_path):
    app = tmp_path / "code"
    (app / "src").mkdir(parents=True)
    (app / "app.py").write_text("print('app')\n")
    (app / "src" / "Workflow.py").write_text("class Workflow: pass\n")
    (app / "requirements.txt").write_text("streamlit\nrq\n")
    docker = tmp_path / "docker"
    docker.mkdir()
    (docker / "Dockerfile").write_text("FROM debian\n")
    (docker / "worker-entrypoint.sh").write_text("#!/bin/sh\n")
    os.chmod(docker / "worker-entrypoint.sh", 0o755)
    return {"app": app, "docker": docker, "root": tmp_path}


def app_context(sources, path):
    return {
        "path": path,
        "entries": [
            {"name": "app", "src": sources["app"]},
            {"src": sources["docker"], "files": ["Dockerfile", "worker-entrypoint.sh"]},
            {"name": "requirements.txt", "src": sources["app"] / "requirements.txt"},
            {"name": "constraints.txt", "content": "rq>=2\n"},
        ],
    }


def test_a_context_holds_exactly_its_entries_and_a_second_run_writes_nothing(sources):
    path = sources["root"] / "build" / "app-context"
    path.mkdir(parents=True)
    (path / "left-by-another-source.txt").write_text("stray")
    result = run([app_context(sources, path)])
    assert result["changed"] and result["deleted"] == [str(path / "left-by-another-source.txt")]
    assert listing(path) == {
        "Dockerfile": "FROM debian\n",
        "app": "<dir>",
        "app/app.py": "print('app')\n",
        "app/requirements.txt": "streamlit\nrq\n",
        "app/src": "<dir>",
        "app/src/Workflow.py": "class Workflow: pass\n",
        "constraints.txt": "rq>=2\n",
        "requirements.txt": "streamlit\nrq\n",
        "worker-entrypoint.sh": "#!/bin/sh\n",
    }
    assert os.stat(path / "worker-entrypoint.sh").st_mode & 0o777 == 0o755
    assert os.stat(path / "constraints.txt").st_mode & 0o777 == 0o644
    assert run([app_context(sources, path)]) == {"changed": False, "written": [], "deleted": []}


def test_a_changed_or_dropped_source_rewrites_only_itself(sources):
    path = sources["root"] / "app-context"
    run([app_context(sources, path)])
    (sources["app"] / "src" / "Workflow.py").unlink()
    (sources["docker"] / "Dockerfile").write_text("FROM debian:bookworm\n")
    os.utime(sources["docker"] / "Dockerfile", (1, 1))
    context = app_context(sources, path)
    context["entries"][3]["content"] = "rq>=3\n"
    result = run([context])
    assert sorted(result["written"]) == sorted([str(path / "Dockerfile"), str(path / "constraints.txt")])
    assert result["deleted"] == [str(path / "app" / "src" / "Workflow.py")]
    assert (path / "Dockerfile").read_text() == "FROM debian:bookworm\n"
    assert (path / "constraints.txt").read_text() == "rq>=3\n"


def test_bad_entries_stop_the_run_before_anything_is_written(sources):
    path = sources["root"] / "cleanup-context"
    contexts = [
        app_context(sources, sources["root"] / "first"),
        {
            "path": path,
            "entries": [
                {
                    "name": "clean-up-workspaces.py",
                    "src": sources["app"] / "clean-up-workspaces.py",
                    "missing_msg": "no clean-up script",
                },
                {"name": "Dockerfile", "src": sources["docker"] / "Dockerfile", "content": "FROM x\n"},
                {"name": "a/b", "content": ""},
                {"src": sources["docker"], "files": ["no-such-helper.sh"]},
                {"name": "twice", "content": ""},
                {"name": "twice", "content": ""},
            ],
        },
    ]
    result = run(contexts)
    assert result["failed"]
    assert result["msg"].split("; ") == [
        f"{path}: twice is given twice",
        "no clean-up script",
        f"{path}/Dockerfile: give either src or content",
        f"{path}/a/b: an entry's name is one name, not a path",
        f"{path}/no-such-helper.sh: {sources['docker']}/no-such-helper.sh does not exist",
    ]
    assert not (sources["root"] / "first").exists() and not path.exists()


def test_check_mode_says_what_it_would_write_and_writes_nothing(sources):
    path = sources["root"] / "app-context"
    result = run([app_context(sources, path)], check_mode=True)
    assert result["changed"] and str(path / "constraints.txt") in result["written"]
    assert str(path / "app" / "app.py") in result["written"]
    assert not path.exists()


def test_a_single_file_is_compared_by_its_bytes_and_mode_not_its_time(sources):
    path = sources["root"] / "cleanup-context"
    script = sources["root"] / "from-image.py"
    script.write_text("print('clean')\n")
    context = {"path": path, "entries": [{"name": "clean-up-workspaces.py", "src": script}]}
    assert run([context])["written"] == [str(path / "clean-up-workspaces.py")]
    os.utime(script, (5, 5))  # taken from the image again: same bytes, a new time
    assert run([context])["changed"] is False
    os.chmod(script, 0o755)
    assert run([context])["written"] == [str(path / "clean-up-workspaces.py")]
    assert os.stat(path / "clean-up-workspaces.py").st_mode & 0o777 == 0o755
