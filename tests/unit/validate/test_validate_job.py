"""roles/validate/files/validate_job.py, the helper the validate checks run in the app's pods:
which workflow of the app it queues, whether it can run, and the inputs it puts into a workspace.
Queueing itself runs against the app's Redis on the cluster (tests/site/test_validate.py,
molecule/validate and app_image)."""

import base64
import importlib
import json
import pathlib
import sys
import types

import pytest
import yaml

FILES = pathlib.Path(__file__).resolve().parents[3] / "roles/validate/files"
# the template's workflow: roles/validate's default
TEMPLATE = yaml.safe_load(
    (pathlib.Path(__file__).resolve().parents[3] / "roles/validate/defaults/main.yml").read_text()
)["validate_workflow"]


@pytest.fixture
def job(monkeypatch, tmp_path):
    """validate_job with an app of its own under tmp_path/app (RQ and Redis are the pod's: stubs
    here, never called); `job.spec(dict)` sets the workflow as the role passes it."""
    for name, attributes in (("redis", ("Redis",)), ("rq", ("Queue",)), ("rq.job", ("Job",))):
        monkeypatch.setitem(sys.modules, name, types.SimpleNamespace(**dict.fromkeys(attributes)))
    monkeypatch.syspath_prepend(str(FILES))
    app = tmp_path / "app"
    (app / "src").mkdir(parents=True)
    (app / "src/__init__.py").write_text("")
    (app / "src/WorkflowTest.py").write_text("class WorkflowTest:\n    pass\n\nNOT_A_CLASS = 1\n")
    (app / "example-data/fasta").mkdir(parents=True)
    (app / "example-data/fasta/db.fasta").write_text(">p1\nPEPTIDE\n")
    monkeypatch.syspath_prepend(str(app))
    for cached in [name for name in sys.modules if name == "src" or name.startswith("src.")]:
        monkeypatch.delitem(sys.modules, cached)
    module = importlib.import_module("validate_job")
    monkeypatch.setattr(module, "APP_DIR", str(app))

    def spec(workflow):
        monkeypatch.setenv("VALIDATE_WORKFLOW", base64.b64encode(json.dumps(workflow).encode()).decode())

    module.spec = spec
    return module


def said(job, capsys):
    job.workflow()
    return json.loads(capsys.readouterr().out)


RENAMED = {
    **TEMPLATE,
    "module": "src.WorkflowTest",
    "class": "WorkflowTest",
    "directory": "test-workflow",
    "inputs": {
        "mzML-files": {"generate": "mzml", "count": 1},
        "fasta-file": {"files": ["example-data/fasta/db.fasta"], "single": True},
    },
}


def test_an_app_without_the_templates_workflow_is_told_apart(job, capsys):
    job.spec(TEMPLATE)
    answer = said(job, capsys)
    assert (answer["importable"], answer["runnable"]) == (False, False)
    assert "No module named 'src.Workflow'" in answer["reason"]


def test_a_module_without_the_class_is_not_importable(job, capsys):
    job.spec({**RENAMED, "class": "NOT_A_CLASS"})
    assert said(job, capsys) == {"importable": False, "runnable": False, "reason": "no class NOT_A_CLASS"}


def test_the_apps_own_workflow_with_its_files_can_run(job, capsys):
    job.spec(RENAMED)
    assert said(job, capsys) == {"importable": True, "runnable": True, "reason": ""}


def test_a_missing_input_file_is_named(job, capsys, tmp_path):
    job.spec({**RENAMED, "inputs": {"fasta-file": {"files": ["example-data/fasta/gone.fasta", "/data/x.fasta"]}}})
    answer = said(job, capsys)
    assert (answer["importable"], answer["runnable"]) == (True, False)
    assert answer["reason"] == f"input files are missing: {tmp_path}/app/example-data/fasta/gone.fasta, /data/x.fasta"


def test_inputs_go_into_the_workspace_as_the_app_reads_them(job, tmp_path):
    job.spec(RENAMED)
    workspace = tmp_path / "workspaces/validate-1"
    params = job.put_inputs(job.workflow_spec(), workspace)
    assert params == {
        "run-python-script": False,
        "mzML-files": [str(workspace / "mzML-files/validate-1.mzML")],
        "fasta-file": str(workspace / "fasta-file/db.fasta"),
    }
    assert (workspace / "fasta-file/db.fasta").read_text() == ">p1\nPEPTIDE\n"
    assert "<mzML" in (workspace / "mzML-files/validate-1.mzML").read_text()[:2000]
