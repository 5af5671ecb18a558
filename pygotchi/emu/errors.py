"""Errors a user can cause and fix: their messages are shown to people as is."""


class EmuError(Exception):
    """Base of every user-facing error of the emulator."""


class RomError(EmuError):
    """A file that is not a ROM image pygotchi can run."""


class StateError(EmuError):
    """A state file that cannot be loaded into this machine."""


class AsmError(EmuError):
    """Assembly source with a mistake; the message names the line."""

    def __init__(self, message: str, line: int | None = None, source: str | None = None):
        where = f"{source or 'line'}{':' if source else ' '}{line}: " if line else ""
        super().__init__(f"{where}{message}")
        self.line = line


class ScriptError(EmuError):
    """A button script line that cannot be understood."""
