"""Around the API: health, web app files, error shapes, headers, logs."""

from __future__ import annotations

import json
import logging

from pygotchi import __version__
from pygotchi.server.logs import JsonFormatter, TextFormatter, fields
from pygotchi.server.static import WEB


def test_healthz(world):
    with world.anonymous() as c:
        r = c.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["version"] == __version__
    assert isinstance(body["pets_running"], int) and body["pets_catching_up"] == 0


def test_errors_are_json_for_people(world):
    with world.anonymous() as c:
        r = c.get("/api/nothing-here")
        assert r.status_code == 404 and r.json() == {
            "error": "not_found", "message": "there is nothing at this address"}
        r = c.put("/healthz")
        assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"
    r = world.owner.call("POST", "/api/pets", json={"name": 5, "rom": ["x"]})
    assert r.status_code == 422 and r.json()["error"] == "invalid"
    assert "Traceback" not in r.text


def test_security_headers_and_docs(world):
    with world.anonymous() as c:
        r = c.get("/docs")
        assert r.status_code == 200 and "swagger" in r.text.lower()
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        spec = c.get("/openapi.json").json()
        assert "/api/pets/{pet_id}/buttons" in spec["paths"]


def test_web_app_files(world):
    with world.anonymous() as c:
        r = c.get("/")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        if not (WEB / "index.html").is_file():
            assert "/docs" in r.text
            return
        assert r.headers["cache-control"] == "no-cache"
        for path, kind in (("/manifest.webmanifest", "application/manifest+json"),
                           ("/sw.js", "text/javascript")):
            if (WEB / path.lstrip("/")).is_file():
                got = c.get(path)
                assert got.status_code == 200 and got.headers["content-type"].startswith(kind)
        some = next(p for p in sorted(WEB.rglob("*")) if p.is_file() and p.name != "index.html")
        r = c.get(f"/static/{some.relative_to(WEB).as_posix()}")
        assert r.status_code == 200 and r.content == some.read_bytes()
        assert c.get("/static/../server/API.md").status_code == 404
        assert c.get("/static/no-such-file.js").status_code == 404


def _record(msg: str, **values) -> logging.LogRecord:
    record = logging.LogRecord("pygotchi", logging.INFO, __file__, 1, msg, (), None)
    for key, value in fields(**values).items():
        setattr(record, key, value)
    return record


def test_log_lines_are_structured():
    text = TextFormatter().format(_record("request", path="/api/pets", ms=1.5, note="a b"))
    assert " level=info event=request path=/api/pets ms=1.5 note=\"a b\"" in text
    line = JsonFormatter().format(_record("checkpoint", pets=3))
    assert json.loads(line)["pets"] == 3 and json.loads(line)["event"] == "checkpoint"
    leaked = TextFormatter().format(_record('"WebSocket /api/pets/x/ws?token=pgt_secret"'))
    assert "pgt_secret" not in leaked and "token=***" in leaked
