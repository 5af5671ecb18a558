"""Three nodes sharing N P1 pets through PostgreSQL: what it costs, and how fast it heals.

    python bench/cluster.py [--pets 3000] [--nodes 3] [--seconds 30] [--presses 100]
                            [--pg postgresql://postgres@127.0.0.1:5432/test]

In one run, on a fresh database (dropped at the end):

1. ``--nodes`` real servers (``python -m pygotchi --node-name nK``) start on the
   database; ``--pets`` P1 pets are created through the API and spread over them;
2. for ``--seconds`` of real time: each node's CPU (from /proc) and memory (RSS,
   less its RSS before it held a pet), PostgreSQL's transactions, row updates and
   WAL bytes (``pg_stat_database``, ``pg_current_wal_lsn``), and the bytes of
   one checkpoint round (the size of every pet's state);
3. a viewer on one node plays an echo-ROM pet that runs on another: ``--presses``
   button presses and releases, each timed from the websocket message to the
   relayed frame that shows it (p50/p99);
4. one node is killed with SIGKILL: for each of its pets, the time from the kill
   to another node's claim of it (database clock; p50/max), with the default
   lease timeout unless ``--lease-timeout`` says otherwise.

Figures are printed, never asserted. The load average is printed with them: on a
shared 2-core machine wall-clock figures move with what else runs.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _repo  # noqa: F401  (this checkout first on sys.path, before pygotchi)
import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from server_load import free_port  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ROM = Path(os.environ.get("PYGOTCHI_TEST_ROMS", REPO.parent / "shared" / "roms")) / "p1.bin"
PASSWORD = "correct horse battery staple 42"


class Node:
    def __init__(self, name: str, tmp: Path, url: str, env: dict[str, str]) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / f"{name}.log"
        self.log = open(self.log_path, "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pygotchi", "--host", "127.0.0.1", "--port", str(self.port),
             "--data-dir", str(tmp / f"data-{name}"), "--node-name", name],
            env={**os.environ, "PYGOTCHI_DATABASE_URL": url, "PYGOTCHI_MAX_PETS_PER_USER": "0",
                 "PYGOTCHI_LOG_FORMAT": "json", "PYGOTCHI_MAX_SOCKETS_PER_USER": "1000", **env},
            stdout=self.log, stderr=subprocess.STDOUT)
        self.client = httpx.Client(base_url=self.url, timeout=60)
        deadline = time.monotonic() + 90
        while True:
            try:
                if self.client.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"node {name} did not start; see {self.log_path}")
            time.sleep(0.1)
        self.rss0 = self.rss()

    def stat(self) -> list[str]:
        return Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()

    def cpu(self) -> float:
        f = self.stat()
        return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")

    def rss(self) -> int:
        return int(self.stat()[21]) * os.sysconf("SC_PAGE_SIZE")

    def events(self, name: str) -> list[dict]:
        out = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if record.get("event") == name:
                out.append(record)
        return out

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.client.close()
        self.log.close()


def q(conn, sql: str, *args):
    return conn.execute(sql, args).fetchall()


def echo_rom() -> bytes:
    from tests.server.helpers import echo_rom as build

    return build()


def a_held(frame: bytes) -> bool:
    from tests.server.helpers import held_in_frame

    return "A" in held_in_frame(frame)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def create_pets(node: Node, csrf: str, rom: str, count: int, db_url: str) -> None:
    """One pet through the API, then ``count - 1`` copies of its row in one INSERT (the
    API would take minutes for thousands on a loaded machine; what is measured is how
    the nodes run them). The nodes file a free lease for each and claim them."""
    r = node.client.post("/api/pets", json={"name": "p0", "rom": rom},
                         headers={"X-CSRF-Token": csrf})
    if r.status_code != 201:
        raise SystemExit(f"creating a pet failed: {r.status_code} {r.text}")
    columns = ("owner_id, rom_sha256, paused, catch_up, autopilot, autopilot_minutes, "
               "created_at, state, state_tick, state_at, state_version, updated_at")
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(f"INSERT INTO pets (id, name, {columns}) SELECT "
                     "substr(md5(random()::text || g::text), 1, 12), 'p' || g, "
                     f"{columns} FROM pets, generate_series(1, %s) g WHERE id = %s",
                     (count - 1, r.json()["id"]))


def latency(viewer_node: Node, runner: str, pet: str, presses: int) -> list[float]:
    """Seconds from a button message on ``viewer_node`` to the relayed frame showing it."""
    from websockets.sync.client import connect

    jar = "; ".join(f"{k}={v}" for k, v in viewer_node.client.cookies.items())
    url = viewer_node.url.replace("http://", "ws://") + f"/api/pets/{pet}/ws"
    out = []
    with connect(url, additional_headers={"Cookie": jar, "Origin": viewer_node.url},
                 open_timeout=30) as ws:
        frame = None
        while frame is None:  # the welcome: status, then the screen
            m = ws.recv(timeout=30)
            if isinstance(m, bytes) and m[0] == 0x01:
                frame = m[5:]
        for i in range(presses * 2):
            down = i % 2 == 0
            sent = time.perf_counter()
            ws.send(json.dumps({"type": "button", "button": "A", "down": down}))
            while True:
                m = ws.recv(timeout=30)
                if isinstance(m, bytes) and m[0] == 0x01 and a_held(m[5:]) == down:
                    out.append(time.perf_counter() - sent)
                    break
            time.sleep(0.05)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pets", type=int, default=3000)
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--presses", type=int, default=100)
    parser.add_argument("--lease-timeout", type=float, default=10.0)
    parser.add_argument("--rom", default=str(DEFAULT_ROM))
    parser.add_argument("--pg", default=os.environ.get(
        "PYGOTCHI_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    if not Path(args.rom).is_file():
        raise SystemExit(f"no P1 ROM at {args.rom} (--rom or PYGOTCHI_TEST_ROMS)")

    name = f"pygotchi_bench_{secrets.token_hex(4)}"
    with psycopg.connect(args.pg, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    db_url = args.pg.rsplit("/", 1)[0] + "/" + name
    sa_url = db_url.replace("postgresql://", "postgresql+psycopg://", 1)
    nodes: list[Node] = []
    tmp = Path(tempfile.mkdtemp(prefix="pygotchi-cluster-bench-"))
    env = {"PYGOTCHI_LEASE_TIMEOUT": str(args.lease_timeout), "PYGOTCHI_LOG_LEVEL": "info"}
    try:
        began = time.monotonic()
        nodes = [Node(f"n{i + 1}", tmp, sa_url, env) for i in range(args.nodes)]
        first = nodes[0]
        code = first.events("setup_code")[-1]["code"]
        r = first.client.post("/api/setup", json={"username": "admin", "password": PASSWORD,
                                                   "setup_code": code})
        csrf = r.json()["csrf_token"]
        for n in nodes[1:]:
            n.client.post("/api/session", json={"username": "admin", "password": PASSWORD})
        rom = first.client.post("/api/roms", headers={"X-CSRF-Token": csrf},
                                files={"file": ("p1.bin", Path(args.rom).read_bytes())})
        echo = first.client.post("/api/roms", headers={"X-CSRF-Token": csrf},
                                 files={"file": ("echo.bin", echo_rom())})
        create_pets(first, csrf, rom.json()["id"], args.pets, db_url)
        probe = first.client.post("/api/pets", json={"name": "probe", "rom": echo.json()["id"]},
                                  headers={"X-CSRF-Token": csrf}).json()["id"]
        total = args.pets + 1
        conn = psycopg.connect(db_url, autocommit=True)
        deadline = time.monotonic() + 600
        while True:
            held = dict(q(conn, "SELECT node, count(*) FROM pet_leases WHERE node IS NOT NULL "
                                "GROUP BY node"))
            if sum(held.values()) == total and len(held) == args.nodes and \
                    max(held.values()) - min(held.values()) <= 0.1 * total / args.nodes:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"the pets did not spread: {held}")
            time.sleep(0.5)
        print(f"{args.nodes} nodes, {args.pets} P1 pets (+1 echo probe); set up and spread in "
              f"{time.monotonic() - began:.0f} s: {dict(sorted(held.items()))}")
        time.sleep(5)  # let the first checkpoints of moved pets settle

        # --- steady state ---------------------------------------------------------------
        def db_counters():
            row = q(conn, "SELECT xact_commit, tup_updated, tup_inserted FROM pg_stat_database "
                          "WHERE datname = %s", name)[0]
            wal = q(conn, "SELECT pg_current_wal_lsn()")[0][0]
            return row, wal

        cpu0 = {n.name: n.cpu() for n in nodes}
        (c0, u0, i0), wal0 = db_counters()
        t0 = time.monotonic()
        time.sleep(args.seconds)
        wall = time.monotonic() - t0
        (c1, u1, i1), wal1 = db_counters()
        wal_bytes = float(q(conn, "SELECT pg_wal_lsn_diff(%s, %s)", wal1, wal0)[0][0])
        cpu = {n.name: (n.cpu() - cpu0[n.name]) / wall for n in nodes}
        held = dict(q(conn, "SELECT node, count(*) FROM pet_leases GROUP BY node"))
        state_bytes, = q(conn, "SELECT avg(octet_length(state)), sum(octet_length(state)) "
                               "FROM pets")
        load = os.getloadavg()
        print(f"\nsteady state over {wall:.0f} s (load average {load[0]:.2f} {load[1]:.2f} "
              f"{load[2]:.2f}, {os.cpu_count()} cores):")
        per_pet_cpu, per_pet_mem = [], []
        for n in nodes:
            pets = held.get(n.name, 0)
            mem = n.rss() - n.rss0
            per_pet_cpu.append(cpu[n.name] / max(1, pets))
            per_pet_mem.append(mem / max(1, pets))
            print(f"  {n.name}: {pets} pets, CPU {cpu[n.name] * 100:.1f}% of a core "
                  f"({cpu[n.name] / max(1, pets) * 1e6:.0f} us/s per pet), RSS +{mem / 2**20:.0f} "
                  f"MiB ({mem / max(1, pets) / 1024:.1f} KiB per pet)")
        interval = 5.0
        print(f"  a node's RSS before it held a pet: "
              f"{statistics.mean(n.rss0 for n in nodes) / 2**20:.0f} MiB")
        print(f"  per pet: CPU {statistics.mean(per_pet_cpu) * 1e6:.0f} us per second, "
              f"memory {statistics.mean(per_pet_mem) / 1024:.1f} KiB, state "
              f"{float(state_bytes[0]):.0f} bytes")
        print(f"  PostgreSQL: {(c1 - c0) / wall:.0f} commits/s, {(u1 - u0) / wall:.0f} row "
              f"updates/s, {(i1 - i0) / wall:.1f} inserts/s, WAL {wal_bytes / wall / 1024:.0f} "
              f"KiB/s")
        print(f"  one checkpoint round (every {interval:.0f} s): {total} pets, "
              f"{int(state_bytes[1]) / 1024:.0f} KiB of state, "
              f"{wal_bytes / wall * interval / 1024:.0f} KiB of WAL")

        # --- button to frame, across nodes --------------------------------------------------
        runner = q(conn, "SELECT node FROM pet_leases WHERE pet_id = %s", probe)[0][0]
        viewer = next(n for n in nodes if n.name != runner)
        times = latency(viewer, runner, probe, args.presses)
        print(f"\nbutton -> frame, viewer on {viewer.name}, pet on {runner} (relayed both ways), "
              f"{len(times)} presses and releases: p50 {pct(times, 50) * 1000:.1f} ms, "
              f"p99 {pct(times, 99) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms "
              f"(target p99 < 100 ms)")

        # --- kill -9 ------------------------------------------------------------------------
        victim = nodes[-1]
        theirs = {r[0] for r in q(conn, "SELECT pet_id FROM pet_leases WHERE node = %s",
                                  victim.name)}
        killed = q(conn, "SELECT EXTRACT(EPOCH FROM clock_timestamp())")[0][0]
        victim.stop(signal.SIGKILL)
        deadline = time.monotonic() + 120 + args.lease_timeout
        while True:
            rows = q(conn, "SELECT pet_id, node, since FROM pet_leases WHERE pet_id = ANY(%s)",
                     list(theirs))
            if all(node not in (None, victim.name) for _, node, _ in rows):
                break
            if time.monotonic() > deadline:
                raise SystemExit("the killed node's pets were not taken over")
            time.sleep(0.2)
        waits = [float(since) - float(killed) for _, _, since in rows]
        load = os.getloadavg()
        print(f"\nkill -9 of {victim.name} ({len(theirs)} pets, lease timeout "
              f"{args.lease_timeout:.0f} s): claimed by the others after p50 "
              f"{statistics.median(waits):.1f} s, max {max(waits):.1f} s "
              f"(load average {load[0]:.2f})")
        claims = [e for n in nodes[:-1] for e in n.events("pets_claimed")]
        if claims:
            print(f"  claiming and loading: {sum(e['pets'] for e in claims)} pets in "
                  f"{len(claims)} claims, the largest took {max(e['ms'] for e in claims)} ms")
        conn.close()
    finally:
        for n in nodes:
            n.stop()
        with psycopg.connect(args.pg, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
