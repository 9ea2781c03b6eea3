"""Demo workspaces, by the template's rules.

settings.json ``demo_workspaces``: ``enabled`` and ``source_dirs`` (a list, or the legacy
string ``source_dir``; default example-data/workspaces). Every existing directory is listed,
the first one with a name wins; "Save as Demo" writes into the FIRST directory (made when
missing). A workspace made from a demo links its files by absolute path and copies params.json
and .ini files.
"""

import pathlib
import shutil


def safe_name(name):
    return bool(name) and "/" not in name and "\\" not in name and name not in (".", "..")


def source_dirs(settings):
    config = settings.get("demo_workspaces", {})
    if not config.get("enabled", False):
        return []
    dirs = config.get("source_dirs", config.get("source_dir", ["example-data/workspaces"]))
    if isinstance(dirs, str):
        dirs = [dirs]
    return [pathlib.Path(d) for d in dirs if pathlib.Path(d).exists()]


def target_dir(settings):
    dirs = settings.get("demo_workspaces", {}).get("source_dirs", ["example-data/workspaces"])
    return pathlib.Path(dirs if isinstance(dirs, str) else (dirs or ["example-data/workspaces"])[0])


def available(settings):
    seen = []
    for directory in source_dirs(settings):
        for entry in sorted(directory.iterdir()):
            if entry.is_dir() and entry.name not in seen:
                seen.append(entry.name)
    return seen


def find(settings, name):
    if not safe_name(name):
        return None
    for directory in source_dirs(settings):
        if (directory / name).is_dir():
            return directory / name
    return None


def _link_tree(source, target):
    target.mkdir(parents=True, exist_ok=True)
    for item in source.iterdir():
        if item.is_dir():
            _link_tree(item, target / item.name)
        elif item.name == "params.json" or item.suffix == ".ini":
            shutil.copy2(item, target / item.name)
        else:
            (target / item.name).symlink_to(item.resolve())


def copy_into(settings, name, workspace):
    demo = find(settings, name)
    if demo is None:
        return False
    if workspace.exists():
        shutil.rmtree(workspace)
    _link_tree(demo, workspace)
    return True


def save(settings, workspace, name):
    """(saved, message): the workspace's files, symlinks followed, as demo ``name``."""
    if not safe_name(name):
        return False, "Invalid demo name."
    target = target_dir(settings) / name
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(workspace, target, symlinks=False)
    except OSError as err:
        return False, f"Failed to save demo: {err}"
    return True, f"Workspace saved as demo '{name}'."
