"""The function RQ workers run: execute_workflow(workflow_dir, workflow_class, workflow_module)."""

import importlib


def execute_workflow(workflow_dir, workflow_class, workflow_module):
    workflow = getattr(importlib.import_module(workflow_module), workflow_class)(workflow_dir)
    return workflow.run()
