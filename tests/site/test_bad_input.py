"""Bad input stops site.yml before its first change, with a message naming the variable.

Every run is for an app that was never deployed (APP): stopped before its first change, it
leaves no namespace, no volume and no image build behind. Runs beside the tests of the deployed
`openms` app (openms_streamlit_k8s/testing.py: OWN_APP_LANES); a phase that finds bad state in
the cluster itself is tested on the deployed app (test_bad_cluster_state.py).
"""

import json
import pathlib

import pytest
import site_playbook
import yaml

from openms_streamlit_k8s import playbook

REPO = pathlib.Path(__file__).resolve().parents[2]
LOCAL_VARS = REPO / "inventories/local/group_vars/all/streamlit_k8s.yml"
APP = "bad-input"


@pytest.fixture
def snapshot(kube, cluster):
    """Nothing of APP in the cluster or the build cache, before and after the run."""

    def take():
        namespaces = [n.metadata.name for n in kube.core.list_namespace().items if n.metadata.name == APP]
        volumes = kube.core.list_persistent_volume(label_selector=f"app.kubernetes.io/instance={APP}").items
        return {
            "namespaces": namespaces,
            "volumes": [v.metadata.name for v in volumes],
            "built": pathlib.Path(f"/var/cache/openms-streamlit-k8s/build/apps/{APP}").exists(),
            "shared": [path.name for path in pathlib.Path(cluster["shared_dir"]).glob(f"{APP}-*")],
        }

    empty = {"namespaces": [], "volumes": [], "built": False, "shared": []}
    assert take() == empty, f"{APP} was deployed before the test"
    yield
    assert take() == empty, "a rejected run changed the cluster"


def run_site(*args, **kwargs):
    """site.yml for APP (an -e after this one may still set another name)."""
    return site_playbook.run_site("-e", f"streamlit_k8s_app_name={APP}", *args, **kwargs)


def assert_stopped_before_any_change(rc, changed, output, code=playbook.EXIT_BAD_INPUT):
    # The command line's exit code says why (playbook.Progress.exit_code)
    assert rc == code, output[-3000:]
    assert changed == 0, output[-3000:]
    # The first change of a run is the namespace: a run stopped by its inputs never gets
    # there, and builds no image.
    assert "TASK [Apply the app's namespace" not in output, output[-3000:]
    assert "Build the" not in output, output[-3000:]
    # Our message, not the API server's JSON
    assert '"kind":"Status"' not in output.replace(" ", ""), output[-3000:]


# One bad value per input, each on a whole site.yml run (every phase selected): the message
# names the variable, its value and what is allowed.
BAD_INPUTS = {
    "streamlit_k8s_workspaces_path": (
        "relative/path",
        "streamlit_k8s_workspaces_path=relative/path is not allowed: it must be an absolute path",
    ),
    "streamlit_k8s_app_name": ("Open_MS", "streamlit_k8s_app_name=Open_MS is not allowed: it must be a DNS-1035 label"),
    "streamlit_k8s_namespace": ("openms.app", "streamlit_k8s_namespace=openms.app is not allowed: it must be a DNS"),
    "streamlit_k8s_url": ("127.0.0.1:18080", "streamlit_k8s_url=127.0.0.1:18080 is not allowed: it must be a URL"),
    "manila_share_size_gb": (5000, "manila_share_size_gb=5000 is not allowed: a share holds 1 to 1000 GB"),
    "manila_share_hostpath_host_dir": ("shared", "manila_share_hostpath_host_dir=shared is not allowed: it must be an"),
    "redis_storage_size": ("lots", "redis_storage_size=lots is not allowed: it must be a storage quantity"),
    "redis_memory_request": ("1Gi", "redis_memory_request=1Gi is not allowed: it must be at most redis_memory_limit"),
    "images_app_image": ("OpenMS/App:dev", "images_app_image=OpenMS/App:dev is not allowed: it must be an image"),
    "web_replicas": (-1, "web_replicas=-1 is not allowed: it must be an integer from 0 to 20"),
    "web_workspaces_path": ("/app/../workspaces", "web_workspaces_path=/app/../workspaces is not allowed: it must be"),
    "web_port": (80, "web_port=80 is not allowed: it must be an integer from 1024 to 65535"),
    "web_max_surge": ("0%", "web_max_surge=0% is not allowed: it must be an integer or a percentage (like 100%)"),
    "web_cpu_request": ("fast", "web_cpu_request=fast is not allowed: it must be a cpu quantity"),
    "web_cookie_secret": ("short", "web_cookie_secret=(hidden) is not allowed: it must be at least 32 characters"),
    "web_env": ({"REDIS_URL": "redis://elsewhere"}, "web_env={'REDIS_URL': 'redis://elsewhere'} is not allowed"),
    "worker_replicas": (-3, "worker_replicas=-3 is not allowed: it must be an integer from 0 to 50"),
    "worker_ttl": (5, "worker_ttl=5 is not allowed: it must be an integer of at least 16"),
    "worker_memory_limit": ("4GB", "worker_memory_limit=4GB is not allowed: it must be a memory quantity"),
    "cronjob_schedule": ("0 3 * *", "cronjob_schedule='0 3 * *' is not allowed: it must be a cron schedule"),
    "cronjob_time_zone": ("Mars/Olympus", "cronjob_time_zone=Mars/Olympus is not allowed: it must be an IANA"),
    "cronjob_name": ("openms-" + "x" * 50, "is not allowed: it must be a DNS-1123 label"),
    "ingress_host": ("https://openms.example.org", "ingress_host=https://openms.example.org is not allowed"),
    "ingress_cookie_name": ("my cookie", "ingress_cookie_name='my cookie' is not allowed: it must be a cookie name"),
    "validate_url": ("openms", "validate_url=openms is not allowed: it must be a URL"),
    "validate_host_header": ("127.0.0.1", "validate_host_header=127.0.0.1 is not allowed: it must be a DNS name"),
    "validate_checks": (
        ["tiers", "stickiness"],
        "validate_checks=['tiers', 'stickiness'] is not allowed: it must be a list of names among tiers, health,",
    ),
}


def phase_of(variable):
    """The phase whose input a variable is (its prefix), or site.yml's own inputs."""
    return next((phase for phase in playbook.phases() if variable.startswith(phase + "_")), "site")


# Each case is named by its phase: `pytest -k web` runs the web phase's inputs.
@pytest.mark.parametrize("variable", BAD_INPUTS, ids=[f"{phase_of(v)}:{v}" for v in BAD_INPUTS])
def test_bad_input_stops_before_any_change(snapshot, variable):
    value, expected = BAD_INPUTS[variable]
    rc, changed, output = run_site("-e", json.dumps({variable: value}))
    assert_stopped_before_any_change(rc, changed, output)
    assert expected in output, output[-3000:]
    assert "short" not in output or variable != "web_cookie_secret", "a secret value was shown"


def test_every_bad_input_of_a_phase_is_named_at_once(snapshot):
    rc, changed, output = run_site("-e", json.dumps({"worker_ttl": 5, "worker_replicas": 99}))
    assert_stopped_before_any_change(rc, changed, output)
    assert "worker_ttl=5 is not allowed" in output, output[-3000:]
    assert "worker_replicas=99 is not allowed" in output, output[-3000:]


@pytest.mark.parametrize(
    "args,expected,code",
    [
        (["--tags", "web", "-e", "web_replicas=many"], "web_replicas", playbook.EXIT_BAD_INPUT),
        (["-e", "ingress_flavour=nginx-ingress"], "ingress_flavour", playbook.EXIT_BAD_INPUT),
        # the shared names are set as a whole (role common's argument spec)
        (
            ["-e", json.dumps({"streamlit_k8s_names": {"redis": "openms-redis", "web": "openms-web"}})],
            "missing required arguments: cleanup, web_config, worker, workspaces_claim, workspaces_volume "
            "found in streamlit_k8s_names",
            playbook.EXIT_BAD_INPUT,
        ),
        (
            ["--tags", "web", "-e", "web_image=localhost:5001/openms-streamlit-k8s/openms-app:no-such-tag"],
            "The image localhost:5001/openms-streamlit-k8s/openms-app:no-such-tag does not exist",
            playbook.EXIT_BAD_INPUT,
        ),
        (
            ["-e", "streamlit_k8s_url=https://openms.local", "-e", "ingress_host=openms.local"],
            "ingress_tls_secret and ingress_cert_manager_issuer are both empty, but the app is served over HTTPS",
            playbook.EXIT_BAD_INPUT,
        ),
        (
            ["-e", "streamlit_k8s_url=https://openms.local"],
            "ingress_host is empty, but the app is served over HTTPS",
            playbook.EXIT_BAD_INPUT,
        ),
        # the cluster answers, but is too old: a failed preflight, not an input
        (["-e", "streamlit_k8s_kubernetes_minimum=1.99"], "this collection needs 1.99 or later", playbook.EXIT_FAILED),
        (["-e", "streamlit_k8s_context=no-such-context"], "The cluster did not answer", playbook.EXIT_UNREACHABLE),
        (
            ["-e", "streamlit_k8s_kubeconfig=/nonexistent/kubeconfig"],
            "Set streamlit_k8s_kubeconfig",
            playbook.EXIT_UNREACHABLE,
        ),
    ],
    ids=[
        "replicas-not-int",
        "unknown-flavour",
        "common:partial-names",
        "missing-image-tag",
        "https-without-certificate",
        "https-without-host",
        "kubernetes-too-old",
        "unknown-context",
        "missing-kubeconfig",
    ],
)
def test_bad_value_stops_with_a_clear_message(snapshot, args, expected, code):
    rc, changed, output = run_site(*args)
    assert_stopped_before_any_change(rc, changed, output, code)
    assert expected in output, output[-3000:]


@pytest.mark.parametrize("secret", ["web_admin_password", "web_cookie_secret", "redis_password"])
def test_missing_secret_stops_with_its_name(snapshot, tmp_path, secret):
    variables = yaml.safe_load(LOCAL_VARS.read_text())
    del variables[secret]
    (tmp_path / "group_vars/all").mkdir(parents=True)
    (tmp_path / "group_vars/all/streamlit_k8s.yml").write_text(yaml.safe_dump(variables))
    (tmp_path / "hosts.yml").write_text((REPO / "inventories/local/hosts.yml").read_text())
    rc, changed, output = run_site(inventory=tmp_path)
    assert_stopped_before_any_change(rc, changed, output)
    assert secret in output, output[-3000:]
    assert "missing required arguments" in output or "is undefined" in output, output[-3000:]
