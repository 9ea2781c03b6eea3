# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared logic of the Manila modules: finding shares, access rules and export locations."""

from __future__ import annotations

from ansible_collections.openstack.cloud.plugins.module_utils.openstack import OpenStackModule

try:
    # openstack.cloud 2.5.0 reads openstack.version.__version__, which openstacksdk 4.x no
    # longer imports with the package.
    import openstack.version  # noqa: F401
except ImportError:
    pass  # OpenStackModule reports the missing SDK

SHARE_FAILURES = ["error", "extending_error", "shrinking_error", "error_deleting", "manage_error"]
RULE_FAILURES = ["error"]
POLL_INTERVAL = 1
SHARE_KEYS = (
    "id",
    "name",
    "description",
    "size",
    "status",
    "share_protocol",
    "share_type",
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


class ManilaModule(OpenStackModule):
    """OpenStackModule with the look-ups every Manila module needs."""

    @property
    def sfs(self):
        return self.conn.shared_file_system

    def find_share(self, name_or_id: str):
        """The share with this name (or id), fully fetched; None if there is none."""
        matches = [s for s in self.sfs.shares(details=True, name=name_or_id) if s.name == name_or_id]
        if not matches:
            matches = [s for s in self.sfs.shares(details=True) if s.id == name_or_id]
        if len(matches) > 1:
            ids = ", ".join(s.id for s in matches)
            raise ManilaError(f"{len(matches)} shares are named {name_or_id!r} ({ids}); pass one share's id instead")
        return matches[0] if matches else None

    def wait_for(self, resource, status: str, what: str, attribute: str = "status", failures=SHARE_FAILURES):
        """Poll until resource.<attribute> == status; failure states and time-outs end in ManilaError."""
        try:
            return self.sfs.wait_for_status(
                resource,
                status,
                failures=failures,
                interval=POLL_INTERVAL,
                wait=self.params["timeout"],
                attribute=attribute,
            )
        except self.sdk.exceptions.ResourceFailure:
            current = getattr(resource.fetch(self.sfs), attribute, "?")
            raise ManilaError(f"{what} went to {attribute} {current!r} instead of {status!r}") from None
        except self.sdk.exceptions.ResourceTimeout:
            raise ManilaError(
                f"{what} did not reach {attribute} {status!r} within {self.params['timeout']} s; "
                "raise the timeout option or look at the share's messages (openstack share message list)"
            ) from None

    def fail_on_error_status(self, share) -> None:
        if share.status in SHARE_FAILURES:
            raise ManilaError(
                f"share {share.name!r} ({share.id}) is in status {share.status!r}; Manila could not "
                "complete an operation on it. Look at `openstack share message list`, then delete the "
                "share (state=absent) or ask the cloud's operators to reset it"
            )

    def wait_for_delete(self, resource):
        return self.sfs.wait_for_delete(resource, interval=POLL_INTERVAL, wait=self.params["timeout"])

    def export_locations(self, share) -> list[dict]:
        return export_dicts(self.sfs.export_locations(share.id))

    def manage(self) -> dict:
        raise NotImplementedError

    def run(self):
        """manage() returns the results; ManilaError becomes fail_json, SDK errors reach the base class."""
        try:
            self.exit_json(**self.manage())
        except ManilaError as err:
            self.fail_json(msg=str(err))
