#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lay out image build contexts exactly, in one module run."""

from __future__ import annotations

DOCUMENTATION = r"""
module: build_context
short_description: Lay out image build contexts exactly (what each build needs, nothing else) in one run
version_added: 1.3.0
description:
  - Makes each directory of I(contexts) hold exactly its I(entries) at its top level, each a copy
    of a file or directory (an exact copy, so what the source no longer has goes) or a text, and
    deletes anything else there (a file another source or an older collection put there would
    change the image's fingerprint without changing what it is made of).
  - Only what differs is written (size, modification time and mode for the files of a copied
    directory, bytes and mode for a single file or a text), so an unchanged context is not
    touched and its image not rebuilt.
  - One task for what a copy, a template and a find per file would do.
options:
  contexts:
    description: The build contexts.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: The context's directory; made when missing.
        type: path
        required: true
      entries:
        description: What the context holds at its top level.
        type: list
        elements: dict
        required: true
        suboptions:
          name:
            description: The entry's name in the context (required without I(files)).
            type: str
          src:
            description: A file or directory to copy (modes and modification times kept).
            type: path
          files:
            description: Names of files in the directory I(src), each copied under its own name.
            type: list
            elements: str
          content:
            description: A text to write (mode 0644).
            type: str
          missing_msg:
            description: The failure message when I(src) does not exist (default names the path).
            type: str
notes:
  - Supports check mode (says what it would write and delete).
author:
  - OpenMS Streamlit Kubernetes maintainers (@OpenMS)
"""

EXAMPLES = r"""
- name: Lay out the clean-up image's build context
  openms.streamlit_k8s.build_context:
    contexts:
      - path: /var/cache/openms-streamlit-k8s/build/apps/openms/cleanup-context
        entries:
          - {name: Dockerfile, src: /srv/collection/docker/cleanup/Dockerfile}
          - name: clean-up-workspaces.py
            src: /srv/app/clean-up-workspaces.py
            missing_msg: The app has no clean-up script
          - {name: constraints.txt, content: "rq>=2\n"}
"""

RETURN = r"""
written:
  description: Paths written (each context's path joined with the entry's path below it).
  returned: always
  type: list
  elements: str
deleted:
  description: Paths deleted.
  returned: always
  type: list
  elements: str
"""

import os
import shutil

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.openms.streamlit_k8s.plugins.module_utils import tree_sync

TEXT_MODE = 0o644


def expanded(entries):
    """The entries, one per name: an entry with files stands for one entry per file."""
    flat = []
    for entry in entries:
        if entry.get("files"):
            flat += [
                dict(entry, name=name, src=os.path.join(entry["src"] or "", name), files=None)
                for name in entry["files"]
            ]
        else:
            flat.append(entry)
    return flat


def entry_errors(contexts):
    """Why the contexts cannot be laid out ([] when they can): each entry has one source, and
    the sources exist."""
    errors = []
    for context in contexts:
        names = [entry["name"] for entry in context["entries"] if entry["name"]]
        for name in sorted({n for n in names if names.count(n) > 1}):
            errors.append(f"{context['path']}: {name} is given twice")
        for entry in context["entries"]:
            where = os.path.join(context["path"], entry["name"] or "")
            if not entry["name"] or "/" in entry["name"] or entry["name"] in (".", ".."):
                errors.append(f"{where}: an entry's name is one name, not a path")
            elif (entry.get("src") is None) == (entry.get("content") is None):
                errors.append(f"{where}: give either src or content")
            elif entry.get("src") is not None and not os.path.lexists(entry["src"]):
                errors.append(entry.get("missing_msg") or f"{where}: {entry['src']} does not exist")
    return errors


def same_file(src, target):
    """A single file is compared by its bytes and mode (one taken from an image has a new
    modification time each time)."""
    if not os.path.lexists(target) or os.path.islink(src) != os.path.islink(target):
        return False
    if os.path.islink(src):
        return os.readlink(src) == os.readlink(target)
    if os.path.isdir(target) or os.lstat(src).st_mode & 0o777 != os.lstat(target).st_mode & 0o777:
        return False
    with open(src, "rb") as one, open(target, "rb") as other:
        return one.read() == other.read()


def plan_entry(context_path, entry):
    """(written, deleted, tree plan) for one entry: the paths apply_entry will write and delete,
    and for a copied directory tree_sync's plan, which apply_entry carries out."""
    target = os.path.join(context_path, entry["name"])
    if entry.get("content") is not None:
        try:
            with open(target, "rb") as current:
                same = current.read() == entry["content"].encode() and os.stat(target).st_mode & 0o777 == TEXT_MODE
        except OSError:
            same = False
        return ([] if same else [target]), [], None
    src = entry["src"]
    if os.path.isdir(src) and not os.path.islink(src):
        to_copy, to_delete = tree_sync.plan(src, target)
        written, deleted = [os.path.join(target, p) for p in to_copy], [os.path.join(target, p) for p in to_delete]
        return written, deleted, (to_copy, to_delete)
    return ([] if same_file(src, target) else [target]), [], None


def apply_entry(context_path, entry, tree_plan):
    target = os.path.join(context_path, entry["name"])
    if entry.get("content") is not None:
        tree_sync.remove(target)
        with open(target, "w", encoding="utf-8") as written:
            written.write(entry["content"])
        os.chmod(target, TEXT_MODE)
        return
    src = entry["src"]
    if os.path.isdir(src) and not os.path.islink(src):
        tree_sync.apply(src, target, *tree_plan)
        return
    tree_sync.remove(target)
    if os.path.islink(src):
        os.symlink(os.readlink(src), target)
    else:
        shutil.copy2(src, target)


def strays(context):
    """What sits at the context's top level without being one of its entries."""
    if not os.path.isdir(context["path"]):
        return []
    names = {entry["name"] for entry in context["entries"]}
    return sorted(os.path.join(context["path"], n) for n in os.listdir(context["path"]) if n not in names)


def run(module):
    contexts = [dict(c, entries=expanded(c["entries"])) for c in module.params["contexts"]]
    errors = entry_errors(contexts)
    if errors:
        module.fail_json(msg="; ".join(errors))
    written, deleted = [], []
    for context in contexts:
        extra = strays(context)
        deleted += extra
        for entry in context["entries"]:
            entry_written, entry_deleted, tree_plan = plan_entry(context["path"], entry)
            written += entry_written
            deleted += entry_deleted
            if (entry_written or entry_deleted) and not module.check_mode:
                os.makedirs(context["path"], mode=0o755, exist_ok=True)
                apply_entry(context["path"], entry, tree_plan)
        if not module.check_mode:
            os.makedirs(context["path"], mode=0o755, exist_ok=True)
            for path in extra:
                tree_sync.remove(path)
    module.exit_json(changed=bool(written or deleted), written=written, deleted=deleted)


def main():
    entry = dict(
        name=dict(type="str"),
        src=dict(type="path"),
        files=dict(type="list", elements="str"),
        content=dict(type="str"),
        missing_msg=dict(type="str"),
    )
    context = dict(
        path=dict(type="path", required=True),
        entries=dict(type="list", elements="dict", required=True, options=entry),
    )
    module = AnsibleModule(
        argument_spec=dict(contexts=dict(type="list", elements="dict", required=True, options=context)),
        supports_check_mode=True,
    )
    run(module)


if __name__ == "__main__":
    main()
