# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a workspaces migration copies, deletes and refuses: the decisions of the migrate role.

A manifest (roles/migrate/files/tree_manifest.py, run on the old host and in the transfer pod)
lists a tree's entries: path (relative), type (file, dir, link, other), mode, mtime_ns, uid, and
size and sha256 for files, target for links. The plan compares the source's manifest with the
destination's; the verification compares them again after the copy.
"""

from __future__ import annotations

import posixpath

# The app's user may read and write everything it gets (the old container wrote as root, often
# with root-only modes): what tar's --mode=u+rwX gives on the way.
OWNER_BITS_FILE = 0o600
OWNER_BITS_DIR = 0o700


def wanted_mode(entry):
    """The mode an entry gets at the destination: its own, with the owner's read and write (and
    search, for directories and executables)."""
    mode = entry["mode"]
    if entry["type"] == "dir" or mode & 0o111:
        return mode | OWNER_BITS_DIR
    return mode | OWNER_BITS_FILE


def link_inside(entry, mount_path):
    """Whether a symlink resolves inside the tree: relative targets below the tree's root,
    absolute ones below mount_path, where the app mounts the tree (the old container mounted it
    at the same path, or its absolute links would lead nowhere)."""
    target = entry["target"]
    if target.startswith("/"):
        root = mount_path.rstrip("/")
        normal = posixpath.normpath(target)
        return normal == root or normal.startswith(root + "/")
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(entry["path"]), target))
    return resolved != ".." and not resolved.startswith("../")


def refusal(entry, mount_path):
    """Why an entry is never copied (None when it is): special files, and symlinks that lead out
    of the workspaces."""
    if entry["type"] == "other":
        return "not a file, directory or symlink"
    if entry["type"] == "link" and not link_inside(entry, mount_path):
        return f"symlink to {entry['target']}, outside the workspaces at {mount_path}"
    return None


def _seconds(entry):
    # NFS servers and tar keep whole seconds at least; the bytes are compared by their sha256
    return entry["mtime_ns"] // 1_000_000_000


def _same(source, dest):
    """Whether dest already is what source becomes at the destination."""
    if dest is None or source["type"] != dest["type"]:
        return False
    if source["type"] == "link":
        return source["target"] == dest["target"]
    if wanted_mode(source) != dest["mode"] or _seconds(source) != _seconds(dest):
        return False
    return source["type"] == "dir" or (source["size"], source["sha256"]) == (dest["size"], dest["sha256"])


def _parents(path):
    parent = posixpath.dirname(path)
    while parent:
        yield parent
        parent = posixpath.dirname(parent)


def plan(source, dest, mount_path, final=False):
    """What to do to make dest what source is.

    Returns a dict: `send` (paths, in order, that the source's tar sends: the files, links and
    directories that differ, with every directory above a sent entry, so that its mtime is set
    again after its content), `remove` (paths to delete first, deepest first: entries whose type
    changed, and with `final` those the source no longer has), `refused` ({path, reason}: what is
    never copied), `files` and `bytes` (what the send holds).
    """
    sources = {entry["path"]: entry for entry in source}
    dests = {entry["path"]: entry for entry in dest}
    refused, send, remove = [], set(), set()
    for path, entry in sources.items():
        reason = refusal(entry, mount_path)
        if reason:
            refused.append({"path": path, "reason": reason})
        elif not _same(entry, dests.get(path)):
            send.add(path)
            if path in dests and dests[path]["type"] != entry["type"]:
                remove.add(path)
    refused_paths = {item["path"] for item in refused}
    if final:
        remove |= {path for path in dests if path not in sources or path in refused_paths}
    # a removed directory takes its content with it
    remove = {path for path in remove if not any(parent in remove for parent in _parents(path))}
    # what is sent or removed changes its directories' mtimes: each is sent again after it
    for path in list(send) + list(remove):
        send.update(parent for parent in _parents(path) if parent in sources)
    files = [path for path in send if sources[path]["type"] == "file"]
    return {
        "send": sorted(send),
        "remove": sorted(remove, key=lambda path: (-path.count("/"), path)),
        "refused": sorted(refused, key=lambda item: item["path"]),
        "files": len(files),
        "bytes": sum(sources[path]["size"] for path in files),
    }


def differences(source, dest, mount_path, uid):
    """What the destination holds that is not what the source has (after a copy): one line each,
    for every entry the plan does not refuse; extra entries at the destination are not counted
    (only a final pass removes them)."""
    dests = {entry["path"]: entry for entry in dest}
    lines = []
    for entry in source:
        path = entry["path"]
        if refusal(entry, mount_path):
            continue
        there = dests.get(path)
        if there is None:
            lines.append(f"{path}: missing")
        elif not _same(entry, there):
            lines.append(f"{path}: differs ({_describe(entry)} at the source, {_describe(there)} here)")
        elif entry["type"] != "link" and there["uid"] != uid:
            lines.append(f"{path}: owned by uid {there['uid']}, not {uid}")
    return lines


def _describe(entry):
    if entry["type"] == "link":
        return f"link to {entry['target']}"
    size = f" {entry['size']} bytes sha256 {entry['sha256'][:12]}" if entry["type"] == "file" else ""
    return f"{entry['type']}{size} mode {oct(entry['mode'])} mtime {_seconds(entry)}"
