// KeyboardEvent.code (the physical key, whatever the layout) to PC keyboard scan codes, set 1:
// 01h-7Fh for ordinary keys, E0xxh for the extended keys that send an E0h prefix (the arrows and
// the block above them, right Ctrl and Alt, keypad Enter and /, the Windows and menu keys, the
// multimedia keys), E11Dh for Pause (which sends E1 1D 45 E1 9D C5 on press and nothing on
// release). Print Screen is a sequence of two (see keySequence).

const SET1 = {
  Escape: 0x01,
  Digit1: 0x02, Digit2: 0x03, Digit3: 0x04, Digit4: 0x05, Digit5: 0x06,
  Digit6: 0x07, Digit7: 0x08, Digit8: 0x09, Digit9: 0x0a, Digit0: 0x0b,
  Minus: 0x0c, Equal: 0x0d, Backspace: 0x0e, Tab: 0x0f,
  KeyQ: 0x10, KeyW: 0x11, KeyE: 0x12, KeyR: 0x13, KeyT: 0x14,
  KeyY: 0x15, KeyU: 0x16, KeyI: 0x17, KeyO: 0x18, KeyP: 0x19,
  BracketLeft: 0x1a, BracketRight: 0x1b, Enter: 0x1c, ControlLeft: 0x1d,
  KeyA: 0x1e, KeyS: 0x1f, KeyD: 0x20, KeyF: 0x21, KeyG: 0x22,
  KeyH: 0x23, KeyJ: 0x24, KeyK: 0x25, KeyL: 0x26,
  Semicolon: 0x27, Quote: 0x28, Backquote: 0x29, ShiftLeft: 0x2a, Backslash: 0x2b,
  KeyZ: 0x2c, KeyX: 0x2d, KeyC: 0x2e, KeyV: 0x2f, KeyB: 0x30, KeyN: 0x31, KeyM: 0x32,
  Comma: 0x33, Period: 0x34, Slash: 0x35, ShiftRight: 0x36, NumpadMultiply: 0x37,
  AltLeft: 0x38, Space: 0x39, CapsLock: 0x3a,
  F1: 0x3b, F2: 0x3c, F3: 0x3d, F4: 0x3e, F5: 0x3f,
  F6: 0x40, F7: 0x41, F8: 0x42, F9: 0x43, F10: 0x44,
  NumLock: 0x45, ScrollLock: 0x46,
  Numpad7: 0x47, Numpad8: 0x48, Numpad9: 0x49, NumpadSubtract: 0x4a,
  Numpad4: 0x4b, Numpad5: 0x4c, Numpad6: 0x4d, NumpadAdd: 0x4e,
  Numpad1: 0x4f, Numpad2: 0x50, Numpad3: 0x51, Numpad0: 0x52, NumpadDecimal: 0x53,
  IntlBackslash: 0x56, F11: 0x57, F12: 0x58, NumpadEqual: 0x59,
  KanaMode: 0x70, IntlRo: 0x73, Convert: 0x79, NonConvert: 0x7b, IntlYen: 0x7d, NumpadComma: 0x7e,

  MediaTrackPrevious: 0xe010, MediaTrackNext: 0xe019,
  NumpadEnter: 0xe01c, ControlRight: 0xe01d,
  AudioVolumeMute: 0xe020, LaunchApp2: 0xe021, MediaPlayPause: 0xe022, MediaStop: 0xe024,
  AudioVolumeDown: 0xe02e, AudioVolumeUp: 0xe030, BrowserHome: 0xe032,
  NumpadDivide: 0xe035, AltRight: 0xe038,
  Home: 0xe047, ArrowUp: 0xe048, PageUp: 0xe049, ArrowLeft: 0xe04b, ArrowRight: 0xe04d,
  End: 0xe04f, ArrowDown: 0xe050, PageDown: 0xe051, Insert: 0xe052, Delete: 0xe053,
  MetaLeft: 0xe05b, MetaRight: 0xe05c, OSLeft: 0xe05b, OSRight: 0xe05c, ContextMenu: 0xe05d,
  Power: 0xe05e, Sleep: 0xe05f, WakeUp: 0xe063,
  BrowserSearch: 0xe065, BrowserFavorites: 0xe066, BrowserRefresh: 0xe067, BrowserStop: 0xe068,
  BrowserForward: 0xe069, BrowserBack: 0xe06a, LaunchApp1: 0xe06b, LaunchMail: 0xe06c,
  MediaSelect: 0xe06d,

  Pause: 0xe11d,
  PrintScreen: 0xe037,
};

/** The set-1 scan code of a KeyboardEvent.code, or undefined for a key the PC does not have. */
export function scanCode(code) {
  return Object.prototype.hasOwnProperty.call(SET1, code) ? SET1[code] : undefined;
}

/**
 * The scan code events (as [code, down] pairs) that pressing (down) or releasing a key sends.
 * Print Screen is a "fake shift" E0 2A then E0 37 on press, E0 B7 then E0 AA on release, as a
 * real keyboard sends it without a shift key held.
 */
export function keySequence(code, down) {
  const sc = scanCode(code);
  if (sc === undefined) return [];
  if (code === "PrintScreen") {
    return down ? [[0xe02a, true], [0xe037, true]] : [[0xe037, false], [0xe02a, false]];
  }
  return [[sc, down]];
}

/** Every KeyboardEvent.code the map knows (for tests and documentation). */
export const KEY_CODES = Object.freeze(Object.keys(SET1));
