# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A directory made an exact copy of another, touching only what differs (size, modification
time, mode, symlink target): what the sync_tree and build_context modules do."""

from __future__ import annotations

import os
import shutil
import stat


def entries(root):
    """Relative path -> lstat of everything below root (directories included)."""
    found = {}
    for current, dirs, files in os.walk(root):
        for name in dirs + files:
            full = os.path.join(current, name)
            found[os.path.relpath(full, root)] = os.lstat(full)
    return found


def same(src_path, src_stat, dest_path, dest_stat):
    if dest_stat is None or stat.S_IFMT(src_stat.st_mode) != stat.S_IFMT(dest_stat.st_mode):
        return False
    if stat.S_ISLNK(src_stat.st_mode):
        return os.readlink(src_path) == os.readlink(dest_path)
    if stat.S_ISDIR(src_stat.st_mode):
        return stat.S_IMODE(src_stat.st_mode) == stat.S_IMODE(dest_stat.st_mode)
    return (
        src_stat.st_size == dest_stat.st_size
        and int(src_stat.st_mtime) == int(dest_stat.st_mtime)
        and stat.S_IMODE(src_stat.st_mode) == stat.S_IMODE(dest_stat.st_mode)
    )


def plan(src, dest, files=None):
    """(to copy, to delete), relative paths in the order to apply them."""
    wanted = entries(src)
    if files is not None:
        wanted = {path: wanted[path] for path in files}
    present = entries(dest) if os.path.isdir(dest) else {}
    to_copy = sorted(
        path
        for path, info in wanted.items()
        if not same(os.path.join(src, path), info, os.path.join(dest, path), present.get(path))
    )
    to_delete = [] if files is not None else sorted(set(present) - set(wanted), reverse=True)
    return to_copy, to_delete


def remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)


def apply(src, dest, to_copy, to_delete):
    for path in to_delete:
        remove(os.path.join(dest, path))
    os.makedirs(dest, exist_ok=True)
    for path in to_copy:
        source, target = os.path.join(src, path), os.path.join(dest, path)
        info = os.lstat(source)
        if os.path.lexists(target) and (stat.S_ISLNK(info.st_mode) or not os.path.isdir(target)):
            remove(target)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if stat.S_ISLNK(info.st_mode):
            os.symlink(os.readlink(source), target)
        elif stat.S_ISDIR(info.st_mode):
            if os.path.lexists(target) and not os.path.isdir(target):
                remove(target)
            os.makedirs(target, exist_ok=True)
            os.chmod(target, stat.S_IMODE(info.st_mode))
        else:
            shutil.copy2(source, target)
