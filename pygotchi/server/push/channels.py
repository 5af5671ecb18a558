"""Other ways to reach a user, through Apprise: ntfy, Gotify, Telegram, Matrix, email...

A channel is an Apprise URL, which carries its secrets (tokens, passwords,
an ntfy topic): ``masked`` is all the API ever shows of it. Apprise makes its
own connections, so the server cannot pin the address it connects to as it
does for Web Push; instead the hosts a URL names are resolved and must be
public (unless listed in ``PYGOTCHI_PUSH_ALLOWED_HOSTS``) when the channel is
added and again before each message.
"""

from __future__ import annotations

import re

import apprise

from pygotchi.server.push.netguard import Blocked, resolve

MAX_URL = 2000


class ChannelError(ValueError):
    """Not a usable Apprise URL; the message says why, for the user."""


def _plugin(url: str):
    url = url.strip()
    if not url or len(url) > MAX_URL:
        raise ChannelError(f"an Apprise URL is 1 to {MAX_URL} characters")
    if any(ord(c) < 32 for c in url):
        raise ChannelError("the URL cannot contain control characters")
    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if plugin is None:
        raise ChannelError("Apprise does not understand this URL (see its list of "
                           "services: ntfy://, gotify://, tgram://, mailto:// ...)")
    return plugin


def _hosts(plugin) -> list[str]:
    hosts = []
    for name in ("host", "smtp_host"):
        value = getattr(plugin, name, None)
        if isinstance(value, str) and value and not value.startswith("/"):
            hosts.append(value)
    return hosts


def check(url: str, allowed: frozenset[str]) -> str:
    """Validate ``url`` and its hosts; returns its masked form."""
    plugin = _plugin(url)
    for host in _hosts(plugin):
        try:
            resolve(host, 443, allowed)
        except Blocked as exc:
            raise ChannelError(str(exc)) from None
    return masked(url)


def masked(url: str) -> str:
    """The URL with its secrets hidden: Apprise's privacy form, path parts shortened,
    no query (an ntfy topic or a Telegram chat id is a secret too)."""
    try:
        shown = _plugin(url).url(privacy=True)
    except ChannelError:
        return "(not a valid Apprise URL)"
    shown = shown.split("?", 1)[0].rstrip("/")
    scheme, _, rest = shown.partition("://")
    head, _, path = rest.partition("/")
    parts = [p if len(p) <= 2 or "*" in p or "..." in p else f"{p[0]}…{p[-1]}"
             for p in path.split("/") if p]
    return f"{scheme}://{head}" + "".join(f"/{p}" for p in parts)


def send(url: str, title: str, body: str, allowed: frozenset[str]) -> None:
    """Deliver one message; ChannelError if it could not be sent."""
    plugin = _plugin(url)
    for host in _hosts(plugin):
        try:
            resolve(host, 443, allowed)
        except Blocked as exc:
            raise ChannelError(str(exc)) from None
    sender = apprise.Apprise()
    sender.add(plugin)
    if not sender.notify(body=body, title=title):
        raise ChannelError("the service did not accept the message (the server log says more)")


def label_for(url: str) -> str:
    return re.sub(r"[^a-z0-9+.-]", "", url.split(":", 1)[0].lower())[:20] or "apprise"
