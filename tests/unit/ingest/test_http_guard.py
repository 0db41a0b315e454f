"""Which addresses an HTTP source may reach, and what a refusal tells the person who sees it."""

from __future__ import annotations

import re
from ipaddress import ip_address

import pytest

from airloom.ingest.http_guard import (
    ALLOWED_NETWORKS_EXTRA,
    AddressGuard,
    AddressRefused,
    InvalidAllowedNetworks,
    is_allowed,
    parse_allowed_networks,
    refusal_reason,
)

INTERNAL = {
    "127.0.0.1": "a loopback address in 127.0.0.0/8",
    "127.8.9.10": "a loopback address in 127.0.0.0/8",
    "::1": "a loopback address in ::1/128",
    "10.1.2.3": "a private address (RFC 1918) in 10.0.0.0/8",
    "172.20.0.5": "a private address (RFC 1918) in 172.16.0.0/12",
    "192.168.1.1": "a private address (RFC 1918) in 192.168.0.0/16",
    "fd12:3456::1": "a unique-local address (private) in fc00::/7",
    "100.64.0.1": "a carrier-grade NAT address (RFC 6598) in 100.64.0.0/10",
    "169.254.1.1": "a link-local address in 169.254.0.0/16",
    "fe80::1": "a link-local address in fe80::/10",
    "224.0.0.251": "a multicast address in 224.0.0.0/4",
    "ff02::1": "a multicast address in ff00::/8",
    "0.0.0.0": "an unspecified ('this network') address in 0.0.0.0/8",
    "::": "an unspecified address in ::/128",
    "240.0.0.1": "a reserved or broadcast address in 240.0.0.0/4",
    "255.255.255.255": "a reserved or broadcast address in 240.0.0.0/4",
    "192.0.2.10": "a reserved address (documentation) in 192.0.2.0/24",
    "2002:7f00:1::": "a 6to4 address (it can carry any IPv4 address) in 2002::/16",
}
METADATA = ["169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200"]
PUBLIC = ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]


@pytest.mark.parametrize(("address", "reason"), INTERNAL.items())
def test_internal_addresses_are_refused_saying_what_they_are(address: str, reason: str) -> None:
    assert refusal_reason(ip_address(address)) == reason
    assert not is_allowed(ip_address(address), ())


@pytest.mark.parametrize("address", METADATA)
def test_cloud_metadata_addresses_are_refused_as_such(address: str) -> None:
    assert refusal_reason(ip_address(address)).startswith("a cloud metadata address")


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass_without_any_allowance(address: str) -> None:
    assert refusal_reason(ip_address(address)) is None
    assert is_allowed(ip_address(address), ())


def test_ipv6_forms_of_internal_ipv4_addresses_are_judged_by_the_ipv4_address() -> None:
    assert refusal_reason(ip_address("::ffff:127.0.0.1")) == (
        "the IPv4-mapped form of 127.0.0.1, a loopback address in 127.0.0.0/8"
    )
    assert refusal_reason(ip_address("::ffff:169.254.169.254")).startswith(
        "the IPv4-mapped form of 169.254.169.254, a cloud metadata address"
    )
    assert refusal_reason(ip_address("64:ff9b::a00:1")) == (
        "the NAT64 form of 10.0.0.1, a private address (RFC 1918) in 10.0.0.0/8"
    )
    loopback = parse_allowed_networks(["127.0.0.0/8"], "c")
    assert is_allowed(ip_address("::ffff:127.0.0.1"), loopback)
    assert not is_allowed(ip_address("::1"), loopback)  # IPv6 loopback is another network


def test_an_allowed_network_lets_its_addresses_through_and_no_others() -> None:
    networks = parse_allowed_networks(["10.20.0.0/16", "fd00:1::/64"], "c")
    assert is_allowed(ip_address("10.20.3.4"), networks)
    assert is_allowed(ip_address("fd00:1::7"), networks)
    assert not is_allowed(ip_address("10.21.0.1"), networks)
    assert not is_allowed(ip_address("127.0.0.1"), networks)


def test_a_metadata_address_is_allowed_only_by_naming_it() -> None:
    metadata = ip_address("169.254.169.254")
    assert not is_allowed(metadata, parse_allowed_networks("0.0.0.0/0, 169.254.0.0/16", "c"))
    assert is_allowed(metadata, parse_allowed_networks("169.254.169.254", "c"))
    assert is_allowed(metadata, parse_allowed_networks(["169.254.169.254/32"], "c"))
    assert is_allowed(ip_address("169.254.1.1"), parse_allowed_networks("169.254.0.0/16", "c"))


def test_allowed_networks_come_as_a_list_or_a_comma_separated_string() -> None:
    expected = parse_allowed_networks(["10.0.0.0/8", "127.0.0.1"], "c")
    assert parse_allowed_networks("10.0.0.0/8, 127.0.0.1", "c") == expected
    assert [str(n) for n in expected] == ["10.0.0.0/8", "127.0.0.1/32"]
    assert parse_allowed_networks(None, "c") == parse_allowed_networks("", "c") == ()


def test_a_wrong_allowance_names_the_connection_and_the_entry() -> None:
    with pytest.raises(InvalidAllowedNetworks) as error:
        parse_allowed_networks(["10.0.0.0/8", "10.0.0.1/8"], "crm_api")
    assert str(error.value).startswith("HTTP connection 'crm_api': '10.0.0.1/8' in ")
    assert "has host bits set" in str(error.value)
    with pytest.raises(InvalidAllowedNetworks, match="must be a list of networks"):
        AddressGuard.for_connection("crm_api", {ALLOWED_NETWORKS_EXTRA: {"cidr": "10/8"}})


def test_the_guard_reads_its_allowance_from_the_connection_extra_only() -> None:
    guard = AddressGuard.for_connection("crm_api", {ALLOWED_NETWORKS_EXTRA: ["127.0.0.0/8"]})
    guard.check_address("127.0.0.1", "127.0.0.1")
    with pytest.raises(AddressRefused):
        AddressGuard.for_connection("crm_api", {"X-Api-Key": "k"}).check_address("h", "127.0.0.1")


def test_a_refusal_says_which_host_which_address_why_and_how_to_allow_it() -> None:
    with pytest.raises(AddressRefused) as error:
        AddressGuard("crm_api").check_address("api.example.com", "10.1.2.3")
    assert str(error.value) == (
        "HTTP connection 'crm_api' may not reach 'api.example.com': it resolves to 10.1.2.3, "
        "a private address (RFC 1918) in 10.0.0.0/8. Airloom refuses internal addresses unless "
        "the connection allows them: an Airflow admin can add '10.1.2.3/32' or a network "
        "holding it to the list under 'airloom_allowed_networks' in the connection's extra"
    )
    with pytest.raises(
        AddressRefused, match=re.escape("'169.254.169.254/32' (a cloud metadata address")
    ):
        AddressGuard("crm_api").check_address("169.254.169.254", "169.254.169.254")


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "2130706433", "0177.0.0.1", "[::1]"])
def test_names_and_spellings_that_resolve_to_loopback_are_refused(host: str) -> None:
    """The resolver's answer is judged, not the spelling: a decimal or octal IPv4 included."""
    with pytest.raises(AddressRefused) as error:
        AddressGuard("crm_api").check_host(host.strip("[]"), 80)
    assert f"may not reach {host.strip('[]')!r}: it resolves to " in str(error.value)
    assert "a loopback address" in str(error.value)


def test_a_name_passes_when_the_networks_of_its_addresses_are_allowed() -> None:
    loopback = parse_allowed_networks(["127.0.0.0/8", "::1/128"], "c")
    AddressGuard("c", loopback).check_host("localhost", 80)
    with pytest.raises(AddressRefused, match=re.escape("it resolves to 127.0.0.1")):
        AddressGuard("c", parse_allowed_networks(["10.0.0.0/8"], "c")).check_host("localhost", 80)


def test_a_name_that_does_not_resolve_is_left_to_the_connection_attempt() -> None:
    AddressGuard("c").check_host("no-such-host.invalid", 80)
