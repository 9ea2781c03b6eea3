"""Probes run inside the app's pods (exec through the API server), shared by the site tests."""

import time

from kubernetes.stream import stream


def running_pods(kube, app, component):
    """The app's running pods of one tier (the app's namespace is named after it, as the local
    inventories name it)."""
    found = kube.core.list_namespaced_pod(
        app,
        label_selector=f"app.kubernetes.io/instance={app},app.kubernetes.io/component={component}",
        field_selector="status.phase=Running",
    ).items
    assert found, f"no running {component} pod of {app}"
    return found


def run_in(kube, pod, container, command, namespace):
    """Run a command in a container; (exit code, output)."""
    response = stream(
        kube.core.connect_get_namespaced_pod_exec,
        pod,
        namespace,
        container=container,
        command=["sh", "-c", f"{{ {command}; }} 2>&1; echo rc=$?"],
        stderr=False,
        stdin=False,
        stdout=True,
        tty=False,
        _preload_content=True,
    )
    output, _marker, code = response.rstrip().rpartition("rc=")
    return int(code), output.strip()


CONNECT = (
    '/usr/local/bin/openms-k8s-python -c "import socket, sys; '
    "socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3); print('open')\" {host} {port} 2>&1 | tail -1"
)


def connects(kube, pod, container, host, port, namespace):
    code, output = run_in(kube, pod, container, CONNECT.format(host=host, port=port), namespace)
    return code == 0 and output.endswith("open"), output


def eventually(probe, expected, seconds=20):
    """The enforcer rewrites its rules every 2 s: a probe may see the old state first."""
    deadline = time.monotonic() + seconds
    while True:
        result, output = probe()
        if result is expected or time.monotonic() > deadline:
            return result, output
        time.sleep(2)
