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

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.openms.streamlit_k8s.plugins.module_utils.tree_sync import apply, plan


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
