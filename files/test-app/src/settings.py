"""Settings and workspace locations, as the template reads them."""

import json
import os
import pathlib

APP_DIR = pathlib.Path(__file__).resolve().parent.parent
QUEUE_NAME = "openms-workflows"


def load_settings():
    return json.loads((APP_DIR / "settings.json").read_text())


def workspaces_dir():
    return pathlib.Path(os.environ.get("WORKSPACES_DIR", "/workspaces-streamlit-template"))


def online_mode(settings=None):
    """Online when REDIS_URL is set, else as settings.json says."""
    if os.environ.get("REDIS_URL"):
        return True
    return bool((settings or load_settings()).get("online_deployment"))
