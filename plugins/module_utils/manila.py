# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared logic of the Manila modules: the Manila calls and their microversions, finding shares,
waiting for shares and access rules, export locations."""

from __future__ import annotations

import time
from typing import NamedTuple

from ansible_collections.openstack.cloud.plugins.module_utils.openstack import OpenStackModule

try:
    # openstack.cloud 2.5.0 reads openstack.version.__version__, which openstacksdk 4.x no
    # longer imports with the package.
    import openstack.version  # noqa: F401  # pylint: disable=unused-import
    from keystoneauth1.exceptions import ClientException as AuthClientError
    from openstack.shared_file_system.v2.share import Share
    from openstack.shared_file_system.v2.share_access_rule import ShareAccessRule
    from openstack.shared_file_system.v2.share_export_locations import ShareExportLocation
    from openstack.shared_file_system.v2.share_type import ShareType
except ImportError:
    AuthClientError = ()  # OpenStackModule reports the missing SDK


class Call(NamedTuple):
    microversion: str
    request: str


# Every Manila request of these modules and the microversion it is sent with: the lowest one that
# routes the request and answers what the modules read. openstacksdk sends the share calls with
# no microversion (Manila then serves 2.0) and others with whatever the cloud offers, so no call
# is left to its defaults.
CALLS = {
    "shares": Call("2.6", "/shares"),  # 2.6: share_type_name in the answer
    "share_types": Call("2.0", "GET /types"),
    "extend": Call("2.7", "the share action extend"),  # below 2.7 Manila routes only os-extend
    "export_locations": Call("2.14", "GET /shares/{id}/export_locations"),  # from 2.9; 'preferred' from 2.14
    "allow_access": Call("2.38", "the share action allow_access"),  # from 2.7; IPv6 networks from 2.38
    "deny_access": Call("2.7", "the share action deny_access"),  # below 2.7 only os-deny_access
    "access_rules": Call("2.45", "GET /share-access-rules"),  # no such API below 2.45
}

SHARE_FAILURES = ("error", "extending_error", "shrinking_error", "error_deleting", "manage_error", "unmanage_error")
# Manila changes no access rule and deletes no share while the share is in one of these.
TRANSITIONAL = (
    "creating",
    "deleting",
    "extending",
    "shrinking",
    "managing",
    "unmanaging",
    "migrating",
    "migrating_to",
    "reverting",
    "restoring",
    "ensuring",
    "backup_creating",
    "backup_restoring",
    "server_migrating",
    "server_migrating_to",
)
DELETABLE = ("available", "error", "inactive")  # a user may delete a share only in these
RULE_FAILURES = ("error",)
RULE_DENYING = ("queued_to_deny", "denying")
POLL_INTERVAL = 1
SHARE_KEYS = (
    "id",
    "name",
    "description",
    "size",
    "status",
    "share_protocol",
    "share_type",
    "share_type_name",
    "availability_zone",
    "project_id",
    "created_at",
)


class ManilaError(Exception):
    """A condition the module reports with fail_json (not an SDK error)."""


def split_nfs_export(path: str) -> tuple[str, str]:
    """'host:/ifs/x' -> ('host', '/ifs/x'); '[fd00::1]:/x' -> ('fd00::1', '/x'); ('', '') if not NFS."""
    server, sep, export = path.partition(":/")
    if not sep or not server:
        return "", ""
    return server.strip("[]"), "/" + export


def preferred_export(locations: list[dict]) -> dict | None:
    """The location Manila marks preferred, else the first that is not admin-only."""
    usable = [loc for loc in locations if not loc.get("is_admin_only")]
    for loc in usable:
        if loc.get("preferred"):
            return loc
    return usable[0] if usable else None


def export_summary(locations: list[dict]) -> dict:
    """The preferred export's path and its NFS server and path ('' when there is none)."""
    preferred = preferred_export(locations)
    path = preferred["path"] if preferred else ""
    server, nfs_path = split_nfs_export(path)
    return {"export_location": path, "nfs_server": server, "nfs_path": nfs_path}


def share_dict(share) -> dict:
    data = share.to_dict(computed=False)
    return {key: data.get(key) for key in SHARE_KEYS}


def rule_dict(rule) -> dict:
    data = rule.to_dict(computed=False)
    return {key: data.get(key) for key in ("id", "share_id", "access_type", "access_to", "access_level", "state")}


def export_dicts(locations) -> list[dict]:
    return [
        {"id": loc.id, "path": loc.path, "preferred": bool(loc.is_preferred), "is_admin_only": bool(loc.is_admin)}
        for loc in locations
    ]


def describe(share) -> str:
    return f"share {share.name!r} ({share.id})"


def version_text(version: tuple[int, int]) -> str:
    return "{}.{}".format(*version)


def version_tuple(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


class ManilaApi:
    """The Manila requests of these modules, each sent with the microversion CALLS names for it."""

    def __init__(self, proxy, exceptions):
        self.proxy = proxy
        self.exceptions = exceptions
        self.wrote = False  # Manila accepted a change: the run reports changed even if it fails later
        self._offered = None

    def offered(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """The lowest and highest microversion of the cloud's Manila, from its version document."""
        if self._offered is None:
            data = self.proxy.get_endpoint_data()
            if data is None:
                raise ManilaError("Manila's version document could not be read; check the shared-file-system endpoint")
            low = tuple(data.min_microversion or (2, 0))
            self._offered = low, tuple(data.max_microversion or low)
        return self._offered

    def microversion(self, call: str) -> str:
        """The call's microversion, once the cloud is known to offer it."""
        needed = CALLS[call]
        low, high = self.offered()
        if not low <= version_tuple(needed.microversion) <= high:
            raise ManilaError(
                f"{needed.request} needs Manila API microversion {needed.microversion}, and this cloud's Manila "
                f"offers {version_text(low)} to {version_text(high)}. Ask the cloud's operators for a newer Manila"
            )
        return needed.microversion

    def _action(self, share, name: str, args: dict):
        version = self.microversion(name)
        response = self.proxy.post(f"/shares/{share.id}/action", json={name: args}, microversion=version)
        self.exceptions.raise_from_response(response)
        self.wrote = True
        return response

    def shares(self, **query) -> list:
        version = self.microversion("shares")
        return list(Share.list(self.proxy, base_path="/shares/detail", microversion=version, **query))

    def get_share(self, share_id: str):
        """The share as Manila reports it now; None once it is gone."""
        try:
            return Share.existing(id=share_id).fetch(self.proxy, microversion=self.microversion("shares"))
        except self.exceptions.NotFoundException:
            return None

    def create_share(self, **attrs):
        share = Share.new(**attrs).create(self.proxy, microversion=self.microversion("shares"))
        self.wrote = True
        return share

    def delete_share(self, share) -> None:
        share.delete(self.proxy, microversion=self.microversion("shares"))
        self.wrote = True

    def extend_share(self, share, size: int) -> None:
        self._action(share, "extend", {"new_size": size})

    def share_types(self) -> list:
        return list(ShareType.list(self.proxy, microversion=self.microversion("share_types")))

    def export_locations(self, share) -> list:
        version = self.microversion("export_locations")
        return list(ShareExportLocation.list(self.proxy, share_id=share.id, microversion=version))

    def access_rules(self, share) -> list:
        """The share's ip rules (Manila's list leaves out the share id: it is filled in)."""
        version = self.microversion("access_rules")
        rules = list(ShareAccessRule.list(self.proxy, share_id=share.id, microversion=version))
        for rule in rules:
            rule.share_id = share.id
        return [r for r in rules if r.access_type == "ip"]

    def allow_access(self, share, network: str, level: str) -> None:
        self._action(share, "allow_access", {"access_type": "ip", "access_to": network, "access_level": level})

    def deny_access(self, share, rule) -> None:
        self._action(share, "deny_access", {"access_id": rule.id})


class ManilaModule(OpenStackModule):
    """OpenStackModule with the look-ups and waits every Manila module needs."""

    def __init__(self):
        super().__init__()
        self._api = None

    @property
    def api(self) -> ManilaApi:
        if self._api is None:  # made on first use: a run that fails on its input never connects
            self._api = ManilaApi(self.conn.shared_file_system, self.sdk.exceptions)
        return self._api

    @property
    def wrote(self) -> bool:
        return self._api is not None and self._api.wrote

    def find_share(self, name_or_id: str):
        """The share with this name (or id), fully fetched; None if there is none."""
        matches = [s for s in self.api.shares(name=name_or_id) if s.name == name_or_id]
        if not matches:
            matches = [s for s in self.api.shares() if s.id == name_or_id]
        if len(matches) > 1:
            ids = ", ".join(s.id for s in matches)
            raise ManilaError(f"{len(matches)} shares are named {name_or_id!r} ({ids}); pass one share's id instead")
        return matches[0] if matches else None

    def poll(self, read, settled, waiting_for: str):
        """read() every POLL_INTERVAL s until settled(result), which raises ManilaError for a dead end."""
        deadline = time.monotonic() + self.params["timeout"]
        while True:
            current = read()
            if settled(current):
                return current
            if time.monotonic() >= deadline:
                raise ManilaError(
                    f"gave up waiting for {waiting_for} after {self.params['timeout']} s; raise the timeout option "
                    "or look at the share's messages (openstack share message list)"
                )
            time.sleep(POLL_INTERVAL)

    def settle(self, share, doing: str):
        """The share once Manila is done with it (no transitional status), None if it went away.

        Without wait, a share in a transitional status is an error that says what `doing` needs."""
        if share.status not in TRANSITIONAL:
            return share
        if not self.params["wait"]:
            raise ManilaError(
                f"{describe(share)} is {share.status!r}; {doing} waits until Manila is done with it. "
                "Run again later, or with wait: true (the default) to wait for it"
            )
        return self.poll(
            lambda: self.api.get_share(share.id),
            lambda current: current is None or current.status not in TRANSITIONAL,
            f"{describe(share)} to finish {share.status}",
        )

    def ready(self, share, doing: str):
        """The share, settled and available; its failure status ends in ManilaError."""
        current = self.settle(share, doing)
        if current is None:
            raise ManilaError(f"{describe(share)} was deleted while waiting for it")
        self.fail_on_error_status(current)
        if current.status != "available":
            raise ManilaError(f"{describe(current)} is {current.status!r}; {doing} needs it available")
        return current

    def fail_on_error_status(self, share) -> None:
        if share.status not in SHARE_FAILURES:
            return
        if share.status in DELETABLE:
            then = "delete the share (state=absent) and run again"
        else:
            then = "ask the cloud's operators to reset its status or delete it (users cannot delete it in this status)"
        raise ManilaError(
            f"{describe(share)} is in status {share.status!r}; Manila could not complete an operation on it. "
            f"Look at `openstack share message list`, then {then}"
        )

    def export_locations(self, share) -> list[dict]:
        return export_dicts(self.api.export_locations(share))

    def manage(self) -> dict:
        raise NotImplementedError

    def run(self):
        """manage() returns the results; ManilaError becomes fail_json, SDK errors reach the base class.

        A failure after Manila accepted a change still reports changed=true."""
        try:
            self.exit_json(**self.manage())
        except ManilaError as err:
            self.fail_json(msg=str(err), changed=self.wrote)
        except self.sdk.exceptions.SDKException as err:
            if not self.wrote:
                raise
            self.fail_json(msg=str(err), changed=True)
        except AuthClientError as err:  # keystoneauth's, not the SDK's: wrong credentials, no Keystone
            self.fail_json(msg=f"Connecting to the cloud failed: {err}", changed=self.wrote)
