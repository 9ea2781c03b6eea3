"""prepare_app.py: the deployment's configuration applied to an app's files, as jq '*' would."""

import json
import pathlib
import subprocess
import sys

import pytest

DOCKER = pathlib.Path(__file__).resolve().parents[3] / "docker"
sys.path.insert(0, str(DOCKER))
import prepare_app  # noqa: E402


@pytest.mark.parametrize(
    "base,override,merged",
    [
        ({"a": 1, "b": {"c": 2, "d": 3}}, {"b": {"d": 4}}, {"a": 1, "b": {"c": 2, "d": 4}}),
        ({"a": [1, 2]}, {"a": [3]}, {"a": [3]}),
        ({"a": {"b": 1}}, {"a": 5}, {"a": 5}),
        ({}, {"online_deployment": True}, {"online_deployment": True}),
    ],
)
def test_merge_is_jq_star(base, override, merged):
    assert prepare_app.merge(base, override) == merged


def test_jq_agrees_where_it_is_installed(tmp_path):
    jq = subprocess.run(["which", "jq"], capture_output=True, text=True, check=False).stdout.strip()
    if not jq:
        pytest.skip("no jq here")
    base = {"a": 1, "q": {"t": 7200, "r": 1}, "l": [1], "d": {"e": {"f": 1}}}
    override = {"q": {"t": 60}, "l": [2, 3], "d": {"e": {"g": 2}}, "n": None}
    (tmp_path / "a.json").write_text(json.dumps(base))
    (tmp_path / "b.json").write_text(json.dumps(override))
    said = subprocess.run(
        [jq, "-s", ".[0] * .[1]", "a.json", "b.json"], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert json.loads(said.stdout) == prepare_app.merge(base, override)


@pytest.mark.parametrize(
    "demos,dirs",
    [
        ({"enabled": True, "source_dirs": ["example-data/workspaces"]}, ["/w/.demos", "example-data/workspaces"]),
        ({"enabled": True, "source_dir": "old"}, ["/w/.demos", "old"]),
        ({"enabled": True, "source_dirs": ["/w/.demos", "x"]}, ["/w/.demos", "x"]),
        (None, ["/w/.demos", "example-data/workspaces"]),
    ],
)
def test_shared_demos_come_first(demos, dirs):
    settings = {"demo_workspaces": demos} if demos is not None else {}
    shared = prepare_app.with_shared_demos(settings, "/w/.demos")["demo_workspaces"]
    assert shared["source_dirs"] == dirs
    assert "source_dir" not in shared


def test_prepare_writes_the_app_files(tmp_path):
    app, config = tmp_path / "app", tmp_path / "config"
    app.mkdir()
    config.mkdir()
    (app / "settings.json").write_text(json.dumps({"online_deployment": False, "queue_settings": {"a": 1, "b": 2}}))
    (app / "presets.json").write_text("{}")
    (config / "settings-overrides.json").write_text(json.dumps({"online_deployment": True, "queue_settings": {"b": 3}}))
    (config / "presets.json").write_text('{"p": 1}')
    prepare_app.prepare(app, config, "/w/.demos")
    settings = json.loads((app / "settings.json").read_text())
    assert settings["online_deployment"] is True
    assert settings["queue_settings"] == {"a": 1, "b": 3}
    assert settings["demo_workspaces"]["source_dirs"][0] == "/w/.demos"
    assert json.loads((app / "presets.json").read_text()) == {"p": 1}
    assert not (app / "default-parameters.json").exists()
