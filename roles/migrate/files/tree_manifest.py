"""Print the manifest of a directory tree as one JSON list: for each entry below ROOT (the root
itself not), its path relative to ROOT, type (file, dir, link or other), mode, mtime_ns and uid;
size and sha256 for files, the target for links. Symlinks are not followed.

    python3 tree_manifest.py ROOT

Runs on the old host (any Python 3 from 3.6 on) and in the transfer pod; the migrate role
compares the two lists (plugins/module_utils/migrate.py).
"""

import hashlib
import json
import os
import stat
import sys

CHUNK = 1 << 20


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def entry(root, path):
    info = os.lstat(path)
    found = {
        "path": os.path.relpath(path, root),
        "mode": stat.S_IMODE(info.st_mode),
        "mtime_ns": info.st_mtime_ns,
        "uid": info.st_uid,
    }
    if stat.S_ISLNK(info.st_mode):
        found.update(type="link", target=os.readlink(path))
    elif stat.S_ISDIR(info.st_mode):
        found["type"] = "dir"
    elif stat.S_ISREG(info.st_mode):
        found.update(type="file", size=info.st_size, sha256=sha256(path))
    else:
        found["type"] = "other"
    return found


def manifest(root):
    entries = []
    for directory, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(dirs + files):
            entries.append(entry(root, os.path.join(directory, name)))
    return entries


if __name__ == "__main__":
    # names that are not UTF-8 travel as \udcXX escapes, and come back as the same bytes
    json.dump(manifest(sys.argv[1]), sys.stdout)
