"""The validate report's table: one aligned line per check and the counts."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.openms.streamlit_k8s.plugins.filter.report_table import FilterModule

report_table = FilterModule().filters()["report_table"]


def check(name, result, seconds=1.25, evidence="seen"):
    return {"check": name, "plan": "8.1", "result": result, "seconds": seconds, "evidence": evidence}


def test_one_line_per_check_and_the_counts():
    lines = report_table(
        [check("tiers", "passed"), check("worker_kill", "failed", 61, "job x\n  still started"), check("x", "skipped")]
    )
    assert lines[0].split() == ["RESULT", "SECONDS", "PLAN", "CHECK", "EVIDENCE"]
    assert lines[1] == "PASSED       1.2  8.1   tiers        seen"
    assert lines[2] == "FAILED      61.0  8.1   worker_kill  job x still started"
    assert lines[3].startswith("SKIPPED      1.2  8.1   x ")
    assert lines[4] == "1 passed, 1 failed, 1 skipped"


@pytest.mark.parametrize(
    "checks,message",
    [
        ("not a list", "expects a list"),
        ([{"check": "tiers"}], "lacks plan, result, seconds, evidence"),
        ([check("tiers", "ok")], "result 'ok' is not one of passed, failed, skipped"),
    ],
)
def test_a_malformed_report_is_refused(checks, message):
    with pytest.raises(AnsibleFilterError, match=message):
        report_table(checks)
