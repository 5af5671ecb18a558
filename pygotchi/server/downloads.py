"""Files the API hands out (pet states, IR exports): one way to name and send them."""

from __future__ import annotations

import re
import unicodedata

from fastapi import Response


def safe_filename(name: str, ext: str, fallback: str = "pet") -> str:
    """``name`` reduced to characters every browser and file system accept."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", ascii_name).strip("-.") or fallback
    return f"{slug}.{ext}"


def attachment(content: bytes | str, filename: str, media_type: str) -> Response:
    """A download that is never cached (it is someone's private pet or capture)."""
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})
