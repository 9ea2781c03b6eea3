#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make a directory an exact copy of another, touching only what differs."""

from __future__ import annotations

DOCUMENTATION = r"""
module: sync_tree
short_description: Make a directory an exact copy of another in one pass
version_added: 1.1.0
description:
  - Copies each file of I(src) whose size, modification time, mode or symlink target differs
    in I(dest) (times and modes are kept, so an unchanged tree is not copied again), and
    deletes from I(dest) what I(src) does not have. With I(files), only those paths are copied
    and nothing is deleted.
  - One task instead of a copy per file and a find on both sides; an app's code with thousands
    of files is compared in a fraction of a second.
options:
  src:
    description: The directory to copy.
    type: path
    required: true
  dest:
    description: The copy; made when missing.
    type: path
    required: true
  files:
    description: Only these paths, relative to I(src); nothing in I(dest) is deleted then.
    type: list
    elements: str
notes:
  - Supports check mode.
author:
  - OpenMS Streamlit Kubernetes maintainers (@OpenMS)
"""

EXAMPLES = r"""
- name: Copy the app's code into the build context
  openms.streamlit_k8s.sync_tree:
    src: /srv/app
    dest: /var/cache/openms-streamlit-k8s/build/apps/openms/app-context/app
"""

RETURN = r"""
copied:
  description: Paths (relative to I(dest)) that were copied.
  returned: always
  type: list
  elements: str
deleted:
  description: Paths (relative to I(dest)) that were deleted.
  returned: always
  type: list
  elements: str
"""

import os
import shutil
import stat

from ansible.module_utils.basic import AnsibleModule


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


def main():
    module = AnsibleModule(
        argument_spec=dict(
            src=dict(type="path", required=True),
            dest=dict(type="path", required=True),
            files=dict(type="list", elements="str"),
        ),
        supports_check_mode=True,
    )
    src, dest, files = module.params["src"], module.params["dest"], module.params["files"]
    if not os.path.isdir(src):
        module.fail_json(msg=f"src {src} is not a directory")
    missing = [path for path in files or [] if not os.path.lexists(os.path.join(src, path))]
    if missing:
        module.fail_json(msg=f"files not in {src}: {', '.join(missing)}")
    to_copy, to_delete = plan(src, dest, files)
    if not module.check_mode:
        apply(src, dest, to_copy, to_delete)
    module.exit_json(changed=bool(to_copy or to_delete), copied=to_copy, deleted=to_delete)


if __name__ == "__main__":
    main()
