"""The autopilot: a carer that keeps a first-generation Tamagotchi alive by its buttons.

It looks at what a person sees (the LCD, the icons, the beeps), decides with a
short list of rules (``rules``) and works the menus like a person (``hands``).
It imports only ``pygotchi.emu``: the server and the command line both drive it.

    carer = Carer()
    drive(machine, carer, until_tick)     # as fast as the core goes
    carer.next(view) -> Press | Wait      # or step by step, in real time
"""

from __future__ import annotations

from pygotchi.care.carer import Action, Carer
from pygotchi.care.drive import drive, view_of
from pygotchi.care.hands import Press, View, Wait
from pygotchi.care.look import Look, look
from pygotchi.care.rules import DESCRIPTIONS

__all__ = ["Action", "Carer", "DESCRIPTIONS", "Look", "Press", "View", "Wait", "drive",
           "look", "view_of"]
