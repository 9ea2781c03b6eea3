"""A stand-in for Keystone v3 and the Manila v2 API, in one HTTP server.

It is written from the API references (identity v3 tokens, shared file systems v2): version
documents, password and application-credential tokens with a service catalog, microversions
(X-OpenStack-Manila-API-Version), shares that go creating -> available, extending -> available
and deleting -> gone (or error, extending_error, error_deleting), access rules that go
queued_to_apply -> applying -> active (or error), export locations with a preferred flag, quota
errors and 404s. Status changes happen after `delay` seconds, and an access rule stays in each
transitional state for `rule_reads` reads, so clients must poll as they would against a real
cloud. Tests inject faults through the `faults` dict.

It refuses what Manila refuses: a microversion outside the cloud's range (406, with the range
configurable to play an older cloud), an API or a share action the requested microversion does
not route (404, as Manila hides a method its version lacks), an unknown action (400), access
changes on a share in a transitional status (400), IPv6 rules below 2.38 (400), deleting a
share that is not available, error or inactive (403), growing beyond the quota (403).

Run alone: python3 tests/standin/openstack_api.py --port 5050 (prints an OS_* environment).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

MIN_VERSION = (2, 0)
MAX_VERSION = (2, 87)
MICROVERSION_HEADER = "X-OpenStack-Manila-API-Version"
REGION = "RegionOne"
NOT_FOUND = "The resource could not be found."

# Manila's microversion history, as far as the shares API of these tests goes.
SHARE_TYPE_ID = (2, 6)  # a share's share_type is the type's id (before: its name); share_type_name added
EXPORT_LOCATIONS_API = (2, 9)  # GET /shares/{id}/export_locations (before: fields of the share)
RULES_STATUS_FIELD = (2, 10)  # a share's access_rules_status
PREFERRED_FLAG = (2, 14)  # export locations carry `preferred`
ACCESS_KEY_FIELD = (2, 21)
RULE_STATES = (2, 28)  # rules report their own state (before: new/active/error of the share's rules)
RULE_TIMESTAMPS = (2, 33)
IPV6_RULES = (2, 38)  # allow_access validates IPv6 networks (before: IPv4 only)
ACCESS_RULES_API = (2, 45)  # GET /share-access-rules; the access_list action ends at 2.44
RULES_ON_ERROR_SHARE = (2, 74)  # access changes accepted on a share in status error

UNPREFIXED = (2, 7)  # share actions and share type fields lose their "os-" prefix

# Share actions as Manila's share controller routes them: name -> (first, last) microversion.
# A known name outside its range is a 404.
SHARE_ACTIONS: dict[str, tuple[tuple[int, int], tuple[int, int] | None]] = {}
for _name in ("extend", "shrink", "allow_access", "deny_access", "access_list"):
    SHARE_ACTIONS[f"os-{_name}"] = (MIN_VERSION, (2, 6))
    SHARE_ACTIONS[_name] = (UNPREFIXED, None)
SHARE_ACTIONS["access_list"] = (UNPREFIXED, (2, 44))

# Statuses in which Manila changes no access rule and deletes no share.
TRANSITIONAL = {"creating", "deleting", "extending", "shrinking", "managing", "unmanaging", "migrating", "reverting"}
DELETABLE = {"available", "error", "inactive"}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _version(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


class ApiError(Exception):
    """An error answer in the body shape OpenStack services use."""

    NAMES = {
        400: "badRequest",
        401: "unauthorized",
        403: "forbidden",
        404: "itemNotFound",
        406: "notAcceptable",
        413: "overLimit",
    }

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def body(self) -> dict:
        if self.code == 401:
            return {"error": {"code": 401, "title": "Unauthorized", "message": self.message}}
        return {self.NAMES.get(self.code, "computeFault"): {"code": self.code, "message": self.message}}


@dataclass
class Share:
    name: str
    size: int
    share_proto: str
    share_type: str
    availability_zone: str
    project_id: str
    description: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    status: str = "creating"
    next_status: str | None = "available"
    next_size: int | None = None
    ready_at: float = 0.0
    created_at: str = field(default_factory=_now)
    export_ids: tuple[str, str] = field(default_factory=lambda: (str(uuid.uuid4()), str(uuid.uuid4())))


@dataclass
class AccessRule:
    share_id: str
    access_type: str
    access_to: str
    access_level: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    state: str = "queued_to_apply"
    # The states still to come, the first after `ready_at` and each after `rule_reads` reads.
    pending: list[str] = field(default_factory=lambda: ["applying", "active"])
    ready_at: float = 0.0
    reads: int = 0
    created_at: str = field(default_factory=_now)
    updated_at: str | None = None


class Request(NamedTuple):
    """One request as the stand-in saw it; `action` is the share action's name."""

    method: str
    path: str
    microversion: str | None
    action: str | None


class StandInCloud:
    """State and behaviour; the HTTP handler only routes to it."""

    def __init__(
        self,
        delay: float = 1.0,
        gigabytes_quota: int = 1000,
        max_version: tuple[int, int] = MAX_VERSION,
        rule_reads: int = 2,
    ):
        self.delay = delay
        self.gigabytes_quota = gigabytes_quota
        self.min_version, self.max_version = MIN_VERSION, max_version
        self.rule_reads = rule_reads
        self.lock = threading.RLock()
        self.base_url = ""
        self.project_id = uuid.uuid4().hex
        self.user = {"name": "standin-user", "password": secrets.token_urlsafe(16), "id": uuid.uuid4().hex}
        self.app_credential = {"id": uuid.uuid4().hex, "secret": secrets.token_urlsafe(16)}
        self.tokens: set[str] = set()
        self.shares: dict[str, Share] = {}
        self.rules: dict[str, AccessRule] = {}
        self.share_types = {"isilon-denbi": str(uuid.uuid4()), "default": str(uuid.uuid4())}
        self.availability_zones = {"nova"}
        # Faults a test can set: "create" / "extend" / "delete" -> the next share create / extend /
        # delete ends in error / extending_error / error_deleting; "access_to" -> a set of
        # access_to values whose rules end in error.
        self.faults: dict = {"create": False, "extend": False, "delete": False, "access_to": set()}
        self.requests: list[Request] = []

    # ----- time -----

    def _settle(self) -> None:
        """Apply the status changes whose time has come."""
        now = time.monotonic()
        for share_id, share in list(self.shares.items()):
            if share.next_status and now >= share.ready_at:
                if share.next_status == "deleted":
                    del self.shares[share_id]
                    for rule_id in [r.id for r in self.rules.values() if r.share_id == share_id]:
                        del self.rules[rule_id]
                    continue
                share.status, share.next_status = share.next_status, None
                if share.next_size is not None and share.status == "available":
                    share.size, share.next_size = share.next_size, None
        for rule_id, rule in list(self.rules.items()):
            if rule.pending and now >= rule.ready_at and rule.reads >= self.rule_reads:
                state = rule.pending.pop(0)
                if state == "deleted":
                    del self.rules[rule_id]
                    continue
                rule.state, rule.reads, rule.updated_at = state, 0, _now()

    # ----- keystone -----

    def identity_version(self) -> dict:
        return {
            "id": "v3.14",
            "status": "stable",
            "updated": "2020-04-07T00:00:00Z",
            "links": [{"rel": "self", "href": f"{self.base_url}/identity/v3/"}],
            "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}],
        }

    def issue_token(self, body: dict) -> tuple[str, dict]:
        identity = body.get("auth", {}).get("identity", {})
        methods = identity.get("methods", [])
        if "password" in methods:
            user = identity.get("password", {}).get("user", {})
            if user.get("name") != self.user["name"] or user.get("password") != self.user["password"]:
                raise ApiError(401, "The request you have made requires authentication.")
        elif "application_credential" in methods:
            cred = identity.get("application_credential", {})
            if cred.get("id") != self.app_credential["id"] or cred.get("secret") != self.app_credential["secret"]:
                raise ApiError(401, "The request you have made requires authentication.")
        else:
            raise ApiError(401, "The request you have made requires authentication.")
        token = secrets.token_hex(16)
        with self.lock:
            self.tokens.add(token)
        domain = {"id": "default", "name": "Default"}
        expires = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")

        def service(kind: str, name: str, url: str) -> dict:
            endpoints = [
                {"id": uuid.uuid4().hex, "interface": interface, "region": REGION, "region_id": REGION, "url": url}
                for interface in ("public", "internal", "admin")
            ]
            return {"id": uuid.uuid4().hex, "type": kind, "name": name, "endpoints": endpoints}

        return token, {
            "token": {
                "methods": methods,
                "expires_at": expires,
                "issued_at": _now() + "Z",
                "audit_ids": [secrets.token_urlsafe(16)],
                "user": {"id": self.user["id"], "name": self.user["name"], "domain": domain},
                "project": {"id": self.project_id, "name": "standin-project", "domain": domain},
                "roles": [{"id": uuid.uuid4().hex, "name": "member"}],
                "catalog": [
                    service("identity", "keystone", f"{self.base_url}/identity/v3"),
                    service("sharev2", "manilav2", f"{self.base_url}/share/v2/{self.project_id}"),
                ],
            }
        }

    def check_token(self, token: str | None) -> None:
        with self.lock:
            if token not in self.tokens:
                raise ApiError(401, "The request you have made requires authentication.")

    # ----- manila: documents -----

    def share_version(self) -> dict:
        return {
            "id": "v2.0",
            "status": "CURRENT",
            "version": "{}.{}".format(*self.max_version),
            "min_version": "{}.{}".format(*self.min_version),
            "updated": "2015-08-27T11:33:21Z",
            "links": [{"rel": "self", "href": f"{self.base_url}/share/v2/"}],
            "media-types": [{"base": "application/json", "type": "application/vnd.openstack.share+json;version=1"}],
        }

    def share_doc(self, share: Share, version: tuple[int, int], detail: bool = True) -> dict:
        links = [{"rel": "self", "href": f"{self.base_url}/share/v2/{self.project_id}/shares/{share.id}"}]
        if not detail:
            return {"id": share.id, "name": share.name, "links": links}
        doc = {
            "id": share.id,
            "name": share.name,
            "description": share.description,
            "size": share.size,
            "status": share.status,
            "share_proto": share.share_proto,
            "share_type": share.share_type,
            "availability_zone": share.availability_zone,
            "project_id": share.project_id,
            "is_public": False,
            "metadata": {},
            "created_at": share.created_at,
            "snapshot_id": None,
            "share_network_id": None,
            "links": links,
        }
        if version >= SHARE_TYPE_ID:
            doc["share_type"], doc["share_type_name"] = self.share_types[share.share_type], share.share_type
        if version < EXPORT_LOCATIONS_API:
            paths = [location["path"] for location in self.export_locations(share, version)]
            doc["export_location"], doc["export_locations"] = (paths or [None])[0], paths
        if version >= RULES_STATUS_FIELD:
            doc["access_rules_status"] = self._access_rules_status(share)
        return doc

    def _access_rules_status(self, share: Share) -> str:
        states = {r.state for r in self.rules.values() if r.share_id == share.id}
        if "error" in states:
            return "error"
        if states - {"active"}:
            return "syncing"
        return "active"

    def rule_doc(self, rule: AccessRule, version: tuple[int, int], listed: bool = False) -> dict:
        """A rule as Manila shows it; a list leaves the share id out."""
        doc = {
            "id": rule.id,
            "access_type": rule.access_type,
            "access_to": rule.access_to,
            "access_level": rule.access_level,
            "state": rule.state,
        }
        if not listed:
            doc["share_id"] = rule.share_id
        if version < RULE_STATES:
            share_rules = self._access_rules_status(self.shares[rule.share_id])
            doc["state"] = "new" if share_rules == "syncing" else share_rules
        if version >= ACCESS_KEY_FIELD:
            doc["access_key"] = None
        if version >= RULE_TIMESTAMPS:
            doc["created_at"], doc["updated_at"] = rule.created_at, rule.updated_at
        if version >= ACCESS_RULES_API:
            doc["metadata"] = {}
        return doc

    def type_doc(self, name: str, version: tuple[int, int]) -> dict:
        public = "share_type_access:is_public" if version >= UNPREFIXED else "os-share-type-access:is_public"
        specs = {"driver_handles_share_servers": "False"}
        doc = {"id": self.share_types[name], "name": name, "extra_specs": specs, "required_extra_specs": specs}
        doc[public] = True
        return doc

    # ----- manila: operations -----

    def get_share(self, share_id: str) -> Share:
        self._settle()
        share = self.shares.get(share_id)
        if share is None:
            raise ApiError(404, f"Share {share_id} could not be found.")
        return share

    def list_shares(self, query: dict) -> list[Share]:
        self._settle()
        found = list(self.shares.values())
        for key in ("name", "status", "share_proto"):
            if key in query:
                found = [s for s in found if getattr(s, key) == query[key]]
        return found

    def _used_gigabytes(self) -> int:
        return sum(max(s.size, s.next_size or 0) for s in self.shares.values())

    def create_share(self, body: dict) -> Share:
        spec = body.get("share")
        if not isinstance(spec, dict):
            raise ApiError(400, "Missing share in request body.")
        proto = str(spec.get("share_proto", "")).upper()
        if proto not in {"NFS", "CIFS", "CEPHFS", "GLUSTERFS", "HDFS", "MAPRFS"}:
            raise ApiError(400, f"Invalid share protocol provided: {spec.get('share_proto')}.")
        size = spec.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise ApiError(400, f"Share size '{size}' must be an integer and greater than 0.")
        share_type = spec.get("share_type") or "default"
        by_id = {v: k for k, v in self.share_types.items()}
        share_type = by_id.get(share_type, share_type)
        if share_type not in self.share_types:
            raise ApiError(404, f"Share type {share_type} could not be found.")
        zone = spec.get("availability_zone") or "nova"
        if zone not in self.availability_zones:
            raise ApiError(404, f"Availability zone {zone} could not be found.")
        self._settle()
        if self._used_gigabytes() + size > self.gigabytes_quota:
            raise ApiError(
                413,
                f"Requested share exceeds allowed project/user or share type gigabytes quota. "
                f"Requested {size}G, quota is {self.gigabytes_quota}G and {self._used_gigabytes()}G has been consumed.",
            )
        share = Share(
            name=spec.get("name") or "",
            size=size,
            share_proto=proto,
            share_type=share_type,
            availability_zone=zone,
            project_id=self.project_id,
            description=spec.get("description"),
            ready_at=time.monotonic() + self.delay,
        )
        if self.faults["create"]:
            self.faults["create"] = False
            share.next_status = "error"
        self.shares[share.id] = share
        return share

    def delete_share(self, share_id: str) -> None:
        share = self.get_share(share_id)
        if share.status not in DELETABLE:
            allowed = ", ".join(sorted(DELETABLE))
            raise ApiError(403, f"Invalid share: a share is deleted only in status {allowed}, not {share.status}.")
        share.status, share.ready_at = "deleting", time.monotonic() + self.delay
        share.next_status = "error_deleting" if self.faults["delete"] else "deleted"
        self.faults["delete"] = False

    def share_action(self, share_id: str, body: dict, version: tuple[int, int]) -> tuple[int, dict | None]:
        """POST /shares/{id}/action, routed by the action's name and the microversion as Manila does."""
        if not isinstance(body, dict) or len(body) != 1:
            raise ApiError(400, "Malformed request body: one action expected.")
        ((name, spec),) = body.items()
        if name not in SHARE_ACTIONS:
            raise ApiError(400, f"There is no such action: {name}")
        first, last = SHARE_ACTIONS[name]
        if version < first or (last is not None and version > last):
            raise ApiError(404, NOT_FOUND)
        share = self.get_share(share_id)
        spec = spec if isinstance(spec, dict) else {}
        action = name.removeprefix("os-")
        if action == "access_list":
            rules = [self._read(r) for r in self.rules.values() if r.share_id == share.id]
            return 200, {"access_list": [self.rule_doc(r, version, listed=True) for r in rules]}
        if action == "allow_access":
            return 200, {"access": self.rule_doc(self._allow(share, spec, version), version)}
        if action == "deny_access":
            self._deny(share, spec.get("access_id"), version)
        else:
            self._resize(share, spec.get("new_size"), grow=action == "extend")
        return 202, None

    def _resize(self, share: Share, new_size, grow: bool) -> None:
        if share.status != "available":
            raise ApiError(400, f"Invalid share: Share status must be available, not {share.status}.")
        if not isinstance(new_size, int) or isinstance(new_size, bool) or new_size < 1:
            raise ApiError(400, f"New size must be a positive integer: {new_size!r}.")
        if (new_size <= share.size) if grow else (new_size >= share.size):
            word = "greater" if grow else "less"
            raise ApiError(400, f"New size must be {word} than the current size {share.size}, not {new_size}.")
        if grow and self._used_gigabytes() - share.size + new_size > self.gigabytes_quota:
            raise ApiError(403, f"Requested share exceeds allowed gigabytes quota ({self.gigabytes_quota}G).")
        share.status, share.ready_at = ("extending" if grow else "shrinking"), time.monotonic() + self.delay
        if grow and self.faults["extend"]:
            self.faults["extend"] = False
            share.next_status = "extending_error"
        else:
            share.next_status, share.next_size = "available", new_size

    def _check_rules_can_change(self, share: Share, version: tuple[int, int]) -> None:
        if share.status in TRANSITIONAL or (share.status == "error" and version < RULES_ON_ERROR_SHARE):
            raise ApiError(
                400, f"Invalid share: access rules cannot change while the share is in status {share.status}."
            )

    def _allow(self, share: Share, spec: dict, version: tuple[int, int]) -> AccessRule:
        self._check_rules_can_change(share, version)
        access_type, access_to = spec.get("access_type"), str(spec.get("access_to", ""))
        level = spec.get("access_level", "rw")
        if access_type != "ip":
            raise ApiError(400, f"Invalid share access: only ip access is offered here, not {access_type}.")
        if level not in {"rw", "ro"}:
            raise ApiError(400, f"Invalid access level: {level}.")
        try:
            (ipaddress.ip_network if version >= IPV6_RULES else ipaddress.IPv4Network)(access_to)
        except ValueError as err:
            raise ApiError(400, str(err)) from None
        for rule in self.rules.values():
            if rule.share_id == share.id and rule.access_type == access_type and rule.access_to == access_to:
                raise ApiError(400, f"Share access {access_type}:{access_to} exists.")
        rule = AccessRule(share.id, access_type, access_to, level, ready_at=time.monotonic() + self.delay)
        if access_to in self.faults["access_to"]:
            rule.pending = ["applying", "error"]
        self.rules[rule.id] = rule
        return rule

    def _deny(self, share: Share, access_id, version: tuple[int, int]) -> None:
        self._check_rules_can_change(share, version)
        rule = self.rules.get(access_id)
        if rule is None or rule.share_id != share.id:
            raise ApiError(404, f"Access rule {access_id} could not be found.")
        rule.state, rule.pending, rule.reads = "queued_to_deny", ["denying", "deleted"], 0
        rule.ready_at = time.monotonic() + self.delay

    def _read(self, rule: AccessRule) -> AccessRule:
        """Count a client's read: a rule leaves a transitional state only after `rule_reads` of them."""
        rule.reads += 1
        return rule

    def get_rule(self, rule_id: str) -> AccessRule:
        self._settle()
        rule = self.rules.get(rule_id)
        if rule is None:
            raise ApiError(404, f"Access rule {rule_id} could not be found.")
        return self._read(rule)

    def list_rules(self, share_id: str | None) -> list[AccessRule]:
        if share_id is None:
            raise ApiError(400, "The field share_id is required.")
        self._settle()
        if share_id not in self.shares:
            raise ApiError(400, f"Share {share_id} not found.")
        return [self._read(r) for r in self.rules.values() if r.share_id == share_id]

    def export_locations(self, share: Share, version: tuple[int, int]) -> list[dict]:
        if share.status in {"creating", "error", "deleting"}:
            return []
        # The first location is not the preferred one, so a client that takes [0] is caught.
        paths = [
            (share.export_ids[0], f"10.250.8.10:/ifs/denbi/prod/share-{share.id}", False),
            (share.export_ids[1], f"manila-prod.isilon.standin:/ifs/denbi/prod/share-{share.id}", True),
        ]
        docs = []
        for export_id, path, preferred in paths:
            doc = {"id": export_id, "path": path}
            if version >= PREFERRED_FLAG:
                doc["preferred"] = preferred
            docs.append(doc)
        return docs


class Handler(BaseHTTPRequestHandler):
    cloud: StandInCloud
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass

    def _send(self, code: int, body: dict | None, headers: dict | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict:
        if not self.raw_body:
            return {}
        try:
            return json.loads(self.raw_body)
        except ValueError:
            raise ApiError(400, "Malformed request body.") from None

    def _action_name(self, parts: list[str]) -> str | None:
        if parts[-1:] != ["action"]:
            return None
        try:
            body = json.loads(self.raw_body or b"{}")
        except ValueError:
            return None
        return next(iter(body), None) if isinstance(body, dict) else None

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        parts = [p for p in url.path.split("/") if p]
        self.raw_body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        cloud = self.cloud
        headers: dict = {}
        try:
            with cloud.lock:
                asked = self.headers.get(MICROVERSION_HEADER)
                cloud.requests.append(Request(method, url.path, asked, self._action_name(parts)))
                if parts[:1] == ["identity"]:
                    code, body, headers = self._identity(method, parts[1:])
                elif parts[:1] == ["share"]:
                    code, body, headers = self._share(method, parts[1:], query)
                else:
                    raise ApiError(404, f"No such path: {url.path}")
        except ApiError as err:
            code, body = err.code, err.body()
        self._send(code, body, headers)

    def _identity(self, method: str, parts: list[str]):
        version = self.cloud.identity_version()
        if method == "GET" and parts == []:
            return 300, {"versions": {"values": [version]}}, {}
        if method == "GET" and parts == ["v3"]:
            return 200, {"version": version}, {}
        if method == "POST" and parts == ["v3", "auth", "tokens"]:
            token, body = self.cloud.issue_token(self._body())
            return 201, body, {"X-Subject-Token": token}
        raise ApiError(404, NOT_FOUND)

    def _microversion(self) -> tuple[int, int]:
        """The requested microversion; without the header Manila serves its minimum."""
        cloud = self.cloud
        asked = self.headers.get(MICROVERSION_HEADER)
        if not asked:
            return cloud.min_version
        if asked == "latest":
            return cloud.max_version
        if not re.fullmatch(r"\d+\.\d+", asked):
            raise ApiError(400, f"Invalid API version request string {asked}.")
        version = _version(asked)
        if not cloud.min_version <= version <= cloud.max_version:
            low, high = ("{}.{}".format(*v) for v in (cloud.min_version, cloud.max_version))
            raise ApiError(406, f"Version {asked} is not supported by the API. Minimum is {low} and maximum is {high}.")
        return version

    def _share(self, method: str, parts: list[str], query: dict):
        cloud = self.cloud
        if method == "GET" and parts in ([], ["v2"]):
            return 200, {"versions": [cloud.share_version()]}, {}
        cloud.check_token(self.headers.get("X-Auth-Token"))
        version = self._microversion()
        headers = {MICROVERSION_HEADER: "{}.{}".format(*version), "Vary": MICROVERSION_HEADER}
        if parts[:2] != ["v2", cloud.project_id]:
            raise ApiError(404, NOT_FOUND)
        path = parts[2:]
        code, body = self._route(method, path, query, version)
        return code, body, headers

    def _route(self, method: str, path: list[str], query: dict, version: tuple[int, int]):
        cloud = self.cloud
        if path == ["shares"] and method == "GET":
            return 200, {"shares": [cloud.share_doc(s, version, detail=False) for s in cloud.list_shares(query)]}
        if path == ["shares", "detail"] and method == "GET":
            return 200, {"shares": [cloud.share_doc(s, version) for s in cloud.list_shares(query)]}
        if path == ["shares"] and method == "POST":
            return 200, {"share": cloud.share_doc(cloud.create_share(self._body()), version)}
        if len(path) == 2 and path[0] == "shares":
            if method == "GET":
                return 200, {"share": cloud.share_doc(cloud.get_share(path[1]), version)}
            if method == "DELETE":
                cloud.delete_share(path[1])
                return 202, None
        if len(path) == 3 and path[0] == "shares" and path[2] == "action" and method == "POST":
            return cloud.share_action(path[1], self._body(), version)
        if len(path) == 3 and path[0] == "shares" and path[2] == "export_locations" and method == "GET":
            if version < EXPORT_LOCATIONS_API:
                raise ApiError(404, NOT_FOUND)
            share = cloud.get_share(path[1])
            return 200, {"export_locations": cloud.export_locations(share, version)}
        if path[:1] == ["share-access-rules"] and method == "GET":
            if version < ACCESS_RULES_API:
                raise ApiError(404, NOT_FOUND)
            if len(path) == 2:
                return 200, {"access": cloud.rule_doc(cloud.get_rule(path[1]), version)}
            rules = cloud.list_rules(query.get("share_id"))
            return 200, {"access_list": [cloud.rule_doc(r, version, listed=True) for r in rules]}
        if path == ["types"] and method == "GET":
            return 200, {"share_types": [cloud.type_doc(name, version) for name in cloud.share_types]}
        if len(path) == 2 and path[0] == "types" and method == "GET":
            names = {type_id: name for name, type_id in cloud.share_types.items()}
            if path[1] not in names:
                raise ApiError(404, "Share type not found.")
            return 200, {"share_type": cloud.type_doc(names[path[1]], version)}
        raise ApiError(404, NOT_FOUND)

    def do_GET(self):  # noqa: N802 - the base class's naming
        self._handle("GET")

    def do_POST(self):  # noqa: N802
        self._handle("POST")

    def do_DELETE(self):  # noqa: N802
        self._handle("DELETE")


class StandInServer:
    """The cloud behind a threaded HTTP server on 127.0.0.1."""

    def __init__(self, port: int = 0, **cloud):
        """`cloud`: StandInCloud's settings (delay, gigabytes_quota, max_version, rule_reads)."""
        self.cloud = StandInCloud(**cloud)
        handler = type("BoundHandler", (Handler,), {"cloud": self.cloud})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.cloud.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def auth_url(self) -> str:
        return f"{self.cloud.base_url}/identity/v3"

    def environment(self) -> dict[str, str]:
        """OS_* variables of an application credential, as de.NBI's openrc files set them."""
        return {
            "OS_AUTH_TYPE": "v3applicationcredential",
            "OS_AUTH_URL": self.auth_url,
            "OS_APPLICATION_CREDENTIAL_ID": self.cloud.app_credential["id"],
            "OS_APPLICATION_CREDENTIAL_SECRET": self.cloud.app_credential["secret"],
            "OS_REGION_NAME": REGION,
            "OS_INTERFACE": "public",
            "OS_IDENTITY_API_VERSION": "3",
        }

    def password_auth(self) -> dict[str, str]:
        return {
            "auth_url": self.auth_url,
            "username": self.cloud.user["name"],
            "password": self.cloud.user["password"],
            "project_name": "standin-project",
            "user_domain_name": "Default",
            "project_domain_name": "Default",
        }

    def __enter__(self) -> StandInServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5050)
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("--max-version", type=_version, default=MAX_VERSION, help="the newest microversion, e.g. 2.40")
    args = parser.parse_args()
    with StandInServer(port=args.port, delay=args.delay, max_version=args.max_version) as server:
        for key, value in server.environment().items():
            print(f"export {key}={value}")
        print(f"# project {server.cloud.project_id}; Ctrl-C stops", flush=True)
        try:
            server.thread.join()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
