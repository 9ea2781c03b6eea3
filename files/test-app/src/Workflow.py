"""The template's example workflow, in short: FeatureFinderMetabo on each mzML file,
FeatureLinkerUnlabeledKD across the feature maps (it needs at least two, as in the template),
and the feature matrix exported as TSV (TextExporter).
"""

import pathlib

from src.workflow.manager import WorkflowManager


class Workflow(WorkflowManager):
    def steps(self):
        detection = self.results("feature-detection")
        linking = self.results("feature-linking")
        features = []
        for mzml in self.params["mzML-files"]:
            out = detection / (pathlib.Path(mzml).stem + ".featureXML")
            self.topp("FeatureFinderMetabo", "-in", mzml, "-out", str(out))
            features.append(str(out))
        matrix = linking / "feature_matrix.consensusXML"
        self.topp("FeatureLinkerUnlabeledKD", "-in", *features, "-out", str(matrix))
        self.topp("TextExporter", "-in", str(matrix), "-out", str(linking / "feature_matrix.tsv"))
