#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build Go programs of one module version from the Go module proxy."""

from __future__ import annotations

DOCUMENTATION = r"""
module: go_build
short_description: Build binaries of a Go module version fetched from the module proxy
version_added: 1.0.0
description:
  - Builds the main packages of one Go module at one version into a directory, using
    only the Go module proxy (no git, no download sites).
  - Modules whose own C(go.mod) replaces dependencies with local directories (Kubernetes'
    staging modules, etcd's sibling modules) cannot be built with C(go install). This
    module writes a small wrapper module that requires the target and re-maps those
    local replacements to published versions, and copies every non-local replacement.
  - Idempotent. A stamp file beside the binaries records what was built; when it matches
    and every binary exists, nothing runs.
options:
  module:
    description: Go module path, for example C(k8s.io/kubernetes).
    type: str
    required: true
  version:
    description: Module version, for example C(v1.34.4).
    type: str
    required: true
  packages:
    description:
      - Main packages to build, as a map from binary name to package path. A path that
        starts with C(./) or is C(.) is relative to the module.
    type: dict
    required: true
  dest:
    description: Directory for the binaries. Created when missing.
    type: path
    required: true
  workdir:
    description: Directory for the wrapper module. Defaults to C(dest)/.wrapper.
    type: path
  local_replace_version:
    description:
      - Version used for dependencies that the target's go.mod requires at C(v0.0.0)
        and replaces with a local directory (Kubernetes' staging modules are
        C(v0.<minor>.<patch>) for Kubernetes C(v1.<minor>.<patch>)).
    type: str
  ldflags:
    description: Value of C(-ldflags).
    type: str
    default: "-s -w"
  tags:
    description: Build tags.
    type: list
    elements: str
    default: []
  env:
    description: Extra environment for the go command, for example C(CGO_ENABLED=0).
    type: dict
    default: {}
  go:
    description:
      - The go command, a name looked up in C(PATH) or a path.
      - When it is missing the module fails with a message (in check mode too).
    type: path
    default: go
notes:
  - Supports check mode, where it only reports whether a build is needed.
author:
  - OpenMS Streamlit Kubernetes maintainers (@OpenMS)
"""

EXAMPLES = r"""
- name: Build kind
  openms.streamlit_k8s.go_build:
    module: sigs.k8s.io/kind
    version: v0.30.0
    packages: {kind: .}
    dest: /var/cache/streamlit-k8s/kind-v0.30.0
"""

RETURN = r"""
binaries:
  description: Absolute paths of the built binaries, by name.
  returned: always
  type: dict
wrapper_go_mod:
  description: The wrapper go.mod that was (or would be) used.
  returned: always
  type: str
"""

import json
import os
import re

from ansible.module_utils.basic import AnsibleModule

_REPLACE_LINE = re.compile(r"^\s*(?:replace\s+)?(\S+)(?:\s+(\S+))?\s+=>\s+(\S+)(?:\s+(\S+))?\s*$")
_REQUIRE_LINE = re.compile(r"^\s*(?:require\s+)?(\S+)\s+(v\S+)(?:\s*//.*)?$")
_GO_LINE = re.compile(r"^go\s+(\S+)\s*$", re.M)


def parse_go_mod(text):
    """Return (go_version, requires, replaces) of a go.mod text.

    requires: {path: version}; replaces: list of (old, old_version, new, new_version).
    """
    go_version = None
    match = _GO_LINE.search(text)
    if match:
        go_version = match.group(1)
    requires, replaces = {}, []
    block = None
    for raw in text.splitlines():
        line = raw.split("//", 1)[0].rstrip() if "=>" in raw else raw.rstrip()
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.endswith("(") and stripped.split()[0] in ("require", "replace"):
            block = stripped.split()[0]
            continue
        if stripped == ")":
            block = None
            continue
        kind = block
        if stripped.startswith("require "):
            kind = "require"
        elif stripped.startswith("replace "):
            kind = "replace"
        if kind == "replace":
            m = _REPLACE_LINE.match(stripped)
            if m:
                replaces.append(m.groups())
        elif kind == "require":
            m = _REQUIRE_LINE.match(stripped)
            if m:
                requires[m.group(1)] = m.group(2)
    return go_version, requires, replaces


def is_local_path(target):
    return target.startswith("./") or target.startswith("../") or target.startswith("/")


def wrapper_go_mod(module, version, target_go_mod, local_replace_version):
    """The go.mod of a wrapper module that builds `module@version` from the proxy."""
    go_version, requires, replaces = parse_go_mod(target_go_mod)
    lines = [
        "module streamlit-k8s.local/gobuild",
        "",
        "go %s" % (go_version or "1.22"),
        "",
        f"require {module} {version}",
    ]
    remapped = []
    for old, old_version, new, new_version in replaces:
        if is_local_path(new):
            if requires.get(old, "").startswith("v0.0.0"):
                if not local_replace_version:
                    raise ValueError(
                        f"{module} replaces {old} with the local directory {new}; set "
                        "local_replace_version to the published version to use"
                    )
                remapped.append(f"\t{old} => {old} {local_replace_version}")
            continue
        left = old if not old_version else f"{old} {old_version}"
        right = new if not new_version else f"{new} {new_version}"
        remapped.append(f"\t{left} => {right}")
    if remapped:
        lines += ["", "replace ("] + remapped + [")"]
    return "\n".join(lines) + "\n"


def package_path(module, pkg):
    if pkg == ".":
        return module
    if pkg.startswith("./"):
        return module + "/" + pkg[2:]
    return pkg


def run(module, cmd, cwd, env):
    """Run `cmd` in `cwd` with `env` added to the environment; its stdout, or fail the module."""
    rc, stdout, stderr = module.run_command(cmd, cwd=cwd, environ_update=env, expand_user_and_vars=False)
    if rc != 0:
        module.fail_json(
            msg=f"{' '.join(cmd[:3])} failed with exit code {rc}",
            cmd=cmd,
            stdout=stdout[-4000:],
            stderr=stderr[-8000:],
        )
    return stdout


def main():
    module = AnsibleModule(
        argument_spec=dict(
            module=dict(type="str", required=True),
            version=dict(type="str", required=True),
            packages=dict(type="dict", required=True),
            dest=dict(type="path", required=True),
            workdir=dict(type="path"),
            local_replace_version=dict(type="str"),
            ldflags=dict(type="str", default="-s -w"),
            tags=dict(type="list", elements="str", default=[]),
            env=dict(type="dict", default={}),
            go=dict(type="path", default="go"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    # Looked up first, so that a missing go fails with a message, also in check mode.
    go = module.get_bin_path(p["go"], required=True)
    p["ldflags"] = " ".join(p["ldflags"].split())
    dest = p["dest"]
    workdir = p["workdir"] or os.path.join(dest, ".wrapper")
    binaries = {name: os.path.join(dest, name) for name in p["packages"]}
    # What the binaries depend on; cache locations are left out on purpose.
    spec = {k: p[k] for k in ("module", "version", "packages", "local_replace_version", "ldflags", "tags")}
    spec["env"] = {k: v for k, v in p["env"].items() if k not in ("GOCACHE", "GOMODCACHE", "GOPATH")}
    stamp_path = os.path.join(dest, ".build-stamp.json")

    try:
        with open(stamp_path) as handle:
            built = json.load(handle)
    except (OSError, ValueError):
        built = None
    if built == spec and all(os.path.isfile(b) for b in binaries.values()):
        module.exit_json(changed=False, binaries=binaries, wrapper_go_mod="")

    if module.check_mode:
        module.exit_json(changed=True, binaries=binaries, wrapper_go_mod="")

    env = {k: str(v) for k, v in p["env"].items()}
    if "GOFLAGS" not in env and "GOFLAGS" not in os.environ:
        env["GOFLAGS"] = "-mod=mod"
    os.makedirs(workdir, exist_ok=True)
    os.makedirs(dest, exist_ok=True)

    target = f"{p['module']}@{p['version']}"
    info = json.loads(run(module, [go, "mod", "download", "-json", target], workdir, env))
    with open(info["GoMod"]) as handle:
        target_go_mod = handle.read()
    try:
        go_mod = wrapper_go_mod(p["module"], p["version"], target_go_mod, p["local_replace_version"])
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    with open(os.path.join(workdir, "go.mod"), "w") as handle:
        handle.write(go_mod)
    go_sum = os.path.join(workdir, "go.sum")
    if os.path.exists(go_sum):
        os.remove(go_sum)

    build = [go, "build", "-trimpath", "-ldflags", p["ldflags"]]
    if p["tags"]:
        build += ["-tags", ",".join(p["tags"])]
    for name, pkg in sorted(p["packages"].items()):
        run(module, build + ["-o", binaries[name], package_path(p["module"], pkg)], workdir, env)

    with open(stamp_path, "w") as handle:
        json.dump(spec, handle)
    module.exit_json(changed=True, binaries=binaries, wrapper_go_mod=go_mod)


if __name__ == "__main__":
    main()
