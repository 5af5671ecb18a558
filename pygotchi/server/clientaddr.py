"""Who is really on the other end: the client address, scheme and host, proxies considered.

The one place that decides which ``X-Forwarded-*`` headers to believe. A
header is only as honest as whoever added it, so they are read only when the
TCP peer is a proxy the operator named in ``PYGOTCHI_FORWARDED_ALLOW_IPS``
(addresses or networks, comma-separated; ``*`` trusts every peer, which is only
right when the server cannot be reached except through the proxy). By default
no proxy is trusted and a forged ``X-Forwarded-For`` changes nothing: the
sign-in throttle, the audit log and the request log all see the TCP peer.

``ClientAddress`` (ASGI middleware, outermost) resolves each connection once
and rewrites ``scope["client"]`` and ``scope["scheme"]``, as uvicorn's own
proxy middleware would; ``python -m pygotchi`` turns uvicorn's off so that only
this code decides. Routes ask ``client_address(conn)`` and ``public_host(conn)``.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass, field

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from pygotchi.server.logs import event

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_FORWARDED_HOST = "pygotchi.forwarded_host"  # scope key: X-Forwarded-Host of a trusted proxy


class BadProxySetting(ValueError):
    """An entry of PYGOTCHI_FORWARDED_ALLOW_IPS is neither an address nor a network."""


@dataclass(frozen=True)
class TrustedProxies:
    """The peers whose X-Forwarded-* headers are believed."""

    networks: tuple[IPNetwork, ...] = ()
    everyone: bool = False
    _warned: list[bool] = field(default_factory=lambda: [False], compare=False)

    @classmethod
    def parse(cls, setting: str | None) -> TrustedProxies:
        """``"127.0.0.1, 10.0.0.0/8"`` -> networks; ``""`` -> nobody; ``"*"`` -> everyone."""
        items = [item.strip() for item in (setting or "").split(",") if item.strip()]
        if "*" in items:
            return cls(everyone=True)
        networks = []
        for item in items:
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise BadProxySetting(
                    f"PYGOTCHI_FORWARDED_ALLOW_IPS: {item!r} is not an IP address or "
                    "network (e.g. 127.0.0.1, 172.16.0.0/12 or *)") from None
        return cls(tuple(networks))

    def trusts(self, host: str | None) -> bool:
        if self.everyone:
            return True
        ip = _ip(host)
        return ip is not None and any(ip in net for net in self.networks)

    def client_from(self, peer: str, forwarded_for: list[str]) -> str:
        """The first address, from the right, that is not one of our proxies.

        Each proxy appends the address it received the request from, so the
        rightmost entries were written by our proxies and everything left of
        the first untrusted entry may be made up by the client.
        """
        hops = [hop.strip() for value in forwarded_for for hop in value.split(",")]
        client = peer
        for hop in reversed(hops):
            ip = _ip(_strip_port(hop))
            if ip is None:
                break  # garbage: believe nothing further left
            client = str(ip)
            if not self.trusts(client):
                break
        return client

    def warn_once(self, peer: str) -> None:
        """Say once that a forwarded header was ignored: a proxy may be missing from the setting."""
        if not self._warned[0]:
            self._warned[0] = True
            event("forwarded_header_ignored", logging.WARNING, peer=peer,
                  note="X-Forwarded-For from a peer that is not a trusted proxy was ignored; "
                       "if a reverse proxy runs at this address, add it to "
                       "PYGOTCHI_FORWARDED_ALLOW_IPS")


def _ip(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not text or len(text) > 64:
        return None
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _strip_port(hop: str) -> str:
    """``[::1]:443`` -> ``::1``; ``1.2.3.4:80`` -> ``1.2.3.4``; a bare address unchanged."""
    if hop.startswith("["):
        end = hop.find("]")
        return hop[1:end] if end > 0 else hop
    if hop.count(":") == 1:
        return hop.split(":", 1)[0]
    return hop


class ClientAddress:
    """Resolve client address, scheme and public host once per HTTP request or websocket."""

    def __init__(self, app: ASGIApp, proxies: TrustedProxies) -> None:
        self.app = app
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = dict(scope)
            peer = (scope.get("client") or ("", 0))[0]
            forwarded_for: list[str] = []
            proto = host = None
            for name, value in scope.get("headers") or ():
                if name == b"x-forwarded-for":
                    forwarded_for.append(value.decode("latin-1"))
                elif name == b"x-forwarded-proto":
                    proto = value.decode("latin-1").split(",")[0].strip().lower()
                elif name == b"x-forwarded-host":
                    host = value.decode("latin-1").split(",")[0].strip()
            if self.proxies.trusts(peer):
                if forwarded_for:
                    scope["client"] = (self.proxies.client_from(peer, forwarded_for), 0)
                if proto in ("http", "https", "ws", "wss"):
                    secure = proto in ("https", "wss")
                    if scope["type"] == "websocket":
                        scope["scheme"] = "wss" if secure else "ws"
                    else:
                        scope["scheme"] = "https" if secure else "http"
                if host:
                    scope[_FORWARDED_HOST] = host
            elif forwarded_for:
                self.proxies.warn_once(peer)
        await self.app(scope, receive, send)


def client_address(conn: HTTPConnection) -> str:
    """The address of the person (or script) making this request, proxies considered."""
    return conn.client.host if conn.client and conn.client.host else "-"


def public_host(conn: HTTPConnection) -> str:
    """The host the client asked for: a trusted proxy's X-Forwarded-Host, else Host."""
    return conn.scope.get(_FORWARDED_HOST) or conn.headers.get("host", "")
