"""inventories/local-fleet for the site tests that use it (the fleet's own, the migration's): its
apps, their host_vars, their removal."""

import pathlib
import shutil

import yaml
from site_playbook import remove_app

FLEET = "inventories/local-fleet"
REPO = pathlib.Path(__file__).resolve().parents[1]
APPS = ("fleet-a", "fleet-b")
SHARE = "fleet-workspaces"


def host_vars(app):
    return yaml.safe_load((REPO / FLEET / "host_vars" / f"{app}.yml").read_text())


def remove_fleet(kube, cluster):
    for app in APPS:
        remove_app(kube, app, f"{app}-{app}-workspaces")
    # the share's directory too: the fleet is the tests' own, its data from an earlier run goes
    shutil.rmtree(pathlib.Path(cluster["shared_dir"]) / SHARE, ignore_errors=True)
