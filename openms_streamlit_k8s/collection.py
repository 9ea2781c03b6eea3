"""The collection as Ansible's tools see it, in a work directory outside the checkout:
dist/       the artifact of `ansible-galaxy collection build` (galaxy.yml's build_ignore)
sanity/     ansible_collections/openms/streamlit_k8s: the artifact's content and tests/, beside
            the dependencies its plugins import, for `ansible-test sanity`
installed/  an empty collections path the artifact is installed into
"""

import importlib.util
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile

from . import paths, shell

# What a user of the collection needs, and nothing of the checkout: no tests, tooling, caches.
UNWANTED = re.compile(
    r"^(tests|molecule|bin|scripts|collections|openms_streamlit_k8s|bench|site\.yml|requirements\.txt|\.[^/]+)(/|$)"
    r"|(^|/)(__pycache__|\.[a-z_]+_cache|\.ansible|\.?venv)(/|$)|\.pyc$"
)
# The collections the plugins import, bundled by the pinned `ansible` package
DEPENDENCIES = ("kubernetes/core", "openstack/cloud")


def work_dir():
    return pathlib.Path(os.environ.get("OPENMS_K8S_COLLECTION_WORK") or paths.cache_home() / "collection")


def _installed_env(installed):
    env = {key: value for key, value in os.environ.items() if key != "ANSIBLE_CONFIG"}
    env["ANSIBLE_COLLECTIONS_PATH"] = str(installed)
    return env


def build():
    """The artifact, checked for files it must not hold; returns its path."""
    dist = work_dir() / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    shell.run(["ansible-galaxy", "collection", "build", "--output-path", str(dist)], cwd=paths.repo())
    (artifact,) = dist.glob("openms-streamlit_k8s-*.tar.gz")
    with tarfile.open(artifact) as tar:
        names = tar.getnames()
    unwanted = [name for name in names if UNWANTED.search(name)]
    if unwanted:
        raise shell.Failed("collection build: the artifact holds files it should not:\n" + "\n".join(unwanted))
    files = sum(1 for member in tarfile.open(artifact).getmembers() if member.isfile())
    print(f"collection build: {files} files in {artifact}")
    return artifact


def install(artifact, target):
    """The artifact installed into the empty collections path `target` (made afresh), offline:
    its dependencies are those the pinned `ansible` package bundles."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shell.run(
        ["ansible-galaxy", "collection", "install", "--offline", "-p", str(target), str(artifact)],
        cwd=target,
        env=_installed_env(target),
    )


def docs(artifact):
    """Every role's argument specs, as ansible-doc shows them from the installed artifact."""
    installed = work_dir() / "installed"
    install(artifact, installed)
    roles = sorted(p.name for p in (paths.repo() / "roles").iterdir() if p.is_dir())
    for role in roles:
        doc = shell.output(
            ["ansible-doc", "-t", "role", f"openms.streamlit_k8s.{role}"],
            cwd=installed,
            env={**_installed_env(installed), "NO_COLOR": "1"},
        )
        if not (doc.startswith(f"> ROLE: *openms.streamlit_k8s.{role}* ") and "ENTRY POINT: " in doc):
            raise shell.Failed(f"ansible-doc: no documentation for the role openms.streamlit_k8s.{role}")
    print(f"ansible-doc: every role documented ({len(roles)} roles)")


def _bundled_collections():
    spec = importlib.util.find_spec("ansible_collections.kubernetes.core")
    return pathlib.Path(next(iter(spec.submodule_search_locations))).parents[1]


def _pip_version():
    import ansible_test

    source = pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
    return re.search(r"pip='([0-9.]+)'", source.read_text()).group(1).replace(".", "_")


def sanity(artifact):
    """ansible-test sanity on the artifact's content plus tests/, with the dependencies beside it.
    Each sanity test runs in a virtual environment of ansible-test's, which bootstraps pip with a
    get-pip.py it downloads unless a copy is cached: scripts/get_pip_standin.py stands in for it."""
    shell.need_debian_packages("shellcheck")  # else sanity skips its shellcheck test with a warning
    root = paths.repo()
    cache = pathlib.Path.home() / ".ansible" / "test" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    standin = cache / f"get_pip_{_pip_version()}.py"
    shutil.copyfile(root / "scripts" / "get_pip_standin.py", standin)
    standin.chmod(0o644)
    tree = work_dir() / "sanity"
    collection = tree / "ansible_collections" / "openms" / "streamlit_k8s"
    # The tree is made afresh, but for ansible-test's own virtual environment in tests/output.
    kept_output = work_dir() / "sanity-output"
    if (collection / "tests" / "output").is_dir():
        shutil.rmtree(kept_output, ignore_errors=True)
        (collection / "tests" / "output").rename(kept_output)
    shutil.rmtree(tree, ignore_errors=True)
    (collection / "tests").mkdir(parents=True)
    with tarfile.open(artifact) as tar:
        tar.extractall(collection, filter="tar")
    tracked = shell.output(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "tests"], cwd=root)
    for name in filter(None, tracked.split("\0")):
        source = root / name
        if source.is_file():
            (collection / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, collection / name)
    if kept_output.is_dir():
        kept_output.rename(collection / "tests" / "output")
    bundled = _bundled_collections()
    for dependency in DEPENDENCIES:
        link = tree / "ansible_collections" / dependency
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(bundled / dependency)
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    shell.run(["ansible-test", "sanity", "--python", version, "--venv", "--color", "no"], cwd=collection)


def check_all():
    artifact = build()
    shell.stage("collection: ansible-doc of every role")
    docs(artifact)
    shell.stage("collection: changelog lint")
    shell.run(["antsibull-changelog", "lint"], cwd=paths.repo())
    shell.stage("collection: ansible-test sanity")
    sanity(artifact)
    return artifact


def installed_check(extra_args=()):
    """The installed artifact, run by its full name with its own local inventory and without the
    checkout's ansible.cfg, as a user of the installed collection runs it: a check run against the
    deployed stack must not fail."""
    installed = work_dir() / "installed"
    artifact = build()
    install(artifact, installed)
    inventory = installed / "ansible_collections" / "openms" / "streamlit_k8s" / "inventories" / "local"
    done = subprocess.run(
        ["ansible-playbook", "openms.streamlit_k8s.site", "--check", "-i", str(inventory), *extra_args],
        cwd=installed,
        env=_installed_env(installed),
        check=False,
    )
    if done.returncode != 0:
        raise shell.Failed(f"the installed collection's check run failed (exit {done.returncode})")
