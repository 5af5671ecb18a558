// Naming and looks of the toys, from what the API tells about a pet's ROM.

const GENERIC = new Set(["e0c6s46", "e0c6s48"]);

/** True for programs the emulator did not recognise as a known toy. */
export function isGeneric(model) {
  return !model || GENERIC.has(model);
}

/**
 * What to call the toy under a pet's name: the model for known toys; for an
 * unrecognised program (the demo, homebrew) its ROM's name reads better than
 * "Unknown E0C6S46 program".
 */
export function toyLabel(pet) {
  const rom = pet.rom || {};
  if (isGeneric(rom.model || pet.model) && rom.name) return rom.name;
  return rom.model_name || rom.name || pet.model || "";
}

/** A shell for the pet: the server's background, or our own for the built-in demo. */
export function backgroundFor(pet, roms = []) {
  const bg = pet.background || "generic";
  if (bg === "generic" && roms.some((r) => r.builtin && r.id === pet.rom?.id)) return "demo";
  return bg;
}

/** A ROM's one-line description in lists. */
export function romLabel(rom) {
  if (isGeneric(rom.model)) return `${rom.chip || rom.model.toUpperCase()} program (not a known toy)`;
  return rom.model_name;
}

/** The server's reason a pet cannot run (undocumented `error` field), as a sentence, or null. */
export function petProblem(pet) {
  const e = pet?.error;
  if (!e) return null;
  if (typeof e === "string") return e;
  return e.message || JSON.stringify(e);
}
