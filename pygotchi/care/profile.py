"""Where a model keeps a few numbers in RAM, for reports only (never for decisions).

The carer decides from the screen alone. The command line's daily summary
also prints the pet's weight and age, which the carer could only read off
the status page's digits; for models with a profile here they come from RAM.
Each entry says how it was found out.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RamProfile:
    model: str
    weight: tuple[int, int]  # (tens, units) nibbles, BCD, grams
    age: tuple[int, int]  # (tens, units) nibbles, BCD, years (= days)
    how: str


PROFILES = {
    "p1": RamProfile(
        model="p1",
        weight=(0x47, 0x46),
        age=(0x55, 0x54),
        how=(
            "Found with this emulator on the P1 ROM: the status page read 5g while 0x46=5, "
            "0x47=0, and 10g after the first growth while 0x46=0, 0x47=1 (BCD); 0x54 went "
            "up by one each emulated day of a cared-for run (0x55 the tens: 14 after 14 days)."
        ),
    ),
}


def read_profile(machine) -> dict[str, int] | None:
    """{'weight': g, 'age': years} for a model with a profile, else None."""
    profile = PROFILES.get(machine.model.id)
    if profile is None:
        return None
    tens, units = profile.weight
    mem = machine.read_memory
    age_tens, age_units = profile.age
    return {"weight": mem(tens) * 10 + mem(units), "age": mem(age_tens) * 10 + mem(age_units)}
