"""Test helpers for the server: a tiny echo ROM, signed-in clients, waiting for conditions.

The echo ROM is a few lines of E0C6200 assembly, so server tests do not depend
on what a real (or the demo) ROM draws: column 0, rows 0-3 of its screen light
up while C, B, A and TAP are held; row 3 of column 1 follows the chip's 1 Hz
clock (so the screen changes twice a second by itself); the buzzer sounds at
4,096 Hz while any button is held.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable
from functools import lru_cache

import httpx
import uvicorn
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from pygotchi.emu import assemble
from pygotchi.emu.rom import words_to_rombin
from pygotchi.server.cli import websocket_protocol
from pygotchi.server.wire import decode_buzzer

ECHO_SOURCE = """
        ORG  0x100
        LD   A,0xF
        LD   XP,A
        LD   X,0x74
        LD   MX,0          ; buzzer frequency: 4096 Hz
loop:   LD   A,0xF
        LD   XP,A
        LD   X,0x21
        LD   A,MX
        AND  A,8           ; the 1 Hz square wave of the clock timer
        LD   M0,A
        LD   X,0x40
        LD   B,MX          ; K00-K03, a bit is 0 while its button is held
        LD   A,0xE
        LD   XP,A
        LD   X,0x00
        LD   A,B
        XOR  A,0xF
        LD   MX,A          ; column 0: held buttons
        LD   X,0x02
        LD   A,M0
        LD   MX,A          ; column 1, row 3: the clock
        LD   A,0xF
        LD   XP,A
        LD   X,0x54
        CP   B,0xF
        JP   Z,quiet
        LD   MX,0          ; buzzer on
        JP   loop
quiet:  LD   MX,8          ; buzzer off
        JP   loop
"""

BUTTON_ROW = {"C": 0, "B": 1, "A": 2, "TAP": 3}
PASSWORD = "correct horse"


@lru_cache(maxsize=1)
def echo_rom() -> bytes:
    return words_to_rombin(assemble(ECHO_SOURCE).image(6144))


def lit(frame: bytes, x: int, y: int) -> bool:
    return bool(frame[4 * y + x // 8] & (0x80 >> (x % 8)))


def held_in_frame(frame: bytes) -> set[str]:
    return {name for name, row in BUTTON_ROW.items() if lit(frame, 0, row)}


def held_on_screen(user, pet_id: str) -> set[str]:
    """The buttons the echo ROM shows as held, read over REST."""
    pixels = user.call("GET", f"/api/pets/{pet_id}/screen").json()["pixels"]
    return {name for name, row in BUTTON_ROW.items() if pixels[row][0] == "#"}


def wait_for(condition: Callable[[], object], timeout: float = 20.0, interval: float = 0.02,
             what: str = "condition"):
    """Poll until ``condition()`` is truthy; the timeout is only a safety net."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)


def bound_socket() -> socket.socket:
    """A socket bound to a free loopback port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class LiveServer:
    """The app served by uvicorn in a background thread on a free loopback port."""

    def __init__(self, app, sock: socket.socket | None = None) -> None:
        """``sock``: a socket bound already (when the app must know its own address)."""
        self.app = app
        if sock is None:
            sock = bound_socket()
        self.port = sock.getsockname()[1]
        self._sock = sock
        # As `python -m pygotchi serve`: the app, not uvicorn, reads X-Forwarded-*.
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on",
                                proxy_headers=False,
                                ws=websocket_protocol(), ws_max_size=64 * 1024,
                                ws_per_message_deflate=False, timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]},
                                       daemon=True, name="test-uvicorn")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def services(self):
        return self.app.state.services

    def __enter__(self) -> LiveServer:
        self.thread.start()
        wait_for(lambda: self.server.started or not self.thread.is_alive(), what="start-up")
        if not self.server.started:
            raise RuntimeError("the test server did not start")
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self._sock.close()

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)


class User:
    """One account: a signed-in browser (cookie + CSRF) and a script (bearer token)."""

    def __init__(self, server: LiveServer, browser: httpx.Client, name: str, user_id: int,
                 csrf: str, token: str) -> None:
        self.server = server
        self.browser = browser
        self.name = name
        self.id = user_id
        self.csrf = csrf
        self.token = token
        self._script = server.client()

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def call(self, method: str, url: str, **kwargs) -> httpx.Response:
        """A request from the browser, with the CSRF header."""
        headers = {"X-CSRF-Token": self.csrf, **kwargs.pop("headers", {})}
        return self.browser.request(method, url, headers=headers, **kwargs)

    def script(self, method: str, url: str, **kwargs) -> httpx.Response:
        """The same request from a script: API token, no cookie, no CSRF header."""
        headers = {**self.bearer, **kwargs.pop("headers", {})}
        return self._script.request(method, url, headers=headers, **kwargs)

    def new_pet(self, name: str = "Echo", rom: str = "demo", **extra) -> dict:
        r = self.call("POST", "/api/pets", json={"name": name, "rom": rom, **extra})
        assert r.status_code == 201, r.text
        return r.json()

    def ws(self, pet_id: str, *, cookie: bool = False, **kwargs) -> Viewer:
        url = f"{self.server.ws_url}/api/pets/{pet_id}/ws"
        if cookie:
            jar = "; ".join(f"{k}={v}" for k, v in self.browser.cookies.items())
            return Viewer(url, additional_headers={"Cookie": jar}, **kwargs)
        return Viewer(f"{url}?token={self.token}", **kwargs)

    def close(self) -> None:
        self.browser.close()
        self._script.close()


class Viewer:
    """A websocket viewer that sorts what it receives (sync client, with time-outs)."""

    def __init__(self, url: str, **kwargs) -> None:
        self._connection = connect(url, open_timeout=20, **kwargs)
        self.conn = self._connection.__enter__()
        self.frames: list[tuple[int, bytes]] = []
        self.statuses: list[dict] = []
        self.buzzer: list[tuple[int, bool, int]] = []
        self.texts: list[dict] = []

    def __enter__(self) -> Viewer:
        return self

    def __exit__(self, *exc) -> None:
        self._connection.__exit__(None, None, None)

    def send(self, **message) -> None:
        self.conn.send(json.dumps(message))

    def receive(self, timeout: float = 20.0):
        message = self.conn.recv(timeout=timeout)
        if isinstance(message, str):
            self.texts.append(json.loads(message))
        elif message[0] == 0x01:
            assert len(message) == 70
            self.frames.append((struct.unpack(">I", message[1:5])[0], message[5:]))
        elif message[0] == 0x02:
            self.buzzer.extend(decode_buzzer(message))
        elif message[0] == 0x03:
            self.statuses.append(json.loads(message[1:]))
        else:
            raise AssertionError(f"unknown message type {message[0]}")
        return message

    def until(self, condition: Callable[[Viewer], object], timeout: float = 20.0,
              what: str = "message"):
        """Receive until ``condition(self)`` holds; the timeout is only a safety net."""
        deadline = time.monotonic() + timeout
        while not (value := condition(self)):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {what}")
            try:
                self.receive(timeout=left)
            except TimeoutError:
                raise AssertionError(f"timed out waiting for {what}") from None
        return value

    def closed_with(self, timeout: float = 20.0) -> int | None:
        """Read until the server closes the socket; its close code."""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                self.receive(timeout=deadline - time.monotonic())
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd else None
        raise AssertionError("the server did not close the socket")


def sign_in(server: LiveServer, username: str, password: str = PASSWORD) -> User:
    browser = server.client()
    r = browser.post("/api/session", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    body = r.json()
    csrf = body["csrf_token"]
    t = browser.post("/api/tokens", json={"name": "tests"}, headers={"X-CSRF-Token": csrf})
    assert t.status_code == 201, t.text
    return User(server, browser, username, body["user"]["id"], csrf, t.json()["token"])


def set_up_admin(server: LiveServer, username: str = "admin") -> User:
    browser = server.client()
    r = browser.post("/api/setup", json={"username": username, "password": PASSWORD,
                                         "setup_code": server.services.setup_code})
    assert r.status_code == 201, r.text
    body = r.json()
    t = browser.post("/api/tokens", json={"name": "tests"},
                     headers={"X-CSRF-Token": body["csrf_token"]})
    assert t.status_code == 201, t.text
    return User(server, browser, username, body["user"]["id"], body["csrf_token"],
                t.json()["token"])


def add_player(admin: User, username: str, role: str = "player") -> User:
    r = admin.call("POST", "/api/users",
                   json={"username": username, "password": PASSWORD, "role": role})
    assert r.status_code == 201, r.text
    return sign_in(admin.server, username)


@lru_cache(maxsize=1)
def other_rom() -> bytes:
    """The echo ROM with one more word: same behaviour, another sha256."""
    return words_to_rombin(assemble(ECHO_SOURCE + "\n        DW 0x123\n").image(6144))


def cpu_bin_of(machine) -> bytes:
    """An original-pygotchi ``cpu.bin`` (512 bytes) of a machine, as that project saved it."""
    c = machine.cpu
    raw = struct.pack("<HHHBBBBBxIIIBBBxI8x", c.pc, c.x, c.y, c.a, c.b, c.np, c.sp, c.f,
                      c.tick % 2**32, c.clock_stamps[0] % 2**32, c.prog_stamp % 2**32,
                      c.prog_enabled, c.prog_data, c.prog_reload, c.call_depth)
    for slot, vector in enumerate((0x0C, 0x0A, 0x08, 0x06, 0x04, 0x02)):
        raw += bytes((c.factor[slot], c.mask[slot], c.triggered[slot], vector))
    raw += bytes((c.mem[2 * i] << 4) | c.mem[2 * i + 1] for i in range(320))
    digits = raw.hex()
    return b"".join(int(digits[i:i + 3], 16).to_bytes(2, "big") for i in range(0, 768, 3))
