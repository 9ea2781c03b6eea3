#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build a Docker image only when its build context changed."""

from __future__ import annotations

DOCUMENTATION = r"""
module: image_build
short_description: Build a Docker image when its build context or arguments changed
version_added: 1.0.0
description:
  - Fingerprints the build context (every file's path, mode and content) and the build
    arguments, and builds the image with C(docker build) only when no local image of that
    name carries the same fingerprint in its C(org.openms.streamlit-k8s.recipe) label.
  - Docker's layer cache still applies, so a change to the last layers rebuilds in seconds.
options:
  name:
    description: Image reference to tag, for example C(openms/app:1.0).
    type: str
    required: true
  path:
    description: Build context directory.
    type: path
    required: true
  dockerfile:
    description: Dockerfile, relative to I(path) or absolute.
    type: str
    default: Dockerfile
  build_args:
    description: Build arguments.
    type: dict
    default: {}
  target:
    description: Build stage to build (C(--target)); the last stage when omitted.
    type: str
  content_tag:
    description:
      - Also tag the image C(<name>-<fingerprint>) (C(<repository>:latest-<fingerprint>) when
        I(name) has no tag), a reference that changes exactly when the image's recipe does.
    type: bool
    default: false
    version_added: 1.1.0
notes:
  - Supports check mode.
  - Needs the C(docker) command; when it is missing the module fails with a message.
author:
  - OpenMS Streamlit Kubernetes maintainers (@OpenMS)
"""

EXAMPLES = r"""
- name: Build the app image
  openms.streamlit_k8s.image_build:
    name: openms-streamlit-k8s/app:dev
    path: /var/cache/openms-streamlit-k8s/build/app
    build_args: {BASE_IMAGE: debian:bookworm-slim}
"""

RETURN = r"""
fingerprint:
  description: Fingerprint of the context and arguments.
  returned: always
  type: str
image_id:
  description: Image ID after the run (empty in check mode when a build is needed).
  returned: always
  type: str
content_ref:
  description: The content tag, C(<name>-<fingerprint>); I(name) when I(content_tag) is false.
  returned: always
  type: str
  sample: openms/app:1.0-3f2a9c1d7b6e5a40
"""

import hashlib
import json
import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.openms.streamlit_k8s.plugins.module_utils.image_reference import content_reference

LABEL = "org.openms.streamlit-k8s.recipe"


def fingerprint(path, dockerfile, build_args, target=None):
    digest = hashlib.sha256()
    recipe = {"dockerfile": dockerfile, "args": build_args}
    if target:
        recipe["target"] = target
    digest.update(json.dumps(recipe, sort_keys=True).encode())
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(root, name)
            rel = os.path.relpath(full, path)
            digest.update(f"{rel}\0{os.lstat(full).st_mode & 0o777:o}\0".encode())
            if os.path.islink(full):
                digest.update(os.readlink(full).encode())
                continue
            with open(full, "rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
    return digest.hexdigest()[:16]


def inspect(module, docker, name):
    """docker image inspect of `name`, or None when there is no such local image."""
    rc, stdout, _stderr = module.run_command([docker, "image", "inspect", name], expand_user_and_vars=False)
    if rc != 0:
        return None
    return json.loads(stdout)[0]


def tag(module, docker, name, ref):
    """Tag the image name as ref unless ref already names the same image; True when it tagged."""
    image, tagged = inspect(module, docker, name), inspect(module, docker, ref)
    if tagged and image and tagged["Id"] == image["Id"]:
        return False
    module.run_command([docker, "tag", name, ref], check_rc=True, expand_user_and_vars=False)
    return True


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            path=dict(type="path", required=True),
            dockerfile=dict(type="str", default="Dockerfile"),
            build_args=dict(type="dict", default={}),
            target=dict(type="str"),
            content_tag=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    p = module.params
    docker = module.get_bin_path("docker", required=True)
    if not os.path.isdir(p["path"]):
        module.fail_json(msg=f"build context {p['path']} is not a directory")
    args = {k: str(v) for k, v in p["build_args"].items()}
    wanted = fingerprint(p["path"], p["dockerfile"], args, p["target"])
    ref = content_reference(p["name"], wanted) if p["content_tag"] else p["name"]
    current = inspect(module, docker, p["name"])
    labels = ((current or {}).get("Config") or {}).get("Labels") or {}
    if current and labels.get(LABEL) == wanted:
        tagged = p["content_tag"] and not module.check_mode and tag(module, docker, p["name"], ref)
        module.exit_json(changed=bool(tagged), fingerprint=wanted, image_id=current["Id"], content_ref=ref)
    if module.check_mode:
        module.exit_json(changed=True, fingerprint=wanted, image_id="", content_ref=ref)

    cmd = [docker, "build", "-t", p["name"], "--label", f"{LABEL}={wanted}", "-f", p["dockerfile"]]
    for key, value in sorted(args.items()):
        cmd += ["--build-arg", f"{key}={value}"]
    if p["target"]:
        cmd += ["--target", p["target"]]
    rc, stdout, stderr = module.run_command(cmd + ["."], cwd=p["path"], expand_user_and_vars=False)
    if rc != 0:
        module.fail_json(msg=f"docker build of {p['name']} failed", stdout=stdout[-6000:], stderr=stderr[-4000:])
    if p["content_tag"]:
        tag(module, docker, p["name"], ref)
    module.exit_json(
        changed=True, fingerprint=wanted, image_id=inspect(module, docker, p["name"])["Id"], content_ref=ref
    )


if __name__ == "__main__":
    main()
