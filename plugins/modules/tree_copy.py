#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Copy entries of a directory tree into another directory of the same host, as one tar stream."""

from __future__ import annotations

DOCUMENTATION = r"""
module: tree_copy
short_description: Copy entries of a directory tree into another directory on its host
version_added: 1.1.0
description:
  - Removes I(remove) under I(dest), then streams the I(send) entries of I(source) (paths
    relative to it, each directory above an entry listed too) from GNU tar into C(tar -x) in
    I(dest), on the host the module runs on (the old VM, with the app's share mounted there).
  - Keeps what the workspaces_copy module keeps when it copies into a pod - each entry's mode
    with the owner's read and write added, its mtime, symlinks as symlinks - and makes every
    entry I(owner)'s (user and group), as the app's pods write them.
  - The plan (what to send and remove) comes from comparing both sides' manifests
    (C(plugins/module_utils/migrate.py)); this module only moves the bytes.
  - Runs as root (with C(become)) - the old volume's files belong to root, and only root gives
    the copies to I(owner).
options:
  source:
    description: The tree's root (a Docker volume's C(_data) directory).
    type: path
    required: true
  dest:
    description: The destination directory (the app's directory on the mounted share); must exist.
    type: path
    required: true
  send:
    description: Entries to send, relative to I(source), parents before children.
    type: list
    elements: str
    default: []
  remove:
    description: Entries to delete under I(dest) first, relative to it.
    type: list
    elements: str
    default: []
  owner:
    description: The uid (and gid) that owns every copied entry.
    type: int
    default: 1000
notes:
  - Supports check mode (nothing is sent or removed; the result says what would be).
requirements:
  - GNU tar
author:
  - OpenMS Streamlit Kubernetes maintainers (@OpenMS)
"""

EXAMPLES = r"""
- name: Copy a workspace from the Docker volume onto the mounted share
  openms.streamlit_k8s.tree_copy:
    source: /var/lib/docker/volumes/workspaces-streamlit-template/_data
    dest: /mnt/openms-migrate-streamlit-template/streamlit-template
    send: [ws-1, ws-1/params.json]
  become: true
"""

RETURN = r"""
sent:
  description: Entries sent.
  returned: always
  type: int
removed:
  description: Entries removed.
  returned: always
  type: int
bytes:
  description: Bytes of the tar stream (0 in check mode).
  returned: always
  type: int
seconds:
  description: Seconds the removal and the stream took.
  returned: always
  type: float
"""

import os
import shutil
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.openms.streamlit_k8s.plugins.module_utils.tar_stream import copy_into


def inside(dest, path):
    """The entry's path under dest; a path that would leave dest is an error, not a deletion."""
    full = os.path.normpath(os.path.join(dest, path))
    if os.path.isabs(path) or full == dest or not full.startswith(dest.rstrip("/") + "/"):
        raise ValueError(f"{path!r} is not an entry below {dest}")
    return full


def remove(dest, paths):
    for path in paths:
        full = inside(dest, path)
        if os.path.isdir(full) and not os.path.islink(full):
            shutil.rmtree(full)
        elif os.path.lexists(full):
            os.unlink(full)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            source=dict(type="path", required=True),
            dest=dict(type="path", required=True),
            send=dict(type="list", elements="str", default=[]),
            remove=dict(type="list", elements="str", default=[]),
            owner=dict(type="int", default=1000),
        ),
        supports_check_mode=True,
    )
    params = module.params
    result = dict(
        changed=bool(params["send"] or params["remove"]),
        sent=len(params["send"]),
        removed=len(params["remove"]),
        bytes=0,
        seconds=0.0,
    )
    if not os.path.isdir(params["dest"]):
        module.fail_json(msg=f"{params['dest']} is not a directory (is the share mounted?)", **result)
    if module.check_mode or not result["changed"]:
        module.exit_json(**result)
    started = time.monotonic()
    try:
        remove(params["dest"], params["remove"])
    except (OSError, ValueError) as err:
        module.fail_json(msg=f"removing entries under {params['dest']} failed: {err}", **result)
    sent, failed = 0, ""
    if params["send"]:
        sent, failed = copy_into(params["source"], params["send"], params["dest"], params["owner"])
    result.update(bytes=sent, seconds=round(time.monotonic() - started, 2))
    if failed:
        module.fail_json(msg=failed, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
