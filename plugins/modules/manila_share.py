#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: manila_share
short_description: Create, grow or delete an OpenStack Manila share
version_added: 1.0.0
author: OpenMS Streamlit Kubernetes maintainers (@OpenMS)
description:
  - Finds a Manila (shared file systems v2) share by name, creates it when it is missing and
    waits until it is C(available).
  - Grows the share when O(size) is larger than its size. A share larger than O(size) is left
    as it is, with a warning; this module never shrinks a share.
  - Fails at once with the share's status when Manila puts it into an error state (C(error),
    C(extending_error), C(error_deleting), ...), also while waiting for a deletion. A run that
    fails after Manila accepted its request reports C(changed=true).
  - With O(wait=true) a share Manila is still working on (C(creating), C(extending), ...) is
    waited for; with O(wait=false) growing or deleting such a share fails with its status.
  - Returns the share's export locations and the preferred one, split into NFS server and path.
  - Works through openstacksdk's shared_file_system proxy with the usual OpenStack
    authentication (O(cloud), C(clouds.yaml), C(OS_*) variables).
  - Sends every Manila request with the microversion it needs, never the SDK's default, 2.6
    (/shares), 2.0 (GET /types), 2.7 (the share action extend) and 2.14
    (GET /shares/{id}/export_locations), and fails with a message naming the microversion when
    the cloud's Manila does not offer it.
  - Supports check mode and diff mode. Check mode looks up O(share_type) as the real run
    does, so an unknown share type fails in both.
options:
  name:
    description: Name of the share (or its id, to address an existing share).
    required: true
    type: str
  state:
    description: Whether the share should exist.
    type: str
    choices: [present, absent]
    default: present
  size:
    description:
      - Size in GiB. Required when O(state=present).
      - A smaller size than the share's never shrinks it.
    type: int
  share_type:
    description:
      - Share type (name or id) of a new share (de.NBI Berlin offers C(isilon-denbi)).
      - Must be one of the share types the project can list.
    type: str
    default: isilon-denbi
  share_proto:
    description: Protocol of a new share. An existing share with another protocol is an error.
    type: str
    default: NFS
  availability_zone:
    description:
      - Availability zone of a new share; Manila's default when omitted.
      - An existing share in another zone is an error.
    type: str
  description:
    description: Description of a new share.
    type: str
requirements:
  - openstacksdk >= 4.0.0
extends_documentation_fragment:
  - openstack.cloud.openstack
"""

EXAMPLES = r"""
- name: A 50 GiB NFS share for the app's workspaces
  openms.streamlit_k8s.manila_share:
    cloud: denbi-berlin
    name: openms-workspaces
    size: 50
    share_type: isilon-denbi
    availability_zone: nova
  register: share

- name: Show where to mount it
  ansible.builtin.debug:
    msg: "{{ share.nfs_server }}:{{ share.nfs_path }}"

- name: Delete the share (its data is lost)
  openms.streamlit_k8s.manila_share:
    name: openms-workspaces
    state: absent
"""

RETURN = r"""
share:
  description: The share as Manila reports it (empty when O(state=absent)).
  returned: always
  type: dict
  contains:
    id:
      description: The share's id (absent in check mode before the share exists).
      type: str
      sample: 0b5f9b1c-8f0a-4c3e-9d61-1a3c2e6b0c55
    name:
      description: Name.
      type: str
      sample: openms-workspaces
    size:
      description: Size in GiB (after growing it).
      type: int
      sample: 50
    status:
      description: Status, C(available) once created.
      type: str
      sample: available
    share_protocol:
      description: Protocol.
      type: str
      sample: NFS
    share_type:
      description: Share type id.
      type: str
    share_type_name:
      description: Share type name.
      type: str
      sample: isilon-denbi
    availability_zone:
      description: Availability zone.
      type: str
      sample: nova
export_locations:
  description: The share's export locations.
  returned: when O(state=present) and the share exists
  type: list
  elements: dict
  contains:
    path:
      description: Export path, C(server:/path) for NFS.
      type: str
      sample: manila-prod.isilon.bihealth.org:/ifs/denbi/prod/share-0b5f9b1c
    preferred:
      description: Whether Manila marks this location as preferred.
      type: bool
    is_admin_only:
      description: Whether only administrators may use the location.
      type: bool
export_location:
  description: The preferred export path (else the first one open to users); empty before creation.
  returned: when O(state=present)
  type: str
nfs_server:
  description: Server part of RV(export_location).
  returned: when O(state=present)
  type: str
nfs_path:
  description: Path part of RV(export_location).
  returned: when O(state=present)
  type: str
"""

from ansible_collections.openms.streamlit_k8s.plugins.module_utils.manila import (
    DELETABLE,
    ManilaError,
    ManilaModule,
    describe,
    export_summary,
    share_dict,
)

DIFF_KEYS = ("name", "size", "share_protocol", "share_type_name", "availability_zone")


class ShareModule(ManilaModule):
    argument_spec = dict(
        name=dict(required=True),
        state=dict(default="present", choices=["present", "absent"]),
        size=dict(type="int"),
        share_type=dict(default="isilon-denbi"),
        share_proto=dict(default="NFS"),
        availability_zone=dict(),
        description=dict(),
    )
    module_kwargs = dict(
        supports_check_mode=True,
        required_if=[("state", "present", ["size"])],
    )

    def manage(self) -> dict:
        if self.params["state"] == "present" and self.params["size"] < 1:
            raise ManilaError(f"size={self.params['size']}: a share holds at least 1 GiB")
        share = self.find_share(self.params["name"])
        if self.params["state"] == "absent":
            return self.absent(share)
        if share is None:
            share_type = self.share_type()
            if self.ansible.check_mode:
                return self.result(True, None, self.wanted(share_type), [])
            share = self.create(share_type)
            return self.result(True, None, share_dict(share), self.export_locations(share))
        before = share_dict(share)
        share = self.reconcile(share)
        after = share_dict(share)
        return self.result(after["size"] != before["size"], before, after, self.export_locations(share))

    def share_type(self):
        """The share type of a new share, looked up so that check mode fails where the real run would."""
        wanted = self.params["share_type"]
        types = self.api.share_types()
        for share_type in types:
            if wanted in (share_type.id, share_type.name):
                return share_type
        offered = ", ".join(sorted(t.name for t in types)) or "none"
        raise ManilaError(
            f"share_type {wanted!r} is not a share type of this project (Manila answers 404 to a share of it); "
            f"set share_type to one of: {offered}"
        )

    def wanted(self, share_type) -> dict:
        return {
            "name": self.params["name"],
            "size": self.params["size"],
            "share_protocol": self.params["share_proto"].upper(),
            "share_type": share_type.id,
            "share_type_name": share_type.name,
            "availability_zone": self.params["availability_zone"],
            "status": "available",
        }

    def create(self, share_type):
        attrs = {
            "name": self.params["name"],
            "size": self.params["size"],
            "share_proto": self.params["share_proto"].upper(),
            "share_type": share_type.id,
        }
        for key in ("availability_zone", "description"):
            if self.params[key] is not None:
                attrs[key] = self.params[key]
        share = self.api.create_share(**attrs)
        return self.ready(share, "creating it") if self.params["wait"] else share

    def reconcile(self, share):
        for key, attr in (("share_proto", "share_protocol"), ("availability_zone", "availability_zone")):
            wanted, actual = self.params[key], getattr(share, attr)
            if wanted is not None and actual is not None and wanted.upper() != actual.upper():
                raise ManilaError(
                    f"{describe(share)} exists with {key} {actual!r}, not {wanted!r}; Manila cannot change that. "
                    f"Use another name, or set {key}: {actual}"
                )
        size = self.params["size"]
        grow = size > share.size
        if grow or self.params["wait"]:
            share = self.ready(share, f"growing it to {size} GiB" if grow else "using it")
        else:
            self.fail_on_error_status(share)
        if size < share.size:
            self.ansible.warn(
                f"{describe(share)} is {share.size} GiB, more than size={size}; it is kept at {share.size} GiB "
                "(no shrinking)"
            )
        if size <= share.size:  # also when an earlier run's extend finished while waiting
            return share
        if self.ansible.check_mode:
            share.size = size
            return share
        self.api.extend_share(share, size)
        share = self.api.get_share(share.id)
        if self.params["wait"]:
            share = self.ready(share, f"growing it to {size} GiB")
            if share.size < size:
                raise ManilaError(f"{describe(share)} is available again but reports {share.size} GiB, not {size} GiB")
        return share

    def absent(self, share) -> dict:
        if share is None:
            return {"changed": False, "share": {}}
        before = share_dict(share)
        share = self.settle(share, "deleting it")
        if share is None:  # deleted meanwhile, not by this run
            return {"changed": False, "share": {}}
        self.fail_unless_deletable(share)
        if not self.ansible.check_mode:
            self.api.delete_share(share)
            if self.params["wait"]:
                self.poll(lambda: self.api.get_share(share.id), self.deleted, f"{describe(share)} to be deleted")
        return {"changed": True, "share": {}, "diff": {"before": self.diff_view(before), "after": {}}}

    def fail_unless_deletable(self, share) -> None:
        if share.status in DELETABLE:
            return
        self.fail_on_error_status(share)
        raise ManilaError(
            f"{describe(share)} is {share.status!r}; Manila deletes a share only in status "
            f"{', '.join(DELETABLE)}. Ask the cloud's operators to reset its status"
        )

    def deleted(self, current) -> bool:
        if current is None:
            return True
        if current.status == "deleting":
            return False
        self.fail_on_error_status(current)
        raise ManilaError(f"{describe(current)} went to status {current.status!r} instead of being deleted")

    def result(self, changed: bool, before, after: dict, locations: list[dict]) -> dict:
        return {
            "changed": changed,
            "share": after,
            "export_locations": locations,
            **export_summary(locations),
            "diff": {"before": self.diff_view(before) if before else {}, "after": self.diff_view(after)},
        }

    @staticmethod
    def diff_view(share: dict) -> dict:
        return {key: share.get(key) for key in DIFF_KEYS}


def main():
    module = ShareModule()
    module()


if __name__ == "__main__":
    main()
