#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: manila_share_info
short_description: Read OpenStack Manila shares, their access rules and export locations
version_added: 1.0.0
author: OpenMS Streamlit Kubernetes maintainers (@OpenMS)
description:
  - Lists the project's Manila shares, or the one named by O(name), with their C(ip) access
    rules and export locations, and the preferred export split into NFS server and path.
  - Changes nothing.
  - Sends every Manila request with the microversion it needs, never the SDK's default, 2.6
    (/shares), 2.14 (GET /shares/{id}/export_locations) and 2.45
    (GET /share-access-rules). A cloud whose Manila API ends below 2.45 gets a message naming
    2.45 and the cloud's maximum when a share's rules are read.
options:
  name:
    description: Name or id of one share; all shares of the project when omitted.
    type: str
requirements:
  - openstacksdk >= 4.0.0
  - The cloud's Manila API offers microversion 2.45 or later (share-access-rules).
extends_documentation_fragment:
  - openstack.cloud.openstack
"""

EXAMPLES = r"""
- name: Where is the workspaces share exported?
  openms.streamlit_k8s.manila_share_info:
    cloud: denbi-berlin
    name: openms-workspaces
  register: info

- name: Show it
  ansible.builtin.debug:
    msg: "{{ info.shares[0].export_location }}"
"""

RETURN = r"""
shares:
  description: The shares found (an empty list when O(name) matches none).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Share id.
      type: str
    name:
      description: Share name.
      type: str
    size:
      description: Size in GiB.
      type: int
    status:
      description: Share status.
      type: str
      sample: available
    access_rules:
      description: The share's C(ip) access rules (id, access_to, access_level, state).
      type: list
      elements: dict
    export_locations:
      description: All export locations (path, preferred, is_admin_only).
      type: list
      elements: dict
    export_location:
      description: The preferred export path (else the first one open to users).
      type: str
      sample: manila-prod.isilon.bihealth.org:/ifs/denbi/prod/share-0b5f9b1c
    nfs_server:
      description: Server part of the preferred export.
      type: str
    nfs_path:
      description: Path part of the preferred export.
      type: str
"""

from ansible_collections.openms.streamlit_k8s.plugins.module_utils.manila import (
    ManilaModule,
    export_summary,
    rule_dict,
    share_dict,
)


class ShareInfoModule(ManilaModule):
    argument_spec = dict(name=dict())
    module_kwargs = dict(supports_check_mode=True)

    def manage(self) -> dict:
        if self.params["name"]:
            share = self.find_share(self.params["name"])
            shares = [share] if share else []
        else:
            shares = self.api.shares()
        return {"changed": False, "shares": [self.describe(s) for s in shares]}

    def describe(self, share) -> dict:
        data = share_dict(share)
        locations = self.export_locations(share)
        rules = self.api.access_rules(share) if share.status == "available" else []
        data.update(
            access_rules=[rule_dict(r) for r in rules],
            export_locations=locations,
            **export_summary(locations),
        )
        return data


def main():
    module = ShareInfoModule()
    module()


if __name__ == "__main__":
    main()
