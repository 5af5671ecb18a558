"""The command line: ``python -m pygotchi [COMMAND] ...``.

Each room registers its own subcommands (``register(subparsers)``) so that this
module stays a thin switchboard. Errors a user can fix (a bad file, a wrong
option) end with a one-line message on stderr and exit status 2, never a
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

# Modules that add subcommands. Imported lazily so that `python -m pygotchi
# disasm` does not pay for the web stack, and a missing optional part only
# disables its own commands.
_COMMAND_MODULES = (
    "pygotchi.emu.cli",
    "pygotchi.care.cli",
    "pygotchi.ir.cli",
    "pygotchi.server.cli",
)


class CliError(Exception):
    """A problem with the user's request; the message is shown as is."""


def _user_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [CliError, OSError]
    for modname, attr in (("pygotchi.emu.errors", "EmuError"), ("pygotchi.ir.errors", "IrError")):
        try:
            errors.append(getattr(importlib.import_module(modname), attr))
        except (ImportError, AttributeError):
            pass
    return tuple(errors)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pygotchi",
        description="Keep first-generation Tamagotchis alive; talk to the newer ones.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for modname in _COMMAND_MODULES:
        try:
            module = importlib.import_module(modname)
        except ImportError as exc:  # a room that is not installed: say so in --help
            if exc.name and not exc.name.startswith(modname):
                print(f"note: {modname} unavailable ({exc})", file=sys.stderr)
            continue
        module.register(sub)
    parser.set_defaults(commands=frozenset(sub.choices))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        # No subcommand: run the server, passing its options through.
        if "serve" in parser.get_default("commands"):
            argv = ["serve", *argv]
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        result = args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and friends
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except _user_errors() as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return int(result or 0)
