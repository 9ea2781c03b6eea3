# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""IP networks as Manila access rules take them (no dependencies: the filter plugin uses it too)."""

from __future__ import annotations

import ipaddress


def normalise_network(value: str) -> str:
    """'10.0.0.0/24' stays, '10.0.0.7' becomes '10.0.0.7/32'; host bits set is an error."""
    try:
        network = ipaddress.ip_network(str(value).strip(), strict=True)
    except ValueError as err:
        raise ValueError(f"access_to item {value!r} is not an IP network: {err}") from None
    return network.with_prefixlen


def network_errors(values) -> list:
    """One message per item of values that is not an IP network (empty when all are)."""
    errors = []
    for value in values:
        try:
            normalise_network(value)
        except ValueError as err:
            errors.append(str(err))
    return errors


def same_network(a: str, b: str) -> bool:
    """Manila keeps access_to as given; '10.0.0.7' and '10.0.0.7/32' name the same clients."""
    try:
        return ipaddress.ip_network(a, strict=False) == ipaddress.ip_network(b, strict=False)
    except ValueError:
        return a == b
