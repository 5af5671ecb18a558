"""The Tamagotchi Connection infrared toolkit: snoop, understand, build and replay.

Layers, each in its own module (SPEC.md in ``../shared/ir`` is the specification):

==================  ======================================================================
``timing``          raw µs durations <-> bits; windows (:class:`Framing`), ``decode_bits``,
                    ``encode_bits``, ``split_signals`` for streams holding several frames
``frame``           bits/bytes <-> 20-byte :class:`Frame`; ``checksum``, hex helpers
``fields``          every known field as data: ``field(name)``, ``FIELDS``,
                    ``choices(name)`` for selectors, ``parse_value`` for user input
``tables``          name tables (characters, letters, gifts, games ...)
``message``         :class:`Message`: a frame plus its fields; ``replace(**fields)``
``legacy``          :class:`LegacyFrame`: 0x0C / 0xAC frames, LSB-first
``codec``           any generation: ``decode_durations``, ``from_bits``, ``from_bytes``
``conversation``    :class:`Conversation` of four messages, ``check()``, ``group_conversations``
``builders``        :class:`Identity` + :class:`Visit`/:class:`Gift`/:class:`Game`/
                    :class:`Marriage` -> ``build_conversation``, ``build_answer`` ...
``files``           ``.tgir`` (``read_tgir``/``dumps_tgir``), Flipper ``.ir``
                    (``read_flipper_ir``/``frames_to_flipper``), duration/hex/bit text
``loader``          ``load_frames``/``load_text``: any file or string -> frames + errors
``stream``          the transceivers' serial tokens (:class:`StreamParser`)
``ports``           ``list_ports()`` with a guess of what each port is
``transceiver``     pyserial drivers (Pico, Flipper, enhanced Flipper), ``open_transceiver``
``session``         ``snoop``, ``initiate``, ``respond``; :class:`CancelToken`, :class:`Job`
``fake``            :class:`FakeDevice` (device side on a pty) and :class:`SimulatedToy`
``errors``          :class:`IrError` and its subclasses; every deliberate error is one
==================  ======================================================================

For a web server (the API this package promises to keep):

* Decode: ``Message.from_bits(s)``, ``Message.from_hex(s)``, ``codec.decode_durations(d)``
  or ``loader.load_text(text).items`` for uploads of any supported format. Failures
  raise :class:`DecodeError` (``.kind``, ``.index``, a message saying where and why).
* Encode: ``msg.bits``, ``msg.hex``, ``msg.to_durations()``, ``files.dumps_tgir``,
  ``files.frames_to_flipper``.
* Store as JSON: ``Message.to_dict()``/``Message.from_dict()`` and
  ``Conversation.to_dict()``/``Conversation.from_dict()`` (the latter also reads a
  ``.tgir`` element). The bytes (``hex``) are authoritative; ``fields`` is for display.
* Edit: ``msg.replace(character="Pipotchi", name="ALICE")`` (checksum recomputed);
  ``fields.FIELDS`` says which fields exist, ``fields.applicable(msg.data)`` which
  apply to a message, ``fields.choices("gift_item")`` lists ``Choice(value, label)``.
* Talk to toys in a worker thread::

      tr = open_transceiver(port)          # or None: pick the likely port
      job = Job(lambda token, emit: respond(tr, Identity("ALICE"), token=token,
                                            on_event=emit), timeout=120).start()
      job.events.get()   # SessionEvent(kind, text, message) for progress
      job.cancel()       # from the request that presses "Stop"
      job.result()       # the Conversation, or the IrError that ended it

Nothing here imports from the rest of pygotchi.
"""

from pygotchi.ir.builders import (
    Game,
    Gift,
    Identity,
    Marriage,
    Visit,
    build_answer,
    build_conversation,
    build_profile,
    build_reply,
    build_request,
)
from pygotchi.ir.codec import decode_durations, from_bits, from_bytes
from pygotchi.ir.conversation import Conversation, Issue, group_conversations
from pygotchi.ir.errors import DecodeError, IrError
from pygotchi.ir.fields import choices
from pygotchi.ir.frame import Frame, checksum
from pygotchi.ir.legacy import LegacyFrame
from pygotchi.ir.message import Message

__all__ = [
    "Conversation",
    "DecodeError",
    "Frame",
    "Game",
    "Gift",
    "Identity",
    "IrError",
    "Issue",
    "LegacyFrame",
    "Marriage",
    "Message",
    "Visit",
    "build_answer",
    "build_conversation",
    "build_profile",
    "build_reply",
    "build_request",
    "checksum",
    "choices",
    "decode_durations",
    "from_bits",
    "from_bytes",
    "group_conversations",
]
