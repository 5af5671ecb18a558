"""The carer's decisions: a short list of rules, first match wins.

Each rule reads what the carer knows (``Knowledge``: the last glance at the
screen and the last reading of the status pages) and names one errand. The
menus and buttons behind each errand live in ``hands``; nothing here presses
anything. A careful owner's order: a pet that sleeps with the light on, is
sick or sits next to droppings is helped first; then hunger and happiness,
read off the status pages; a call with nothing missing is scolded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pygotchi.care.hands import StatusReading
from pygotchi.care.look import Look

FULL = 4  # hearts on a full hungry/happy page

# What each errand is called in the log: "autopilot fed a meal" and so on.
DESCRIPTIONS = {
    "set_clock": "set the clock",
    "light_off": "turned the light off",
    "light_on": "turned the light on",
    "medicine": "gave medicine",
    "clean": "cleaned up the droppings",
    "status": "checked the status",
    "meal": "fed a meal",
    "snack": "gave a snack",
    "game": "played a game",
    "scold": "scolded",
    "answer": "answered a call",
}


@dataclass
class Knowledge:
    """What the carer knows when it decides."""

    seen: Look
    now: float  # the toy's time, seconds
    status: StatusReading | None = None  # last status reading
    status_at: float = -1e18  # when it was read
    call_since: float | None = None  # when the attention icon lit (None: not lit)
    clock_checked: bool = False
    games_in_a_row: int = 0  # games played since happiness was last seen full
    medicine_in_a_row: int = 0
    status_every: float = 3600.0
    z_seen_at: float = -1e18  # the last time a "Z" floated on the screen
    egg_seen_at: float = -1e18  # the last time the egg wobbled on the screen
    resting: frozenset[str] = frozenset()  # errands that kept failing, left alone a while
    notes: list[str] = field(default_factory=list)

    @property
    def status_fresh(self) -> bool:
        """Read since the call began, and not too long ago."""
        if self.status is None:
            return False
        if self.call_since is not None and self.status_at < self.call_since:
            return False
        return self.now - self.status_at < self.status_every


Rule = tuple[str, Callable[[Knowledge], bool]]


def _asleep(k: Knowledge) -> bool:
    """A "Z" now, or a moment ago (the Zs blink out between two positions)."""
    return k.seen.asleep or k.now - k.z_seen_at < 60.0


def _awake(k: Knowledge) -> bool:
    return not _asleep(k) and not k.seen.dark


def _hatched(k: Knowledge) -> bool:
    """No egg now nor a moment ago (between its two wobbles the egg is harder to tell)."""
    return not k.seen.egg and k.now - k.egg_seen_at > 60.0


RULES: tuple[Rule, ...] = (
    # A new toy's clock must be set before the egg hatches.
    ("set_clock", lambda k: k.seen.egg and not k.clock_checked),
    ("light_off", lambda k: k.seen.asleep and not k.seen.dark),
    ("light_on", lambda k: k.seen.dark and not _asleep(k)),
    ("medicine", lambda k: k.seen.sick and k.medicine_in_a_row < 4),
    ("clean", lambda k: k.seen.droppings > 0 and not _asleep(k)),
    ("status", lambda k: _awake(k) and _hatched(k) and not k.status_fresh),
    # Calling with no empty gauge: a test of discipline (such a pet also refuses food).
    ("scold", lambda k: _awake(k) and k.seen.attention and k.status_fresh
        and k.status is not None and k.status.hungry and k.status.happy),
    ("meal", lambda k: _awake(k) and k.status is not None
        and k.status.hungry is not None and k.status.hungry < FULL),
    ("game", lambda k: _awake(k) and k.status is not None and k.status.happy is not None
        and k.status.happy < FULL and k.games_in_a_row < 3),
    # Three games did not do it (lost, or the pet will not play): a snack instead.
    ("snack", lambda k: _awake(k) and k.status is not None and k.status.happy is not None
        and k.status.happy < FULL),
)


# A toy whose menus the carer does not know (the status pages never opened):
# a call is still answered, with a press of C, as a person would.
FALLBACK: Rule = ("answer", lambda k: k.seen.attention and "status" in k.resting)


def decide(k: Knowledge) -> str | None:
    """The first rule that applies and is not resting, or None (look again later)."""
    if k.seen.dead or k.seen.blank:
        return None
    for name, applies in (*RULES, FALLBACK):
        if name not in k.resting and applies(k):
            return name
    return None
