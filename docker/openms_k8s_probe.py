"""The collection's own probe jobs, importable by every worker from the image layer it adds.

Drills and long-job checks need a job that runs for a known time whatever the app's workflow
takes as input (the template's workflow has no "sleep" parameter). These jobs hold the work
horse for a given time, as a long TOPP step would, and then run the app's own workflow, so a
long job still ends with the app's real results.

    slow_workflow(hold_seconds, workflow_dir, workflow_class, workflow_module)
"""

import importlib
import pathlib
import time


def slow_workflow(hold_seconds, workflow_dir, workflow_class, workflow_module):
    log = pathlib.Path(workflow_dir) / "logs" / "probe.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(log, "a") as handle:
        handle.write(f"holding for {float(hold_seconds):.0f} s before the app's workflow\n")
    time.sleep(float(hold_seconds))
    tasks = importlib.import_module("src.workflow.tasks")
    result = tasks.execute_workflow(workflow_dir, workflow_class, workflow_module)
    with open(log, "a") as handle:
        handle.write(f"done after {time.monotonic() - started:.0f} s\n")
    return result
