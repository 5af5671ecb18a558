"""The IR lab API without a transceiver: saved items, import/export, decode/encode/edit.

Saved items are their owner's only (404 for everyone else, as for pets); bad input
is a 422 with a sentence naming what is wrong, and nothing is stored.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from pygotchi.ir.builders import Gift, Identity, Visit, build_conversation
from pygotchi.ir.files import dumps_tgir, frames_to_flipper, read_tgir
from pygotchi.ir.loader import load_text
from pygotchi.ir.message import Message

# SPEC.md §2.5: ALICE (Pipotchi, DE5A) visits BOB (Wooltchi, BF22) with music notes.
VISIT = [
    "0E 00 DE 5A 28 00 0B 08 02 04 02 00 23 00 06 00 00 00 0A BC",
    "0E 01 BF 22 2C 01 0E 01 A0 A0 00 64 22 00 00 00 00 00 0A FC",
    "0E 08 DE 5A 28 00 0B 08 02 04 03 00 00 00 00 00 00 00 00 92",
    "0E 09 BF 22 2C 01 0E 01 A0 A0 03 00 00 00 00 00 00 00 00 77",
]
BAD_BITS = "0" * 159 + "2"


def error_of(r) -> tuple[int, str, str]:
    body = r.json()
    assert set(body) == {"error", "message"} and body["message"], body
    return r.status_code, body["error"], body["message"]


def new_item(user, **body) -> dict:
    r = user.call("POST", "/api/ir/items", json={"name": "Visit", "frames": VISIT, **body})
    assert r.status_code == 201, r.text
    return r.json()


def count(user) -> int:
    return len(user.call("GET", "/api/ir/items").json())


# -- saved items -------------------------------------------------------------------------------


def test_items_round_trip(world):
    owner = world.owner
    item = new_item(owner, notes="from SPEC.md", source="imported")
    assert item["kind"] == "conversation" and item["source"] == "imported"
    assert item["activity"] == "visit" and item["consistent"] is True and item["count"] == 4
    assert [f["hex"] for f in item["frames"]] == VISIT
    assert item["frames"][0]["fields"]["name"] == "ALICE"
    assert item["frames"][1]["fields"]["character_name"] == "Wooltchi"
    assert item["conversation"]["issues"] == []

    listed = owner.call("GET", "/api/ir/items").json()
    assert item["id"] in [i["id"] for i in listed]
    assert "frames" not in listed[0]  # the list is brief

    # Edit: a frame of message 4 with a wrong answer type, and a new name.
    m4 = Message.from_hex(VISIT[3]).replace(type=0x05).hex
    r = owner.call("PATCH", f"/api/ir/items/{item['id']}",
                   json={"name": "  Visit, edited ", "notes": "two\nlines",
                         "frames": VISIT[:3] + [m4]})
    assert r.status_code == 200, r.text
    changed = r.json()
    assert changed["name"] == "Visit, edited" and changed["notes"] == "two\nlines"
    assert changed["consistent"] is False
    assert any("does not answer" in i["text"] for i in changed["conversation"]["issues"])
    assert changed["updated_at"] >= item["updated_at"]

    assert owner.call("DELETE", f"/api/ir/items/{item['id']}").status_code == 204
    assert error_of(owner.call("GET", f"/api/ir/items/{item['id']}"))[:2] == (404, "not_found")


def test_frames_items_keep_any_frames_and_incomplete_conversations(world):
    owner = world.owner
    legacy = "0C 00 12 34 00 00 00 00 52"  # a 9-byte compatibility-mode frame
    frames = new_item(owner, kind="frames", frames=[VISIT[1], legacy])
    assert [f["format"] for f in frames["frames"]] == ["2024", "legacy"]
    assert frames["activity"] is None and frames["conversation"] is None
    bits = Message.from_hex(VISIT[0]).bits
    half = new_item(owner, frames=[bits, None, None, None])  # bits are fine too
    assert half["frames"][0]["hex"] == VISIT[0] and half["frames"][1:] == [None, None, None]
    assert half["conversation"]["complete"] is False
    for item in (frames, half):
        owner.call("DELETE", f"/api/ir/items/{item['id']}")


def test_items_are_their_owners_only(world):
    item = new_item(world.owner)
    path = f"/api/ir/items/{item['id']}"
    for user in (world.other, world.admin):
        assert item["id"] not in [i["id"] for i in user.call("GET", "/api/ir/items").json()]
        for method, url in (("GET", path), ("PATCH", path), ("DELETE", path),
                            ("GET", path + "/export?format=flipper")):
            kwargs = {"json": {"name": "mine now"}} if method == "PATCH" else {}
            assert error_of(user.call(method, url, **kwargs))[:2] == (404, "not_found")
    assert world.owner.call("GET", path).json()["name"] == "Visit"
    world.owner.call("DELETE", path)


@pytest.mark.parametrize(("body", "says"), [
    ({"frames": [VISIT[0], "0E 01 ZZ", None, None]}, "message 2: 'ZZ' is not a hex byte"),
    ({"frames": [VISIT[0], BAD_BITS, None, None]}, "invalid character '2' at position 159"),
    ({"frames": VISIT + [VISIT[0]]}, "a conversation has 4 message slots"),
    ({"frames": [None, None, None, None]}, "needs at least one message"),
    ({"frames": ["0E 00 DE"], "kind": "frames"}, "frame 1: wrong length: 3 bytes"),
    ({"frames": [VISIT[0], None], "kind": "frames"}, "no empty slots"),
    ({"name": "   "}, "the name cannot be empty"),
    ({"name": "a\x07b"}, "control characters"),
    ({"source": "stolen"}, "source"),
])
def test_bad_items_are_refused_and_nothing_is_stored(world, body, says):
    owner = world.owner
    before = count(owner)
    status, _, message = error_of(owner.call("POST", "/api/ir/items",
                                             json={"name": "x", "frames": VISIT, **body}))
    assert status == 422 and says in message
    assert count(owner) == before


def test_a_bad_edit_leaves_the_item_as_it_was(world):
    item = new_item(world.owner)
    path = f"/api/ir/items/{item['id']}"
    r = world.owner.call("PATCH", path, json={"name": "new", "frames": [VISIT[0], "nope"]})
    assert error_of(r)[0] == 422
    again = world.owner.call("GET", path).json()
    assert again["name"] == "Visit" and [f["hex"] for f in again["frames"]] == VISIT
    world.owner.call("DELETE", path)


def test_the_number_of_saved_items_is_limited(serve):
    from tests.server.helpers import set_up_admin

    server = serve(max_ir_items_per_user=2)
    admin = set_up_admin(server)
    new_item(admin)
    new_item(admin)
    assert error_of(admin.call("POST", "/api/ir/items",
                               json={"name": "x", "frames": VISIT}))[:2] == (409,
                                                                             "too_many_items")
    tgir = dumps_tgir([build_conversation(Identity("A"), Identity("B"), Visit())])
    assert error_of(admin.call("POST", "/api/ir/import", json={"text": tgir}))[0] == 409
    assert count(admin) == 2
    admin.close()


# -- export and import -------------------------------------------------------------------------


def test_export_as_tgir_and_flipper_and_import_again(world):
    owner = world.owner
    item = new_item(owner, name="Music visit")
    r = owner.call("GET", f"/api/ir/items/{item['id']}/export?format=tgir")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert 'filename="Music-visit.tgir"' in r.headers["content-disposition"]
    (conv,) = read_tgir(r.text)
    assert [m.hex for m in conv.messages] == VISIT and conv.name == "Music visit"
    assert "id" not in json.loads(r.text)[0]  # importing never overwrites

    imported = owner.call("POST", "/api/ir/import",
                          files={"file": ("again.tgir", r.content, "application/json")})
    assert imported.status_code == 201, imported.text
    (again,) = imported.json()["items"]
    assert again["name"] == "Music visit" and again["source"] == "imported"
    copy = owner.call("GET", f"/api/ir/items/{again['id']}").json()
    assert [f["hex"] for f in copy["frames"]] == VISIT

    r = owner.call("GET", f"/api/ir/items/{item['id']}/export?format=flipper")
    assert r.status_code == 200 and r.text.startswith("Filetype: IR signals file")
    loaded = load_text(r.text)
    assert [i.frame.hex for i in loaded.items] == VISIT

    everything = owner.call("GET", "/api/ir/export")
    assert everything.status_code == 200
    assert ".tgir" in everything.headers["content-disposition"]
    assert len(read_tgir(everything.text)) >= 2
    for i in (item, again):
        owner.call("DELETE", f"/api/ir/items/{i['id']}")


def test_only_complete_conversations_export_as_tgir(world):
    owner = world.owner
    frames = new_item(owner, kind="frames", frames=VISIT[:2])
    half = new_item(owner, frames=[VISIT[0], None, VISIT[2], None])
    for item in (frames, half):
        r = owner.call("GET", f"/api/ir/items/{item['id']}/export?format=tgir")
        assert error_of(r)[:2] == (409, "not_exportable")
        flipper = owner.call("GET", f"/api/ir/items/{item['id']}/export?format=flipper")
        assert flipper.status_code == 200
        owner.call("DELETE", f"/api/ir/items/{item['id']}")


def test_import_guesses_the_format(world):
    owner = world.owner
    before = count(owner)
    # A .tgir with two conversations: one item each, names kept.
    gift = build_conversation(Identity("ANN"), Identity("BEN"), Gift("Cake"), name="cake")
    visit = replace(build_conversation(Identity("CAT"), Identity("DAN"), Visit("Ball")), name="")
    r = owner.call("POST", "/api/ir/import", json={"text": dumps_tgir([gift, visit]),
                                                   "name": "pack"})
    assert r.status_code == 201, r.text
    names = [i["name"] for i in r.json()["items"]]
    assert names == ["cake", "pack 2"]
    # Four hex lines in conversation order: a conversation.
    r = owner.call("POST", "/api/ir/import", json={"text": "\n".join(VISIT)})
    assert [(i["kind"], i["count"]) for i in r.json()["items"]] == [("conversation", 4)]
    # A Flipper file with two frames: one list of frames, named after the file.
    flipper = frames_to_flipper([Message.from_hex(VISIT[2]), Message.from_hex(VISIT[0])])
    r = owner.call("POST", "/api/ir/import",
                   files={"file": ("capture.ir", flipper.encode(), "text/plain")},
                   data={"name": "flipper capture"})
    assert [(i["kind"], i["name"], i["count"]) for i in r.json()["items"]] == [
        ("frames", "flipper capture", 2)]
    # Without a name: named after the file, not "Imported".
    r = owner.call("POST", "/api/ir/import",
                   files={"file": ("Ball game.ir", flipper.encode(), "text/plain")})
    assert [i["name"] for i in r.json()["items"]] == ["Ball game"]
    assert count(owner) == before + 5
    for item in owner.call("GET", "/api/ir/items").json()[:5]:
        owner.call("DELETE", f"/api/ir/items/{item['id']}")


@pytest.mark.parametrize(("kwargs", "status", "says"), [
    ({"json": {"text": VISIT[0] + "\n0E 01 BF"}}, 422, "line 2: wrong length"),
    ({"json": {"text": "certainly not a capture"}}, 422, "cannot tell what the input is"),
    ({"json": {"text": "[]"}}, 422, "holds nothing"),
    ({"json": {"nothing": 1}}, 422, "text is required"),
    ({"content": b"0E 00", "headers": {"Content-Type": "text/plain"}}, 422, "send JSON"),
    ({"files": {"wrong": ("a.ir", b"x")}}, 422, "no file field named 'file'"),
    # Binary junk: refused as such, without its bytes garbled into the message.
    ({"files": {"file": ("junk.ir", bytes(range(256)) * 4)}}, 422, "is not a text file"),
    ({"files": {"file": ("junk.ir", b"\x89PNG\r\n\x1a\n\x00\x00")}}, 422, "not a text"),
])
def test_bad_imports_store_nothing(world, kwargs, status, says):
    owner = world.owner
    before = count(owner)
    got, _, message = error_of(owner.call("POST", "/api/ir/import", **kwargs))
    assert got == status and says in message
    assert message.isprintable() and "\ufffd" not in message
    assert count(owner) == before


# -- decode, encode, edit, fields -------------------------------------------------------------


def test_decode_any_text_or_file(world):
    user = world.other
    body = user.call("POST", "/api/ir/decode", json={"text": VISIT[0]}).json()
    (frame,) = body["frames"]
    assert frame["checksum_ok"] and frame["role"] == 1 and frame["error"] is None
    assert frame["bits"] == Message.from_hex(VISIT[0]).bits
    assert frame["fields"]["character_name"] == "Pipotchi"

    # One bad line does not hide the good ones: each says why.
    text = f"{VISIT[0]}\n0E 01 BF\n{Message.from_hex(VISIT[2]).replace(name='ZED').hex}"
    frames = user.call("POST", "/api/ir/decode", json={"text": text}).json()["frames"]
    assert [f["error"] is None for f in frames] == [True, False, True]
    assert "wrong length" in frames[1]["error"] and frames[1]["error_kind"] == "length"
    assert frames[2]["fields"]["name"] == "ZED__"

    upload = frames_to_flipper([Message.from_hex(v) for v in VISIT])
    r = user.call("POST", "/api/ir/decode",
                  files={"file": ("visit.ir", upload.encode(), "text/plain")})
    assert r.json()["kind"] == "flipper"
    assert [f["hex"] for f in r.json()["frames"]] == VISIT

    # A conversation's four slots: the consistency check comes with it.
    r = user.call("POST", "/api/ir/decode", json={"messages": [VISIT[0], VISIT[1], None,
                                                               VISIT[0]]})
    (conv,) = r.json()["conversations"]
    assert not conv["consistent"] and conv["frames"][2] is None
    assert any(i["message"] == 4 for i in conv["issues"])


def test_decode_refuses_what_it_cannot_read(world):
    user = world.other
    assert error_of(user.call("POST", "/api/ir/decode", json={"text": "  "}))[0] == 422
    assert error_of(user.call("POST", "/api/ir/decode", json={}))[0] == 422
    assert error_of(user.call("POST", "/api/ir/decode", content=b"{not json",
                              headers={"Content-Type": "application/json"}))[2] == \
        "the body is not valid JSON"
    r = user.call("POST", "/api/ir/decode", json={"messages": ["0E", None, None, None]})
    assert error_of(r)[2].startswith("message 1: wrong length")


def test_encode_builds_conversations_messages_and_answers(world):
    user = world.other
    r = user.call("POST", "/api/ir/encode", json={"build": {
        "initiator": {"name": "ALICE", "character": "Pipotchi", "gender": "girl",
                      "device_id": 0xDE5A},
        "responder": {"name": "BOB", "character": 44, "device_id": 0xBF22},
        "activity": {"kind": "gift", "item": "Cake", "pregift": "look at the moon"}}})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["conversation"]["consistent"] and len(body["frames"]) == 4
    assert [f["role"] for f in body["frames"]] == [1, 2, 3, 4]
    assert body["frames"][3]["fields"]["gift_item_name"].lower().startswith("cake")
    assert body["frames"][0]["fields"]["device_id"] == 0xDE5A

    game = user.call("POST", "/api/ir/encode", json={"build": {"activity": {
        "kind": "game", "game": "Points", "wager": 12, "winner": "responder"}}}).json()
    assert game["frames"][2]["fields"]["wager"] == 12

    one = user.call("POST", "/api/ir/encode",
                    json={"fields": {"type": 1, "name": "PIA", "character": "Mametchi"}})
    (frame,) = one.json()["frames"]
    assert frame["role"] == 2 and frame["checksum_ok"] and frame["fields"]["name"] == "PIA__"

    answer = user.call("POST", "/api/ir/encode", json={"answer": {
        "identity": {"name": "BOB"}, "incoming": VISIT[2]}}).json()
    (reply,) = answer["frames"]
    assert reply["role"] == 4 and reply["fields"]["visit_activity"] == 3


@pytest.mark.parametrize(("body", "says"), [
    ({"build": {"initiator": {"name": "TOOLONG"}}}, "the toy keeps 5"),
    ({"build": {"activity": {"kind": "visit", "activity": "Dance"}}}, "not a known visit"),
    ({"fields": {"colour": "red"}}, "unknown field 'colour'"),
    ({"fields": {"character": 300}}, "character must be 0-255"),
    ({"answer": {"incoming": VISIT[1]}}, "answers a message 1 or a message 3"),
    ({"build": {}, "fields": {}}, "exactly one of"),
    ({}, "exactly one of"),
])
def test_encode_explains_bad_descriptions(world, body, says):
    status, _, message = error_of(world.other.call("POST", "/api/ir/encode", json=body))
    assert status == 422 and says in message


def test_edit_flips_bits_writes_fields_and_fixes_checksums(world):
    user = world.other
    flipped = user.call("POST", "/api/ir/edit", json={"frame": VISIT[0], "flip": [39]}).json()
    assert flipped["hex"].split()[4] == "29" and flipped["checksum_ok"] is False
    assert flipped["checksum"] == 0xBC and flipped["expected_checksum"] == 0xBD
    fixed = user.call("POST", "/api/ir/edit",
                      json={"frame": flipped["bits"], "fix_checksum": True}).json()
    assert fixed["checksum_ok"] and fixed["hex"].endswith("BD")

    named = user.call("POST", "/api/ir/edit",
                      json={"frame": VISIT[0], "set": {"character": "Mametchi"}}).json()
    assert named["fields"]["character"] == 19 and named["checksum_ok"]
    kept = user.call("POST", "/api/ir/edit", json={
        "frame": VISIT[0], "set": {"gender": "girl"}, "fix_checksum": False}).json()
    assert not kept["checksum_ok"] and kept["fields"]["gender_name"] == "girl"

    legacy = "0C 00 12 34 00 00 00 00 52"
    r = user.call("POST", "/api/ir/edit", json={"frame": legacy, "flip": [0]})
    assert r.json()["format"] == "legacy" and r.json()["hex"].startswith("0D")


@pytest.mark.parametrize(("body", "says"), [
    ({"frame": VISIT[0], "flip": [160]}, "bit 160 does not exist"),
    ({"frame": VISIT[0], "set": {"gender": "robot"}}, "not a known gender"),
    ({"frame": VISIT[0], "set": {"nope": 1}}, "unknown field 'nope'"),
    ({"frame": "0C 00 12 34 00 00 00 00 52", "set": {"name": "A"}}, "only Connection 2024"),
    ({"frame": "0E 00"}, "the frame: wrong length"),
])
def test_edit_explains_bad_changes(world, body, says):
    status, _, message = error_of(world.other.call("POST", "/api/ir/edit", json=body))
    assert status == 422 and says in message


def test_fields_list_every_field_with_its_bits_and_choices(world):
    body = world.other.call("GET", "/api/ir/fields").json()
    by_name = {f["name"]: f for f in body["fields"]}
    assert by_name["gender"]["bits"] == [87]  # b10 bit 0 is the 88th bit on air
    assert by_name["device_id"]["bits"] == list(range(16, 32))
    character = {c["label"]: c["value"] for c in by_name["character"]["choices"]}
    assert character["Pipotchi"] == 40
    assert {c["value"] for c in by_name["type"]["choices"]} >= {0, 1, 8, 9}
    assert by_name["wager"]["choices"] is None and by_name["wager"]["max"] == 255
    assert {"A", "_"} <= {c["label"] for c in body["letters"]}
