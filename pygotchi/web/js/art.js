// pygotchi's own artwork: the logo and one egg shell per model (the pet's
// `background` field). Shells are CSS (an egg-shaped box with gradients) plus a
// small repeating SVG motif; the colours and motifs were made up for this project.

export const LOGO_SVG = `
<svg class="logo" viewBox="0 0 64 64" aria-hidden="true" focusable="false">
  <defs>
    <radialGradient id="logo-g" cx="38%" cy="30%" r="75%">
      <stop offset="0" stop-color="#ffd0b8"/><stop offset=".55" stop-color="#ff8a66"/>
      <stop offset="1" stop-color="#e35d4f"/>
    </radialGradient>
  </defs>
  <path d="M32 3C19 3 8 20 8 37c0 14 10.5 24 24 24s24-10 24-24C56 20 45 3 32 3z"
        fill="url(#logo-g)" stroke="#8c2f2a" stroke-width="2.5"/>
  <rect x="17" y="25" width="30" height="20" rx="4" fill="#c9d3b6" stroke="#8c2f2a" stroke-width="2"/>
  <g fill="#1f2622">
    <rect x="28" y="29" width="8" height="2"/><rect x="26" y="31" width="12" height="8"/>
    <rect x="28" y="39" width="3" height="2"/><rect x="33" y="39" width="3" height="2"/>
  </g>
  <g fill="#c9d3b6"><rect x="28" y="33" width="2" height="2"/><rect x="34" y="33" width="2" height="2"/></g>
  <circle cx="22" cy="52" r="2.6" fill="#fff3ea"/><circle cx="32" cy="54" r="2.6" fill="#fff3ea"/>
  <circle cx="42" cy="52" r="2.6" fill="#fff3ea"/>
  <ellipse cx="23" cy="13" rx="4" ry="2.4" fill="#fff" opacity=".55" transform="rotate(-30 23 13)"/>
</svg>`;

// A 40x40 tile per motif; `c` is the motif colour.
const MOTIFS = {
  stars: (c) => `<path fill="${c}" d="M10 4l1.6 3.6 3.9.4-2.9 2.6.8 3.9L10 12.5l-3.4 2 .8-3.9L4.5 8l3.9-.4z"/><circle cx="30" cy="28" r="2" fill="${c}"/><circle cx="33" cy="8" r="1.2" fill="${c}"/>`,
  hearts: (c) => `<path fill="${c}" d="M10 15s-6-3.7-6-8a3.3 3.3 0 0 1 6-1.9A3.3 3.3 0 0 1 16 7c0 4.3-6 8-6 8z"/><path fill="${c}" d="M30 35s-4-2.5-4-5.3a2.2 2.2 0 0 1 4-1.3 2.2 2.2 0 0 1 4 1.3c0 2.8-4 5.3-4 5.3z"/>`,
  halos: (c) => `<ellipse cx="11" cy="10" rx="6" ry="2.2" fill="none" stroke="${c}" stroke-width="1.6"/><path fill="${c}" d="M28 24c4 0 7 3 7 7-2-2-4-2.5-7-2.5s-5 .5-7 2.5c0-4 3-7 7-7z"/>`,
  wings: (c) => `<path fill="${c}" d="M10 12c-3-6-8-5-8-1s5 5 8 1c3 4 8 3 8-1s-5-5-8 1z"/><circle cx="30" cy="30" r="1.6" fill="${c}"/><circle cx="34" cy="26" r="1" fill="${c}"/>`,
  leaves: (c) => `<path fill="${c}" d="M5 15C5 8 10 4 17 4c0 7-5 11-12 11z"/><path fill="${c}" d="M24 36c0-5 4-8 9-8 0 5-4 8-9 8z"/>`,
  bubbles: (c) => `<circle cx="9" cy="9" r="4" fill="none" stroke="${c}" stroke-width="1.6"/><circle cx="15" cy="16" r="2" fill="none" stroke="${c}" stroke-width="1.4"/><path d="M20 32q5-4 10 0t10 0" fill="none" stroke="${c}" stroke-width="1.8"/>`,
  bones: (c) => `<path fill="${c}" d="M5 9a2.5 2.5 0 1 1 3-3l6 6a2.5 2.5 0 1 1-3 3z"/><circle cx="30" cy="30" r="2.2" fill="${c}"/>`,
  sparks: (c) => `<path fill="${c}" d="M10 3l1.4 5.6L17 10l-5.6 1.4L10 17l-1.4-5.6L3 10l5.6-1.4z"/><circle cx="30" cy="29" r="1.8" fill="${c}"/>`,
  flowers: (c) => `<g fill="${c}"><circle cx="10" cy="6.5" r="2.6"/><circle cx="13.5" cy="10" r="2.6"/><circle cx="10" cy="13.5" r="2.6"/><circle cx="6.5" cy="10" r="2.6"/></g><circle cx="10" cy="10" r="1.6" fill="#fff"/><circle cx="30" cy="30" r="1.8" fill="${c}"/>`,
  diamonds: (c) => `<path fill="${c}" d="M10 4l5 6-5 6-5-6z"/><path fill="${c}" d="M30 26l3 4-3 4-3-4z"/>`,
  checks: (c) => `<rect x="4" y="4" width="6" height="6" fill="${c}"/><rect x="10" y="10" width="6" height="6" fill="${c}"/><rect x="26" y="26" width="4" height="4" fill="${c}"/>`,
};

// background id -> look. `shell`: light, dark gradient stops; `trim`: the frame
// around the screen; `button`: the three buttons.
export const THEMES = {
  p1: { name: "Sky", shell: ["#eaf6ff", "#8fc3ef"], trim: "#3d6fa8", button: "#ffcf4d", motif: "stars", motifColor: "#ffffff" },
  p2: { name: "Bubblegum", shell: ["#ffe6f1", "#f59ac0"], trim: "#b2477a", button: "#7fd4e8", motif: "hearts", motifColor: "#fff4f9" },
  angel: { name: "Cloud", shell: ["#f7f3ff", "#c2b3ee"], trim: "#6d5aa8", button: "#ffe08a", motif: "halos", motifColor: "#fffbe8" },
  mothra: { name: "Moth", shell: ["#fff1cf", "#e3a94b"], trim: "#7a4b17", button: "#d9563c", motif: "wings", motifColor: "#fff6e0" },
  morino: { name: "Forest", shell: ["#eefbe4", "#87c76a"], trim: "#3d6f2c", button: "#f29d52", motif: "leaves", motifColor: "#f5ffee" },
  umino: { name: "Lagoon", shell: ["#e6fbfb", "#5cc3c8"], trim: "#1f6b78", button: "#ff9f87", motif: "bubbles", motifColor: "#f0ffff" },
  genjintch: { name: "Stone", shell: ["#f6efe3", "#c8b08a"], trim: "#6b553a", button: "#8bb174", motif: "bones", motifColor: "#fffaf0" },
  tamaotch: { name: "Sunset", shell: ["#fff0e0", "#ff9e5e"], trim: "#a34a1c", button: "#6fb6ff", motif: "sparks", motifColor: "#fff7ec" },
  yasashii: { name: "Pastel", shell: ["#f1fff7", "#a6e3c6"], trim: "#4b8a6c", button: "#ffb3c7", motif: "flowers", motifColor: "#ffffff" },
  demo: { name: "Lemon", shell: ["#fffbe0", "#f3d34a"], trim: "#8a6d12", button: "#ff7a59", motif: "checks", motifColor: "#fff8d0" },
  generic: { name: "Classic", shell: ["#f1f3f6", "#a8b3c2"], trim: "#4a5566", button: "#ff7a59", motif: "diamonds", motifColor: "#ffffff" },
};

export function themeFor(background) {
  return THEMES[background] || THEMES.generic;
}

/** CSS custom properties for a shell element. */
export function themeStyle(background) {
  const t = themeFor(background);
  const tile = `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" viewBox="0 0 40 40" opacity=".7">${MOTIFS[t.motif](t.motifColor)}</svg>`;
  return {
    "--shell-light": t.shell[0],
    "--shell-dark": t.shell[1],
    "--shell-trim": t.trim,
    "--shell-button": t.button,
    "--shell-motif": `url("data:image/svg+xml,${encodeURIComponent(tile)}")`,
  };
}

/** A small egg picture for empty states and the pet list. */
export function eggSvg(background = "generic", size = 72) {
  const t = themeFor(background);
  return `<svg viewBox="0 0 64 72" width="${size}" height="${Math.round(size * 72 / 64)}" aria-hidden="true" focusable="false">
  <path d="M32 3C18 3 6 22 6 41c0 16 11.5 28 26 28s26-12 26-28C58 22 46 3 32 3z" fill="${t.shell[0]}" stroke="${t.trim}" stroke-width="3"/>
  <path d="M12 44c4 6 12 9 20 9s16-3 20-9" fill="none" stroke="${t.shell[1]}" stroke-width="5" stroke-linecap="round"/>
  <rect x="19" y="24" width="26" height="18" rx="3" fill="#c9d3b6" stroke="${t.trim}" stroke-width="2"/>
  <g fill="#1f2622"><rect x="30" y="27" width="4" height="1.5"/><rect x="28.5" y="28.5" width="7" height="1.5"/>
    <rect x="27.5" y="30" width="9" height="6"/><rect x="28" y="36" width="2" height="2"/><rect x="34" y="36" width="2" height="2"/></g>
  <g fill="#c9d3b6"><rect x="29.5" y="31" width="1.6" height="1.6"/><rect x="32.9" y="31" width="1.6" height="1.6"/></g>
</svg>`;
}
