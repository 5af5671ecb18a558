"""Bytes on the wire for the web app's first page load, and for the next one.

    python bench/page_weight.py [--repo PATH] [--throttle-kbps 400]

Starts a real server (``python -m pygotchi``, from ``--repo``, default this
checkout) on a free loopback port with a temporary data directory, opens its
first page in Debian's Chromium (headless, 360x740 like a phone) and adds up,
from the browser's own network log (CDP ``Network.loadingFinished``), every
request of the load: how many, the bytes that crossed the wire (headers and
compressed bodies) and the bytes of the files themselves. Then it loads the
page again in the same browser (service workers blocked, so this is HTTP
caching alone), where long-lived caching should leave only the page itself and
the session call to fetch. With ``--throttle-kbps`` the link is
slowed like a poor mobile connection (with 150 ms latency) and the time to the
``load`` event is printed too.

Figures are printed, never asserted: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import _repo  # noqa: F401  (this checkout first on sys.path, before pygotchi)

CHROMIUM = os.environ.get("PYGOTCHI_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(repo: Path, data: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(repo)}
    proc = subprocess.Popen([sys.executable, "-m", "pygotchi", "--host", "127.0.0.1",
                             "--port", str(port), "--data-dir", str(data)],
                            cwd=str(data), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


def measure(page, cdp, url: str) -> dict:
    finished: dict[str, float] = {}
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}
    cached: set[str] = set()
    revalidated: set[str] = set()

    def response(e: dict) -> None:
        urls[e["requestId"]] = e["response"]["url"]
        if e["response"].get("fromDiskCache") or e["response"].get("fromServiceWorker"):
            cached.add(e["requestId"])
        if e["response"]["status"] == 304:
            revalidated.add(e["requestId"])

    cdp.on("Network.responseReceived", response)
    cdp.on("Network.requestServedFromCache", lambda e: cached.add(e["requestId"]))
    cdp.on("Network.dataReceived",
           lambda e: sizes.__setitem__(e["requestId"],
                                       sizes.get(e["requestId"], 0) + e["dataLength"]))
    cdp.on("Network.loadingFinished",
           lambda e: finished.__setitem__(e["requestId"], e["encodedDataLength"]))
    began = time.monotonic()
    page.goto(url, wait_until="load")
    elapsed = time.monotonic() - began
    page.wait_for_load_state("networkidle")
    wire = sum(finished.values())
    body = sum(sizes.get(r, 0) for r in finished)
    return {"requests": len(finished), "network": len(set(finished) - cached),
            "not_modified": len(revalidated & set(finished)), "wire_bytes": int(wire),
            "file_bytes": body,
            "seconds": round(elapsed, 2),
            "fetched": sorted(u.replace(url, "") for r, u in urls.items() if r in finished)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", type=Path, default=Path(__file__).resolve().parent.parent)
    ap.add_argument("--throttle-kbps", type=int, default=0)
    ap.add_argument("--list", action="store_true", help="print every URL fetched")
    opts = ap.parse_args()
    from playwright.sync_api import sync_playwright

    data = Path(tempfile.mkdtemp(prefix="pygotchi-weight-"))
    proc, url = start_server(opts.repo.resolve(), data)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            # The service worker would answer the second load from its own cache and
            # hide what the HTTP caching does: measure the network alone.
            context = browser.new_context(viewport={"width": 360, "height": 740},
                                          service_workers="block")
            for label in ("first load", "second load"):
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                if opts.throttle_kbps:
                    rate = opts.throttle_kbps * 1000 / 8
                    cdp.send("Network.emulateNetworkConditions", {
                        "offline": False, "latency": 150,
                        "downloadThroughput": rate, "uploadThroughput": rate})
                result = measure(page, cdp, f"{url}/")
                print(f"{label}: {result['requests']} requests "
                      f"({result['network']} to the server, {result['not_modified']} of them 304), "
                      f"{result['wire_bytes']:,} bytes on the wire, "
                      f"{result['file_bytes']:,} bytes of content, "
                      f"{result['seconds']} s to the load event")
                if opts.list:
                    print(json.dumps(result["fetched"], indent=1))
                page.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
