"""Delete workspaces that nobody has touched for a while.

Removes the top-level directories of WORKSPACES_DIR whose modification time is older than
MAX_AGE_DAYS (default 7). Names starting with "." (such as .demos) are never touched.
"""

import os
import pathlib
import shutil
import sys
import time


def stale_workspaces(root, max_age_days, now=None):
    cutoff = (now if now is not None else time.time()) - max_age_days * 86400
    for entry in sorted(root.iterdir()):
        if entry.name.startswith(".") or not entry.is_dir() or entry.is_symlink():
            continue
        if entry.stat().st_mtime < cutoff:
            yield entry


def main():
    root = pathlib.Path(os.environ.get("WORKSPACES_DIR", "/workspaces-streamlit-template"))
    max_age_days = float(os.environ.get("MAX_AGE_DAYS", "7"))
    if not root.is_dir():
        print(f"{root} does not exist", file=sys.stderr)
        return 1
    removed = 0
    for workspace in stale_workspaces(root, max_age_days):
        shutil.rmtree(workspace)
        print(f"removed {workspace}")
        removed += 1
    print(f"removed {removed} workspace(s) older than {max_age_days:g} days from {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
