"""Which addresses an HTTP source may reach: public ones, and what its connection's admin allows.

Workflow designers choose endpoints, so a worker fetching their URLs must not become a proxy into
the platform's network: loopback services (Airflow, MLflow, the marketplace), cloud metadata
(instance credentials), private networks. Addresses are judged after DNS resolution, every one
a name resolves to; the transport in ``guarded_transport`` also judges the address it actually
connected to, so a name that changes its answer between the two does not get through.

Only an Airflow admin widens this, in the HTTP connection's extra::

    {"airloom_allowed_networks": ["10.20.0.0/16", "127.0.0.1/32"]}

A cloud metadata address is allowed only when listed as that single address: a wide allowance
such as ``169.254.0.0/16`` or ``0.0.0.0/0`` does not open it by accident.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import Any

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

ALLOWED_NETWORKS_EXTRA = "airloom_allowed_networks"
"""The HTTP connection's extra key listing the internal networks (CIDRs) it may reach."""

CLOUD_METADATA = frozenset(
    ip_address(address)
    for address in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, Oracle: instance metadata
        "169.254.170.2",  # AWS ECS task credentials
        "169.254.170.23",  # AWS EKS Pod Identity
        "fd00:ec2::254",  # AWS instance metadata over IPv6
        "fd00:ec2::23",  # AWS EKS Pod Identity over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud Classic
    )
)

# IANA's special-purpose registries, named so a refusal says why. Checked in order.
SPECIAL_NETWORKS: tuple[tuple[IPNetwork, str], ...] = tuple(
    (ip_network(network), reason)
    for network, reason in (
        ("0.0.0.0/8", "an unspecified ('this network') address"),
        ("10.0.0.0/8", "a private address (RFC 1918)"),
        ("100.64.0.0/10", "a carrier-grade NAT address (RFC 6598)"),
        ("127.0.0.0/8", "a loopback address"),
        ("169.254.0.0/16", "a link-local address"),
        ("172.16.0.0/12", "a private address (RFC 1918)"),
        ("192.0.0.0/24", "a reserved address (IETF protocol assignments)"),
        ("192.0.2.0/24", "a reserved address (documentation)"),
        ("192.88.99.0/24", "a reserved address (6to4 relay)"),
        ("192.168.0.0/16", "a private address (RFC 1918)"),
        ("198.18.0.0/15", "a reserved address (benchmarking)"),
        ("198.51.100.0/24", "a reserved address (documentation)"),
        ("203.0.113.0/24", "a reserved address (documentation)"),
        ("224.0.0.0/4", "a multicast address"),
        ("240.0.0.0/4", "a reserved or broadcast address"),
        ("::/128", "an unspecified address"),
        ("::1/128", "a loopback address"),
        ("::/8", "a reserved address (IPv4-compatible and -translated forms among them)"),
        ("64:ff9b:1::/48", "a reserved address (local-use NAT64)"),
        ("100::/64", "a reserved address (discard-only)"),
        ("2001:db8::/32", "a reserved address (documentation)"),
        ("2001::/23", "a reserved address (IETF protocol assignments, Teredo among them)"),
        ("2002::/16", "a 6to4 address (it can carry any IPv4 address)"),
        ("3fff::/20", "a reserved address (documentation)"),
        ("fc00::/7", "a unique-local address (private)"),
        ("fe80::/10", "a link-local address"),
        ("fec0::/10", "a site-local address (private)"),
        ("ff00::/8", "a multicast address"),
    )
)
GLOBAL_UNICAST_V6 = ip_network("2000::/3")
NAT64 = ip_network("64:ff9b::/96")  # DNS64 answers for IPv4-only hosts: judged by their IPv4


class AddressRefused(Exception):
    """An HTTP source would reach an internal address its connection does not allow.

    Deliberately not an ``OSError``: urllib3 would take that for a network failure and retry it.
    """


class InvalidAllowedNetworks(ValueError):
    """The connection's ``airloom_allowed_networks`` is not a list of networks."""


def embedded_ipv4(address: IPAddress) -> IPv4Address | None:
    """The IPv4 address an IPv4-mapped (``::ffff:a.b.c.d``) or NAT64 IPv6 address reaches."""
    if not isinstance(address, IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refusal_reason(address: IPAddress) -> str | None:
    """Why ``address`` is internal (``"a loopback address in 127.0.0.0/8"``), or None if public."""
    inner = embedded_ipv4(address)
    if isinstance(address, IPv6Address) and inner is not None:
        inner_reason = refusal_reason(inner)
        form = "IPv4-mapped" if address.ipv4_mapped is not None else "NAT64"
        return inner_reason and f"the {form} form of {inner}, {inner_reason}"
    if address in CLOUD_METADATA:
        return "a cloud metadata address (instance credentials live there)"
    for network, reason in SPECIAL_NETWORKS:
        if address in network:
            return f"{reason} in {network}"
    if isinstance(address, IPv6Address) and address not in GLOBAL_UNICAST_V6:
        return f"a reserved address (outside global unicast {GLOBAL_UNICAST_V6})"
    if not address.is_global:  # whatever this Python's registry adds to the table above
        return "not a globally routable address"
    return None


def is_allowed(address: IPAddress, allowed_networks: Iterable[IPNetwork]) -> bool:
    """Whether ``address`` may be reached: it is public, or an allowed network holds it.

    An IPv4-mapped or NAT64 address counts as the IPv4 address it reaches as well.
    """
    if refusal_reason(address) is None:
        return True
    forms = [address] + [inner for inner in [embedded_ipv4(address)] if inner is not None]
    networks = list(allowed_networks)
    if any(form in CLOUD_METADATA for form in forms):
        return any(net.num_addresses == 1 and form in net for form in forms for net in networks)
    return any(form in net for form in forms for net in networks)


def parse_allowed_networks(value: Any, conn_id: str) -> tuple[IPNetwork, ...]:
    """The networks in a connection's ``airloom_allowed_networks``: a list, or commas in a string.

    :raises InvalidAllowedNetworks: naming the connection and the entry that is not a network.
    """
    if value is None or value == "":
        return ()
    entries = value.replace(",", " ").split() if isinstance(value, str) else value
    if not isinstance(entries, list | tuple):
        raise InvalidAllowedNetworks(
            f"HTTP connection {conn_id!r}: {ALLOWED_NETWORKS_EXTRA!r} in its extra must be a "
            f'list of networks such as ["10.20.0.0/16"], not {value!r}'
        )
    networks = []
    for entry in entries:
        try:
            networks.append(ip_network(str(entry).strip()))
        except ValueError as error:
            raise InvalidAllowedNetworks(
                f"HTTP connection {conn_id!r}: {entry!r} in {ALLOWED_NETWORKS_EXTRA!r} is not a "
                f"network such as '10.20.0.0/16' or '10.20.1.5': {error}"
            ) from error
    return tuple(networks)


@dataclass(frozen=True)
class AddressGuard:
    """Refuses the internal addresses one HTTP connection is not allowed to reach."""

    conn_id: str
    allowed_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def for_connection(cls, conn_id: str, extra: Mapping[str, Any]) -> AddressGuard:
        """The guard an Airflow HTTP connection's extra asks for."""
        return cls(conn_id, parse_allowed_networks(extra.get(ALLOWED_NETWORKS_EXTRA), conn_id))

    def check_address(self, host: str, address: str, found: str = "resolves to") -> None:
        """:raises AddressRefused: when ``address`` (what ``host`` ``found``) is not allowed."""
        parsed = ip_address(address)
        if is_allowed(parsed, self.allowed_networks):
            return
        raise AddressRefused(self._refusal(host, parsed, found))

    def check_host(self, host: str | None, port: int) -> None:
        """Check every address ``host`` resolves to, IPv4 and IPv6.

        A name that does not resolve is left to the connection attempt, which fails on it (or,
        through a proxy, leaves it to the proxy).
        """
        if not host:
            return
        try:
            answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            return
        for *_, sockaddr in answers:
            self.check_address(host, str(sockaddr[0]))

    def _refusal(self, host: str, address: IPAddress, found: str) -> str:
        reason = refusal_reason(address)
        target = embedded_ipv4(address) or address
        single = f"{target}/{target.max_prefixlen}"
        exactly = (
            " (a cloud metadata address is allowed only by naming it exactly)"
            if target in CLOUD_METADATA
            else " or a network holding it"
        )
        return (
            f"HTTP connection {self.conn_id!r} may not reach {host!r}: it {found} {address}, "
            f"{reason}. Airloom refuses internal addresses unless the connection allows them: "
            f"an Airflow admin can add {single!r}{exactly} to the list under "
            f"{ALLOWED_NETWORKS_EXTRA!r} in the connection's extra"
        )
