"""When things go wrong inside the server: 500s, full disks, a database that fails.

Each answer is still JSON for a person, carries a request id the log also has,
and never costs the client its connection or the pet an acknowledged change.
"""

from __future__ import annotations

import json
import logging
import socket

from pygotchi.server.api import pets as pets_api


def _raw_get(sock: socket.socket, path: str, token: str) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 request on an open socket; the response read by its Content-Length."""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}"
                 "\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in lines[1:])}
    while len(body) < int(headers["content-length"]):
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection mid-body"
        body += chunk
    return int(lines[0].split()[1]), headers, body


def test_a_500_keeps_the_connection_and_names_its_request_id(world, monkeypatch, caplog):
    user = world.owner

    def broken(*args, **kwargs):
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(pets_api.pet_store, "list_pets", broken)
    caplog.set_level(logging.ERROR, logger="pygotchi")
    with socket.create_connection(("127.0.0.1", world.server.port), timeout=30) as sock:
        status, headers, body = _raw_get(sock, "/api/pets", user.token)
        assert status == 500
        answer = json.loads(body)
        assert answer["error"] == "internal" and "Traceback" not in body.decode()
        rid = answer["request_id"]
        assert headers["x-request-id"] == rid and len(rid) >= 16
        assert headers.get("connection", "keep-alive").lower() != "close"
        monkeypatch.undo()
        # the same connection still answers: nothing closed it behind the client's back
        status, headers, _ = _raw_get(sock, "/api/session", user.token)
        assert status == 200 and headers["x-request-id"] != rid
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR
              and getattr(r, "fields", {}).get("request_id") == rid]
    assert logged and logged[0].exc_info is not None
    assert "the database fell over" in str(logged[0].exc_info[1])


def test_every_answer_has_a_request_id(world):
    with world.anonymous() as c:
        ids = {c.get("/healthz").headers["x-request-id"], c.get("/nothing").headers[
            "x-request-id"], c.get("/api/session").headers["x-request-id"]}
    assert len(ids) == 3


def test_a_websocket_refused_for_a_database_fault_is_not_told_to_sign_in(world, caplog):
    from sqlalchemy.exc import OperationalError

    from tests.server.faults import failing_statements

    pet = world.owner.new_pet()
    caplog.set_level(logging.ERROR, logger="pygotchi")
    error = OperationalError("SELECT", {}, Exception("disk I/O error"))
    with failing_statements(world.server.services.db, error, writes_only=False):
        with world.owner.ws(pet["id"]) as v:
            assert v.closed_with() == 1011
    refused = [r for r in caplog.records if r.getMessage() == "ws_refused"]
    assert refused and refused[0].exc_info is not None
    with world.owner.ws(pet["id"]) as v:  # the database is back: so is the live view
        v.until(lambda v: v.frames, what="a screen")
