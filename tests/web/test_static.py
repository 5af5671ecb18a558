"""Checks of the web app's files that need no browser: every module import and
every cached or referenced file exists, the service worker caches the whole
app shell, and the PWA icons are what the manifest says."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import pytest

from pygotchi.server.assets import Assets

WEB = Path(__file__).resolve().parents[2] / "pygotchi" / "web"

IMPORT = re.compile(r"""^\s*(?:import|export)\s[^'"]*?from\s+["']([^"']+)["']""", re.M)


def url_to_path(url: str) -> Path:
    """Where the server finds a URL of the app (see pygotchi/server/static.py)."""
    if url == "/":
        return WEB / "index.html"
    if url.startswith("/static/"):
        return WEB / url.removeprefix("/static/")
    return WEB / url.lstrip("/")


def shell_urls() -> list[str]:
    """The service worker's list, as the server fills it in, back to plain paths."""
    assets = Assets(WEB)
    plain = {v: k for k, v in assets.url_of.items()}
    return [plain.get(u, u) for u in assets.shell()]


def app_files() -> list[Path]:
    return sorted(p for p in WEB.rglob("*") if p.is_file() and p.suffix != ".py")


@pytest.mark.parametrize("module", sorted(WEB.rglob("*.js")), ids=lambda p: p.name)
def test_module_imports_resolve(module: Path) -> None:
    for spec in IMPORT.findall(module.read_text(encoding="utf-8")):
        assert spec.startswith("."), f"{module.name}: bare import {spec!r} (no bundler here)"
        assert (module.parent / spec).resolve().is_file(), f"{module.name}: {spec} not found"


def test_service_worker_caches_the_whole_shell() -> None:
    urls = shell_urls()
    for url in urls:
        assert url_to_path(url).is_file(), f"sw.js caches {url}, which does not exist"
    cached = {url_to_path(u).resolve() for u in urls}
    served_elsewhere = {WEB / "sw.js", WEB / "index.html"}
    missing = [str(p.relative_to(WEB)) for p in app_files()
               if p.resolve() not in cached and p not in served_elsewhere]
    assert not missing, f"the service worker would not cache these (assets.py): {missing}"


def test_index_references_exist() -> None:
    html = (WEB / "index.html").read_text(encoding="utf-8")
    refs = re.findall(r'(?:href|src)="(/[^"]*)"', html)
    assert "/static/js/app.js" in refs and "/manifest.webmanifest" in refs
    for ref in refs:
        assert url_to_path(ref).is_file(), f"index.html refers to missing {ref}"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_manifest_icons_match_their_sizes() -> None:
    manifest = json.loads((WEB / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert manifest["display"] == "standalone"
    assert manifest["start_url"].startswith("/") and manifest["scope"] == "/"
    purposes = set()
    for icon in manifest["icons"]:
        path = url_to_path(icon["src"])
        assert path.is_file(), icon["src"]
        purposes.add(icon.get("purpose", "any"))
        if icon["type"] == "image/png":
            w, h = (int(n) for n in icon["sizes"].split("x"))
            assert png_size(path) == (w, h), icon["src"]
    assert {"any", "maskable"} <= purposes
