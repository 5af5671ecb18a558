"""The call detector on a live pet (no server): which events, when, and what they cost."""

from __future__ import annotations

from pygotchi.demo import demo_rom_bytes
from pygotchi.emu import TICKS_PER_SECOND, Machine
from pygotchi.server.eventlog import attention_index
from pygotchi.server.livepet import LivePet
from pygotchi.server.petevents import CallDetector
from pygotchi.server.push.planner import in_quiet_hours

T0 = 1_000_000.0  # the wall clock at the pet's tick 0


def sprout(at: float = 0.0) -> tuple[LivePet, list]:
    machine = Machine(demo_rom_bytes())
    machine.run_until(int(at * TICKS_PER_SECOND))
    pet = LivePet(pet_id="p", owner_id=1, machine=machine, paused=False, policy="catch_up",
                  anchor_wall=T0 + at)
    seen: list = []
    detector = CallDetector(lambda pet_id, owner, events: seen.extend(events),
                            attention_index(machine.model))
    detector.start(pet)
    pet.listeners.append(detector)
    return pet, seen


def run_to(pet: LivePet, seconds: float, step: float = 0.5) -> None:
    """Advance as the scheduler does an unwatched pet: every ``step`` wall seconds."""
    now = pet.last_now
    while now < T0 + seconds:
        now = min(now + step, T0 + seconds)
        pet.advance(now)


def test_a_call_an_answer_and_its_end():
    pet, seen = sprout()
    run_to(pet, 59.5)
    assert seen == []
    run_to(pet, 61.5)  # it lit at 60.25 s; the detector looks once per emulated second
    assert [e.kind for e in seen] == ["call"]
    call = seen[0]
    assert 60.25 * TICKS_PER_SECOND <= call.tick <= 61.51 * TICKS_PER_SECOND
    assert call.at == T0 + call.tick / TICKS_PER_SECOND and call.notify
    assert call.frame is not None and call.frame[64] & 0x80  # the snapshot shows icon 7
    pet.press_for(["A"], 100, T0 + 62)
    run_to(pet, 64)
    kinds = [e.kind for e in seen]
    assert kinds[1] == "answered" and "call_ended" in kinds
    # The beeps (the call's, the A button's) are one burst, told once it is over.
    assert "beeps" not in kinds
    run_to(pet, 80)
    (burst,) = [e for e in seen if e.kind == "beeps"]
    assert burst.data["count"] == 2 and 60 < burst.tick / TICKS_PER_SECOND < 61
    ended = next(e for e in seen if e.kind == "call_ended")
    assert ended.data["answered"] is True and ended.call_tick == call.tick


def test_an_unanswered_call_ends_unanswered():
    pet, seen = sprout(at=220)
    run_to(pet, 242)
    assert [e.kind for e in seen if e.kind != "beeps"] == ["call_ended"]
    assert seen[-1].data["answered"] is False  # the call was open when we started


def test_calls_from_a_catch_up_are_kept_but_announced_once_in_the_present():
    pet, seen = sprout()
    now = T0 + 3715  # about an hour behind: fast-forward in chunks, as the scheduler does
    while pet.tick < 3665 * TICKS_PER_SECOND:
        pet.advance(now, 10 * TICKS_PER_SECOND)
    calls = [e for e in seen if e.kind == "call"]
    # One every four minutes from 60 s to 3660 s, all from the past: none notifies.
    assert len(calls) == 16 and not any(e.notify for e in calls)
    assert not any(e.kind == "calling" for e in seen)
    seen.clear()
    pet.advance(now)  # in the present; Sprout still calls (3660-3840 s)
    assert [e.kind for e in seen] == ["calling"] and seen[0].notify
    assert seen[0].call_tick == calls[-1].tick
    pet.advance(now + 1)
    assert [e.kind for e in seen] == ["calling"]  # once


def test_reset_and_loads_end_an_open_call_without_a_missed_notification():
    pet, seen = sprout(at=90)
    pet.reset(T0 + 95)
    kinds = [e.kind for e in seen]
    assert kinds == ["reset", "call_ended"]
    assert seen[1].notify is False and seen[1].data["why"] == "reset"


def test_the_detector_reads_the_icon_only_when_display_ram_changed(monkeypatch):
    pet, seen = sprout()
    reads = []
    real = pet.machine.icon_lit
    monkeypatch.setattr(pet.machine, "icon_lit", lambda i: reads.append(i) or real(i),
                        raising=False)
    version = pet.machine.screen_version
    pet.advance(T0)  # no time passed: nothing ran, nothing read
    assert pet.machine.screen_version == version and reads == []


def test_quiet_hours_in_the_users_time_zone():
    noon_utc = 1_767_268_800.0  # 2026-01-01 12:00 UTC
    assert in_quiet_hours(11 * 60, 13 * 60, "UTC", noon_utc)
    assert not in_quiet_hours(11 * 60, 13 * 60, "Asia/Tokyo", noon_utc)  # 21:00 there
    assert in_quiet_hours(20 * 60, 7 * 60, "Asia/Tokyo", noon_utc)  # wraps midnight
    assert not in_quiet_hours(None, None, "UTC", noon_utc)
    assert not in_quiet_hours(600, 600, "UTC", noon_utc)
