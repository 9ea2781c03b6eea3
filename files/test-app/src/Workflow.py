"""A one-step OpenMS workflow: TOPP FileInfo on every mzML file of the workflow's params."""

import json
import pathlib
import shutil
import subprocess


class Workflow:
    def __init__(self, workflow_dir):
        self.dir = pathlib.Path(workflow_dir)
        self.params = json.loads((self.dir / "params.json").read_text())

    def log(self, line):
        logs = self.dir / "logs"
        logs.mkdir(exist_ok=True)
        with open(logs / "minimal.log", "a") as handle:
            handle.write(line + "\n")

    def run(self):
        tool = shutil.which("FileInfo")
        if tool is None:
            self.log("ERROR: the TOPP tool FileInfo is not on PATH")
            raise RuntimeError("FileInfo not found")
        out_dir = self.dir / "results" / "fileinfo"
        out_dir.mkdir(parents=True, exist_ok=True)
        results = []
        for mzml in self.params["mzML-files"]:
            out = out_dir / (pathlib.Path(mzml).stem + ".txt")
            proc = subprocess.run(
                [tool, "-in", mzml, "-out", str(out), "-no_progress"], capture_output=True, text=True, check=False
            )
            if proc.returncode != 0:
                self.log(f"ERROR: FileInfo failed on {mzml}: {proc.stderr.strip()[-500:]}")
                raise RuntimeError(f"FileInfo failed on {mzml}")
            self.log(f"FileInfo {mzml} -> {out}")
            results.append(str(out))
        self.log("DONE")
        return {"success": True, "results": results}
