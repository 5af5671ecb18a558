"""``python -m pygotchi ir ...`` as a user runs it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pygotchi.cli import main
from pygotchi.ir import files, loader

from .conftest import REPO, load_vectors, vector_file

HEX = re.compile(r"^([0-9A-F]{2} ){19}[0-9A-F]{2}$")
VISIT_M1 = "0E 00 DE 5A 28 00 0B 08 02 04 02 00 23 00 06 00 00 00 0A BC"


def _error_line(stderr: str) -> str:
    """The CLI's one-line error (other rooms may print notes before it)."""
    return next((ln for ln in stderr.splitlines() if ln.startswith("error: ")), "")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["ir", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str) -> dict[str, Any]:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_decode_hex_string(capsys) -> None:
    data = run_json(capsys, "decode", VISIT_M1)
    (frame,) = data["frames"]
    assert frame["hex"] == VISIT_M1 and HEX.match(frame["hex"])
    assert frame["checksum_ok"] is True
    f = frame["fields"]
    assert (f["type"], f["device_id"], f["character_name"], f["name"]) == (
        0,
        0xDE5A,
        "Pipotchi",
        "ALICE",
    )
    assert f["gender_name"] == "boy"


def test_decode_bad_strings_carry_errors(capsys) -> None:
    frame = run_json(capsys, "decode", "10010101")["frames"][0]
    assert "hex" not in frame and "8 bits" in frame["error"]
    typo = "0000111000000000" * 5 + "O" + "0" * 79
    frame = run_json(capsys, "decode", typo)["frames"][0]
    assert "hex" not in frame and frame["error_kind"] == "characters"
    assert "invalid character 'O' at position 80" in frame["error"]


def test_decode_raw_captures(tmp_path: Path, capsys) -> None:
    captures = load_vectors("raw_captures.json")
    for n, capture in enumerate(captures["connection2024"] + captures["legacy"]):
        path = tmp_path / f"capture{n}.txt"
        path.write_text(" ".join(map(str, capture["timings_us"])), encoding="utf-8")
        frames = run_json(capsys, "decode", str(path))["frames"]
        if capture.get("expected_hex"):
            assert [f["hex"] for f in frames] == [capture["expected_hex"]]
            assert frames[0]["checksum_ok"] is True
        else:
            assert len(frames) == 1 and "mark at index 8" in frames[0]["error"]
            assert run(capsys, "decode", str(path), "--strict")[0] == 1


def test_decode_flipper_file(tmp_path: Path, capsys) -> None:
    capture = load_vectors("raw_captures.json")["connection2024"][0]
    path = tmp_path / "toy.ir"
    path.write_text(
        "Filetype: IR signals file\nVersion: 1\n#\nname: Toy\ntype: raw\nfrequency: 38000\n"
        f"duty_cycle: 0.330000\ndata: {' '.join(map(str, capture['timings_us']))}\n",
        encoding="utf-8",
    )
    frames = run_json(capsys, "decode", str(path))["frames"]
    assert [f["hex"] for f in frames] == [capture["expected_hex"]]
    assert frames[0]["fields"]["name"] == "ZACH\u2605"
    code, out, _ = run(capsys, "decode", str(path))
    assert code == 0 and "ZACH" in out and capture["expected_hex"] in out


def test_decode_tgir(capsys) -> None:
    data = run_json(capsys, "decode", str(vector_file("starter-pack_5b43470.tgir")))
    assert len(data["frames"]) == 12 and all(HEX.match(f["hex"]) for f in data["frames"])
    assert [c["consistent"] for c in data["conversations"]] == [True, True, True]


def test_unusable_input_is_a_clean_error(tmp_path: Path, capsys) -> None:
    code, out, err = run(capsys, "decode", str(tmp_path / "nope.ir"))
    assert code == 2 and _error_line(err).startswith("error: no such file")
    assert "Traceback" not in err
    bad = tmp_path / "bad.tgir"
    bad.write_text('[{"message1": 7}]', encoding="utf-8")
    assert run_json(capsys, "decode", str(bad))["frames"][0]["error"]
    code, _, err = run(capsys, "decode", "what is this")
    assert code == 2 and "cannot tell" in err


def test_encode_build_and_reimport(tmp_path: Path, capsys) -> None:
    out = tmp_path / "gift.tgir"
    code, _, err = run(
        capsys,
        "encode",
        "--name",
        "ALICE",
        "--character",
        "Pipotchi",
        "--id",
        "0x8CF6",
        "--peer-name",
        "BOB",
        "--peer-id",
        "48930",
        "--gift",
        "Pizza",
        "--pregift",
        "3",
        "--to",
        "tgir",
        "--title",
        "pizza",
        "-o",
        str(out),
    )
    assert code == 0, err
    (conv,) = files.read_tgir(out.read_text(encoding="utf-8"))
    assert conv.name == "pizza" and conv.consistent
    assert conv[4].label("gift_item") == "Pizza" and conv[4].get("pregift_activity") == 3
    assert conv[1].device_id == 0x8CF6 and conv[2].device_id == 48930
    code, hexes, _ = run(capsys, "encode", str(out), "--message", "4", "--set", "gift_item=11")
    assert code == 0 and hexes.strip() == conv[4].hex
    code, flipper, _ = run(capsys, "encode", str(out), "--to", "flipper")
    assert [i.frame for i in loader.load_text(flipper).items] == list(conv.messages)


def test_encode_edits_and_errors(capsys) -> None:
    code, out, _ = run(capsys, "encode", VISIT_M1, "--set", "name=ZOE", "--to", "json")
    frame = json.loads(out)["frames"][0]
    assert frame["fields"]["name"] == "ZOE__" and frame["checksum_ok"]
    code, out, _ = run(capsys, "encode", VISIT_M1, "--to", "durations")
    assert len(out.split()) == 323
    for argv, message in [
        (["--visit", "Dance"], "choose from Scale"),
        (["--game", "Points", "--wager", "300"], "0-255"),
        ([VISIT_M1, "--set", "colour=1"], "unknown field"),
        ([VISIT_M1, "--set", "nonsense"], "FIELD=VALUE"),
        ([], "give INPUT"),
        ([VISIT_M1, "--to", "tgir"], "four 2024 messages"),
    ]:
        code, _, err = run(capsys, "encode", *argv)
        assert code == 2 and message in err, (argv, err)


def test_fields(capsys) -> None:
    code, out, _ = run(capsys, "fields")
    assert code == 0 and "gift_item" in out and "b14" in out
    code, out, _ = run(capsys, "fields", "character")
    assert "  40  Pipotchi" in out.splitlines()
    code, _, err = run(capsys, "fields", "wager")
    assert code == 2 and "number" in err


def test_ports(capsys) -> None:
    data = run_json(capsys, "ports")
    assert isinstance(data["ports"], list)


def test_listen_send_converse_with_the_fake(tmp_path: Path, capsys) -> None:
    saved = tmp_path / "rec.tgir"
    code, out, err = run(capsys, "listen", "--fake", "--count", "4", "--save", str(saved))
    assert code == 0, err
    assert out.count("frame ") == 4
    (conv,) = files.read_tgir(saved.read_text(encoding="utf-8"))
    assert conv.consistent and conv.activity == "visit"
    data = run_json(capsys, "converse", "initiate", "--fake", "--name", "ZOE", "--visit", "Ball")
    conv = data["conversation"]
    assert conv["consistent"] and conv["messages"][0]["fields"]["name"] == "ZOE__"
    data = run_json(capsys, "converse", "respond", "--fake", "--name", "BOB", "--gift", "Pizza")
    assert data["conversation"]["messages"][3]["fields"]["gift_item_name"] == "Pizza"
    code, out, _ = run(capsys, "send", VISIT_M1, "--fake", "--repeat", "2")
    assert code == 0 and out.strip() == f"sent {VISIT_M1}"


def test_serial_errors_are_clean(capsys) -> None:
    code, _, err = run(capsys, "send", VISIT_M1, "--port", "/nonexistent/tty")
    assert code == 2 and "cannot open" in err
    code, _, err = run(capsys, "send", "0C 06 1B D6 01 00 00 05 09", "--fake")
    assert code == 2 and "160-bit" in err


def test_module_entry_point() -> None:
    """The real command line, in a fresh interpreter: no traceback on bad input."""
    ok = subprocess.run(
        [sys.executable, "-m", "pygotchi", "ir", "decode", VISIT_M1, "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0 and json.loads(ok.stdout)["frames"][0]["hex"] == VISIT_M1
    bad = subprocess.run(
        [sys.executable, "-m", "pygotchi", "ir", "decode", "/nonexistent.ir"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and _error_line(bad.stderr) and "Traceback" not in bad.stderr


@pytest.mark.parametrize("command", ["decode", "encode", "listen", "send", "converse"])
def test_help(command: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["ir", command, "--help"])
    assert exit_.value.code == 0
    assert "usage" in capsys.readouterr().out
