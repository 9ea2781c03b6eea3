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
"""

import hashlib
import json
import os

from ansible.module_utils.basic import AnsibleModule

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


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            path=dict(type="path", required=True),
            dockerfile=dict(type="str", default="Dockerfile"),
            build_args=dict(type="dict", default={}),
            target=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    docker = module.get_bin_path("docker", required=True)
    if not os.path.isdir(p["path"]):
        module.fail_json(msg=f"build context {p['path']} is not a directory")
    args = {k: str(v) for k, v in p["build_args"].items()}
    wanted = fingerprint(p["path"], p["dockerfile"], args, p["target"])
    current = inspect(module, docker, p["name"])
    labels = ((current or {}).get("Config") or {}).get("Labels") or {}
    if current and labels.get(LABEL) == wanted:
        module.exit_json(changed=False, fingerprint=wanted, image_id=current["Id"])
    if module.check_mode:
        module.exit_json(changed=True, fingerprint=wanted, image_id="")

    cmd = [docker, "build", "-t", p["name"], "--label", f"{LABEL}={wanted}", "-f", p["dockerfile"]]
    for key, value in sorted(args.items()):
        cmd += ["--build-arg", f"{key}={value}"]
    if p["target"]:
        cmd += ["--target", p["target"]]
    rc, stdout, stderr = module.run_command(cmd + ["."], cwd=p["path"], expand_user_and_vars=False)
    if rc != 0:
        module.fail_json(msg=f"docker build of {p['name']} failed", stdout=stdout[-6000:], stderr=stderr[-4000:])
    module.exit_json(changed=True, fingerprint=wanted, image_id=inspect(module, docker, p["name"])["Id"])


if __name__ == "__main__":
    main()
