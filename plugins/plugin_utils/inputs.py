# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rules the API server (and the tools behind it) apply to the collection's inputs.

Each rule returns None when a value passes, or what is allowed when it does not, so that a
role can stop before its first change with a message naming the variable, the value and the
rule, instead of the API server's JSON after half the objects were applied.
"""

import datetime
import ipaddress
import re
import zoneinfo
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from ansible_collections.openms.streamlit_k8s.plugins.module_utils.networks import network_errors

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_LABEL = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Kubernetes' resource.Quantity: a decimal number and an optional suffix
_QUANTITY = re.compile(r"^(?P<number>[0-9]+(\.[0-9]*)?|\.[0-9]+)(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$")
_SUFFIX = {
    "": Decimal(1),
    "m": Decimal("0.001"),
    "k": Decimal(10) ** 3,
    "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9,
    "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15,
    "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
}
# An image reference: [registry/]path[:tag][@digest]; a registry has a '.' or a port or is
# localhost, path components are lower case
_IMAGE = re.compile(
    r"^(?:(?P<registry>localhost(?::[0-9]+)?|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::[0-9]+)|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/)?"
    r"(?P<path>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[a-f0-9]{64}))?$"
)
# The schedule parser of the CronJob controller: five fields, or one of these descriptors
_CRON_DESCRIPTORS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
_CRON_FIELDS = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    (
        "month",
        1,
        12,
        {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())},
    ),
    ("day of week", 0, 6, {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())}),
)
# Cookie names are RFC 6265 tokens
_COOKIE_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")

DNS_LABEL_RULE = "a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit"


def quantity(value):
    """The number a Kubernetes quantity stands for, or None when it is not one."""
    match = _QUANTITY.match(str(value).strip()) if isinstance(value, (str, int)) else None
    if not match or isinstance(value, bool):
        return None
    try:
        return Decimal(match.group("number")) * _SUFFIX[match.group("suffix") or ""]
    except InvalidOperation:
        return None


def _integer(value, minimum=None, maximum=None):
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except ValueError:
            return "an integer"
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        if minimum is not None and maximum is not None:
            return f"an integer from {minimum} to {maximum}"
        return f"an integer of at least {minimum}" if minimum is not None else f"an integer of at most {maximum}"
    return None


def _int_or_percent(value, minimum=0):
    """A Deployment's maxSurge: a count, or a percentage of the replicas ("100%")."""
    if isinstance(value, str) and value.endswith("%"):
        digits = value[:-1]
        if digits.isdigit() and int(digits) >= minimum:
            return None
        return f"an integer or a percentage (like 100%) of at least {minimum}"
    if _integer(value, minimum=minimum) is None:
        return None
    return f"an integer or a percentage (like 100%) of at least {minimum}"


def _dns_label(value, max_length=63):
    if not isinstance(value, str) or not _DNS_LABEL.match(value) or len(value) > max_length:
        return f"{DNS_LABEL_RULE}, at most {max_length} characters"
    return None


def _dns_1035_label(value, max_length=63):
    if not isinstance(value, str) or not _DNS_1035_LABEL.match(value) or len(value) > max_length:
        return (
            "a DNS-1035 label: lower-case letters, digits and '-', starting with a letter and ending "
            f"with a letter or digit, at most {max_length} characters"
        )
    return None


def _dns_subdomain(value, max_length=253, allow_empty=False):
    if allow_empty and value == "":
        return None
    allowed = f"a DNS-1123 subdomain: dot-separated DNS-1123 labels, at most {max_length} characters" + (
        ", or empty" if allow_empty else ""
    )
    if not isinstance(value, str) or not value or len(value) > max_length:
        return allowed
    if any(not _DNS_LABEL.match(part) for part in value.split(".")):
        return allowed
    return None


def _host(value, allow_empty=False, allow_ip=False):
    if allow_empty and value == "":
        return None
    if allow_ip:
        allowed = "a host name or an IP address, not a URL"
    else:
        allowed = (
            "a DNS name such as openms.example.org (lower case; a leading '*.' for a wildcard), "
            "not an IP address or a URL"
        )
    allowed += ", or empty for any host" if allow_empty else ""
    if not isinstance(value, str):
        return allowed
    if allow_ip:
        try:
            ipaddress.ip_address(value)
            return None
        except ValueError:
            pass
    name = value[2:] if value.startswith("*.") and not allow_ip else value
    if _dns_subdomain(name) or re.match(r"^[0-9.]+$", name):
        return allowed
    return None


def _labels(value):
    allowed = (
        "a mapping of Kubernetes labels: keys [prefix/]name, names and values at most 63 letters, "
        "digits, '-', '_' or '.', starting and ending with a letter or digit"
    )
    if not isinstance(value, dict):
        return allowed
    wrong = []
    for key, text in value.items():
        prefix, _slash, name = str(key).rpartition("/")
        if (prefix and _dns_subdomain(prefix)) or not _LABEL.match(name) or not isinstance(text, str):
            wrong.append(f"{key}: {text}")
        elif text and not _LABEL.match(text):
            wrong.append(f"{key}: {text}")
    return f"{allowed}; wrong: {', '.join(wrong)}" if wrong else None


def _absolute_path(value):
    if not isinstance(value, str) or not value.startswith("/") or value.rstrip("/") == "":
        return "an absolute path below / (for example /app/workspaces)"
    if ".." in value.split("/") or ":" in value or any(c.isspace() for c in value):
        return "an absolute path without '..', ':' or spaces"
    return None


def _names(value):
    if not isinstance(value, list) or any(_dns_subdomain(item) for item in value):
        return "a list of object names (DNS-1123 subdomains), for example [registry-credentials]"
    return None


def _relative_path(value):
    if not isinstance(value, str) or not value or value.startswith("/") or ".." in value.split("/"):
        return "a path inside the app's code, relative and without '..' (for example clean-up-workspaces.py)"
    return None


def _subdirectory(value):
    if not isinstance(value, str) or value.startswith("/") or ".." in value.split("/") or "//" in value:
        return "a directory inside the share, relative and without '..' (for example umetaflow), or '' for its root"
    if any(c.isspace() or c == ":" for c in value) or value.endswith("/"):
        return "a directory inside the share without spaces, ':' or a trailing '/'"
    return None


_WORKFLOW_KEYS = {"module", "class", "directory", "params", "inputs"}


def _workflow_input(name, source):
    if not isinstance(source, dict) or len({"generate", "files"} & set(source)) != 1:
        return f"inputs.{name} with either generate: mzml (and count) or files: [paths]"
    unknown = set(source) - {"generate", "count", "files", "single"}
    if unknown:
        return f"inputs.{name} without {', '.join(sorted(unknown))} (it takes generate, count, files, single)"
    if "generate" in source:
        count = source.get("count", 2)
        if source["generate"] != "mzml" or _integer(count, 1, 20):
            return f"inputs.{name}.generate mzml with a count from 1 to 20"
        files = count
    else:
        paths = source["files"]
        if not isinstance(paths, list) or not paths or any(_file_path(path) for path in paths):
            return f"inputs.{name}.files a list of paths (relative to the app's code, or absolute)"
        files = len(paths)
    if source.get("single", False) not in (True, False) or (source.get("single") and files != 1):
        return f"inputs.{name}.single true only for one file"
    return None


def _file_path(path):
    if not isinstance(path, str) or not path or ".." in path.split("/") or any(c.isspace() for c in path):
        return "a path without '..' or spaces"
    return None


def _workflow(value):
    """The app's workflow the validate checks queue (roles/validate: validate_workflow)."""
    if not isinstance(value, dict) or set(value) != _WORKFLOW_KEYS:
        return f"a mapping of exactly {', '.join(sorted(_WORKFLOW_KEYS))}"
    module = value["module"]
    if not isinstance(module, str) or not all(_IDENTIFIER.match(part) for part in module.split(".")):
        return "a module that is a dotted Python name (for example src.Workflow)"
    if not isinstance(value["class"], str) or not _IDENTIFIER.match(value["class"]):
        return "a class that is a Python name (for example Workflow)"
    if _dns_label(value["directory"]):
        return "a directory that is one lower-case name (for example topp-workflow)"
    if not isinstance(value["params"], dict):
        return "params that are a mapping"
    if not isinstance(value["inputs"], dict) or not value["inputs"]:
        return "inputs that name at least one parameter"
    clash = set(value["params"]) & set(value["inputs"])
    if clash:
        return f"params without the inputs' parameters ({', '.join(sorted(clash))})"
    for name, source in value["inputs"].items():
        wrong = _workflow_input(name, source)
        if wrong:
            return wrong
    return None


_DOCKER_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")


def _docker_name(value):
    if not isinstance(value, str) or not _DOCKER_NAME.match(value):
        return "a Docker volume or container name (letters, digits, '_', '.', '-'; for example workspaces-openms)"
    return None


def _quantity(value, kind, maximum=None, maximum_name=None):
    number = quantity(value)
    examples = {"cpu": "100m, 0.5 or 2", "memory": "256Mi or 4Gi", "storage": "1Gi or 500Mi"}[kind]
    if number is None or number <= 0:
        return f"a {kind} quantity above zero, for example {examples}"
    if kind in ("memory", "storage") and number != number.to_integral_value():
        return f"a whole number of bytes, for example {examples}"
    if maximum is not None and quantity(maximum) is not None and number > quantity(maximum):
        return f"at most {maximum_name} ({maximum}): the API server refuses a request above the limit"
    return None


def _cron_field(field, name, low, high, names):
    def number(text):
        text = text.lower()
        if text in names:
            return names[text]
        if not text.isdigit():
            raise ValueError(f"the {name} field has '{text}'")
        return int(text)

    for part in field.split(","):
        span, _slash, step = part.partition("/")
        if step and (not step.isdigit() or int(step) == 0):
            raise ValueError(f"the {name} field has the step '{step}'")
        if span in ("*", "?"):
            if span == "?" and name not in ("day of month", "day of week"):
                raise ValueError(f"'?' is only allowed for a day, not the {name}")
            continue
        first, _dash, last = span.partition("-")
        start = number(first)
        end = number(last) if last else start
        if not low <= start <= end <= high:
            raise ValueError(f"the {name} field '{span}' is outside {low}-{high}")


def _cron(value):
    allowed = (
        "a cron schedule: five fields (minute hour day-of-month month day-of-week, e.g. '0 3 * * *') "
        "or @hourly/@daily/@weekly/@monthly/@yearly; the time zone goes in cronjob_time_zone"
    )
    if not isinstance(value, str):
        return allowed
    if value.strip() in _CRON_DESCRIPTORS:
        return None
    if re.search(r"\b(CRON_)?TZ=", value):
        return allowed
    fields = value.split()
    if len(fields) != 5:
        return f"{allowed} (got {len(fields)} fields)"
    for field, (name, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        try:
            _cron_field(field, name, low, high, names)
        except ValueError as err:
            return f"{allowed}: {err}"
    return None


def _time_zone(value):
    if value == "":
        return None
    try:
        zoneinfo.ZoneInfo(value)
        datetime.datetime.now(zoneinfo.ZoneInfo(value))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return "an IANA time zone such as Etc/UTC or Europe/Berlin, or empty for the controller's zone"
    return None


def _url(value, schemes=("http", "https")):
    allowed = f"a URL such as https://openms.example.org/ ({' or '.join(schemes)}, with a host)"
    if not isinstance(value, str):
        return allowed
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        return allowed
    if parts.scheme not in schemes or not parts.hostname or " " in value:
        return allowed
    return None


def _image(value):
    if not isinstance(value, str) or not (match := _IMAGE.match(value)) or not (match["tag"] or match["digest"]):
        return "an image reference with a tag or digest, such as registry.example.org/openms/app:1.0 (lower-case path)"
    return None


def _env(value, reserved=(), reserved_prefixes=()):
    if not isinstance(value, dict):
        return "a mapping of environment variable names to values"
    wrong = [name for name in value if not isinstance(name, str) or not _IDENTIFIER.match(name)]
    taken = [name for name in value if name in reserved or any(str(name).startswith(p) for p in reserved_prefixes)]
    if wrong or taken:
        owned = ", ".join(list(reserved) + [p + "*" for p in reserved_prefixes])
        return (
            f"names of letters, digits and '_' not starting with a digit, none of {owned} "
            f"(the collection sets those itself); wrong: {', '.join(map(str, wrong + taken))}"
        )
    return None


def _secret(value, min_length=1, allow_empty=False):
    if allow_empty and value == "":
        return None
    if not isinstance(value, str) or len(value) < min_length:
        return f"at least {min_length} characters (from ansible-vault or the environment)"
    return None


def _choice(value, choices):
    if value not in choices:
        return "one of " + ", ".join(map(str, choices))
    return None


def _subset(value, choices):
    if not isinstance(value, list) or any(item not in choices for item in value):
        return "a list of names among " + ", ".join(map(str, choices))
    return None


def _networks(value):
    allowed = "a non-empty list of IP networks such as [10.0.0.0/24]"
    if not isinstance(value, list) or not value:
        return allowed
    errors = network_errors(value)
    return f"{allowed} ({'; '.join(errors)})" if errors else None


def _cookie_name(value):
    if not isinstance(value, str) or not _COOKIE_NAME.match(value):
        return "a cookie name: letters, digits and !#$%&'*+-.^_`|~"
    return None


def _url_path(value):
    if not isinstance(value, str) or not value.startswith("/") or any(c.isspace() for c in value):
        return "a URL path starting with /"
    return None


RULES = {
    "int": _integer,
    "int_or_percent": _int_or_percent,
    "dns_label": _dns_label,
    "dns_1035_label": _dns_1035_label,
    "dns_subdomain": _dns_subdomain,
    "host": _host,
    "labels": _labels,
    "absolute_path": _absolute_path,
    "relative_path": _relative_path,
    "subdirectory": _subdirectory,
    "workflow": _workflow,
    "docker_name": _docker_name,
    "names": _names,
    "cpu": lambda value, **kw: _quantity(value, "cpu", **kw),
    "memory": lambda value, **kw: _quantity(value, "memory", **kw),
    "storage": lambda value, **kw: _quantity(value, "storage", **kw),
    "cron": _cron,
    "time_zone": _time_zone,
    "url": _url,
    "image": _image,
    "env": _env,
    "secret": _secret,
    "choice": _choice,
    "subset": _subset,
    "networks": _networks,
    "cookie_name": _cookie_name,
    "url_path": _url_path,
}
# Rules whose values must never be shown
SECRET_RULES = {"secret"}


def input_errors(checks):
    """One message per failed check; each check is [name, value, rule] or [name, value, rule, options].

    The option ``hint`` (any rule) is added to the message: where the value usually comes from.
    """
    messages = []
    for check in checks:
        name, value, rule, *rest = check
        options = dict(rest[0]) if rest else {}
        hint = options.pop("hint", "")
        if rule not in RULES:
            raise ValueError(f"unknown input rule {rule!r} for {name}")
        allowed = RULES[rule](value, **options)
        if allowed is None:
            continue
        shown = "(hidden)" if rule in SECRET_RULES else _show(value)
        messages.append(f"{name}={shown} is not allowed: it must be {allowed}." + (f" {hint}" if hint else ""))
    return messages


def _show(value):
    if isinstance(value, str):
        return repr(value) if value == "" or value != value.strip() or " " in value else value
    return repr(value) if not isinstance(value, (int, float)) or isinstance(value, bool) else str(value)
