// Small interface icons (our own), stroked with currentColor.

const wrap = (body) =>
  `<svg viewBox="0 0 24 24" class="ui-icon" aria-hidden="true" focusable="false">${body}</svg>`;

export const ICONS_UI = {
  back: wrap('<path d="M15 5l-7 7 7 7"/>'),
  gear: wrap('<circle cx="12" cy="12" r="3.2"/><path d="M12 2.8v2.6M12 18.6v2.6M2.8 12h2.6M18.6 12h2.6M5.5 5.5l1.8 1.8M16.7 16.7l1.8 1.8M5.5 18.5l1.8-1.8M16.7 7.3l1.8-1.8"/><circle cx="12" cy="12" r="6.6"/>'),
  soundOn: wrap('<path d="M4 9.5h3.5L12 5.5v13l-4.5-4H4z"/><path d="M15.5 9a4 4 0 0 1 0 6M18 6.5a7.5 7.5 0 0 1 0 11"/>'),
  soundOff: wrap('<path d="M4 9.5h3.5L12 5.5v13l-4.5-4H4z"/><path d="M16 9.5l5 5M21 9.5l-5 5"/>'),
  note: wrap('<path d="M9 18.5V6l10-2.5V16"/><circle cx="6.5" cy="18.5" r="2.5"/><circle cx="16.5" cy="16" r="2.5"/>'),
  download: wrap('<path d="M12 4v11M7 10.5l5 5 5-5M5 20h14"/>'),
  upload: wrap('<path d="M12 16V5M7 9.5l5-5 5 5M5 20h14"/>'),
  trash: wrap('<path d="M4.5 7h15M10 7V4.5h4V7M6.5 7l1 13h9l1-13"/>'),
  close: wrap('<path d="M6 6l12 12M18 6L6 18"/>'),
};
