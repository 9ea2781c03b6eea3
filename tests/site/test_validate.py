"""The validate role with its drills, on the deployed local app: every check of the plan passes,
the table is printed and the JSON report written, and nothing is left behind. How each check
fails when its property is broken, and that the checks after a failed one still run:
molecule/validate."""

import json
import pathlib
import time

from site_playbook import run_site

CHECKS = [
    "tiers",
    "health",
    "shared_volume",
    "sticky",
    "workflow",
    "scaling",
    "websocket",
    "smoke_minimal",
    "worker_kill",
    "web_kill",
    "cleanup",
    "online",
    "rolling_update",
    "drain",
]


def report(tmp_path, *extra):
    path = tmp_path / "report.json"
    rc, changed, output = run_site(
        "--tags", "validate", "-e", "validate_drills=true", "-e", f"validate_report_path={path}", *extra
    )
    return rc, changed, output, json.loads(path.read_text()) if path.exists() else None


def test_every_check_and_drill_passes_with_a_table_and_a_report(tmp_path, cluster):
    # the checks name their workspaces validate-<UTC time>-<check>
    started = time.strftime("%Y%m%d%H%M%S", time.gmtime())
    rc, changed, output, seen = report(tmp_path)
    assert rc == 0, output[-4000:]
    assert changed == 0, output[-4000:]  # checks and drills leave the deployment as it was
    assert [check["check"] for check in seen["checks"]] == CHECKS
    assert {check["result"] for check in seen["checks"]} == {"passed"}, seen
    assert seen["passed"] is True and seen["drills"] is True
    assert f"{len(CHECKS)} passed, 0 failed, 0 skipped" in output
    by_name = {check["check"]: check for check in seen["checks"]}
    assert "finished on 2 workers" in by_name["scaling"]["evidence"], by_name["scaling"]
    assert "one held its worker 35 s" in by_name["scaling"]["evidence"], by_name["scaling"]
    assert "feature_matrix.tsv" in by_name["workflow"]["evidence"], by_name["workflow"]
    sticky = by_name["sticky"]["evidence"]
    assert "with cookie stroute all 10 uploads" in sticky and "the one pod that holds it" in sticky, sticky
    assert "Invalid session_id" in sticky and "uploaded into the session (204)" in sticky, sticky
    assert "upgraded (101) and stayed open 7" in by_name["websocket"]["evidence"], by_name["websocket"]
    killed = float(by_name["worker_kill"]["evidence"].split(" was failed ")[1].split(" s ")[0])
    assert killed <= 60, by_name["worker_kill"]
    assert "read unchanged (SHA-256)" in by_name["web_kill"]["evidence"], by_name["web_kill"]
    assert "at 1 web, 1 worker, 1 Redis pod" in by_name["smoke_minimal"]["evidence"], by_name["smoke_minimal"]
    assert "without Redis no web pod was Ready" in by_name["online"]["evidence"], by_name["online"]
    assert "still held all 3 jobs queued before the stop" in by_name["online"]["evidence"], by_name["online"]
    assert "no torn one" in by_name["shared_volume"]["evidence"], by_name["shared_volume"]
    for drill in ("rolling_update", "drain"):
        loop = by_name[drill]["data"]
        assert loop["failed"] == 0 and loop["requests"] > 50, by_name[drill]
    assert "removed validate-" in by_name["cleanup"]["evidence"] and "and .demos" in by_name["cleanup"]["evidence"]
    # what the checks of this run made is gone (a run that was killed may have left its own)
    workspaces = pathlib.Path(cluster["shared_dir"]) / "openms-openms-workspaces"
    assert not [path.name for path in workspaces.glob("validate-*") if path.name.split("-")[1] >= started]
