"""The server's work per pet: nothing for pets nobody looks at beyond running them.

Unwatched pets are most pets. Packing their LCD after every run, or looking at
every pet in every scheduler round, cost the server several times what running
them did (bench/server_overhead.py measures it).
"""

from __future__ import annotations

from concurrent.futures import Future

from pygotchi.demo import demo_rom_bytes
from pygotchi.emu import TICKS_PER_SECOND, Machine, load_rom
from pygotchi.server.livepet import LivePet
from pygotchi.server.scheduler import Clock, Scheduler
from pygotchi.server.settings import Settings
from tests.server.test_realtime import FakeClock

ROM = load_rom(demo_rom_bytes())


def live_pet(i: int, now: float) -> LivePet:
    return LivePet(pet_id=f"pet{i:04d}", owner_id=1, machine=Machine(ROM), paused=False,
                   policy="catch_up", anchor_wall=now)


def test_an_unwatched_pet_builds_no_frame_until_one_is_wanted() -> None:
    pet = live_pet(0, 0.0)
    seq, frame = pet.frame
    version = pet.machine.screen_version
    pet.advance(5.0)
    assert pet.machine.screen_version != version, "the demo ROM draws in its first seconds"
    assert pet.frame == (seq, frame)  # nobody watched: nothing packed
    pet.refresh_frame()
    assert pet.frame[1] == pet.machine.screen().frame and pet.frame[0] == seq + 1
    pet.viewers.add(object())  # with a viewer every advance keeps it current
    pet.advance(10.0)
    assert pet.frame[1] == pet.machine.screen().frame


def test_screen_now_is_always_current() -> None:
    pet = live_pet(0, 0.0)
    seq, frame, _, _, _ = pet.screen_now(5.0)
    assert frame == pet.machine.screen().frame
    assert pet.machine.tick >= 5 * TICKS_PER_SECOND


class Counting(LivePet):
    looked_at = 0

    def lag_seconds(self, now: float) -> float:
        Counting.looked_at += 1
        return super().lag_seconds(now)


def test_a_round_looks_only_at_the_pets_that_are_due() -> None:
    fake = FakeClock()
    sched = Scheduler(Settings(), None, None, clock=Clock(fake))
    submitted: list[LivePet] = []

    def submit(pool, fn, batch) -> None:
        submitted.extend(batch)
        future: Future = Future()
        future.set_result([None] * len(batch))  # as if each ran and had nothing to say
        sched._done(fn, batch, future)

    sched._submit = submit
    pets = [Counting(pet_id=f"pet{i:04d}", owner_id=1, machine=Machine(ROM), paused=False,
                     policy="catch_up", anchor_wall=fake()) for i in range(200)]
    for pet in pets:
        sched.add(pet)
    sched._round()
    assert len(submitted) == 200  # new pets are due at once
    Counting.looked_at = 0
    submitted.clear()
    fake.advance(0.1)
    sched._round()  # idle pets are due every idle_interval_ms (500 ms): none yet
    assert (Counting.looked_at, submitted) == (0, [])
    watched = pets[7]
    watched.viewers.add(object())
    sched.watch(watched)
    fake.advance(0.02)
    sched._round()
    assert (Counting.looked_at, submitted) == (1, [watched])  # watched: every round
    submitted.clear()
    fake.advance(0.5)
    sched._round()
    assert len(submitted) == 200 and Counting.looked_at == 201  # the sweep: each pet once


def test_frames_stay_current_after_a_button_without_viewers() -> None:
    # Whoever pressed (the clock setter, the autopilot) reads the screen next.
    pet = live_pet(0, 0.0)
    seq, _ = pet.frame
    pet.press_for(["A"], 100, 0.0)
    pet.advance(5.0)  # the demo ROM draws in its first seconds
    assert pet.frame[0] > seq and pet.frame[1] == pet.machine.screen().frame


def test_idle_pets_are_swept_in_slices_each_once_per_idle_interval() -> None:
    # 2,000 idle pets, rounds every 20 ms, idle interval 500 ms: four slices of 500,
    # 125 ms apart, so no round takes the interpreter for all of them at once.
    fake = FakeClock()
    sched = Scheduler(Settings(tick_interval_ms=20, idle_interval_ms=500), None, None,
                      clock=Clock(fake))
    per_round: list[int] = []
    runs: dict[str, int] = {}

    def submit(pool, fn, batch) -> None:
        per_round[-1] += len(batch)
        for pet in batch:
            runs[pet.id] = runs.get(pet.id, 0) + 1
        future: Future = Future()
        future.set_result([None] * len(batch))
        sched._done(fn, batch, future)

    sched._submit = submit
    for i in range(2000):
        sched.add(live_pet(i, fake()))
    for _ in range(50):  # one second of rounds
        per_round.append(0)
        sched._round()
        fake.advance(0.02)
    assert sorted(set(per_round)) == [0, 500]
    assert sum(1 for n in per_round if n) == 8
    assert set(runs.values()) == {2} and len(runs) == 2000
