"""The ROM library as the API shows it, and the built-in demo ROM.

The demo ROM is stored like any uploaded ROM (file by sha256 + row), so pets
made from it keep running even if a later pygotchi ships a different demo:
that older demo simply stops being the ``builtin`` one.
"""

from __future__ import annotations

import importlib
import logging

from pygotchi.emu import RomError, load_rom
from pygotchi.emu.rom import MODELS_BY_ID, Model
from pygotchi.server.logs import event
from pygotchi.store import Database, RomStore
from pygotchi.store import roms as rom_store
from pygotchi.store.models import RomRecord

DEMO = "demo"


def model_of(model_id: str) -> Model:
    return MODELS_BY_ID.get(model_id) or MODELS_BY_ID["e0c6s46"]


def iso(dt) -> str:
    return dt.isoformat().replace("+00:00", "Z")


def rom_json(record: RomRecord) -> dict:
    model = model_of(record.model)
    return {"id": record.sha256, "name": record.name, "model": record.model,
            "model_name": model.name, "chip": record.chip, "words": record.words,
            "builtin": record.builtin, "uploaded_at": iso(record.uploaded_at)}


def rom_brief(record: RomRecord) -> dict:
    return {"id": record.sha256, "name": record.name, "model": record.model,
            "model_name": model_of(record.model).name}


def find_demo() -> tuple[str, bytes] | None:
    """(name, bytes) of the demo ROM shipped with this build, if there is one."""
    try:
        module = importlib.import_module("pygotchi.demo")
    except ImportError:
        return None
    try:
        return getattr(module, "DEMO_NAME", "Demo"), module.demo_rom_bytes()
    except Exception as exc:  # a broken demo must not keep the server from starting
        event("demo_rom_invalid", logging.ERROR, error=f"{type(exc).__name__}: {exc}")
        return None


def install_demo(db: Database, files: RomStore, demo: tuple[str, bytes] | None) -> str | None:
    """Store the demo ROM and mark it built-in; its sha256, or None without a demo."""
    if demo is None:
        event("demo_rom_missing", logging.WARNING,
              note="no pygotchi.demo in this build: only uploaded ROMs are available")
        return None
    name, data = demo
    try:
        rom = load_rom(data)
    except RomError as exc:
        event("demo_rom_invalid", logging.ERROR, error=str(exc))
        return None
    sha = files.write(rom.data)
    with db.session() as s:
        rom_store.add_rom(s, sha256=sha, name=name, model=rom.model.id, chip=rom.chip,
                          words=len(rom.words), builtin=True)
        rom_store.set_builtin(s, sha)
        s.commit()
    return sha
