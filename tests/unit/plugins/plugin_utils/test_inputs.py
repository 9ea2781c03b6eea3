"""Input rules: each accepts what the API server accepts and refuses what it refuses."""

import pathlib

import pytest
import yaml
from ansible_collections.openms.streamlit_k8s.plugins.plugin_utils.inputs import input_errors, quantity


def refused(value, rule, **options):
    return input_errors([["x", value, rule, options]])


# the template's workflow: roles/validate's default
WORKFLOW = yaml.safe_load(
    (pathlib.Path(__file__).resolve().parents[4] / "roles/validate/defaults/main.yml").read_text()
)["validate_workflow"]


@pytest.mark.parametrize(
    "rule,value,options",
    [
        ("int", 0, {"minimum": 0, "maximum": 20}),
        ("int", "3", {"minimum": 1}),
        ("int_or_percent", "100%", {"minimum": 1}),
        ("int_or_percent", 2, {"minimum": 1}),
        ("int_or_percent", "150%", {"minimum": 1}),
        ("dns_label", "openms", {}),
        ("dns_label", "a" * 63, {}),
        ("dns_label", "9app", {}),
        ("dns_1035_label", "openms-web", {}),
        ("dns_subdomain", "openms.example.org", {}),
        ("host", "openms.example.org", {}),
        ("host", "*.apps.example.org", {}),
        ("host", "", {"allow_empty": True}),
        ("absolute_path", "/app/workspaces-streamlit-template", {}),
        ("cpu", "100m", {}),
        ("cpu", "0.5", {}),
        ("cpu", 2, {}),
        ("memory", "256Mi", {"maximum": "1Gi", "maximum_name": "y"}),
        ("memory", "1Gi", {"maximum": "1Gi", "maximum_name": "y"}),
        ("memory", "500M", {}),
        ("storage", "1Gi", {}),
        ("cron", "0 3 * * *", {}),
        ("cron", "*/15 0-6,22-23 1-31/2 jan-dec mon-fri", {}),
        ("cron", "0 0 ? * SUN", {}),
        ("cron", "@daily", {}),
        ("time_zone", "Europe/Berlin", {}),
        ("time_zone", "", {}),
        ("url", "https://openms.example.org/", {}),
        ("url", "http://127.0.0.1:18080", {}),
        ("image", "openms-streamlit-k8s/openms-app:dev", {}),
        ("image", "registry.example.org:5000/openms/app:1.0", {}),
        ("image", "ghcr.io/openms/app@sha256:" + "a" * 64, {}),
        ("env", {"OMP_NUM_THREADS": "2", "_X": "1"}, {"reserved": ["REDIS_URL"]}),
        ("secret", "x" * 32, {"min_length": 32}),
        ("secret", "", {"allow_empty": True}),
        ("choice", "traefik", {"choices": ["traefik", "nginx"]}),
        ("subset", [], {"choices": ["tiers", "sticky"]}),
        ("subset", ["sticky", "tiers"], {"choices": ["tiers", "sticky"]}),
        ("networks", ["10.0.0.0/24", "192.168.1.7"], {}),
        ("cookie_name", "stroute", {}),
        ("url_path", "/", {}),
        ("dns_subdomain", "", {"allow_empty": True}),
        ("relative_path", "scripts/clean-up-workspaces.py", {}),
        ("subdirectory", "", {}),
        ("subdirectory", "apps/umetaflow", {}),
        ("docker_name", "streamlit-deployment_workspaces-umetaflow-gui", {}),
        ("workflow", {**WORKFLOW}, {}),
        (
            "workflow",
            {
                **WORKFLOW,
                "module": "src.WorkflowTest",
                "class": "WorkflowTest",
                "inputs": {
                    "mzML-files": {"generate": "mzml", "count": 1},
                    "fasta-file": {"files": ["example-data/fasta/db.fasta"], "single": True},
                    "ini": {"files": ["/workspaces/.validate/params.ini"]},
                },
            },
            {},
        ),
        ("names", [], {}),
        ("names", ["registry-credentials"], {}),
        ("host", "10.0.0.5", {"allow_ip": True}),
        ("host", "nfs.example.org", {"allow_ip": True}),
        ("labels", {"app.kubernetes.io/instance": "openms", "tier": ""}, {}),
    ],
)
def test_accepts(rule, value, options):
    assert refused(value, rule, **options) == []


@pytest.mark.parametrize(
    "rule,value,options,says",
    [
        ("int", -1, {"minimum": 0, "maximum": 20}, "an integer from 0 to 20"),
        ("int", "many", {}, "an integer"),
        ("int", 3, {"minimum": 16}, "at least 16"),
        ("dns_label", "OpenMS", {}, "DNS-1123 label"),
        ("dns_label", "a" * 64, {}, "at most 63"),
        ("dns_label", "app-", {}, "DNS-1123 label"),
        ("dns_label", "my_app", {}, "DNS-1123 label"),
        ("dns_label", "openms-long", {"max_length": 10}, "at most 10"),
        ("dns_1035_label", "9app", {}, "starting with a letter"),
        ("dns_subdomain", "a..b", {}, "subdomain"),
        ("host", "https://openms.example.org", {}, "not an IP address or a URL"),
        ("host", "10.0.0.1", {}, "not an IP address"),
        ("host", "OpenMS.example.org", {}, "lower case"),
        ("host", "", {}, "DNS name"),
        ("absolute_path", "relative/path", {}, "absolute path"),
        ("absolute_path", "/", {}, "absolute path"),
        ("absolute_path", "/app/../etc", {}, "without '..'"),
        ("cpu", "lots", {}, "cpu quantity"),
        ("cpu", "0", {}, "above zero"),
        ("cpu", "-1", {}, "above zero"),
        ("memory", "1GB", {}, "memory quantity"),
        ("memory", "0.5m", {}, "whole number of bytes"),
        ("memory", "2Gi", {"maximum": "1Gi", "maximum_name": "web_memory_limit"}, "at most web_memory_limit (1Gi)"),
        ("storage", "lots", {}, "storage quantity"),
        ("cron", "0 3 * *", {}, "got 4 fields"),
        ("cron", "60 3 * * *", {}, "minute field '60' is outside 0-59"),
        ("cron", "0 24 * * *", {}, "hour field"),
        ("cron", "0 3 0 * *", {}, "day of month field"),
        ("cron", "0 3 * 13 *", {}, "month field"),
        ("cron", "0 3 * * 7", {}, "day of week field"),
        ("cron", "0 3 * * mon-xyz", {}, "'xyz'"),
        ("cron", "*/0 * * * *", {}, "step '0'"),
        ("cron", "? * * * *", {}, "only allowed for a day"),
        ("cron", "CRON_TZ=Europe/Berlin 0 3 * * *", {}, "cronjob_time_zone"),
        ("cron", "@every 5m", {}, "five fields"),
        ("time_zone", "Mars/Olympus", {}, "IANA time zone"),
        ("time_zone", "../../etc/passwd", {}, "IANA time zone"),
        ("url", "openms.example.org", {}, "URL"),
        ("url", "ftp://openms.example.org", {}, "URL"),
        ("url", "http://host:port/", {}, "URL"),
        ("image", "openms-app", {}, "with a tag or digest"),
        ("image", "OpenMS/app:1.0", {}, "lower-case path"),
        ("image", "openms/app:-bad", {}, "with a tag or digest"),
        ("env", {"1X": "a"}, {}, "wrong: 1X"),
        ("env", {"REDIS_URL": "a"}, {"reserved": ["REDIS_URL"]}, "wrong: REDIS_URL"),
        ("env", {"RQ_X": "a"}, {"reserved_prefixes": ["RQ_"]}, "wrong: RQ_X"),
        ("env", ["A"], {}, "a mapping"),
        ("secret", "short", {"min_length": 32}, "at least 32 characters"),
        ("secret", "", {}, "at least 1 characters"),
        ("choice", "nginx-ingress", {"choices": ["traefik", "nginx"]}, "one of traefik, nginx"),
        ("subset", ["tiers", "nope"], {"choices": ["tiers", "sticky"]}, "a list of names among tiers, sticky"),
        ("subset", "tiers", {"choices": ["tiers", "sticky"]}, "a list of names among"),
        ("networks", [], {}, "non-empty list"),
        ("networks", ["10.0.0.7/24"], {}, "10.0.0.7/24"),
        ("cookie_name", "my cookie", {}, "cookie name"),
        ("url_path", "app", {}, "starting with /"),
        ("dns_subdomain", "", {}, "subdomain"),
        ("relative_path", "/app/clean-up-workspaces.py", {}, "relative"),
        ("relative_path", "../clean-up-workspaces.py", {}, "without '..'"),
        ("relative_path", "", {}, "relative"),
        ("subdirectory", "/umetaflow", {}, "relative"),
        ("docker_name", "", {}, "a Docker volume or container name"),
        ("docker_name", "-volume", {}, "a Docker volume or container name"),
        ("docker_name", "my volume", {}, "a Docker volume or container name"),
        ("workflow", {"module": "src.Workflow"}, {}, "exactly class, directory, inputs, module, params"),
        ("workflow", {**WORKFLOW, "module": "src/Workflow.py"}, {}, "dotted Python name"),
        ("workflow", {**WORKFLOW, "class": "Work flow"}, {}, "a Python name"),
        ("workflow", {**WORKFLOW, "directory": "topp/workflow"}, {}, "one lower-case name"),
        ("workflow", {**WORKFLOW, "inputs": {}}, {}, "at least one parameter"),
        ("workflow", {**WORKFLOW, "params": {"mzML-files": []}}, {}, "without the inputs' parameters (mzML-files)"),
        ("workflow", {**WORKFLOW, "inputs": {"db": {"generate": "fasta"}}}, {}, "inputs.db.generate mzml"),
        ("workflow", {**WORKFLOW, "inputs": {"x": {"generate": "mzml", "count": 0}}}, {}, "count from 1 to 20"),
        ("workflow", {**WORKFLOW, "inputs": {"db": {"files": []}}}, {}, "inputs.db.files a list of paths"),
        ("workflow", {**WORKFLOW, "inputs": {"db": {"files": ["../x"]}}}, {}, "inputs.db.files a list"),
        ("workflow", {**WORKFLOW, "inputs": {"db": {"files": ["a"], "generate": "mzml"}}}, {}, "either generate"),
        ("workflow", {**WORKFLOW, "inputs": {"db": {"files": ["a", "b"], "single": True}}}, {}, "only for one file"),
        ("workflow", {**WORKFLOW, "inputs": {"db": {"files": ["a"], "size": 1}}}, {}, "without size"),
        ("subdirectory", "a/../b", {}, "without '..'"),
        ("subdirectory", "a//b", {}, "relative"),
        ("subdirectory", "umetaflow/", {}, "trailing"),
        ("subdirectory", "my app", {}, "without spaces"),
        ("names", ["Registry_Credentials"], {}, "object names"),
        ("names", "registry-credentials", {}, "a list"),
        ("host", "nfs server", {"allow_ip": True}, "host name or an IP address"),
        ("labels", {"app.kubernetes.io/instance": "open ms"}, {}, "wrong: app.kubernetes.io/instance: open ms"),
        ("labels", {"Bad_Prefix/x": "a"}, {}, "wrong: Bad_Prefix/x"),
        ("labels", {"x": "a" * 64}, {}, "wrong: x"),
        # maxSurge may not be 0 while maxUnavailable is
        ("int_or_percent", "0%", {"minimum": 1}, "a percentage (like 100%) of at least 1"),
        ("int_or_percent", 0, {"minimum": 1}, "a percentage (like 100%) of at least 1"),
        ("int_or_percent", "all", {"minimum": 1}, "an integer or a percentage"),
        ("int_or_percent", "50 %", {"minimum": 1}, "an integer or a percentage"),
    ],
)
def test_refuses_and_says_what_is_allowed(rule, value, options, says):
    messages = refused(value, rule, **options)
    assert len(messages) == 1
    assert messages[0].startswith("x=")
    assert says in messages[0]


def test_message_names_variable_and_value():
    assert input_errors([["web_replicas", -1, "int", {"minimum": 0, "maximum": 20}]]) == [
        "web_replicas=-1 is not allowed: it must be an integer from 0 to 20."
    ]
    assert input_errors([["streamlit_k8s_workspaces_path", "relative/path", "absolute_path"]]) == [
        "streamlit_k8s_workspaces_path=relative/path is not allowed: it must be an absolute path "
        "below / (for example /app/workspaces)."
    ]


def test_secret_values_are_never_shown():
    (message,) = input_errors([["redis_password", "hunter2", "secret", {"min_length": 12}]])
    assert "hunter2" not in message
    assert message.startswith("redis_password=(hidden)")


def test_every_failed_check_is_reported():
    checks = [["a", "x y", "dns_label"], ["b", "ok", "dns_label"], ["c", "1Gx", "memory"]]
    assert [m.split("=")[0] for m in input_errors(checks)] == ["a", "c"]


def test_unknown_rule_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown input rule"):
        input_errors([["a", 1, "no_such_rule"]])


@pytest.mark.parametrize(
    "text,number",
    [("100m", "0.1"), ("1Gi", str(2**30)), ("500M", "500000000"), ("2", "2"), (".5", "0.5"), ("1k", "1000")],
)
def test_quantity(text, number):
    assert str(quantity(text).normalize()) == str(type(quantity(text))(number).normalize())


@pytest.mark.parametrize("text", ["1GB", "", "m", "1 Gi", "1e3x", True])
def test_not_a_quantity(text):
    assert quantity(text) is None


def test_hint_follows_the_message():
    (message,) = input_errors([["a", [], "networks", {"hint": "Set it to the nodes' subnet."}]])
    assert message.endswith("such as [10.0.0.0/24]. Set it to the nodes' subnet.")
