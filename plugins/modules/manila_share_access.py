#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: manila_share_access
short_description: Grant or revoke IP access to an OpenStack Manila share
version_added: 1.0.0
author: OpenMS Streamlit Kubernetes maintainers (@OpenMS)
description:
  - Makes sure that one C(ip) access rule exists (O(state=present)) or none exists
    (O(state=absent)) on a Manila share for each network in O(access_to).
  - A new Manila share refuses every client until such a rule is added; for an NFS share
    mounted by Kubernetes, give the subnet of the worker nodes.
  - Waits until the rules of O(access_to) are C(active), whichever run added them (a rule
    still C(queued_to_apply) or C(applying) is waited for), and removed rules are gone; fails
    with the rule's state when Manila cannot apply it (C(error)). With O(wait=false) it does
    not wait, and rules are returned in the state Manila reports.
  - Rules change only on an C(available) share. A share Manila is still working on
    (C(creating), C(extending), ...) is waited for with O(wait=true); with O(wait=false) the
    module fails and says so.
  - A rule with another access level is replaced (Manila cannot change a rule's level).
  - Rules for other networks are kept unless O(exclusive=true).
  - Sends every Manila request with the microversion it needs, never the SDK's default, 2.6
    (/shares), 2.45 (GET /share-access-rules), 2.38 (the share action
    allow_access) and 2.7 (the share action deny_access). A cloud whose Manila API ends below
    2.45 gets a message naming 2.45 and the cloud's maximum before any rule is changed.
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
    RULE_DENYING,
    RULE_FAILURES,
    ManilaError,
    ManilaModule,
    describe,
    rule_dict,
)
from ansible_collections.openms.streamlit_k8s.plugins.module_utils.networks import normalise_network, same_network


def on(rule, networks: list[str]) -> bool:
    return any(same_network(rule.access_to, n) for n in networks)


def broken_rules(rules: list, share) -> ManilaError:
    listed = ", ".join(f"ip:{r.access_to} ({r.id})" for r in rules)
    return ManilaError(
        f"access rule(s) {listed} on {describe(share)} are in state 'error'; Manila could not apply or remove "
        "them. Remove them (state=absent) and run again"
    )


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
        networks = self.networks()
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
        rules = self.api.access_rules(share)
        before = [rule_dict(r) for r in rules]
        remove, add = self.plan(share, rules, networks)
        removed = [r.access_to for r in remove]
        going = [r for r in rules if r.state in RULE_DENYING]  # being denied already, by this or another run
        if self.ansible.check_mode:
            gone = {r.id for r in remove + going}
            after = [d for d in before if d["id"] not in gone] + [self.planned(n) for n in add]
            return self.result(before, after, add, removed)
        if add or remove:
            share = self.ready(share, "changing its access rules")
        for rule in remove:
            self.api.deny_access(share, rule)
        if remove or going:
            self.wait_until_gone(share, remove + going, add)
        for network in add:
            self.api.allow_access(share, network, self.params["access_level"])
        wanted = networks if self.params["state"] == "present" else []
        rules = self.wait_until_active(share, wanted) if self.params["wait"] else self.api.access_rules(share)
        return self.result(before, [rule_dict(r) for r in rules], add, removed)

    def networks(self) -> list[str]:
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
        return networks

    def plan(self, share, rules: list, networks: list[str]) -> tuple[list, list[str]]:
        """(rules to remove, networks to add); a rule being denied counts as gone."""
        present = [r for r in rules if r.state not in RULE_DENYING]
        if self.params["state"] == "absent":
            return [r for r in present if on(r, networks)], []
        level = self.params["access_level"]
        # another level for a wanted network (Manila cannot change a rule's level), or not wanted at all
        remove = [r for r in present if on(r, networks) and r.access_level != level]
        if self.params["exclusive"]:
            remove += [r for r in present if not on(r, networks)]
        kept = [r for r in present if r not in remove]
        broken = [r for r in kept if on(r, networks) and r.state in RULE_FAILURES]
        if broken:
            raise broken_rules(broken, share)
        return remove, [n for n in networks if not any(on(r, [n]) for r in kept)]

    def wait_until_gone(self, share, rules: list, adding: list[str]) -> None:
        """Rules being denied must be gone before a rule for the same network is added."""
        if not self.params["wait"]:
            blocking = [f"ip:{r.access_to}" for r in rules if on(r, adding)]
            if blocking:
                raise ManilaError(
                    f"{', '.join(blocking)} on {describe(share)} is still being removed, and Manila refuses a second "
                    "rule for a network. Run again once it is gone, or with wait: true (the default)"
                )
            return
        ids = {r.id for r in rules}

        def gone(current: list) -> bool:
            failed = [r for r in current if r.id in ids and r.state in RULE_FAILURES]
            if failed:
                raise broken_rules(failed, share)
            return not any(r.id in ids for r in current)

        self.poll(lambda: self.api.access_rules(share), gone, f"the removed access rules of {describe(share)} to go")

    def wait_until_active(self, share, networks: list[str]) -> list:
        """The share's rules once every network's rule is active, whichever run added it."""

        def applied(current: list) -> bool:
            mine = [r for r in current if r.state not in RULE_DENYING and on(r, networks)]
            failed = [r for r in mine if r.state in RULE_FAILURES]
            if failed:
                raise broken_rules(failed, share)
            missing = [n for n in networks if not any(on(r, [n]) for r in mine)]
            if missing:
                raise ManilaError(f"the access rules for {', '.join(missing)} on {describe(share)} were removed")
            return all(r.state == "active" for r in mine)

        return self.poll(
            lambda: self.api.access_rules(share), applied, f"the access rules of {describe(share)} to become active"
        )

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
