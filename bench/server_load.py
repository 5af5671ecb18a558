"""Load benchmark of the pygotchi server: websocket viewers pressing buttons, and idle pets.

    python bench/server_load.py                          # both scenarios, default sizes
    python bench/server_load.py viewers --viewers 500 --pets 100 --seconds 30
    python bench/server_load.py idle --pets 1000 --seconds 30 [--rom /path/to/p1.bin]

It starts a real server (``python -m pygotchi``) on a free loopback port with a
temporary data directory, signs in, creates the pets over the API and then:

* ``viewers``: opens N websockets spread over M running pets. On each pet, up
  to four viewers each own one button (A, B, C, TAP) and press and release it
  at random intervals; the others only watch. The ROM is a tiny "echo" program
  that lights a pixel while a button is held, within a millisecond of emulated
  time, so the button-to-frame latency measured here is the server's own: from
  sending ``down``/``up`` to receiving the first screen that shows it. (A real
  ROM adds its own reaction time: the P1 takes 100-300 ms to react to a
  button, as the toy does.) Prints latency p50/p99/max, frames/s received and
  the server's CPU use.
* ``idle``: P running pets nobody watches. Prints how closely their emulated
  time follows the wall clock (emulated seconds gained per wall second, worst
  lag seen by /healthz) and the server's CPU use.

Figures are printed, never asserted: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import _repo  # noqa: F401  (this checkout first on sys.path, before pygotchi)
import httpx
import websockets

ECHO_SOURCE = """
        ORG  0x100
        LD   A,0xF
        LD   XP,A
        LD   X,0x74
        LD   MX,0
loop:   LD   A,0xF
        LD   XP,A
        LD   X,0x21
        LD   A,MX
        AND  A,8
        LD   M0,A
        LD   X,0x40
        LD   B,MX
        LD   A,0xE
        LD   XP,A
        LD   X,0x00
        LD   A,B
        XOR  A,0xF
        LD   MX,A
        LD   X,0x02
        LD   A,M0
        LD   MX,A
        LD   A,0xF
        LD   XP,A
        LD   X,0x54
        CP   B,0xF
        JP   Z,quiet
        LD   MX,0
        JP   loop
quiet:  LD   MX,8
        JP   loop
"""
BUTTON_ROW = {"C": 0, "B": 1, "A": 2, "TAP": 3}
PASSWORD = "benchmark password"


def echo_rom() -> bytes:
    from pygotchi.emu import assemble
    from pygotchi.emu.rom import words_to_rombin

    return words_to_rombin(assemble(ECHO_SOURCE).image(6144))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``python -m pygotchi`` in a subprocess, with its CPU time readable from /proc."""

    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(data_dir / "server.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pygotchi", "--host", "127.0.0.1", "--port", str(self.port),
             "--data-dir", str(data_dir / "data")],
            env={**os.environ, "PYGOTCHI_MAX_PETS_PER_USER": "0", "PYGOTCHI_LOG_LEVEL": "warning",
                 # one account watches everything here: lift the per-account socket cap
                 "PYGOTCHI_MAX_SOCKETS_PER_USER": "1000000",
                 "PYTHONPATH": str(Path(__file__).resolve().parent.parent),  # this checkout
                 **env},
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start; see {data_dir / 'server.log'}")
            time.sleep(0.1)

    def setup_code(self) -> str:
        """The one-time setup code the server printed at start (it has no accounts yet)."""
        log = Path(self.log.name)
        for _ in range(100):
            found = re.findall(r"setup code: ([A-Z0-9-]+)", log.read_text(errors="replace"))
            if found:
                return found[-1]
            time.sleep(0.1)
        raise SystemExit(f"no setup code in {log}")

    def cpu_seconds(self) -> float:
        fields_ = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields_[11]) + int(fields_[12])) / ticks

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def prepare(server: Server, pets: int, rom: str) -> tuple[str, list[str]]:
    """Admin, API token, ROM and ``pets`` pets; (token, pet ids)."""
    c = httpx.Client(base_url=server.url, timeout=60)
    r = c.post("/api/setup", json={"username": "bench", "password": PASSWORD,
                                   "setup_code": server.setup_code()})
    csrf = {"X-CSRF-Token": r.json()["csrf_token"]}
    token = c.post("/api/tokens", json={"name": "bench"}, headers=csrf).json()["token"]
    c.close()
    return token, add_pets(server, token, pets, rom)


def add_pets(server: Server, token: str, pets: int, rom: str) -> list[str]:
    """``pets`` more pets of ``rom`` (echo, demo or a file); their ids."""
    c = httpx.Client(base_url=server.url, timeout=60)
    auth = {"Authorization": f"Bearer {token}"}
    if rom == "demo":
        rom_id = "demo"
    else:
        data = echo_rom() if rom == "echo" else Path(rom).read_bytes()
        r = c.post("/api/roms", files={"file": ("rom.bin", data)}, headers=auth)
        r.raise_for_status()
        rom_id = r.json()["id"]
    ids = []
    began = time.monotonic()
    for i in range(pets):
        r = c.post("/api/pets", json={"name": f"bench{i}", "rom": rom_id}, headers=auth)
        r.raise_for_status()
        ids.append(r.json()["id"])
    print(f"  created {pets} pets in {time.monotonic() - began:.1f} s")
    c.close()
    return ids


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


# --- scenario 1: viewers pressing buttons ------------------------------------------------

@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    frames: int = 0
    bytes: int = 0
    missed: int = 0
    errors: int = 0
    measuring: bool = False


async def viewer(url: str, button: str | None, stats: Stats, stop: asyncio.Event,
                 interval: float, ready: asyncio.Semaphore) -> None:
    async with ready:
        ws = await websockets.connect(url, max_size=2**20, open_timeout=60, ping_interval=None)
    try:
        waiting: tuple[bool, float] | None = None  # (want lit, sent at)
        arrived = asyncio.Event()
        row = BUTTON_ROW.get(button or "", 0)

        async def reader() -> None:
            nonlocal waiting
            async for message in ws:
                if isinstance(message, str):
                    continue
                if message[0] != 0x01:
                    continue
                if stats.measuring:
                    stats.frames += 1
                    stats.bytes += len(message)
                if waiting is not None:
                    frame = message[5:]
                    lit = bool(frame[4 * row] & 0x80)
                    if lit == waiting[0]:
                        if stats.measuring:
                            stats.latencies.append(time.perf_counter() - waiting[1])
                        waiting = None
                        arrived.set()

        task = asyncio.create_task(reader())
        await asyncio.sleep(random.uniform(0, interval))
        while button and not stop.is_set():
            for down in (True, False):
                arrived.clear()
                waiting = (down, time.perf_counter())
                await ws.send(json.dumps({"type": "button", "button": button, "down": down}))
                try:
                    await asyncio.wait_for(arrived.wait(), 5)
                except TimeoutError:
                    if stats.measuring:
                        stats.missed += 1
                    waiting = None
                await asyncio.sleep(0.1 if down else random.uniform(0.5, 1.5) * interval)
        await stop.wait()
        task.cancel()
    except Exception:
        stats.errors += 1
    finally:
        await ws.close()


async def run_viewers(server: Server, token: str, pets: list[str], n: int, seconds: float,
                      interval: float) -> None:
    stats = Stats()
    stop = asyncio.Event()
    ready = asyncio.Semaphore(50)
    tasks = []
    per_pet: dict[str, int] = {}
    buttons = ["A", "B", "C", "TAP"]
    for i in range(n):
        pet = pets[i % len(pets)]
        k = per_pet.get(pet, 0)
        per_pet[pet] = k + 1
        button = buttons[k] if k < len(buttons) else None
        url = f"ws://127.0.0.1:{server.port}/api/pets/{pet}/ws?token={token}"
        tasks.append(asyncio.create_task(viewer(url, button, stats, stop, interval, ready)))
    pressers = sum(min(4, c) for c in per_pet.values())
    print(f"  {n} viewers on {len(pets)} pets ({pressers} pressing, "
          f"{n - pressers} watching); warming up")
    await asyncio.sleep(3 + n / 200)
    cpu0, wall0, own0 = server.cpu_seconds(), time.monotonic(), _own_cpu()
    stats.measuring = True
    await asyncio.sleep(seconds)
    stats.measuring = False
    cpu1, wall1 = server.cpu_seconds(), time.monotonic()
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    wall = wall1 - wall0
    ms = [x * 1000 for x in stats.latencies]
    print(f"  button-to-frame latency over {len(ms)} presses/releases: "
          f"p50 {pct(ms, 50):.1f} ms, p99 {pct(ms, 99):.1f} ms, max {max(ms, default=0):.1f} ms"
          f"  (missed {stats.missed}, errors {stats.errors})")
    kib = stats.bytes / wall / 1024
    print(f"  frames received: {stats.frames / wall:,.0f}/s ({kib:,.0f} KiB/s)")
    print(f"  server CPU: {100 * (cpu1 - cpu0) / wall:.0f}% of one core; this client: "
          f"{100 * (_own_cpu() - own0) / wall:.0f}%")


# --- scenario 2: idle pets kept in real time -----------------------------------------------

def run_idle(server: Server, token: str, pets: list[str], seconds: float) -> None:
    c = httpx.Client(base_url=server.url, timeout=60,
                     headers={"Authorization": f"Bearer {token}"})

    def sample() -> tuple[float, dict[str, float]]:
        t = time.time()
        return t, {p["id"]: p["emulated_seconds"] for p in c.get("/api/pets").json()}

    time.sleep(3)
    t0, first = sample()
    cpu0, wall0 = server.cpu_seconds(), time.monotonic()
    lags = []
    catching = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        h = c.get("/healthz").json()
        lags.append(h["max_lag_s"])
        catching = max(catching, h["pets_catching_up"])
        time.sleep(0.5)
    cpu1, wall1 = server.cpu_seconds(), time.monotonic()
    t1, last = sample()
    rates = [(last[p] - first[p]) / (t1 - t0) for p in pets]
    print(f"  emulated seconds per wall second over {t1 - t0:.0f} s: "
          f"min {min(rates):.3f}, median {statistics.median(rates):.3f}, max {max(rates):.3f}"
          f" (each reading may be up to 0.5 s old: +/-{1 / (t1 - t0):.3f})")
    print(f"  worst lag behind the wall clock (/healthz): median {statistics.median(lags):.2f} s,"
          f" max {max(lags):.2f} s; pets catching up at worst: {catching}")
    print(f"  server CPU: {100 * (cpu1 - cpu0) / (wall1 - wall0):.0f}% of one core")
    c.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", nargs="?", choices=("viewers", "idle", "both"), default="both")
    parser.add_argument("--viewers", type=int, default=500)
    parser.add_argument("--pets", type=int, help="default: 100 with viewers, 1000 idle")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--interval", type=float, default=1.0,
                        help="mean seconds between one viewer's presses")
    parser.add_argument("--idle-pets", type=int, default=0,
                        help="viewers: this many more pets nobody watches (of --idle-rom)")
    parser.add_argument("--idle-rom", default="demo", help="demo or a ROM file")
    parser.add_argument("--rom", default=None,
                        help="echo (default for viewers), demo (default for idle) or a ROM file")
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    from pygotchi.emu import core_info

    print(f"pygotchi server load benchmark; emulator core: {core_info()}; "
          f"{os.cpu_count()} CPUs; load average before: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="pygotchi-bench-") as tmp:
        if args.scenario in ("viewers", "both"):
            pets = args.pets or 100
            print(f"\n[viewers] {args.viewers} viewers on {pets} pets, {args.seconds:.0f} s"
                  + (f", beside {args.idle_pets} pets nobody watches" if args.idle_pets else ""))
            server = Server(Path(tmp), {})
            try:
                token, ids = prepare(server, pets, args.rom or "echo")
                if args.idle_pets:
                    add_pets(server, token, args.idle_pets, args.idle_rom)
                asyncio.run(run_viewers(server, token, ids, args.viewers, args.seconds,
                                        args.interval))
            finally:
                server.stop()
        if args.scenario in ("idle", "both"):
            pets = args.pets if args.pets and args.scenario == "idle" else 1000
            print(f"\n[idle] {pets} running pets, nobody watching, {args.seconds:.0f} s")
            folder = Path(tmp) / "idle"
            folder.mkdir()
            server = Server(folder, {})
            try:
                token, ids = prepare(server, pets, args.rom or "demo")
                run_idle(server, token, ids, args.seconds)
            finally:
                server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
