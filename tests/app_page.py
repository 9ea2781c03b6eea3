"""The test app's page as a user drives it in Chromium (Playwright): its caption names the
workspace, the mode and the serving pod; two mzML files uploaded, the workflow run, its results
opened. Shared by the browser test and the migration's old deployment."""

import re
import subprocess
import sys
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
MAKE_MZML = Path(__file__).resolve().parents[1] / "roles/validate/files/make_mzml.py"
# The test app's caption: "Workspace <id> (online mode) on <pod>" (found in the page with a
# pattern JavaScript understands, then read in Python)
CAPTION_TEXT = re.compile(r"Workspace [0-9a-f-]+ \(\w+ mode\) on [a-z0-9-]+")
CAPTION = re.compile(r"Workspace (?P<workspace>[0-9a-f-]+) \((?P<mode>\w+) mode\) on (?P<pod>[a-z0-9-]+)")
RESULT = "feature_matrix.tsv"


def launch(playwright, *hosts):
    """Chromium; each of `hosts` resolves to this machine (the local ingress serves them)."""
    rules = [f"--host-resolver-rules={', '.join(f'MAP {host} 127.0.0.1' for host in hosts)}"] if hosts else []
    return playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", *rules])


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


def mzml_files(directory, count=2):
    files = [Path(directory) / f"browser-{index}.mzML" for index in range(1, count + 1)]
    for mzml in files:
        subprocess.run([sys.executable, str(MAKE_MZML), str(mzml), "100"], check=True)
    return files


def upload_and_run(page, files, shot=lambda page, step: None, seconds=240):
    """Upload the files, run the workflow, reload until its results are shown."""
    workspace = caption(page)["workspace"]
    page.locator("input[type=file]").set_input_files([str(mzml) for mzml in files])
    page.get_by_text(f"{len(files)} mzML file(s)").wait_for(timeout=60_000)
    shot(page, "uploaded")
    page.get_by_role("button", name="Run workflow").click()
    page.get_by_text(re.compile(r"Queued workflow-")).wait_for(timeout=60_000)
    shot(page, "queued")
    # The page shows the job's status and results when it reruns: reload until they are there.
    deadline = time.monotonic() + seconds
    while not page.get_by_text(RESULT).count():
        assert time.monotonic() < deadline, f"no results within {seconds} s"
        time.sleep(3)
        page.reload()
        assert caption(page)["workspace"] == workspace
    page.get_by_text(re.compile(r"Job workflow-\S+: finished")).wait_for(timeout=30_000)


def open_result(page):
    """Open the feature matrix's expander: its consensus features are shown."""
    page.get_by_text(RESULT).click()
    page.get_by_text(re.compile(r"^CONSENSUS\s")).first.wait_for(timeout=30_000)
    page.wait_for_timeout(1000)  # let the expander finish opening before a screenshot
