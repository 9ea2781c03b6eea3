"""The user's path in a real browser through the ingress (Debian's chromium, driven by Playwright):
open the app, upload two mzML files, start the workflow, see its results; then delete the web
pod that served the session, reload, and the same workspace and results are back.

Screenshots of each step go to $OPENMS_K8S_ARTIFACTS/browser/ (default: artifacts/ in the
checkout, ignored by git). Needs the app deployed on the local cluster by site.yml.
"""

import os
import pathlib
import shutil
import time

import app_page
import pytest
from app_page import RESULT, caption, open_result
from kubernetes.client.exceptions import ApiException

REPO = pathlib.Path(__file__).resolve().parents[2]
NS = "openms"
CLAIM_DIR = "openms-openms-workspaces"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = app_page.launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def shots():
    """Numbered screenshots of the steps, kept after the run."""
    directory = pathlib.Path(os.environ.get("OPENMS_K8S_ARTIFACTS", REPO / "artifacts")) / "browser"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    taken = []

    def shot(page, step):
        path = directory / f"{len(taken) + 1:02d}-{step}.png"
        page.screenshot(path=path, full_page=True)
        taken.append(path)

    yield shot
    print(f"screenshots: {', '.join(str(p) for p in taken)}")


@pytest.fixture
def web_ready_afterwards(kube):
    """The tests after this one expect every web pod Ready again."""
    yield
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        status = kube.apps.read_namespaced_deployment(f"{NS}-web", NS).status
        if status.ready_replicas == status.replicas and not status.unavailable_replicas:
            return
        time.sleep(2)
    pytest.fail(f"the web Deployment is not Ready again after the pod was deleted: {status}")


def test_upload_run_see_results_and_keep_them_when_the_pod_goes(
    browser, cluster, kube, shots, web_ready_afterwards, tmp_path
):
    files = app_page.mzml_files(tmp_path)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    workspace = None
    try:
        page.goto(cluster["ingress_url"] + "/")
        first = caption(page)
        workspace = first["workspace"]
        assert first["mode"] == "online", first
        shots(page, "opened")

        app_page.upload_and_run(page, files, shots)
        open_result(page)
        shots(page, "results")

        served_by = caption(page)["pod"]
        uid = kube.core.read_namespaced_pod(served_by, NS).metadata.uid
        kube.core.delete_namespaced_pod(served_by, NS, grace_period_seconds=0)
        deadline = time.monotonic() + 60
        while True:
            try:
                if kube.core.read_namespaced_pod(served_by, NS).metadata.uid != uid:
                    break
            except ApiException as err:
                if err.status == 404:
                    break
                raise
            assert time.monotonic() < deadline, f"pod {served_by} was not deleted within 60 s"
            time.sleep(1)

        # The container outlives its API object by web_pre_stop_seconds (it serves until the
        # ingress has dropped it): reload until another pod answers.
        from playwright.sync_api import Error as PlaywrightError

        deadline = time.monotonic() + 60
        while True:
            try:
                page.reload(timeout=10_000)
                after = caption(page)
            except PlaywrightError:  # a request that met the dying pod (timeout, aborted)
                after = {"pod": served_by}
            if after["pod"] != served_by or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert after["workspace"] == workspace and after["pod"] != served_by, (first, after)
        page.get_by_text(RESULT).wait_for(timeout=60_000)
        open_result(page)
        shots(page, "after-its-pod-was-deleted")
    except Exception:
        shots(page, "failed")
        raise
    finally:
        page.context.close()
        if workspace:
            shutil.rmtree(pathlib.Path(cluster["shared_dir"]) / CLAIM_DIR / workspace, ignore_errors=True)
