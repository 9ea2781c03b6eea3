"""Apply the deployment's configuration to the app in /app, before Streamlit or RQ start.

The root filesystem is read-only in the pods: the image layer moved the app's own
settings.json, default-parameters.json and presets.json to $APP_ORIGINALS_DIR and left in
/app symlinks to $APP_RUN_DIR (an emptyDir in the pods), where this writes the live copies.

  $APP_CONFIG_DIR/settings-overrides.json   merged over settings.json (objects merged
                                            recursively, anything else replaced: jq's '*')
  $APP_CONFIG_DIR/default-parameters.json   replaces the app's file when present
  $APP_CONFIG_DIR/presets.json              likewise
  $SHARED_DEMOS_DIR (when set)              put first in demo_workspaces.source_dirs, before
                                            the app's own: demos are listed from both, and
                                            "Save as Demo" writes to the shared volume

Plain Python (no jq), run by the app's own interpreter: an app image need not have jq.
"""

import json
import os
import pathlib
import shutil
import sys


def merge(base, override):
    """jq's `.[0] * .[1]`: objects merged key by key, recursively; other values replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = merge(base[key], value) if key in base else value
        return merged
    return override


def with_shared_demos(settings, shared):
    demos = dict(settings.get("demo_workspaces") or {})
    own = demos.pop("source_dirs", demos.pop("source_dir", ["example-data/workspaces"]))
    own = [own] if isinstance(own, str) else list(own)
    demos["source_dirs"] = [shared] + [d for d in own if d != shared]
    return {**settings, "demo_workspaces": demos}


CONFIG_FILES = ("settings.json", "default-parameters.json", "presets.json")


def original(app_dir, originals_dir, name):
    """The app's own copy of a config file: moved aside by the image layer, else in place."""
    moved = originals_dir / name if originals_dir else None
    return moved if moved and moved.is_file() else app_dir / name


def prepare(app_dir, config_dir, shared_demos=None, originals_dir=None):
    settings_file = app_dir / "settings.json"
    settings = json.loads(original(app_dir, originals_dir, "settings.json").read_text())
    overrides = config_dir / "settings-overrides.json"
    if overrides.is_file():
        settings = merge(settings, json.loads(overrides.read_text()))
    if shared_demos:
        settings = with_shared_demos(settings, shared_demos)
    # Rewrite in place: the file may belong to another user, its directory not be writable.
    with open(settings_file, "w") as handle:
        json.dump(settings, handle, indent=2)
    for name in CONFIG_FILES[1:]:
        source = config_dir / name if (config_dir / name).is_file() else original(app_dir, originals_dir, name)
        if source.is_file() and source != app_dir / name:
            with open(app_dir / name, "w") as target, open(source) as handle:
                shutil.copyfileobj(handle, target)


def main():
    prepare(
        pathlib.Path(os.environ.get("APP_DIR", "/app")),
        pathlib.Path(os.environ.get("APP_CONFIG_DIR", "/config")),
        os.environ.get("SHARED_DEMOS_DIR") or None,
        pathlib.Path(os.environ.get("APP_ORIGINALS_DIR", "/opt/openms-k8s/app-config")),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
