"""A check run of site.yml for an app that was never deployed reports what it would do and
changes nothing: no namespace, no volume, no build directory, no workspaces directory."""

import pathlib

from kubernetes.client.exceptions import ApiException
from site_playbook import run_site

APP = "check-only"


def test_check_run_of_a_new_app_changes_nothing(cluster, kube):
    rc, changed, output = run_site("--check", "--diff", "-e", f"streamlit_k8s_app_name={APP}")
    assert rc == 0, output[-3000:]
    assert changed > 0, "a new app must show changes"
    assert f"Namespace {APP} does not exist yet" in output
    assert f"/build/apps/{APP} does not exist yet" in output
    for read in (
        lambda: kube.core.read_namespace(APP),
        lambda: kube.core.read_persistent_volume(f"{APP}-{APP}-workspaces"),
    ):
        try:
            read()
        except ApiException as err:
            assert err.status == 404
        else:
            raise AssertionError("a check run created an object")
    assert not pathlib.Path(f"/var/cache/openms-streamlit-k8s/build/apps/{APP}").exists()
    assert not pathlib.Path(cluster["shared_dir"], f"{APP}-{APP}-workspaces").exists()


def test_https_with_a_cert_manager_issuer_asks_for_its_certificate(cluster):
    rc, changed, output = run_site(
        "--check",
        "--diff",
        "--tags",
        "ingress",
        "-e",
        "streamlit_k8s_url=https://openms.local",
        "-e",
        "ingress_host=openms.local",
        "-e",
        "ingress_cert_manager_issuer=letsencrypt",
    )
    assert rc == 0 and changed == 1, output[-3000:]
    assert "+ cert-manager.io/cluster-issuer: letsencrypt" in output, output[-3000:]
    assert "+ secretName: openms-tls" in output, output[-3000:]


def test_an_empty_admin_password_is_allowed(cluster):
    # The template hides "Save as Demo" then.
    rc, _changed, output = run_site("--check", "--tags", "web", "-e", '{"web_admin_password": ""}')
    assert rc == 0, output[-3000:]
