"""Whole conversations with simulated toys, end to end through the fake transceiver.

Time-outs here are safety nets only: no assertion depends on how fast anything is.
"""

from __future__ import annotations

import pytest

from pygotchi.ir.builders import (
    Game,
    Gift,
    Identity,
    Visit,
    build_profile,
    build_request,
)
from pygotchi.ir.conversation import group_conversations
from pygotchi.ir.errors import Cancelled, NoReply, SessionTimeout
from pygotchi.ir.fake import FakeDevice, SimulatedToy
from pygotchi.ir.session import CancelToken, Job, SessionEvent, initiate, respond, snoop
from pygotchi.ir.transceiver import open_transceiver

ALICE = Identity("ALICE", "Pipotchi", "girl", 0xDE5A)
BOB = Identity("BOB", "Wooltchi", "boy", 0xBF22)
SAFETY = 60  # seconds; a hung test fails instead of hanging CI


def _tr(dev: FakeDevice):
    return open_transceiver(dev.port, dev.driver_kind)


def _sync(tr) -> None:
    """One listen round trip: the device has then processed every earlier command."""
    tr.listen_once()


@pytest.mark.parametrize("style", ["pico", "flipper", "enhanced"])
def test_initiate_with_a_waiting_toy(style: str) -> None:
    toy = SimulatedToy(BOB, "responder", gift=Gift("Hamburger"), deaf=1)  # misses our 1st send
    with FakeDevice(style, toys=[toy], window=0.3, noise=True, garble=1, seed=7) as dev:
        with _tr(dev) as tr:
            events: list[SessionEvent] = []
            conv = initiate(
                tr,
                build_profile(ALICE, 1),
                build_request(ALICE, Gift()),
                token=CancelToken(SAFETY),
                on_event=events.append,
            )
    assert conv.complete and conv.consistent
    assert conv[2].name == "BOB__" and conv[4].label("gift_item") == "Hamburger"
    assert toy.state == "done"
    assert toy.conversation().messages == conv.messages
    sends_of_1 = [e for e in events if e.kind == "sent" and e.message == conv[1]]
    assert len(sends_of_1) >= 2  # the deaf toy forced a retry


def test_initiate_gives_up_without_a_toy() -> None:
    with FakeDevice("pico", window=0.1) as dev, _tr(dev) as tr:
        with pytest.raises(NoReply, match="no message 2 after sending message 1 2 times"):
            initiate(
                tr,
                build_profile(ALICE, 1),
                build_request(ALICE, Visit()),
                attempts=2,
                token=CancelToken(SAFETY),
            )
        _sync(tr)
        assert len(dev.sent) == 2


@pytest.mark.parametrize("activity", [Visit("Ball"), Gift(with_visit=True), Game("Rope")])
def test_respond_to_a_toy_that_initiates(activity) -> None:
    toy = SimulatedToy(ALICE, "initiator", activity, retry_interval=0.3, start_delay=0.2)
    with FakeDevice("flipper", toys=[toy], window=0.3) as dev, _tr(dev) as tr:
        conv = respond(tr, BOB, gift=Gift(141), token=CancelToken(SAFETY))
        _sync(tr)
    assert toy.state == "done"
    assert conv.complete and conv.consistent
    assert conv[1].device_id == 0xDE5A and conv[2].device_id == 0xBF22
    assert conv[2].name == "BOB__"
    if isinstance(activity, Gift):
        assert conv[4].get("gift_item") == 141
    if isinstance(activity, Game):
        assert conv[2].get("game_type") == 3 and conv[4].get("game_type") == 3


def test_respond_answers_a_repeated_message_1() -> None:
    """The toy misses our message 2, repeats message 1, and gets message 2 again."""
    toy = SimulatedToy(ALICE, "initiator", Visit(), retry_interval=0.3, deaf=1)
    with FakeDevice("pico", toys=[toy], window=0.4) as dev, _tr(dev) as tr:
        conv = respond(tr, BOB, token=CancelToken(SAFETY))
        _sync(tr)
    assert conv.consistent
    assert dev.sent.count(conv[2].bits) >= 2
    assert dev.sent[-2:] == [conv[4].bits, conv[4].bits]  # message 4 goes out twice


def test_snoop_two_toys() -> None:
    toys = [
        SimulatedToy(ALICE, "initiator", Game("Points", wager=12), retry_interval=0.3),
        SimulatedToy(BOB, "responder"),
    ]
    # retain: frames wait on the air until a listen takes them, so a slow host
    # cannot lose one between two listen windows (a real one can)
    with FakeDevice("enhanced", toys=toys, window=0.3, retain=SAFETY) as dev, _tr(dev) as tr:
        heard = snoop(tr, max_frames=4, token=CancelToken(SAFETY))
    assert [m.role for m in heard] == [1, 2, 3, 4]
    (conv,) = group_conversations(heard)
    assert conv.consistent and conv.activity == "game"
    assert conv.messages == toys[0].conversation().messages == toys[1].conversation().messages


def test_job_runs_in_a_thread_and_can_be_cancelled() -> None:
    with FakeDevice("enhanced", window=0.3) as dev, _tr(dev) as tr:
        job = Job(
            lambda token, emit: respond(tr, BOB, token=token, on_event=emit), timeout=SAFETY
        ).start()
        first = job.events.get(timeout=SAFETY)  # the session is under way
        assert first.kind == "waiting"
        job.cancel()
        assert job.wait(SAFETY)
        assert job.status == "cancelled"
        with pytest.raises(Cancelled):
            job.result()


def test_job_timeout_and_result() -> None:
    with FakeDevice("pico", window=0.2) as dev, _tr(dev) as tr:
        job = Job(lambda token, emit: snoop(tr, token=token, on_event=emit), timeout=0.5)
        assert job.start().result(SAFETY) == []  # a snoop ends quietly at its deadline
        assert job.status == "done"
        slow = Job(lambda token, emit: respond(tr, BOB, token=token), timeout=0.5).start()
        with pytest.raises(SessionTimeout):
            slow.result(SAFETY)
        assert slow.status == "failed"
