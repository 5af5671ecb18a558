"""The ROM library: everyone signed in lists it, administrators add and remove ROMs."""

from __future__ import annotations

import threading

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from pygotchi.emu import RomError, load_rom
from pygotchi.server.api.deps import Services, services
from pygotchi.server.auditlog import audit
from pygotchi.server.auth import AdminUser, CurrentUser
from pygotchi.server.errors import ApiError
from pygotchi.server.logs import event
from pygotchi.server.romlib import rom_json
from pygotchi.server.schemas import SIGNED_IN, errors
from pygotchi.server.uploads import read_upload
from pygotchi.store import roms as rom_store

router = APIRouter(prefix="/api/roms", tags=["roms"], responses=SIGNED_IN)
# Adding and deleting take turns, so a ROM re-uploaded while it is being deleted
# never ends up as a row without its file.
_library_lock = threading.Lock()



class RomOut(BaseModel):
    id: str = Field(description="sha256 of the ROM's canonical bytes")
    name: str
    model: str
    model_name: str
    chip: str
    words: int
    builtin: bool = Field(description="the demo ROM that ships with pygotchi")
    uploaded_at: str


_UPLOAD_DOC = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary"}, "name": {"type": "string"}},
}}}}}


@router.get("", response_model=list[RomOut])
def list_roms(request: Request, user: CurrentUser) -> list[dict]:
    with services(request).db.session() as s:
        return [rom_json(r) for r in rom_store.list_roms(s)]


def _store(svc: Services, data: bytes, name: str | None, user_id: int) -> tuple[dict, bool]:
    try:
        rom = load_rom(data)
    except RomError as exc:
        raise ApiError(422, "bad_rom", str(exc)) from None
    with _library_lock, svc.db.session() as s:
        svc.rom_files.write(rom.data)  # the file first: a row never points at nothing
        record, created = rom_store.add_rom(
            s, sha256=rom.sha256, name=(name or rom.model.name)[:100], model=rom.model.id,
            chip=rom.chip, words=len(rom.words), uploaded_by=user_id)
        s.commit()
        return rom_json(record), created


@router.post("", status_code=201, openapi_extra=_UPLOAD_DOC, response_model=RomOut,
             responses={200: {"model": RomOut, "description": "this ROM was already in "
                              "the library"}, **errors(400, 413, 507)})
async def upload_rom(request: Request, admin: AdminUser) -> JSONResponse:
    svc = services(request)
    data, fields = await read_upload(request, svc.settings.max_upload_bytes, "ROM")
    name = (fields.get("name") or "").strip() or None
    body, created = await run_in_threadpool(_store, svc, data, name, admin.user_id)
    event("rom_added" if created else "rom_exists", rom=body["id"], model=body["model"],
          by=admin.user_id)
    if created:
        await run_in_threadpool(audit, svc.db, request, "rom_added", admin, f"rom:{body['id']}",
                                model=body["model"])
    return JSONResponse(body, status_code=201 if created else 200)


@router.delete("/{rom_id}", status_code=204, response_class=Response,
               responses=errors(404, 409, 507))
def delete_rom(rom_id: str, request: Request, admin: AdminUser) -> Response:
    svc = services(request)
    with _library_lock, svc.db.session() as s:
        record = rom_store.get_rom(s, rom_id.lower())
        if record is None:
            raise ApiError(404, "not_found", "there is no such ROM")
        if record.builtin:
            raise ApiError(409, "builtin", "the built-in demo ROM cannot be deleted")
        using = rom_store.pets_using(s, record.sha256)
        if using:
            raise ApiError(409, "in_use", f"{using} pet(s) run this ROM: delete them first")
        rom_store.delete_rom(s, record.sha256)
        s.commit()
        svc.rom_files.delete(record.sha256)
    event("rom_deleted", rom=record.sha256, by=admin.user_id)
    audit(svc.db, request, "rom_deleted", admin, f"rom:{record.sha256}")
    return Response(status_code=204)
