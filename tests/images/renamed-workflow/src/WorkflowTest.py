"""An app built from the template whose workflow has its own class and module (WorkflowTest in
src/WorkflowTest.py) and two kinds of input: mzML files (FeatureFinderMetabo on each) and a FASTA
database (DecoyDatabase adds its decoys), as apps like NuXL or FLASHTnT need a database.
"""

import pathlib

from src.workflow.manager import StepFailed, WorkflowManager


class WorkflowTest(WorkflowManager):
    def steps(self):
        database = self.params.get("fasta-file")
        if not database:
            raise StepFailed("no FASTA database given (fasta-file)")
        features = self.results("features")
        for mzml in self.params.get("mzML-files") or []:
            self.topp(
                "FeatureFinderMetabo", "-in", mzml, "-out", str(features / (pathlib.Path(mzml).stem + ".featureXML"))
            )
        decoys = self.results("database") / (pathlib.Path(database).stem + "_decoy.fasta")
        self.topp("DecoyDatabase", "-in", database, "-out", str(decoys))
