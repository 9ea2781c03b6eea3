"""The user's path in a real browser through the ingress (Debian's chromium, driven by Playwright):
open the app, upload two mzML files, start the workflow, see its results; then delete the web
pod that served the session, reload, and the same workspace and results are back.

Screenshots of each step go to $OPENMS_K8S_ARTIFACTS/browser/ (default: artifacts/ in the
checkout, ignored by git). Needs the app deployed on the local cluster by site.yml.
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys
import time

import pytest
from kubernetes.client.exceptions import ApiException

REPO = pathlib.Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
MAKE_MZML = REPO / "roles/validate/files/make_mzml.py"
NS = "openms"
CLAIM_DIR = "openms-openms-workspaces"
# The test app's caption: "Workspace <id> (online mode) on <pod>" (found in the page with a
# pattern JavaScript understands, then read in Python)
CAPTION_TEXT = re.compile(r"Workspace [0-9a-f-]+ \(\w+ mode\) on [a-z0-9-]+")
CAPTION = re.compile(r"Workspace (?P<workspace>[0-9a-f-]+) \((?P<mode>\w+) mode\) on (?P<pod>[a-z0-9-]+)")
RESULT = "feature_matrix.tsv"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
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


def caption(page, timeout_s=90):
    """Workspace, mode and pod from the app's caption, reloading while the ingress answers 502."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            text = page.get_by_text(CAPTION_TEXT).first.text_content(timeout=15_000)
            return CAPTION.search(text).groupdict()
        except Exception:
            if time.monotonic() > deadline:
                raise
            page.reload()


def open_result(page):
    """Open the feature matrix's expander: its consensus features are shown."""
    page.get_by_text(RESULT).click()
    page.get_by_text(re.compile(r"^CONSENSUS\s")).first.wait_for(timeout=30_000)
    page.wait_for_timeout(1000)  # let the expander finish opening before a screenshot


def test_upload_run_see_results_and_keep_them_when_the_pod_goes(
    browser, cluster, kube, shots, web_ready_afterwards, tmp_path
):
    files = [tmp_path / f"browser-{index}.mzML" for index in (1, 2)]
    for mzml in files:
        subprocess.run([sys.executable, str(MAKE_MZML), str(mzml), "100"], check=True)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    workspace = None
    try:
        page.goto(cluster["ingress_url"] + "/")
        first = caption(page)
        workspace = first["workspace"]
        assert first["mode"] == "online", first
        shots(page, "opened")

        page.locator("input[type=file]").set_input_files([str(mzml) for mzml in files])
        page.get_by_text("2 mzML file(s)").wait_for(timeout=60_000)
        shots(page, "uploaded")

        page.get_by_role("button", name="Run workflow").click()
        page.get_by_text(re.compile(r"Queued workflow-")).wait_for(timeout=60_000)
        shots(page, "queued")

        # The page shows the job's status and results when it reruns: reload until they are there.
        deadline = time.monotonic() + 240
        while not page.get_by_text(RESULT).count():
            assert time.monotonic() < deadline, "no results within 240 s"
            time.sleep(3)
            page.reload()
            assert caption(page)["workspace"] == workspace
        page.get_by_text(re.compile(r"Job workflow-\S+: finished")).wait_for(timeout=30_000)
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
