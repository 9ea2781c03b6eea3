"""Delete workspaces that nobody has touched for seven days (the template's contract).

Removes the top-level directories of WORKSPACES_DIR whose modification time is more than
seven days old. Names starting with "." (such as .demos) and symlinks are never touched, nor
anything below the top level.
"""

import os
import pathlib
import shutil
import sys
import time

MAX_AGE_DAYS = 7


def stale_workspaces(root, now):
    cutoff = now - MAX_AGE_DAYS * 86400
    for entry in sorted(root.iterdir()):
        if entry.name.startswith(".") or entry.is_symlink() or not entry.is_dir():
            continue
        if entry.stat().st_mtime < cutoff:
            yield entry


def main():
    root = pathlib.Path(os.environ.get("WORKSPACES_DIR", "/workspaces-streamlit-template"))
    if not root.is_dir():
        print(f"{root} does not exist", file=sys.stderr)
        return 1
    removed = 0
    for workspace in stale_workspaces(root, time.time()):
        shutil.rmtree(workspace)
        print(f"removed {workspace}")
        removed += 1
    print(f"removed {removed} workspace(s) older than {MAX_AGE_DAYS} days from {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
