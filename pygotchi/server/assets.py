"""The web app's files, prepared once at start: content-hashed names and gzip.

Phones on slow links should download the app once and then never again until
it changes. So every file of ``pygotchi/web`` gets a versioned URL with a hash
of its content in the name (``/static/js/api.3f2a9c1b0d.js``), served with a
year-long ``immutable`` cache lifetime; the pages that name them (``/``, the
service worker, the manifest) are rewritten to use those URLs and are always
revalidated. ES modules import each other by relative, unversioned paths;
an import map in ``index.html`` sends each of those to its versioned URL, so
the sources stay as they are written (no bundler, no build step).

Text files are gzipped here, at start (the whole app is a few hundred KB, so
holding both forms in memory costs little and needs no writable install
folder); a response is compressed only when the browser accepts gzip. This is
not a middleware on purpose: a compressing middleware would also have to keep
its hands off websockets and streamed downloads.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

HASH_CHARS = 10
COMPRESSIBLE = {".js", ".css", ".html", ".svg", ".json", ".webmanifest", ".txt", ".md"}
# The pages that name other files; they are rewritten and never long-cached.
PAGES = ("index.html", "sw.js", "manifest.webmanifest")
MEDIA_TYPES = {".js": "text/javascript", ".webmanifest": "application/manifest+json",
               ".svg": "image/svg+xml", ".css": "text/css", ".html": "text/html"}
_VERSIONED = re.compile(
    rf"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{{{HASH_CHARS}}})(?P<ext>\.[A-Za-z0-9]+)$")


@dataclass(frozen=True)
class Asset:
    """One file as served: its bytes, gzipped bytes (or None) and validators."""

    body: bytes
    gzipped: bytes | None
    media_type: str
    etag: str


def _media_type(path: str) -> str:
    ext = Path(path).suffix
    if ext in MEDIA_TYPES:
        return MEDIA_TYPES[ext]
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


def _asset(path: str, body: bytes) -> Asset:
    digest = hashlib.sha256(body).hexdigest()
    gz = None
    if Path(path).suffix in COMPRESSIBLE:
        packed = gzip.compress(body, compresslevel=9, mtime=0)
        if len(packed) < len(body):
            gz = packed
    return Asset(body, gz, _media_type(path), f'"{digest[:20]}"')


def versioned_name(path: str, body: bytes) -> str:
    """``js/api.js`` -> ``js/api.<hash>.js``."""
    p = Path(path)
    digest = hashlib.sha256(body).hexdigest()[:HASH_CHARS]
    return str(p.with_name(f"{p.stem}.{digest}{p.suffix}").as_posix())


class Assets:
    """Every file of the web folder, by logical path (``js/api.js``) and versioned URL."""

    def __init__(self, web: Path) -> None:
        self.web = web
        self.files: dict[str, Asset] = {}  # logical path -> asset
        self.url_of: dict[str, str] = {}  # "/static/js/api.js" -> "/static/js/api.<h>.js"
        self.pages: dict[str, Asset] = {}  # index.html, sw.js, manifest (rewritten)
        raw: dict[str, bytes] = {}
        for file in sorted(web.rglob("*")):
            if not file.is_file() or file.suffix == ".py" or "__pycache__" in file.parts:
                continue
            rel = file.relative_to(web).as_posix()
            raw[rel] = file.read_bytes()
        for rel, body in raw.items():
            self.files[rel] = _asset(rel, body)
            if rel not in PAGES:
                self.url_of[f"/static/{rel}"] = f"/static/{versioned_name(rel, body)}"
        self.build = hashlib.sha256(json.dumps(sorted(self.url_of.values())).encode()
                                    ).hexdigest()[:HASH_CHARS]
        for name in PAGES:
            if name in raw:
                self.pages[name] = _asset(name, self._rewrite(name, raw[name].decode()).encode())

    # -- the pages that name other files ---------------------------------------------------

    def _urls(self, text: str) -> str:
        return re.sub(r'"(/static/[^"]+)"', lambda m: f'"{self.url_of.get(m[1], m[1])}"', text)

    def import_map(self) -> str:
        modules = {k: v for k, v in self.url_of.items() if k.endswith(".js")}
        return json.dumps({"imports": modules}, separators=(",", ":"), sort_keys=True)

    def inline_script_sources(self) -> list[str]:
        """CSP sources for the one inline script (the import map), by its sha256: the
        Content-Security-Policy allows exactly it and no other inline script."""
        digest = hashlib.sha256(self.import_map().encode()).digest()
        return [f"'sha256-{base64.b64encode(digest).decode()}'"]

    def shell(self) -> list[str]:
        """What the service worker caches so the app opens offline."""
        return ["/", "/manifest.webmanifest", *sorted(self.url_of.values())]

    def _rewrite(self, name: str, text: str) -> str:
        if name == "index.html":
            text = self._urls(text)
            # The import map must come before the first module script and preload. The app
            # imports every module at start: preloading them all at once saves the
            # round trips of discovering them import by import (slow links).
            preload = "".join(f'<link rel="modulepreload" href="{url}">\n  '
                              for logical, url in sorted(self.url_of.items())
                              if logical.endswith(".js"))
            tag = f'<script type="importmap">{self.import_map()}</script>\n  '
            return text.replace('<script type="module"', tag + preload + '<script type="module"', 1)
        if name == "sw.js":
            text = text.replace('const BUILD = "dev";', f"const BUILD = {json.dumps(self.build)};")
            return text.replace("const SHELL = [\"/\"];",
                                f"const SHELL = {json.dumps(self.shell())};")
        return self._urls(text)

    # -- lookups for the routes ---------------------------------------------------------------

    def static(self, path: str) -> tuple[Asset, bool] | None:
        """The asset at ``/static/<path>`` and whether the URL is the versioned one."""
        asset = self.files.get(path)
        if asset is not None:
            return asset, False
        m = _VERSIONED.match(path)
        if m is None:
            return None
        logical = f"{m['stem']}{m['ext']}"
        asset = self.files.get(logical)
        if asset is None:
            return None
        # An old hash (a page from before an upgrade) still gets the file, but not
        # for a year: it is not the content that name promised.
        current = self.url_of.get(f"/static/{logical}") == f"/static/{path}"
        return asset, current
