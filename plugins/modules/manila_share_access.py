#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: manila_share_access
short_description: Grant or revoke IP access to an OpenStack Manila share
version_added: 1.0.0
author: OpenMS Streamlit Kubernetes maintainers
description:
  - Makes sure that one C(ip) access rule exists (O(state=present)) or none exists
    (O(state=absent)) on a Manila share for each network in O(access_to).
  - A new Manila share refuses every client until such a rule is added; for an NFS share
    mounted by Kubernetes, give the subnet of the worker nodes.
  - Waits until new rules are C(active) and removed rules are gone, and fails with the rule's
    state when Manila cannot apply it (C(error)).
  - A rule with another access level is replaced (Manila cannot change a rule's level).
  - Rules for other networks are kept unless O(exclusive=true).
  - Supports check mode and diff mode.
options:
  share:
    description: Name or id of the share.
    required: true
    type: str
  access_to:
    description:
      - IPv4/IPv6 networks in CIDR notation (C(10.0.0.0/24)) or single addresses.
      - Host bits set (C(10.0.0.7/24)) are an error, so that a typo does not open a wider network.
    required: true
    type: list
    elements: str
  access_level:
    description: Read-write or read-only access.
    type: str
    choices: [rw, ro]
    default: rw
  state:
    description: Whether the rules should exist.
    type: str
    choices: [present, absent]
    default: present
  exclusive:
    description: With O(state=present), also remove the share's other C(ip) rules.
    type: bool
    default: false
requirements:
  - openstacksdk >= 4.0.0
  - The cloud's Manila API offers microversion 2.45 or later (share-access-rules).
extends_documentation_fragment:
  - openstack.cloud.openstack
"""

EXAMPLES = r"""
- name: Let the worker nodes mount the share read-write
  openms.streamlit_k8s.manila_share_access:
    cloud: denbi-berlin
    share: openms-workspaces
    access_to: [10.0.0.0/24]

- name: Revoke a network's access
  openms.streamlit_k8s.manila_share_access:
    share: openms-workspaces
    access_to: [192.168.50.0/24]
    state: absent
"""

RETURN = r"""
rules:
  description: The share's C(ip) access rules after the change.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Rule id (absent for a rule only planned in check mode).
      type: str
    access_to:
      description: The network, as Manila stores it.
      type: str
      sample: 10.0.0.0/24
    access_level:
      description: C(rw) or C(ro).
      type: str
    state:
      description: C(active) once applied.
      type: str
      sample: active
added:
  description: Networks that were (or in check mode would be) granted access.
  returned: always
  type: list
  elements: str
removed:
  description: Networks whose rules were (or would be) removed.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.openms.streamlit_k8s.plugins.module_utils.manila import (
    RULE_FAILURES,
    ManilaError,
    ManilaModule,
    rule_dict,
)
from ansible_collections.openms.streamlit_k8s.plugins.module_utils.networks import normalise_network, same_network


class ShareAccessModule(ManilaModule):
    argument_spec = dict(
        share=dict(required=True),
        access_to=dict(required=True, type="list", elements="str"),
        access_level=dict(default="rw", choices=["rw", "ro"]),
        state=dict(default="present", choices=["present", "absent"]),
        exclusive=dict(default=False, type="bool"),
    )
    module_kwargs = dict(supports_check_mode=True)

    def manage(self) -> dict:
        networks = []
        for value in self.params["access_to"]:
            try:
                network = normalise_network(value)
            except ValueError as err:
                raise ManilaError(str(err)) from None
            if network not in networks:
                networks.append(network)
        if not networks:
            raise ManilaError("access_to is empty: give at least one network, e.g. the worker nodes' subnet")
        share = self.find_share(self.params["share"])
        if share is None:
            if self.ansible.check_mode and self.params["state"] == "present":
                self.ansible.warn(f"share {self.params['share']!r} does not exist yet; all rules would be added")
                planned = [self.planned(n) for n in networks]
                return self.result([], planned, networks, [])
            if self.params["state"] == "absent":
                return self.result([], [], [], [])
            raise ManilaError(f"share {self.params['share']!r} does not exist; create it first (manila_share)")
        self.fail_on_error_status(share)
        rules = [r for r in self.sfs.access_rules(share) if r.access_type == "ip"]
        before = [rule_dict(r) for r in rules]
        level = self.params["access_level"]

        def wanted(rule) -> bool:
            return any(same_network(rule.access_to, n) for n in networks)

        if self.params["state"] == "absent":
            remove = [r for r in rules if wanted(r)]
            add = []
        else:
            remove = [
                r
                for r in rules
                if (wanted(r) and r.access_level != level) or (not wanted(r) and self.params["exclusive"])
            ]
            kept = [r for r in rules if r not in remove]
            add = [n for n in networks if not any(same_network(r.access_to, n) for r in kept)]
            broken = [r for r in kept if wanted(r) and r.state in RULE_FAILURES]
            if broken:
                raise ManilaError(
                    "access rule(s) "
                    + ", ".join(f"ip:{r.access_to} ({r.id})" for r in broken)
                    + f" on share {share.name!r} are in state 'error'; Manila could not apply them. "
                    "Remove them (state=absent) and run again"
                )
        if self.ansible.check_mode:
            after = [d for d in before if d["id"] not in {r.id for r in remove}] + [self.planned(n) for n in add]
            return self.result(before, after, add, [r.access_to for r in remove])
        for rule in remove:
            self.sfs.delete_access_rule(rule.id, share.id)
        for rule in remove:
            if self.params["wait"]:
                self.wait_for_delete(rule)
        for network in add:
            rule = self.sfs.create_access_rule(share.id, access_type="ip", access_to=network, access_level=level)
            if self.params["wait"]:
                self.wait_for(
                    rule,
                    "active",
                    f"access rule ip:{network} ({level}) on share {share.name!r}",
                    attribute="state",
                    failures=RULE_FAILURES,
                )
        after = [rule_dict(r) for r in self.sfs.access_rules(share) if r.access_type == "ip"]
        return self.result(before, after, add, [r.access_to for r in remove])

    def planned(self, network: str) -> dict:
        return {"access_type": "ip", "access_to": network, "access_level": self.params["access_level"], "state": "new"}

    @staticmethod
    def result(before: list, after: list, added: list, removed: list) -> dict:
        def view(rules):
            return sorted(f"ip:{r['access_to']} {r['access_level']}" for r in rules)

        return {
            "changed": bool(added or removed),
            "rules": after,
            "added": added,
            "removed": removed,
            "diff": {"before": {"rules": view(before)}, "after": {"rules": view(after)}},
        }


def main():
    module = ShareAccessModule()
    module()


if __name__ == "__main__":
    main()
