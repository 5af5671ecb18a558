"""The web app's files on the wire: gzip, versioned URLs with a year's caching,
pages that are always revalidated, 304s, and an import map that sends every
module to its versioned URL."""

from __future__ import annotations

import gzip
import json
import re

import pytest

from pygotchi.server.assets import Assets
from pygotchi.server.static import LONG_CACHE, WEB

pytestmark = pytest.mark.skipif(not (WEB / "index.html").is_file(),
                                reason="this build has no web app")

GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}


def import_map(html: str) -> dict[str, str]:
    match = re.search(r'<script type="importmap">(.*?)</script>', html, re.S)
    assert match, "index.html has no import map"
    return json.loads(match.group(1))["imports"]


def test_index_names_versioned_files_and_is_revalidated(world):
    with world.anonymous() as c:
        r = c.get("/", headers=GZIP)
        assert r.status_code == 200
        assert r.headers["content-encoding"] == "gzip"
        assert r.headers["cache-control"] == "no-cache"
        assert r.num_bytes_downloaded < len(r.content)
        html = r.text
        css = re.search(r'href="(/static/css/app\.[0-9a-f]{10}\.css)"', html)
        app = re.search(r'src="(/static/js/app\.[0-9a-f]{10}\.js)"', html)
        assert css and app
        modules = import_map(html)
        sources = sorted(p.relative_to(WEB).as_posix() for p in WEB.rglob("*.js")
                         if p.name != "sw.js")
        assert sorted(k.removeprefix("/static/") for k in modules) == sorted(sources)
        assert html.index('type="importmap"') < html.index('rel="modulepreload"') \
            < html.index('type="module"'), "the import map must come before any module"
        again = c.get("/", headers={**GZIP, "If-None-Match": r.headers["etag"]})
        assert again.status_code == 304 and not again.content


def test_versioned_files_are_cached_for_a_year_and_gzipped(world):
    assets = Assets(WEB)
    with world.anonymous() as c:
        modules = import_map(c.get("/").text)
        for plain, versioned in modules.items():
            r = c.get(versioned, headers=GZIP)
            assert r.status_code == 200, versioned
            assert r.headers["cache-control"] == LONG_CACHE
            assert r.headers["content-type"].startswith("text/javascript")
            source = (WEB / plain.removeprefix("/static/")).read_bytes()
            assert r.content == source
            if len(source) > 1000:
                assert r.headers["content-encoding"] == "gzip"
                assert r.num_bytes_downloaded < len(source) * 0.6
        # Without gzip in Accept-Encoding: the plain bytes.
        css = assets.url_of["/static/css/app.css"]
        r = c.get(css, headers=IDENTITY)
        assert "content-encoding" not in r.headers
        assert r.content == (WEB / "css/app.css").read_bytes()
        raw = c.get(css, headers=GZIP)
        assert raw.headers["vary"] == "Accept-Encoding"
        # The old plain URLs still work, revalidated on every use.
        r = c.get("/static/js/api.js")
        assert r.status_code == 200 and r.headers["cache-control"] == "no-cache"
        # A hash that is not the current one (a page from before an upgrade) gets the
        # current file, but no promise that it never changes.
        r = c.get("/static/js/api.0123456789.js")
        assert r.status_code == 200 and r.headers["cache-control"] == "no-cache"
        assert c.get("/static/js/nothing.0123456789.js").status_code == 404
        assert c.get("/static/../server/API.md").status_code == 404


def test_gzip_is_what_it_says(world):
    assets = Assets(WEB)
    asset = assets.files["css/app.css"]
    assert asset.gzipped is not None
    assert gzip.decompress(asset.gzipped) == (WEB / "css/app.css").read_bytes()
    png = assets.files["icons/icon-192.png"]
    assert png.gzipped is None, "PNGs are compressed already"


def test_the_service_worker_caches_this_build(world):
    assets = Assets(WEB)
    with world.anonymous() as c:
        r = c.get("/sw.js", headers=GZIP)
        assert r.status_code == 200 and r.headers["cache-control"] == "no-cache"
        assert r.headers["service-worker-allowed"] == "/"
        text = r.text
        assert f'const BUILD = "{assets.build}";' in text
        shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", text, re.S).group(1))
        assert shell[0] == "/" and assets.url_of["/static/js/app.js"] in shell
        for url in shell[1:]:
            assert c.get(url).status_code == 200, url
        manifest = c.get("/manifest.webmanifest").json()
        for icon in manifest["icons"]:
            assert re.search(r"\.[0-9a-f]{10}\.", icon["src"]), icon["src"]
