"""The web app's files (``pygotchi/web``), served when that folder is there.

``/`` is ``index.html``; ``/static/<path>`` any file of the folder, also under
its versioned name (see ``assets.py``: content hash in the name, cached for a
year); ``/manifest.webmanifest`` and ``/sw.js`` from its top level, because a
service worker only controls the pages under the path it is served from.
Without the folder, ``/`` says where the API is. Text files go out gzipped to
browsers that accept it; everything carries an ETag, so a revalidation of an
unchanged page costs a 304.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from pygotchi.server.assets import Asset, Assets
from pygotchi.server.errors import ApiError

WEB = Path(__file__).resolve().parent.parent / "web"

LONG_CACHE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

_FALLBACK = """<!doctype html><meta charset="utf-8"><title>pygotchi</title>
<p>pygotchi is running. The web app is not installed in this build;
the API is described at <a href="/docs">/docs</a>.</p>"""


def _gzip_ok(request: Request) -> bool:
    accepted = request.headers.get("accept-encoding", "")
    return any(part.split(";")[0].strip() in ("gzip", "*") and not part.strip().endswith("q=0")
               for part in accepted.split(","))


def respond(request: Request, asset: Asset, cache: str, **headers: str) -> Response:
    """``asset`` as a response: 304 when the browser has it, gzip when it may."""
    base = {"Cache-Control": cache, "ETag": asset.etag, "Vary": "Accept-Encoding", **headers}
    if asset.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=base)
    if asset.gzipped is not None and _gzip_ok(request):
        return Response(asset.gzipped, media_type=asset.media_type,
                        headers={**base, "Content-Encoding": "gzip"})
    return Response(asset.body, media_type=asset.media_type, headers=base)


def install(app: FastAPI, web: Path = WEB) -> None:
    assets = Assets(web) if web.is_dir() else None
    app.state.assets = assets

    def page(request: Request, name: str, **headers: str) -> Response:
        asset = assets.pages.get(name) if assets else None
        if asset is None:
            raise ApiError(404, "not_found", "there is nothing at this address")
        return respond(request, asset, REVALIDATE, **headers)

    @app.get("/", include_in_schema=False)
    def index(request: Request) -> Response:
        if assets is None or "index.html" not in assets.pages:
            return HTMLResponse(_FALLBACK)
        return page(request, "index.html")

    @app.get("/manifest.webmanifest", include_in_schema=False)
    def manifest(request: Request) -> Response:
        return page(request, "manifest.webmanifest")

    @app.get("/sw.js", include_in_schema=False)
    def service_worker(request: Request) -> Response:
        return page(request, "sw.js", **{"Service-Worker-Allowed": "/"})

    @app.get("/static/{path:path}", include_in_schema=False)
    def static_file(path: str, request: Request) -> Response:
        found = assets.static(path) if assets else None
        if found is None:
            raise ApiError(404, "not_found", "there is nothing at this address")
        asset, versioned = found
        return respond(request, asset, LONG_CACHE if versioned else REVALIDATE)
