# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""report_table: the validate role's checks as the lines of a table."""

from ansible.errors import AnsibleFilterError

DOCUMENTATION = r"""
name: report_table
short_description: The validate role's report as table lines
version_added: 1.1.0
author: OpenMS Streamlit Kubernetes maintainers
description:
  - Turns the validate role's list of checks (C(check), C(plan), C(result), C(seconds),
    C(evidence)) into lines of a table with a header, one line per check, and a last line that
    counts the results.
  - Fails on a check without those keys or with a result other than passed, failed or skipped.
options:
  _input:
    description: The checks, in the order they ran.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Show the report
  ansible.builtin.debug:
    msg: "{{ validate__report | openms.streamlit_k8s.report_table }}"
"""

RETURN = r"""
_value:
  description: The lines, for example C(PASSED   1.2 s  8.1  health - http://... answered 200 ok).
  type: list
  elements: str
"""

RESULTS = ("passed", "failed", "skipped")
KEYS = ("check", "plan", "result", "seconds", "evidence")


def report_table(checks):
    if not isinstance(checks, list):
        raise AnsibleFilterError(f"report_table: expects a list of checks, got {type(checks).__name__}")
    for check in checks:
        missing = [key for key in KEYS if not isinstance(check, dict) or key not in check]
        if missing:
            raise AnsibleFilterError(f"report_table: the check {check!r} lacks {', '.join(missing)}")
        if check["result"] not in RESULTS:
            raise AnsibleFilterError(f"report_table: result {check['result']!r} is not one of {', '.join(RESULTS)}")
    width = max([len("check")] + [len(str(check["check"])) for check in checks])
    lines = [f"{'RESULT':<8} {'SECONDS':>7}  PLAN  {'CHECK':<{width}}  EVIDENCE"]
    for check in checks:
        seconds = f"{float(check['seconds']):.1f}"
        lines.append(
            f"{check['result'].upper():<8} {seconds:>7}  {str(check['plan']):<4}  {check['check']:<{width}}  "
            f"{' '.join(str(check['evidence']).split())}"
        )
    counts = {result: sum(1 for check in checks if check["result"] == result) for result in RESULTS}
    lines.append(", ".join(f"{count} {result}" for result, count in counts.items()))
    return lines


class FilterModule:
    def filters(self):
        return {"report_table": report_table}
