"""``python -m pygotchi ir ...``: decode, encode, fields, ports, listen, send, converse.

Every command turns problems the user can fix into :class:`IrError` (shown as
``error: ...``, exit status 2). ``decode`` exits 0 when it could read the input,
even if some frames in it are undecodable (each says why, in text or in its JSON
``error``); ``--strict`` makes that, or a bad checksum, exit 1. ``--fake`` on the
serial commands runs them against the built-in fake transceiver and a simulated
toy, for trying things without hardware.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from pygotchi.ir import codec
from pygotchi.ir import fields as F
from pygotchi.ir.builders import (
    Activity,
    Game,
    Gift,
    Identity,
    Marriage,
    Visit,
    build_conversation,
    build_profile,
    build_request,
)
from pygotchi.ir.conversation import Conversation, group_conversations
from pygotchi.ir.errors import FieldError, IrError
from pygotchi.ir.files import dumps_tgir, frames_to_flipper
from pygotchi.ir.loader import Item, Loaded, load_frames
from pygotchi.ir.message import Message
from pygotchi.ir.ports import list_ports
from pygotchi.ir.session import CancelToken, Job, OnEvent, SessionEvent, initiate, respond, snoop

if TYPE_CHECKING:  # pyserial is only needed for the serial commands
    from pygotchi.ir.transceiver import Transceiver

# -- helpers ---------------------------------------------------------------------------------


def _frame_json(item: Item) -> dict[str, Any]:
    if item.frame is None:
        assert item.error is not None
        return {"source": item.source, "error": str(item.error), "error_kind": item.error.kind}
    kind = "2024" if isinstance(item.frame, Message) else "legacy"
    return {"source": item.source, "format": kind, **item.frame.to_dict()}


def _print_json(obj: Any, out: Any = None) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2), file=out or sys.stdout)


def _write_output(text: str, path: str | None) -> None:
    if not path or path == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
    except OSError as exc:
        raise IrError(f"cannot write {path}: {exc.strerror}") from None
    print(f"wrote {path}", file=sys.stderr)


def _parse_set(pairs: list[str]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise FieldError(f"--set wants FIELD=VALUE, got {pair!r}")
        F.field(name.strip())  # unknown field names fail here, with the list
        values[name.strip()] = value
    return values


# -- decode ------------------------------------------------------------------------------------


def cmd_decode(args: argparse.Namespace) -> int:
    loaded = load_frames(args.input)
    if not loaded.items:
        raise IrError(f"no frames found in {args.input}")
    if args.json:
        out: dict[str, Any] = {"frames": [_frame_json(item) for item in loaded.items]}
        if loaded.conversations:
            out["conversations"] = [_conversation_json(c) for c in loaded.conversations]
        if loaded.notes:
            out["notes"] = loaded.notes
        _print_json(out)
    else:
        for note in loaded.notes:
            print(f"note: {note}")
        for item in loaded.items:
            if item.frame is None:
                print(f"{item.source}: error: {item.error}")
                continue
            ok = "checksum ok" if item.frame.checksum_ok else "BAD CHECKSUM"
            print(f"{item.source}: {item.frame.hex}  ({ok})")
            print(f"    {item.frame.summary()}")
        for conv in loaded.conversations:
            issues = conv.check()
            verdict = "consistent" if conv.consistent else "INCONSISTENT"
            print(f"conversation {conv.name!r}: {conv.activity or '?'}, {verdict}")
            for issue in issues:
                print(f"    {issue}")
    failed = any(i.frame is None or not i.frame.checksum_ok for i in loaded.items)
    return 1 if args.strict and failed else 0


def _conversation_json(conv: Conversation) -> dict[str, Any]:
    return {
        "name": conv.name,
        "activity": conv.activity,
        "consistent": conv.consistent,
        "issues": [str(i) for i in conv.check()],
    }


# -- encode ------------------------------------------------------------------------------------


def _identity(args: argparse.Namespace, prefix: str = "") -> Identity:
    """``--name/--character/--gender/--id`` (or the ``--peer-...`` ones)."""
    device_id = getattr(args, prefix + "id")
    return Identity(
        name=getattr(args, prefix + "name"),
        character=getattr(args, prefix + "character"),
        gender=getattr(args, prefix + "gender"),
        device_id=None if device_id is None else _int(device_id, "--id"),
    )


def _int(text: str, what: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        raise IrError(f"{what} wants a number (decimal or 0x hex), not {text!r}") from None


def _activity(args: argparse.Namespace) -> Activity | None:
    chosen = [a for a in ("visit", "gift", "game", "marriage") if getattr(args, a) is not None]
    if len(chosen) > 1:
        raise IrError("choose one activity: --visit, --gift, --game or --marriage")
    if not chosen:
        return None
    if args.visit is not None:
        return Visit(args.visit)
    if args.gift is not None:
        return Gift(
            args.gift,
            pregift=args.pregift,
            with_visit=args.with_visit is not None,
            visit_activity=args.with_visit or 0,
        )
    if args.game is not None:
        return Game(
            args.game,
            wager=args.wager,
            winner=args.winner,
            choice=args.choice,
            notes=args.notes,
            data=None if args.game_data is None else _int(args.game_data, "--game-data"),
        )
    return Marriage(args.marriage)


def _frames_from_input(source: str) -> tuple[list[codec.AnyFrame], Loaded]:
    """Every frame of an input that must decode completely (to encode or send it)."""
    loaded = load_frames(source)
    bad = [i for i in loaded.items if i.frame is None]
    if bad:
        raise IrError(f"{bad[0].source}: {bad[0].error}")
    frames = [i.frame for i in loaded.items if i.frame is not None]
    if not frames:
        raise IrError(f"no frames found in {source}")
    return frames, loaded


def _pick(frames: list[codec.AnyFrame], number: int | None) -> list[codec.AnyFrame]:
    if number is None:
        return frames
    if not 1 <= number <= len(frames):
        raise IrError(f"--message {number}: there are {len(frames)} frames")
    return [frames[number - 1]]


def cmd_encode(args: argparse.Namespace) -> int:
    values = _parse_set(args.set or [])
    activity = _activity(args)
    conversations: list[Conversation] = []
    if args.input is not None:
        if activity is not None:
            raise IrError("give either INPUT or an activity to build, not both")
        frames, loaded = _frames_from_input(args.input)
        conversations = loaded.conversations
    else:
        if activity is None:
            raise IrError(
                "give INPUT to re-encode, or an activity to build "
                "(--visit, --gift, --game or --marriage)"
            )
        conv = build_conversation(
            _identity(args), _identity(args, "peer_"), activity, name=args.title or ""
        )
        conversations = [conv]
        frames = [m for m in conv.messages if m is not None]
    if args.message is not None:
        frames = _pick(frames, args.message)
        conversations = []
    if values:
        edited: list[codec.AnyFrame] = []
        for f in frames:
            if not isinstance(f, Message):
                raise IrError("--set only edits Connection 2024 messages")
            edited.append(f.with_fields(values, fix_checksum=not args.keep_checksum))
        frames = edited
        messages = tuple(f for f in edited if isinstance(f, Message))
        conversations = [Conversation(messages)] if len(messages) == 4 else []
    elif args.fix_checksum:
        frames = [f.fixed() for f in frames]
    _write_output(_render(frames, conversations, args), args.output)
    return 0


def _render(
    frames: list[codec.AnyFrame], conversations: list[Conversation], args: argparse.Namespace
) -> str:
    fmt = args.to
    if fmt == "hex":
        return "\n".join(f.hex for f in frames)
    if fmt == "bits":
        return "\n".join(f.bits for f in frames)
    if fmt == "durations":
        return "\n".join(" ".join(map(str, f.to_durations())) for f in frames)
    if fmt == "flipper":
        return frames_to_flipper(frames)
    if fmt == "tgir":
        if not conversations:
            if len(frames) != 4 or not all(isinstance(f, Message) for f in frames):
                raise IrError("a .tgir export needs the four 2024 messages of a conversation")
            messages = tuple(f for f in frames if isinstance(f, Message))
            conversations = [Conversation(messages, args.title or "")]
        return dumps_tgir(conversations, indent=2)
    items = [Item(f"frame {n}", f) for n, f in enumerate(frames, 1)]
    out: dict[str, Any] = {"frames": [_frame_json(i) for i in items]}
    if conversations:
        out["conversations"] = [c.to_dict() for c in conversations]
    return json.dumps(out, ensure_ascii=False, indent=2)


def cmd_fields(args: argparse.Namespace) -> int:
    if args.name is None:
        for f in F.FIELDS:
            where = f"b{f.byte}" if f.mask == 0xFF else f"b{f.byte} & 0x{f.mask:02X}"
            if f.kind in ("u16", "name"):
                where = f"b{f.bytes_used[0]}-b{f.bytes_used[-1]}"
            print(f"{f.name:20} {where:12} {f.label} [{f.source}]")
        print("letter               b5-b9        one name letter")
        return 0
    for choice in F.choices(args.name, untested=args.all):
        print(f"{choice.value:4}  {choice.label}")
    return 0


# -- serial commands ---------------------------------------------------------------------------


def cmd_ports(args: argparse.Namespace) -> int:
    ports = list_ports()
    if args.json:
        _print_json({"ports": [p.to_dict() for p in ports]})
        return 0
    if not ports:
        print("no serial ports found (plug the Pico or Flipper in with a data cable)")
    for p in ports:
        usb = f" [{p.usb_id}]" if p.usb_id else ""
        print(f"{p.device}: {p.guess}{usb} {p.description}")
    return 0


@contextmanager
def _transceiver(args: argparse.Namespace, demo: str) -> Iterator[Transceiver]:
    """The user's transceiver, or with ``--fake`` the fake one with ``demo`` toys."""
    from pygotchi.ir.transceiver import open_transceiver

    if args.fake:
        from pygotchi.ir.fake import FakeDevice

        # retain: a demo should not lose frames between listen windows
        with FakeDevice("pico", toys=_demo_toys(demo), window=0.5, retain=60) as device:
            with open_transceiver(device.port, "pico") as tr:
                yield tr
        return
    with open_transceiver(args.port, args.kind) as tr:
        print(f"using {tr.kind} transceiver on {tr.port.port}", file=sys.stderr)
        yield tr


def _run(session: Callable[[CancelToken, OnEvent], Any], timeout: float | None) -> Any:
    """Run a session in a worker thread, so that Ctrl+C cancels it cleanly."""
    job = Job(session, timeout=timeout).start()
    try:
        while not job.wait(0.2):
            pass
    except KeyboardInterrupt:
        job.cancel()
        job.wait(5)
    return job.result()  # a cancelled snoop returns what it heard; others raise


def _demo_toys(kind: str) -> list:
    from pygotchi.ir.fake import SimulatedToy

    alice = Identity("ALICE", "Pipotchi", "girl", 0xDE5A)
    bob = Identity("BOB", "Wooltchi", "boy", 0xBF22)
    if kind == "snoop":
        return [
            SimulatedToy(alice, "initiator", Visit("Music"), retry_interval=0.4),
            SimulatedToy(bob, "responder"),
        ]
    if kind == "initiator":
        return [SimulatedToy(alice, "initiator", Gift(), retry_interval=0.4)]
    return [SimulatedToy(bob, "responder", gift=Gift("Hamburger"))]


def _printer(args: argparse.Namespace, kinds: tuple[str, ...]) -> OnEvent:
    def show(event: SessionEvent) -> None:
        if not args.json and event.kind in kinds:
            print(f"{event.text}", flush=True)

    return show


def _both(first: OnEvent, second: OnEvent) -> OnEvent:
    def emit(event: SessionEvent) -> None:
        first(event)
        second(event)

    return emit


def cmd_listen(args: argparse.Namespace) -> int:
    show = _printer(args, ("received",))
    with _transceiver(args, "snoop") as tr:
        heard = _run(
            lambda token, emit: snoop(
                tr, token=token, max_frames=args.count, on_event=_both(emit, show)
            ),
            args.seconds,
        )
    conversations = group_conversations(heard, "recording")
    if args.json:
        frames = [_frame_json(Item(f"frame {n}", m)) for n, m in enumerate(heard, 1)]
        _print_json({"frames": frames, "conversations": [c.to_dict() for c in conversations]})
    elif not heard:
        print("nothing heard")
    if args.save:
        complete = [c for c in conversations if c.complete]
        if not complete:
            raise IrError("no complete conversation was recorded; nothing saved")
        _write_output(dumps_tgir(complete, indent=2), args.save)
    return 0


def cmd_send(args: argparse.Namespace) -> int:
    frames = _pick(_frames_from_input(args.input)[0], args.message)
    messages = [f for f in frames if isinstance(f, Message)]
    if len(messages) != len(frames):
        raise IrError("the transceivers only send 160-bit Connection 2024 frames")
    with _transceiver(args, "responder") as tr:
        for m in messages:
            for _ in range(args.repeat):
                tr.send(m.frame)
            print(f"sent {m.hex}")
    return 0


def cmd_converse(args: argparse.Namespace) -> int:
    me = _identity(args)
    activity = _activity(args)
    show = _printer(args, ("sent", "received", "waiting", "ignored"))
    if args.role == "initiate":
        if args.replay:
            frames = _frames_from_input(args.replay)[0]
            m1 = next((f for f in frames if isinstance(f, Message) and f.role == 1), None)
            m3 = next((f for f in frames if isinstance(f, Message) and f.role == 3), None)
            if m1 is None or m3 is None:
                raise IrError(f"{args.replay} holds no message 1 and message 3 to replay")
        else:
            activity = activity or Visit()
            game = activity.game_code if isinstance(activity, Game) else 0
            m1, m3 = build_profile(me, 1, game_type=game), build_request(me, activity)

        def session(tr: Transceiver, token: CancelToken, emit: OnEvent) -> Conversation:
            return initiate(tr, m1, m3, attempts=args.attempts, token=token, on_event=emit)

        demo = "responder"
    else:
        if activity is not None and not isinstance(activity, Gift):
            raise IrError("as responder only --gift matters (the initiator picks the activity)")
        gift = activity or Gift()

        def session(tr: Transceiver, token: CancelToken, emit: OnEvent) -> Conversation:
            return respond(tr, me, gift=gift, attempts=args.attempts, token=token, on_event=emit)

        demo = "initiator"
    with _transceiver(args, demo) as tr:
        conv = _run(lambda token, emit: session(tr, token, _both(emit, show)), args.timeout)
    if args.json:
        _print_json({"conversation": conv.to_dict()})
    else:
        print("\n".join(conv.summary()))
    if args.save:
        _write_output(dumps_tgir([conv], indent=2), args.save)
    return 0


# -- argparse ----------------------------------------------------------------------------------


def _add_identity(p: argparse.ArgumentParser, prefix: str = "", who: str = "me") -> None:
    dash = f"--{prefix.replace('_', '-')}"
    p.add_argument(
        f"{dash}name",
        dest=f"{prefix}name",
        default="PYGO" if not prefix else "PEER",
        help=f"{who}: name, up to 5 letters (A-Z, symbols, _ for blank)",
    )
    p.add_argument(
        f"{dash}character",
        dest=f"{prefix}character",
        default="Mametchi" if not prefix else "Kuchipatchi",
        help=f"{who}: character name or code (list: `ir fields character`)",
    )
    p.add_argument(
        f"{dash}gender", dest=f"{prefix}gender", default="boy", help=f"{who}: boy or girl"
    )
    p.add_argument(
        f"{dash}id",
        dest=f"{prefix}id",
        default=None,
        help=f"{who}: device ID 0-65535 or 0x hex (default: random)",
    )


def _add_activity(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("activity (pick one)")
    g.add_argument("--visit", metavar="ACTIVITY", help="visit: Scale, Spin around, Ball, Music")
    g.add_argument(
        "--gift",
        metavar="ITEM",
        help="gift of ITEM (name or code 0-255); the responder gives it, so when you "
        "initiate the toy picks the item",
    )
    g.add_argument("--pregift", default=0, help="gift: pre-gift activity (name or 0-9)")
    g.add_argument("--with-visit", metavar="ACTIVITY", help="gift + visit with this activity")
    g.add_argument(
        "--game",
        metavar="GAME",
        help="game: Ball, Balloon, Rope, Trumpet, Building block, RC car, Points",
    )
    g.add_argument("--wager", type=int, default=0, help="points game: wager 0-255")
    g.add_argument("--winner", help="points game: initiator or responder")
    g.add_argument("--choice", help="balloon/building block: left, middle or right")
    g.add_argument("--notes", help="trumpet: four notes, e.g. left,middle,right,left")
    g.add_argument("--game-data", help="game: byte 18 as a number")
    g.add_argument("--marriage", metavar="BABY", help="marriage with a baby boy or girl")


def _add_serial(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", help="serial port (default: the one that looks like a transceiver)")
    p.add_argument(
        "--kind",
        default="auto",
        choices=("auto", "pico", "flipper", "flipper-enhanced"),
        help="transceiver firmware (default: detect)",
    )
    p.add_argument(
        "--fake", action="store_true", help="use the built-in fake transceiver and a simulated toy"
    )


def register(subparsers: Any) -> None:
    ir = subparsers.add_parser(
        "ir",
        help="Tamagotchi Connection infrared toolkit",
        description="Decode, build, send and receive Tamagotchi Connection IR messages.",
    )
    sub = ir.add_subparsers(dest="ir_command", metavar="IR_COMMAND")
    ir.set_defaults(func=lambda args: (ir.print_help(), 2)[1])

    p = sub.add_parser(
        "decode",
        help="decode a capture, file or bit/hex string",
        description="INPUT: a Flipper .ir file, a text file of µs durations, a .tgir file, "
        "a saved serial log, or a bit/hex string.",
    )
    p.add_argument("input", metavar="INPUT")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 if any frame is undecodable or has a bad checksum",
    )
    p.set_defaults(func=cmd_decode)

    p = sub.add_parser(
        "encode",
        help="build messages from a description, or re-encode/edit INPUT",
        description="Without INPUT, build a whole conversation from who (--name ... for "
        "the initiator, --peer-name ... for the responder) and what (--visit/--gift/"
        "--game/--marriage). With INPUT, convert it (and edit it with --set).",
    )
    p.add_argument("input", metavar="INPUT", nargs="?")
    p.add_argument(
        "--to", default="hex", choices=("hex", "bits", "durations", "flipper", "tgir", "json")
    )
    p.add_argument("-o", "--output", help="write to this file instead of stdout")
    p.add_argument(
        "--set",
        action="append",
        metavar="FIELD=VALUE",
        help="change a field in every message (checksum recomputed)",
    )
    p.add_argument(
        "--keep-checksum", action="store_true", help="with --set: leave byte 19 as it was"
    )
    p.add_argument("--fix-checksum", action="store_true", help="recompute every checksum")
    p.add_argument("--message", type=int, help="output only message/frame N (1-based)")
    p.add_argument("--title", help="conversation name (for .tgir)")
    _add_identity(p, "", "initiator")
    _add_identity(p, "peer_", "responder")
    _add_activity(p)
    p.set_defaults(func=cmd_encode)

    p = sub.add_parser("fields", help="list the known fields, or the values of one")
    p.add_argument("name", nargs="?", help="a field with named values, or 'letter'")
    p.add_argument("--all", action="store_true", help="every byte value, tested or not")
    p.set_defaults(func=cmd_fields)

    p = sub.add_parser("ports", help="list serial ports and what they look like")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ports)

    p = sub.add_parser("listen", help="record the frames two toys exchange (snoop)")
    _add_serial(p)
    p.add_argument("--count", type=int, help="stop after this many frames")
    p.add_argument("--seconds", type=float, help="stop after this many seconds")
    p.add_argument("--json", action="store_true")
    p.add_argument("--save", metavar="FILE.tgir", help="save complete conversations")
    p.set_defaults(func=cmd_listen)

    p = sub.add_parser("send", help="transmit the frames in INPUT once (or --repeat times)")
    p.add_argument("input", metavar="INPUT")
    _add_serial(p)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--message", type=int, help="send only message/frame N (1-based)")
    p.set_defaults(func=cmd_send)

    p = sub.add_parser(
        "converse",
        help="talk to a real toy: initiate a conversation or respond to one",
        description="initiate: send 1, await 2, send 3, await 4 (the toy waits: heart menu "
        "> visit > Stand by). respond: wait for the toy to start, answer 2 and 4.",
    )
    p.add_argument("role", choices=("initiate", "respond"))
    _add_identity(p, "", "me")
    _add_activity(p)
    _add_serial(p)
    p.add_argument("--replay", metavar="INPUT", help="initiate: send messages 1 and 3 from INPUT")
    p.add_argument("--attempts", type=int, default=3, help="sends/listens before giving up")
    p.add_argument("--timeout", type=float, help="give up after this many seconds")
    p.add_argument("--json", action="store_true")
    p.add_argument("--save", metavar="FILE.tgir")
    p.set_defaults(func=cmd_converse)
