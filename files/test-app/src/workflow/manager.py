"""The base of the app's workflows, as the template's src/workflow/WorkflowManager.py is: a
workflow directory with params.json, logs/minimal.log, TOPP tools run one after the other. As in
the template, a step that fails is logged as "ERROR: ..." and the job still ends "finished":
only the result files and the log tell whether the workflow worked.
"""

import json
import pathlib
import shutil
import subprocess


class StepFailed(Exception):
    pass


class WorkflowManager:
    def __init__(self, workflow_dir):
        self.dir = pathlib.Path(workflow_dir)
        self.params = json.loads((self.dir / "params.json").read_text())

    def log(self, line):
        logs = self.dir / "logs"
        logs.mkdir(exist_ok=True)
        with open(logs / "minimal.log", "a") as handle:
            handle.write(line + "\n")

    def topp(self, tool, *args):
        path = shutil.which(tool)
        if path is None:
            raise StepFailed(f"the TOPP tool {tool} is not on PATH")
        proc = subprocess.run([path, *args, "-no_progress"], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            said = (proc.stdout + proc.stderr).strip()[-500:]
            raise StepFailed(f"{tool} exited with {proc.returncode}: {said}")
        self.log(f"{tool} {' '.join(args)}")

    def results(self, name):
        directory = self.dir / "results" / name
        directory.mkdir(parents=True, exist_ok=True)
        return directory

    def steps(self):
        raise NotImplementedError

    def run(self):
        try:
            self.steps()
        except StepFailed as failed:
            self.log(f"ERROR: {failed}")
        else:
            self.log("DONE")
        return {"success": True}
