"""Test app: one page that runs an OpenMS workflow on uploaded mzML files through the queue."""

import json
import os
import shutil
import socket
import uuid

import streamlit as st
from src import demos
from src.settings import load_settings, online_mode, workspaces_dir
from src.Workflow import Workflow

settings = load_settings()
st.set_page_config(page_title=settings["app-name"])
st.title(settings["app-name"])
online = online_mode(settings)
root = workspaces_dir()


workspace_id = st.query_params.get("workspace")
if workspace_id in demos.available(settings):
    # A demo's name opens a new workspace made from it, as in the template's online mode.
    demo_name, workspace_id = workspace_id, str(uuid.uuid1())
    demos.copy_into(settings, demo_name, root / workspace_id)
    st.query_params["workspace"] = workspace_id
elif not workspace_id or not demos.safe_name(workspace_id):
    workspace_id = str(uuid.uuid1())
    st.query_params["workspace"] = workspace_id
workspace = root / workspace_id
if not workspace.exists():
    workspace.mkdir(parents=True)
if not (workspace / "params.json").exists():
    (workspace / "params.json").write_text(json.dumps(json.load(open("default-parameters.json"))))
# The pod's name tells the tests which replica served the session.
st.caption(f"Workspace {workspace_id} ({'online' if online else 'local'} mode) on {socket.gethostname()}")

mzml_dir = workspace / "mzML-files"
mzml_dir.mkdir(exist_ok=True)
for upload in st.file_uploader("mzML files", type=["mzML"], accept_multiple_files=True) or []:
    (mzml_dir / upload.name).write_bytes(upload.getbuffer())

files = sorted(str(p) for p in mzml_dir.glob("*.mzML"))
st.write(f"{len(files)} mzML file(s)")
workflow_dir = workspace / "topp-workflow"
# Like the template's workflow, it links features across files: it needs at least two.
if st.button("Run workflow", disabled=not files):
    workflow_dir.mkdir(exist_ok=True)
    (workflow_dir / "params.json").write_text(json.dumps({"mzML-files": files, "run-python-script": False}))
    try:
        from src.workflow.queue_manager import QueueManager

        # as the template's WorkflowManager does: the class and module of the page's workflow
        job_id = QueueManager().submit(workflow_dir, Workflow.__name__, Workflow.__module__) if online else None
    except Exception:  # the template, too, falls back to running in the web process
        job_id = None
    if job_id:
        st.success(f"Queued {job_id}")
    else:
        pids = workflow_dir / "pids"
        pids.mkdir(exist_ok=True)
        (pids / str(os.getpid())).touch()
        Workflow(workflow_dir).run()
        shutil.rmtree(pids)
        st.warning("Ran in the web process (no queue)")

if (workflow_dir / ".job_id").exists():
    job_id = (workflow_dir / ".job_id").read_text()
    try:
        from src.workflow.queue_manager import QueueManager

        st.write(f"Job {job_id}: {QueueManager().status(job_id)}")
    except Exception as exc:
        st.write(f"Job {job_id}: status unknown ({exc})")
for result in sorted((workflow_dir / "results").rglob("*.tsv")) if workflow_dir.exists() else []:
    with st.expander(result.name):
        st.code(result.read_text())

try:
    admin_password = st.secrets.get("admin", {}).get("password", "")
except Exception:  # no secrets file at all
    admin_password = ""
st.write("Demo workspaces: " + ", ".join(demos.available(settings)))
# An empty admin password hides the admin feature, as in the template.
if admin_password and st.text_input("Admin password", type="password") == admin_password:
    name = st.text_input("Demo name")
    if st.button("Save as Demo", disabled=not name):
        saved, message = demos.save(settings, workspace, name)
        (st.success if saved else st.error)(message)
