"""Who counts as the internal network (operators' tools: `/metrics`, readiness details).

`INTERNAL_NETWORKS` (settings, from the environment) is a list of CIDR ranges, loopback by default.
The client address is the one uvicorn reports: behind a load balancer that is the address from
`X-Forwarded-For` only when the balancer is in uvicorn's `--forwarded-allow-ips`.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings

DEFAULT_INTERNAL_NETWORKS = ("127.0.0.0/8", "::1/128")


@lru_cache(maxsize=8)
def _networks(ranges: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in ranges)


def parse_networks(ranges: Iterable[str]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Validated networks (raises ValueError with the bad item named)."""
    result = []
    for item in ranges:
        try:
            result.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"INTERNAL_NETWORKS: {item!r} is not an IP network ({exc})") from exc
    return tuple(result)


def is_internal(address: str | None) -> bool:
    """True when the client address lies in one of settings.INTERNAL_NETWORKS."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    ranges = tuple(getattr(settings, "INTERNAL_NETWORKS", DEFAULT_INTERNAL_NETWORKS))
    return any(ip in network for network in _networks(ranges) if ip.version == network.version)


def bearer_matches(authorization: str | None, secret: str) -> bool:
    """A constant-time check of `Authorization: Bearer <secret>`; never true for an empty secret."""
    if not secret or not authorization:
        return False
    scheme, _, value = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), secret.encode())
