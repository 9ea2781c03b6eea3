#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Save local Docker images into one archive whose first entry names them all."""

from __future__ import annotations

DOCUMENTATION = r"""
module: image_archive
short_description: Save Docker images into one archive that lists every tag first
version_added: 1.0.0
description:
  - Runs C(docker save) for several images and rewrites the archive so that its
    C(repositories) entry comes first and names every image.
  - Tools that read only the first metadata entry of an archive, such as
    C(kind build node-image), then see every image in it, while C(ctr images import)
    still imports them all.
  - Idempotent. The archive is rewritten only when the image IDs differ from those
    recorded beside it.
options:
  images:
    description: Image references, each present in the local Docker engine.
    type: list
    elements: str
    required: true
  dest:
    description: Path of the archive.
    type: path
    required: true
notes:
  - Supports check mode.
  - Needs the C(docker) command; when it is missing the module fails with a message.
author:
  - OpenMS Streamlit Kubernetes maintainers (@OpenMS)
"""

EXAMPLES = r"""
- name: Archive kube-proxy with the images kind would otherwise pull
  openms.streamlit_k8s.image_archive:
    images:
      - registry.k8s.io/kube-proxy:v1.34.4
      - registry.k8s.io/pause:3.10
    dest: /var/cache/openms-streamlit-k8s/build/kube-proxy.tar
"""

RETURN = r"""
image_ids:
  description: Image ID of each archived image.
  returned: always
  type: dict
"""

import io
import json
import os
import tarfile

from ansible.module_utils.basic import AnsibleModule


def split_reference(ref):
    """Split an image reference into repository and tag."""
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > slash:
        return ref[:colon], ref[colon + 1 :]
    return ref, "latest"


def familiar_name(repository):
    """The name docker save writes for a repository (docker.io/ and library/ dropped)."""
    for prefix in ("docker.io/library/", "docker.io/"):
        if repository.startswith(prefix):
            return repository[len(prefix) :]
    return repository


def qualified_repositories(saved, images):
    """Re-key docker's `repositories` map by the references exactly as requested.

    docker save shortens docker.io/kindest/kindnetd to kindest/kindnetd; kind compares
    the archive's names with the fully qualified ones it expects.
    """
    result = {}
    for ref in images:
        repository, tag = split_reference(ref)
        layer = saved.get(familiar_name(repository), {}).get(tag) or saved.get(repository, {}).get(tag)
        if layer is None:
            raise ValueError(f"docker save did not record {ref}")
        result.setdefault(repository, {})[tag] = layer
    return result


def rewrite_with_repositories_first(src, dest, images):
    """Copy the docker-save archive `src` to `dest` with a `repositories` entry first.

    docker save writes manifest.json before repositories, and manifest.json lists each
    image separately, while repositories names every tag in one map. Tools that read
    only the first metadata entry (kind) then see every image.
    """
    with tarfile.open(src) as source, tarfile.open(dest, "w") as target:
        member = source.getmember("repositories")
        saved = json.load(source.extractfile(member))
        data = json.dumps(qualified_repositories(saved, images), sort_keys=True).encode()
        member.size = len(data)
        target.addfile(member, io.BytesIO(data))
        for member in source:
            if member.name == "repositories":
                continue
            handle = source.extractfile(member) if member.isfile() else None
            target.addfile(member, handle)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            images=dict(type="list", elements="str", required=True),
            dest=dict(type="path", required=True),
        ),
        supports_check_mode=True,
    )
    docker = module.get_bin_path("docker", required=True)
    images = module.params["images"]
    dest = module.params["dest"]
    stamp_path = dest + ".ids.json"

    image_ids = {}
    for ref in images:
        rc, stdout, stderr = module.run_command(
            [docker, "image", "inspect", "--format", "{{.Id}}", ref], expand_user_and_vars=False
        )
        if rc != 0:
            module.fail_json(msg=f"image {ref} is not in the local Docker engine: {stderr.strip()}")
        image_ids[ref] = stdout.strip()

    try:
        with open(stamp_path) as handle:
            recorded = json.load(handle)
    except (OSError, ValueError):
        recorded = None
    if recorded == image_ids and os.path.isfile(dest):
        module.exit_json(changed=False, image_ids=image_ids)
    if module.check_mode:
        module.exit_json(changed=True, image_ids=image_ids)

    os.makedirs(os.path.dirname(dest), exist_ok=True)
    saved = dest + ".save.tmp"
    written = dest + ".tmp"
    try:
        rc, _stdout, stderr = module.run_command([docker, "save", "-o", saved] + images, expand_user_and_vars=False)
        if rc != 0:
            module.fail_json(msg=f"docker save failed: {stderr.strip()}")
        try:
            rewrite_with_repositories_first(saved, written, images)
        except ValueError as exc:
            module.fail_json(msg=str(exc))
        os.replace(written, dest)
    finally:
        for path in (saved, written):
            if os.path.exists(path):
                os.remove(path)
    with open(stamp_path, "w") as handle:
        json.dump(image_ids, handle)
    module.exit_json(changed=True, image_ids=image_ids)


if __name__ == "__main__":
    main()
