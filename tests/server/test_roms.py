"""The ROM library: validated uploads, stored once by sha256, the built-in demo."""

from __future__ import annotations

import hashlib

import pytest

from tests.server.databases import stored_roms
from tests.server.helpers import echo_rom, set_up_admin


def test_demo_is_listed_and_cannot_be_deleted(world):
    roms = world.owner.call("GET", "/api/roms").json()
    demo = next(r for r in roms if r["builtin"])
    assert demo["name"] == "Echo test ROM" and demo["id"] == hashlib.sha256(echo_rom()).hexdigest()
    assert demo["chip"] == "E0C6S46" and demo["words"] == 6144
    r = world.admin.call("DELETE", f"/api/roms/{demo['id']}")
    assert r.status_code == 409 and r.json()["error"] == "builtin"


def test_a_wrong_file_is_refused_and_nothing_stored(world):
    before = stored_roms(world.server.services.rom_files)
    for junk in (b"", b"hello, this is not a ROM", bytes(range(256)) * 7, b"\x00" * 12289):
        r = world.admin.call("POST", "/api/roms", files={"file": ("rom.bin", junk)})
        assert r.status_code == 422, r.text
        assert r.json()["error"] == "bad_rom" and len(r.json()["message"]) > 20
    assert stored_roms(world.server.services.rom_files) == before
    assert len(world.admin.call("GET", "/api/roms").json()) == 1


def test_upload_needs_a_file_field(world):
    r = world.admin.call("POST", "/api/roms", files={"rom": ("rom.bin", echo_rom())})
    assert r.status_code == 422 and "file" in r.json()["message"]
    r = world.admin.call("POST", "/api/roms", content=echo_rom())
    assert r.status_code == 422 and "multipart" in r.json()["message"]


def test_upload_size_is_limited(serve):
    server = serve(max_upload_bytes=16 * 1024)
    admin = set_up_admin(server)
    big = b"\x01\x02" * 40_000  # 80 kB: over the limit plus the form allowance
    r = admin.call("POST", "/api/roms", files={"file": ("rom.bin", big)})
    assert r.status_code == 413 and r.json()["error"] == "too_large"

    def chunks():  # no Content-Length: the limit applies while the body streams in
        yield (b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="r.bin"\r\n'
               b"Content-Type: application/octet-stream\r\n\r\n")
        for _ in range(100):
            yield b"\x01" * 4096
        yield b"\r\n--xyz--\r\n"

    r = admin.call("POST", "/api/roms", content=chunks(),
                   headers={"Content-Type": "multipart/form-data; boundary=xyz"})
    assert r.status_code == 413 and r.json()["error"] == "too_large"
    mid = b"\x01\x02" * 10_000  # 20 kB: passes the body limit, not the file limit
    r = admin.call("POST", "/api/roms", files={"file": ("rom.bin", mid)})
    assert r.status_code == 413
    admin.close()


def test_upload_is_stored_once_and_shared(world, p1_rom):
    data = p1_rom.read_bytes()
    first = world.admin.call("POST", "/api/roms", files={"file": ("p1.bin", data)},
                             data={"name": "My P1"})
    assert first.status_code == 201, first.text
    rom = first.json()
    assert rom["model"] == "p1" and rom["model_name"] == "Tamagotchi P1"
    assert rom["name"] == "My P1" and rom["builtin"] is False
    again = world.admin.call("POST", "/api/roms", files={"file": ("copy.bin", data)})
    assert again.status_code == 200 and again.json()["id"] == rom["id"]
    assert rom["id"] in stored_roms(world.server.services.rom_files)  # under its sha256
    a = world.owner.new_pet("One", rom["id"])
    b = world.owner.new_pet("Two", rom["id"])
    assert a["rom"]["id"] == b["rom"]["id"] == rom["id"] and a["model"] == "p1"
    assert a["buttons"] == ["A", "B", "C"] and a["background"] == "p1"
    r = world.admin.call("DELETE", f"/api/roms/{rom['id']}")
    assert r.status_code == 409 and r.json()["error"] == "in_use"
    for pet in (a, b):
        world.owner.call("DELETE", f"/api/pets/{pet['id']}?confirm=yes")
    assert world.admin.call("DELETE", f"/api/roms/{rom['id']}").status_code == 204
    assert rom["id"] not in stored_roms(world.server.services.rom_files)
    assert world.admin.call("DELETE", f"/api/roms/{rom['id']}").status_code == 404


def test_builtin_demo_of_this_build(serve):
    pytest.importorskip("pygotchi.demo")
    from pygotchi.server.app import _NO_DEMO

    server = serve(demo=_NO_DEMO)
    admin = set_up_admin(server)
    roms = admin.call("GET", "/api/roms").json()
    assert [r["builtin"] for r in roms] == [True]
    pet = admin.new_pet("Sprout", "demo")
    assert pet["rom"]["id"] == roms[0]["id"] and pet["status"] == "running"
    admin.close()


def test_without_a_demo_rom_pets_need_an_uploaded_one(serve):
    server = serve(demo=None)
    admin = set_up_admin(server)
    assert admin.call("GET", "/api/roms").json() == []
    r = admin.call("POST", "/api/pets", json={"name": "x", "rom": "demo"})
    assert r.status_code == 422 and r.json()["error"] == "unknown_rom"
    admin.close()


def test_a_new_demo_keeps_the_old_ones_pets(serve):
    from tests.server.helpers import other_rom, sign_in

    first = serve(demo=("Old demo", echo_rom()))
    admin = set_up_admin(first)
    pet = admin.new_pet("Old timer", "demo")
    first.__exit__(None, None, None)
    admin.close()
    second = serve(demo=("New demo", other_rom()))
    admin = sign_in(second, "admin")
    roms = {r["name"]: r for r in admin.call("GET", "/api/roms").json()}
    assert roms["New demo"]["builtin"] and not roms["Old demo"]["builtin"]
    kept = admin.call("GET", f"/api/pets/{pet['id']}").json()
    assert kept["rom"]["name"] == "Old demo" and kept["status"] == "running"
    assert admin.new_pet("Newcomer", "demo")["rom"]["name"] == "New demo"
    admin.close()
