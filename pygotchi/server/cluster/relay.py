"""Any node serves any pet: requests and live views relayed over PostgreSQL NOTIFY.

PostgreSQL is the only service a cluster needs, so nodes talk through it:
each node LISTENs on a channel of its own (and on ``pygotchi_cluster``, where
nodes say they let pets go, so the others claim them at once), and sends with
``pg_notify``. A message is JSON; one longer than a notification may carry
(8,000 bytes) goes in numbered parts. Live-view frames (65 bytes) and button
messages always fit in one.

* **HTTP** (``PetRequests``, an ASGI middleware): a request under
  ``/api/pets/{id}`` for a pet another live node runs is sent whole (method, path,
  headers, body, client address) to that node, which runs it through its own
  app, sign-in and CSRF checks included, and sends the answer back. Every route
  therefore works for every pet, unchanged.
* **Live view** (``watch``): the websocket stays where the browser connected;
  the runner attaches a viewer that forwards what it would have sent (screens,
  beeps, status) and applies the button messages forwarded to it.

When the runner lets the pet go (hand-over, lost lease) its relayed viewers are
closed with 4503 and the browser reconnects, reaching the pet wherever it runs.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import re
import secrets
import time
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Receive, Scope, Send

from pygotchi.server.cluster.member import CLUSTER_CHANNEL
from pygotchi.server.logs import event
from pygotchi.server.scheduler import call_on
from pygotchi.server.viewers import Viewer
from pygotchi.store import cluster as cluster_store

if TYPE_CHECKING:
    from pygotchi.server.api.deps import Services

NOTIFY_LIMIT = 7900  # bytes of one notification's payload (PostgreSQL's limit is 8,000)
PART = 6000  # characters of a long message per part
CALL_TIMEOUT = 30.0
RELAYED = b"x-pygotchi-relayed"
_PET_PATH = re.compile(r"^/api/pets/([A-Za-z0-9_-]{1,32})(/.*)?$")


def channel_of(node: str) -> str:
    """A node's channel: an identifier PostgreSQL accepts whatever the node's name."""
    return "pygotchi_n_" + hashlib.sha1(node.encode()).hexdigest()[:24]


def psycopg_url(db) -> str:
    """The engine's database as a libpq connection string, query options included
    (``options=-c ...``: a URL would encode their spaces in a way libpq does not read)."""
    from psycopg.conninfo import make_conninfo

    u = db.engine.url
    params = {k: v for k, v in (("host", u.host), ("port", u.port), ("dbname", u.database),
                                ("user", u.username), ("password", u.password))
              if v is not None}
    params.update({k: v if isinstance(v, str) else v[-1] for k, v in u.query.items()})
    return make_conninfo(**params)


class RelayViewer(Viewer):
    """A viewer on the runner that forwards everything to a websocket on another node."""

    def __init__(self, relay: Relay, node: str, sub: str) -> None:
        super().__init__(holder=f"relay-{sub}")
        self.relay, self.node, self.sub = relay, node, sub

    def send(self, payload: bytes | str) -> None:
        if not self.closed:
            self.relay.post(self.node, _out(self.sub, payload))

    def send_screen(self, payload: bytes) -> None:
        self.send(payload)

    def close(self, code: int, reason: str = "") -> None:
        if not self.closed:
            super().close(code, reason)
            self.relay.post(self.node, {"k": "closed", "sub": self.sub, "code": code,
                                        "reason": reason})


def _out(sub: str, payload: bytes | str) -> dict:
    if isinstance(payload, bytes):
        return {"k": "out", "sub": sub, "b": base64.b64encode(payload).decode()}
    return {"k": "out", "sub": sub, "t": payload}


class Relay:
    def __init__(self, svc: Services, app: ASGIApp) -> None:
        self.svc = svc
        self.app = app
        self.node = svc.cluster.name  # type: ignore[union-attr]
        self.url = psycopg_url(svc.db)
        self._queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._calls: dict[str, asyncio.Future] = {}
        self._parts: dict[str, list[str | None]] = {}
        self._local_subs: dict[str, Viewer] = {}  # websockets here, pets elsewhere
        self._local_runner: dict[str, str] = {}  # ...and the node each pet runs on
        # pets here, watched elsewhere: sub -> (connection, viewer, inputs, their task)
        self._remote_subs: dict[str, tuple[Any, RelayViewer, asyncio.Queue, asyncio.Task]] = {}
        self._tasks: list[asyncio.Task] = []
        self._listener = None
        self._sender = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.sent = 0
        self.received = 0

    # --- plumbing -------------------------------------------------------------------

    async def start(self) -> None:
        import psycopg

        self.loop = asyncio.get_running_loop()
        self._listener = await psycopg.AsyncConnection.connect(self.url, autocommit=True)
        self._sender = await psycopg.AsyncConnection.connect(self.url, autocommit=True)
        await self._listener.execute(f"LISTEN {CLUSTER_CHANNEL}")
        await self._listener.execute(f"LISTEN {channel_of(self.node)}")
        self._tasks = [asyncio.create_task(self._listen(), name="pygotchi-relay-listen"),
                       asyncio.create_task(self._send(), name="pygotchi-relay-send")]
        member = self.svc.cluster
        assert member is not None
        member.notify = lambda what: self.post_channel(CLUSTER_CHANNEL, what)
        loop = self.loop
        member.on_live.append(lambda live: loop.call_soon_threadsafe(self.prune, live))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        for conn in (self._listener, self._sender):
            if conn is not None:
                await conn.close()
        if self.svc.cluster is not None:
            self.svc.cluster.notify = None

    def post_channel(self, channel: str, text: str) -> None:
        """Queue a notification (any thread)."""
        call_on(self.loop, self._queue.put_nowait, (channel, text))

    def post(self, node: str, message: dict) -> None:
        text = json.dumps(message, separators=(",", ":"))
        channel = channel_of(node)
        if len(text.encode()) <= NOTIFY_LIMIT:
            self.post_channel(channel, text)
            return
        pid = secrets.token_hex(6)
        pieces = [text[i:i + PART] for i in range(0, len(text), PART)]
        for i, piece in enumerate(pieces):
            self.post_channel(channel, json.dumps({"k": "part", "id": pid, "i": i,
                                                   "n": len(pieces), "d": piece}))

    async def _send(self) -> None:
        assert self._sender is not None
        while True:
            channel, text = await self._queue.get()
            try:
                await self._sender.execute("SELECT pg_notify(%s, %s)", (channel, text))
                self.sent += 1
            except Exception as exc:  # the connection broke: open another one
                event("relay_send_failed", logging.WARNING, error=f"{type(exc).__name__}: {exc}")
                import psycopg

                await asyncio.sleep(0.5)
                try:
                    self._sender = await psycopg.AsyncConnection.connect(self.url,
                                                                         autocommit=True)
                except Exception:
                    pass

    async def _listen(self) -> None:
        assert self._listener is not None
        async for note in self._listener.notifies():
            self.received += 1
            try:
                if note.channel == CLUSTER_CHANNEL:
                    if self.svc.cluster is not None:
                        self.svc.cluster.wake()
                    continue
                self._dispatch(json.loads(note.payload))
            except Exception as exc:
                event("relay_message_failed", logging.WARNING,
                      error=f"{type(exc).__name__}: {exc}")

    def _dispatch(self, msg: dict) -> None:
        kind = msg.get("k")
        if kind == "part":
            parts = self._parts.setdefault(msg["id"], [None] * msg["n"])
            parts[msg["i"]] = msg["d"]
            if all(p is not None for p in parts):
                del self._parts[msg["id"]]
                self._dispatch(json.loads("".join(parts)))  # type: ignore[arg-type]
        elif kind == "out":
            viewer = self._local_subs.get(msg["sub"])
            if viewer is not None:
                if "b" in msg:
                    data = base64.b64decode(msg["b"])
                    (viewer.send_screen if data[:1] == b"\x01" else viewer.send)(data)
                else:
                    viewer.send(msg["t"])
        elif kind == "closed":
            viewer = self._local_subs.get(msg["sub"])
            if viewer is not None:
                viewer.close(msg["code"], msg.get("reason", ""))
        elif kind == "reply":
            future = self._calls.pop(msg["req"], None)
            if future is not None and not future.done():
                future.set_result(msg)
        elif kind == "call":
            asyncio.create_task(self._answer(msg))
        elif kind == "watch":
            asyncio.create_task(self._watch(msg))
        elif kind == "in":
            entry = self._remote_subs.get(msg["sub"])
            if entry is not None:  # in order: a release never overtakes its press
                entry[2].put_nowait(msg["t"])
        elif kind == "unwatch":
            asyncio.create_task(self._unwatch(msg["sub"]))

    # --- who runs a pet -------------------------------------------------------------------

    async def runner_of(self, pet_id: str) -> str | None:
        """The live node that runs ``pet_id``, if it is not this one."""
        if pet_id in self.svc.scheduler.pets:
            return None

        def look() -> str | None:
            with self.svc.db.session() as s:
                return cluster_store.runners(s, [pet_id], cluster_store.db_now(s)).get(pet_id)

        runner = await asyncio.to_thread(look)
        return None if runner == self.node else runner

    # --- HTTP, the asking side ----------------------------------------------------------------

    async def call(self, node: str, request: dict) -> dict:
        assert self.loop is not None
        req = secrets.token_hex(8)
        future = self.loop.create_future()
        self._calls[req] = future
        self.post(node, {"k": "call", "req": req, "from": self.node, **request})
        try:
            return await asyncio.wait_for(future, CALL_TIMEOUT)
        finally:
            self._calls.pop(req, None)

    async def ask_runners(self, scope: Scope, pet_ids: list[str]) -> list[tuple[str, dict]]:
        """The same (GET) request asked of every node that runs some of ``pet_ids``:
        (node, its reply) for each that answered in time."""
        def look() -> set[str]:
            with self.svc.db.session() as s:
                return set(cluster_store.runners(s, pet_ids, cluster_store.db_now(s))
                           .values()) - {self.node}

        nodes = await asyncio.to_thread(look) if pet_ids else set()
        message = request_message(scope)
        replies = await asyncio.gather(*(self.call(n, message) for n in sorted(nodes)),
                                       return_exceptions=True)
        return [(n, r) for n, r in zip(sorted(nodes), replies, strict=True)
                if isinstance(r, dict)]

    # --- HTTP, the running side ------------------------------------------------------------------

    async def _answer(self, msg: dict) -> None:
        body = base64.b64decode(msg.get("body", ""))
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in msg["headers"]]
        headers.append((RELAYED, b"1"))
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": msg["method"], "scheme": msg.get("scheme", "http"),
                 "path": msg["path"], "raw_path": msg["path"].encode(),
                 "query_string": msg.get("query", "").encode("latin-1"), "root_path": "",
                 "headers": headers, "client": tuple(msg["client"]) if msg.get("client")
                 else None, "server": tuple(msg["server"]) if msg.get("server") else None}
        sent = False

        async def receive() -> dict:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        status, out_headers, chunks = 500, [], []

        async def send(message: dict) -> None:
            nonlocal status, out_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                out_headers = [(k.decode("latin-1"), v.decode("latin-1"))
                               for k, v in message.get("headers", [])]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            event("relay_call_failed", logging.ERROR, error=f"{type(exc).__name__}: {exc}")
            status, out_headers, chunks = 500, [], []
        self.post(msg["from"], {"k": "reply", "req": msg["req"], "status": status,
                                "headers": out_headers, "node": self.node,
                                "body": base64.b64encode(b"".join(chunks)).decode()})

    # --- live views -------------------------------------------------------------------------

    def open_remote(self, viewer: Viewer, runner: str) -> str:
        """File a websocket here whose pet runs on ``runner``; its subscription id."""
        sub = secrets.token_hex(8)
        self._local_subs[sub] = viewer
        self._local_runner[sub] = runner
        return sub

    def close_remote(self, sub: str, node: str) -> None:
        self._local_subs.pop(sub, None)
        self._local_runner.pop(sub, None)
        self.post(node, {"k": "unwatch", "sub": sub})

    def prune(self, live: list[str]) -> None:
        """Forget relayed views whose other end is a node that stopped beating (loop):
        a browser here reconnects, a viewer here of a browser there is dropped."""
        from pygotchi.server.cluster.scheduler import CLOSE_MOVED

        alive = set(live)
        for sub, runner in list(self._local_runner.items()):
            if runner not in alive and (viewer := self._local_subs.get(sub)) is not None:
                viewer.close(CLOSE_MOVED, "the server running this pet stopped; reconnect")
        for sub, entry in list(self._remote_subs.items()):
            if entry[1].node not in alive:
                asyncio.create_task(self._unwatch(sub))

    async def _watch(self, msg: dict) -> None:
        from pygotchi.server.api.live import LiveConnection
        from pygotchi.server.cluster.scheduler import CLOSE_MOVED

        svc = self.svc
        viewer = RelayViewer(self, msg["from"], msg["sub"])
        pet = svc.scheduler.get(msg["pet"], msg["owner"])
        if pet is None or pet.error is not None:
            viewer.close(CLOSE_MOVED, "this pet is not running on this server any more")
            return
        conn = LiveConnection(svc, None, pet, None, viewer, user_id=msg["owner"])
        inputs: asyncio.Queue[str] = asyncio.Queue()

        async def apply() -> None:
            while True:
                text = await inputs.get()
                try:
                    await conn.handle(text)
                except Exception as exc:
                    event("relay_input_failed", logging.WARNING, pet=pet.id,
                          error=f"{type(exc).__name__}: {exc}")

        self._remote_subs[msg["sub"]] = (conn, viewer, inputs, asyncio.create_task(apply()))
        await conn.attach()

    async def _unwatch(self, sub: str) -> None:
        entry = self._remote_subs.pop(sub, None)
        if entry is not None:
            conn, viewer, _, task = entry
            task.cancel()
            viewer.closed = True  # nothing more to forward
            await conn.detach()


def request_message(scope: Scope, body: bytes = b"") -> dict:
    """An HTTP request as a relay message: enough for the runner to serve it."""
    return {"method": scope["method"], "path": scope["path"],
            "query": scope.get("query_string", b"").decode("latin-1"),
            "scheme": scope.get("scheme", "http"),
            "headers": [(k.decode("latin-1"), v.decode("latin-1"))
                        for k, v in scope.get("headers", [])],
            "client": list(scope["client"]) if scope.get("client") else None,
            "server": list(scope["server"]) if scope.get("server") else None,
            "body": base64.b64encode(body).decode()}


class PetRequests:
    """Send requests for pets another node runs to that node (outermost middleware)."""

    def __init__(self, app: ASGIApp, relay_of, limit: int) -> None:
        self.app = app
        self.relay_of = relay_of  # () -> Relay | None (set once the lifespan started)
        self.limit = limit  # the largest body relayed (the app's own upload limit)

    async def _refuse(self, send: Send, status: int, code: str, message: str) -> None:
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body",
                    "body": json.dumps({"error": code, "message": message}).encode()})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        relay = self.relay_of() if scope["type"] == "http" else None
        match = _PET_PATH.match(scope.get("path", "")) if relay is not None else None
        if relay is None or match is None or match.group(2) == "/ws" or \
                any(k == RELAYED for k, _ in scope.get("headers", [])):
            await self.app(scope, receive, send)
            return
        runner = await relay.runner_of(match.group(1))
        if runner is None:
            await self.app(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > self.limit:
                await self._refuse(send, 413, "too_large", "the upload is larger than this "
                                   f"server accepts ({self.limit:,} bytes)")
                return
            if not message.get("more_body"):
                break
        began = time.monotonic()
        try:
            reply = await relay.call(runner, request_message(scope, bytes(body)))
        except TimeoutError:
            await self._refuse(send, 503, "unavailable", f"the server running this pet "
                               f"({runner}) did not answer; try again in a moment")
            return
        event("relayed", logging.DEBUG, path=scope["path"], node=runner,
              ms=round((time.monotonic() - began) * 1000, 1))
        await send({"type": "http.response.start", "status": reply["status"],
                    "headers": [(k.encode("latin-1"), v.encode("latin-1"))
                                for k, v in reply["headers"]]})
        await send({"type": "http.response.body", "body": base64.b64decode(reply["body"])})
