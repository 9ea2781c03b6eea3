#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Copy entries of a directory tree (on this host or one reached by SSH) into a pod, as a tar stream."""

from __future__ import annotations

DOCUMENTATION = r"""
module: workspaces_copy
short_description: Copy entries of a directory tree into a pod as one tar stream
version_added: 1.1.0
description:
  - Removes I(remove) under I(dest) in the pod, then streams the I(send) entries of I(source)
    (paths relative to it, each directory above an entry listed too) with GNU tar from the
    source host straight into C(tar -x) in the pod's container, through the API server's exec;
    nothing is staged on either side.
  - The stream keeps each entry's mode with the owner's read and write added (C(--mode=u+rwX)),
    its mtime (POSIX format, sub-second), symlinks as symlinks; the pod's tar runs as the
    container's user, who owns what it writes.
  - The source is read on this host, or on I(source_ssh)'s host through C(ssh) (with C(sudo -n)
    when I(source_ssh.become)).
  - The plan (what to send and remove) comes from comparing both sides' manifests
    (C(plugins/module_utils/migrate.py)); this module only moves the bytes.
options:
  source:
    description: The tree's root on the source host (a Docker volume's C(_data) directory).
    type: path
    required: true
  source_ssh:
    description: Read the source on another host through C(ssh); omitted, on this host.
    type: dict
    suboptions:
      host:
        description: Host name or address.
        type: str
        required: true
      user:
        description: Remote user.
        type: str
      port:
        description: SSH port.
        type: int
      private_key:
        description: Private key file.
        type: path
      args:
        description:
          - More C(ssh) options, as the inventory gives them (C(ansible_ssh_common_args),
            C(ansible_ssh_extra_args)), for example C(-o ProxyJump=...) or C(-o UserKnownHostsFile=...).
        type: str
      become:
        description: Run tar through C(sudo -n) (the volume's files belong to root).
        type: bool
        default: false
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
  namespace:
    description: The pod's namespace.
    type: str
    required: true
  pod:
    description: The pod that mounts the destination.
    type: str
    required: true
  container:
    description: The container that runs C(tar) and C(rm).
    type: str
    required: true
  dest:
    description: The destination directory in the container.
    type: str
    required: true
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
notes:
  - Supports check mode (nothing is sent or removed; the result says what would be).
requirements:
  - kubernetes >= 24.2.0
  - GNU tar on the source host and in the container
author:
  - OpenMS Streamlit Kubernetes maintainers (@OpenMS)
"""

EXAMPLES = r"""
- name: Copy two workspaces from a Docker volume into the transfer pod
  openms.streamlit_k8s.workspaces_copy:
    source: /var/lib/docker/volumes/workspaces-streamlit-template/_data
    send: [ws-1, ws-1/params.json]
    namespace: openms
    pod: openms-migrate
    container: transfer
    dest: /workspaces-streamlit-template
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

import copy
import os
import time

from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
from ansible_collections.openms.streamlit_k8s.plugins.module_utils.k8s_module import run_module
from ansible_collections.openms.streamlit_k8s.plugins.module_utils.tar_stream import stream

# Paths per rm in the pod: an exec's arguments travel in its URL
REMOVE_BATCH = 200


def argspec():
    args = copy.deepcopy(AUTH_ARG_SPEC)
    args.update(
        source=dict(type="path", required=True),
        source_ssh=dict(
            type="dict",
            options=dict(
                host=dict(type="str", required=True),
                user=dict(type="str"),
                port=dict(type="int"),
                private_key=dict(type="path", no_log=False),
                args=dict(type="str"),
                become=dict(type="bool", default=False),
            ),
        ),
        send=dict(type="list", elements="str", default=[]),
        remove=dict(type="list", elements="str", default=[]),
        namespace=dict(type="str", required=True),
        pod=dict(type="str", required=True),
        container=dict(type="str", required=True),
        dest=dict(type="str", required=True),
    )
    return args


def exec_stream(core, params, command):
    from kubernetes.stream import stream

    return stream(
        core.connect_get_namespaced_pod_exec,
        params["pod"],
        params["namespace"],
        container=params["container"],
        command=command,
        stdin=True,
        stdout=True,
        stderr=True,
        tty=False,
        _preload_content=False,
    )


def finish(response, said):
    """Read the exec's output until it ends; its exit code."""
    while response.is_open():
        response.update(timeout=1)
        said.append(response.read_stdout(timeout=0) + response.read_stderr(timeout=0))
    return response.returncode


def remove(core, params, module):
    for start in range(0, len(params["remove"]), REMOVE_BATCH):
        paths = [os.path.join(params["dest"], path) for path in params["remove"][start : start + REMOVE_BATCH]]
        said = []
        code = finish(exec_stream(core, params, ["rm", "-rf", "--", *paths]), said)
        if code != 0:
            module.fail_json(msg=f"removing {len(paths)} entries in {params['pod']} failed ({code}): {''.join(said)}")


def send(core, params, module):
    """The source's tar into the pod's tar -x; the bytes sent."""
    target = ["tar", "-x", "-f", "-", "-C", params["dest"], "-p", "--no-same-owner", "--delay-directory-restore"]
    response = exec_stream(core, params, target)
    said = []

    def into_pod(chunk):
        response.write_stdin(chunk)
        said.append(response.read_stderr(timeout=0))

    sent, source_code, source_said = stream(params["source"], params["source_ssh"], params["send"], into_pod)
    # GNU tar ends at the archive's end marker: the exec then ends without stdin being closed
    target_code = finish(response, said)
    if source_code != 0 or target_code != 0:
        module.fail_json(
            msg=f"the copy failed: tar at the source exited {source_code} ({source_said.strip()[-2000:]}), "
            f"tar in {params['pod']} exited {target_code} ({''.join(said).strip()[-2000:]})",
            bytes=sent,
        )
    return sent


def run(module, api):
    from kubernetes import client

    params = module.params
    result = dict(changed=bool(params["send"] or params["remove"]), sent=0, removed=0, bytes=0, seconds=0.0)
    if module.check_mode or not result["changed"]:
        result.update(sent=len(params["send"]), removed=len(params["remove"]))
        module.exit_json(**result)
    core = client.CoreV1Api(api.client.client)
    started = time.monotonic()
    if params["remove"]:
        remove(core, params, module)
    sent = send(core, params, module) if params["send"] else 0
    seconds = round(time.monotonic() - started, 2)
    result.update(sent=len(params["send"]), removed=len(params["remove"]), bytes=sent, seconds=seconds)
    module.exit_json(**result)


def main():
    run_module(argspec(), run)


if __name__ == "__main__":
    main()
