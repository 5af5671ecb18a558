"""Structured logs: one line per event, as ``key=value`` text or JSON.

Every line has a time, a level and an event name; the rest are fields given
with ``log.info("event", extra=fields(...))`` or the ``event()`` helper, so
that a person can read the text form and a machine can parse either.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import Any

LOGGER = "pygotchi"
# API tokens travel in websocket URLs (?token=...), which uvicorn logs: mask them.
_SECRET = re.compile(r"(token=)[^&\s\"']+|(pgt_)[A-Za-z0-9_-]+")


def redact(text: str) -> str:
    return _SECRET.sub(lambda m: (m.group(1) or m.group(2)) + "***", text)


def fields(**values: Any) -> dict[str, Any]:
    return {"fields": values}


def event(name: str, level: int = logging.INFO, **values: Any) -> None:
    logging.getLogger(LOGGER).log(level, name, extra=fields(**values))


def _timestamp(record: logging.LogRecord) -> str:
    t = time.gmtime(record.created)
    return time.strftime("%Y-%m-%dT%H:%M:%S", t) + f".{int(record.msecs):03d}Z"


def _text_value(value: Any) -> str:
    if isinstance(value, float):
        value = f"{value:.3f}".rstrip("0").rstrip(".")
    text = str(value)
    if not text or any(c in text for c in ' "=\n\t'):
        return json.dumps(text)
    return text


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        parts = [f"ts={_timestamp(record)}", f"level={record.levelname.lower()}",
                 f"event={_text_value(redact(record.getMessage()))}"]
        for key, value in getattr(record, "fields", {}).items():
            parts.append(f"{key}={_text_value(value)}")
        if record.name != LOGGER:
            parts.append(f"logger={record.name}")
        if record.exc_info:
            parts.append(f"error={_text_value(self.formatException(record.exc_info))}")
        return " ".join(parts)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {"ts": _timestamp(record), "level": record.levelname.lower(),
                               "event": redact(record.getMessage())}
        out.update(getattr(record, "fields", {}))
        if record.name != LOGGER:
            out["logger"] = record.name
        if record.exc_info:
            out["error"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def configure(fmt: str = "text", level: str = "info") -> None:
    """Send pygotchi's and uvicorn's logs to stderr in one format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_pygotchi", False):
            root.removeHandler(old)
    handler._pygotchi = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        lg.handlers.clear()
        lg.propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # we log requests ourselves
    logging.getLogger("alembic").setLevel(logging.WARNING)
