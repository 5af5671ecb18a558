"""Where the server may send a request on a user's behalf: public addresses only.

A push endpoint or an Apprise URL is chosen by a user, and the server posts to
it. Left unchecked, that lets any user make the server reach its own network
(a router's admin page, a database, the cloud metadata service). So: the
scheme must be ``https``, the host must resolve to public addresses only, and
the address checked is the address connected to (``resolve`` is called at
send time and the connection pinned to its answer, so a DNS name that
changes its answer between the check and the request gains nothing).

Hosts listed in ``PYGOTCHI_PUSH_ALLOWED_HOSTS`` are exempt (any address,
plain ``http`` allowed): for a push service or a Gotify on the LAN, and the
tests' push service on loopback.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit


class Blocked(ValueError):
    """The URL may not be used; the message says why, for the user."""


def allowed_hosts(setting: str) -> frozenset[str]:
    return frozenset(h.strip().lower().strip("[]") for h in setting.split(",") if h.strip())


def check_url(url: str, allowed: frozenset[str], schemes: tuple[str, ...] = ("https",)
              ) -> SplitResult:
    """Parse ``url`` and check its form (not yet its address)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Blocked("this is not a valid URL") from None
    host = (parts.hostname or "").lower()
    if not host:
        raise Blocked("the URL has no host")
    if parts.username or parts.password:
        raise Blocked("the URL must not carry a user name or password")
    if parts.scheme not in schemes and not (host in allowed and parts.scheme == "http"):
        raise Blocked(f"the URL must start with {schemes[0]}://")
    if port == 0:
        raise Blocked("the URL's port is not valid")
    return parts


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int, allowed: frozenset[str]) -> list[str]:
    """The addresses to connect to; Blocked if any of them is not public.

    All answers must be public: a name that mixes a public and a private
    address could otherwise be tried until the private one is picked.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Blocked(f"the host {host} cannot be found") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise Blocked(f"the host {host} cannot be found")
    if host.lower() not in allowed:
        for address in addresses:
            if not is_public(address):
                raise Blocked(f"the host {host} is on a private or local network")
    return addresses
