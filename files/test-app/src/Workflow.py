"""The template's example workflow, in short: FeatureFinderMetabo on each mzML file,
FeatureLinkerUnlabeledKD across the feature maps (it needs at least two, as in the template),
and the feature matrix exported as TSV (TextExporter).

As in the template, a step that fails is logged as "ERROR: ..." in logs/minimal.log and the job
still ends "finished": only the result files and the log tell whether the workflow worked.
"""

import json
import pathlib
import shutil
import subprocess


class StepFailed(Exception):
    pass


class Workflow:
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

    def steps(self):
        detection = self.dir / "results" / "feature-detection"
        linking = self.dir / "results" / "feature-linking"
        detection.mkdir(parents=True, exist_ok=True)
        linking.mkdir(parents=True, exist_ok=True)
        features = []
        for mzml in self.params["mzML-files"]:
            out = detection / (pathlib.Path(mzml).stem + ".featureXML")
            self.topp("FeatureFinderMetabo", "-in", mzml, "-out", str(out))
            features.append(str(out))
        matrix = linking / "feature_matrix.consensusXML"
        self.topp("FeatureLinkerUnlabeledKD", "-in", *features, "-out", str(matrix))
        self.topp("TextExporter", "-in", str(matrix), "-out", str(linking / "feature_matrix.tsv"))

    def run(self):
        try:
            self.steps()
        except StepFailed as failed:
            self.log(f"ERROR: {failed}")
        else:
            self.log("DONE")
        return {"success": True}
