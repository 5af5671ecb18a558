"""The web app's files (``pygotchi/web``), served when that folder is there.

``/`` is ``index.html``; ``/static/<path>`` any file of the folder;
``/manifest.webmanifest`` and ``/sw.js`` from its top level, because a service
worker only controls the pages under the path it is served from. Without the
folder, ``/`` says where the API is.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from pygotchi.server.errors import ApiError

WEB = Path(__file__).resolve().parent.parent / "web"

_FALLBACK = """<!doctype html><meta charset="utf-8"><title>pygotchi</title>
<p>pygotchi is running. The web app is not installed in this build;
the API is described at <a href="/docs">/docs</a>.</p>"""


def _file(name: str, media_type: str | None = None, **headers: str) -> Response:
    path = WEB / name
    if not path.is_file():
        raise ApiError(404, "not_found", "there is nothing at this address")
    return FileResponse(path, media_type=media_type,
                        headers={"Cache-Control": "no-cache", **headers})


def install(app: FastAPI, web: Path = WEB) -> None:
    @app.get("/", include_in_schema=False)
    def index() -> Response:
        if not (web / "index.html").is_file():
            return HTMLResponse(_FALLBACK)
        return _file("index.html", "text/html")

    @app.get("/manifest.webmanifest", include_in_schema=False)
    def manifest() -> Response:
        return _file("manifest.webmanifest", "application/manifest+json")

    @app.get("/sw.js", include_in_schema=False)
    def service_worker() -> Response:
        return _file("sw.js", "text/javascript", **{"Service-Worker-Allowed": "/"})

    if web.is_dir():
        app.mount("/static", StaticFiles(directory=web), name="static")
