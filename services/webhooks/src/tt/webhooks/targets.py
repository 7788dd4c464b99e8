"""Where webhooks may be sent (SSRF protection).

A target URL is checked when a subscription is saved and, because DNS answers change,
its resolved addresses are checked again at every connection the dispatcher opens
(``dispatch/transport.py``). Private, loopback, link-local and shared addresses are
refused unless ``TT_WEBHOOKS_ALLOW_PRIVATE_TARGETS``; loopback alone passes with
``TT_WEBHOOKS_ALLOW_LOOPBACK_TARGETS`` (local platforms: receivers on 127.0.0.1, while a
private or link-local target is still refused, as in production); cloud metadata,
unspecified and multicast addresses are refused always.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_URL_LENGTH = 2048
RESOLVE_TIMEOUT_SECONDS = 2.0

# Instance-metadata endpoints of the cloud providers: never a webhook target.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)
METADATA_HOSTS = frozenset({"metadata", "metadata.google.internal", "metadata.goog"})


class TargetRefused(Exception):
    """The URL or one of its addresses is not an allowed webhook target."""


@dataclass(frozen=True)
class TargetPolicy:
    allow_http: bool
    allow_private: bool
    allow_loopback: bool = False  # implied by allow_private

    @property
    def _loopback_allowed(self) -> bool:
        return self.allow_private or self.allow_loopback

    def check_url(self, url: str) -> tuple[str, int]:
        """Syntax and scheme rules; returns (host, port). Raises TargetRefused."""
        if len(url) > MAX_URL_LENGTH:
            raise TargetRefused(f"URL is longer than {MAX_URL_LENGTH} characters")
        if any(c.isspace() or ord(c) < 0x20 for c in url):
            raise TargetRefused("URL must not contain whitespace or control characters")
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise TargetRefused(f"not a valid URL: {exc}") from exc
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise TargetRefused("URL must use https" + (" or http" if self.allow_http else ""))
        if scheme == "http" and not self.allow_http:
            raise TargetRefused("URL must use https")
        host = (parts.hostname or "").rstrip(".")
        if not host:
            raise TargetRefused("URL must have a host")
        if parts.username is not None or parts.password is not None:
            raise TargetRefused("URL must not carry credentials")
        if parts.fragment:
            raise TargetRefused("URL must not have a fragment")
        if host in METADATA_HOSTS:
            raise TargetRefused("cloud metadata endpoints are not allowed")
        if not self._loopback_allowed and (host == "localhost" or host.endswith(".localhost")):
            raise TargetRefused("loopback targets are not allowed")
        literal = _ip_literal(host)
        if literal is not None:
            self.check_address(literal)
        return host, port or (443 if scheme == "https" else 80)

    def check_address(self, address: IPAddress) -> None:
        """Raises TargetRefused if the resolved ``address`` may not be contacted.

        An IPv6 address that carries an IPv4 one (mapped, IPv4-compatible, NAT64, 6to4)
        is judged as that IPv4 address: a NAT64 gateway or 6to4 relay would deliver it
        there. Messages name the kind of address, never the address itself (a name's
        resolved addresses are not the subscriber's to learn)."""
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            address = embedded
        if address in METADATA_ADDRESSES:
            raise TargetRefused("the URL's host is a cloud metadata address")
        if address.is_unspecified or address.is_multicast:
            raise TargetRefused("the URL's host is not a unicast address")
        if self.allow_private:
            return
        if address.is_loopback:
            if self.allow_loopback:
                return
            raise TargetRefused("the URL's host is a loopback address")
        if address.is_link_local:
            raise TargetRefused("the URL's host is a link-local address")
        if not address.is_global:
            raise TargetRefused("the URL's host is a private or reserved address")

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address ``host`` resolves to, each checked. Raises OSError if none."""
        literal = _ip_literal(host)
        if literal is not None:
            self.check_address(literal)
            return [literal]
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(RESOLVE_TIMEOUT_SECONDS):
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses: list[IPAddress] = []
        for *_, sockaddr in infos:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise OSError(f"{host} has no addresses")
        # All or nothing: a name with one private address among public ones is refused.
        for address in addresses:
            self.check_address(address)
        return addresses

    async def check_target(self, url: str) -> None:
        """Subscription-time check: the URL's rules, and its addresses if it resolves now.

        A name that does not resolve yet is accepted (it may be created later); every
        delivery checks the addresses it actually connects to.
        """
        host, port = self.check_url(url)
        try:
            await self.resolve(host, port)
        except (OSError, TimeoutError, UnicodeError):
            return


# IPv6 prefixes whose addresses carry an IPv4 address in their last 32 bits: NAT64
# (RFC 6052's well-known and local-use prefixes) and IPv4-compatible (::/96, deprecated).
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if it embeds one."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    low = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if any(address in net for net in _NAT64):
        return low
    # ::a.b.c.d, but :: and ::1 are themselves (unspecified, loopback).
    if address in _IPV4_COMPATIBLE and int(low) > 1:
        return low
    return None


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    # Shorthand IPv4 forms the resolver would accept ("127.1", "2130706433", "0x7f.1").
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, UnicodeError, ValueError):
        return None
