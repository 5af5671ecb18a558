"""Every error the IR toolkit raises on purpose.

All of them derive from :class:`IrError`, so the CLI (and the web server) can catch
one type and show the message as is: each message says *where* (duration index, bit
number, byte, line) and *why*, because a user holding a toy cannot act on a
traceback. Decoding errors also carry machine-readable attributes (``kind``,
``index``) so callers can sort failures without parsing text.
"""

from __future__ import annotations


class IrError(Exception):
    """Base of every user-facing error in :mod:`pygotchi.ir`."""


class DecodeError(IrError, ValueError):
    """Input that cannot be turned into a frame.

    ``kind`` names the failed rule (``leader``, ``mark``, ``space``, ``length``,
    ``characters``, ``checksum``, ``empty``, ``format``); ``index`` is the position
    (duration index, bit or character index, byte) the message talks about, if any.
    """

    kind = "decode"

    def __init__(self, message: str, *, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index


class LeaderError(DecodeError):
    """The signal does not start with a leader mark/space the decoder recognises."""

    kind = "leader"


class MarkError(DecodeError):
    """A mark (carrier on) outside the data-mark and trailing-mark windows."""

    kind = "mark"


class SpaceError(DecodeError):
    """A space (carrier off) outside both the ``0`` and the ``1`` window."""

    kind = "space"


class LengthError(DecodeError):
    """Wrong number of bits, bytes or durations."""

    kind = "length"


class CharacterError(DecodeError):
    """A bit or hex string containing characters it may not contain."""

    kind = "characters"


class ChecksumError(DecodeError):
    """The last byte is not the byte sum of the others (only raised on request)."""

    kind = "checksum"


class FieldError(IrError, ValueError):
    """A field value that does not exist or does not fit (bad name, out of range)."""


class ConversationError(IrError):
    """A conversation that cannot be built or stored as asked."""


class FileFormatError(IrError):
    """A file (``.tgir``, Flipper ``.ir``, duration list) that cannot be read."""


class TransceiverError(IrError):
    """The serial transceiver is missing, misbehaving or not answering."""


class SessionTimeout(IrError):
    """A conversation with a toy did not finish in the time allowed."""


class Cancelled(IrError):
    """The caller cancelled a running session."""


class NoReply(IrError):
    """The toy did not answer after every retry."""
