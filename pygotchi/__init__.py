"""pygotchi: keep a first-generation Tamagotchi alive, and talk to the newer ones.

The package has four rooms: ``emu`` (the E0C6S46/E0C6S48 machine), ``server``
(the web service), ``store`` (persistence) and ``ir`` (the Tamagotchi Connection
infrared lab). ``emu`` and ``ir`` import nothing from the rest of the package.
"""

__version__ = "0.1.0"
