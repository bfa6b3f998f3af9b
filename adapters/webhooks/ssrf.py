"""Which endpoints the server may call: a URL whose host resolves to a private, loopback,
link-local, multicast or otherwise reserved address is refused, so a list member cannot make the
server reach into its own network (server-side request forgery). Checked when an endpoint is added
and again before every send, since what a name resolves to can change.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


class EndpointRefused(ValueError):
    """The URL may not be called; the message says why and what to send instead."""


def _forbidden(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def check_endpoint(url: str, *, allow_private: bool, timeout_s: float = 5.0) -> None:
    """Raises `EndpointRefused` unless every address the URL's host resolves to is public (or
    `allow_private`); a host that does not resolve is refused too."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise EndpointRefused(f"only http(s) URLs with a host can be called, not {url[:80]!r}")
    if allow_private:
        return
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            raise EndpointRefused(f"host {host!r} does not resolve; check the URL") from None
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    bad = sorted({str(a) for a in addresses if _forbidden(a)})
    if bad:
        raise EndpointRefused(
            f"host {host!r} resolves to a private, loopback, link-local or multicast address "
            f"({', '.join(bad)}); give an endpoint reachable on the public internet"
        )
