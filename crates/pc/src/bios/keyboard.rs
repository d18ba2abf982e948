//! The keyboard BIOS: INT 09h turns scan codes into keystrokes in the BIOS buffer (with the
//! shift states in the data area), INT 16h hands them to programs.

use super::post::bda;
use super::{set_caller_flags, Flow, Pc, Regs};

#[derive(Debug, Clone, Default)]
pub struct KeyboardState {
    /// Keystrokes dropped because the buffer was full.
    pub overflows: u64,
}

/// ASCII of the main block, unshifted and shifted, by scan code 00h-39h (0 = none).
const NORMAL: &[u8; 0x3A] =
    b"\0\x1b1234567890-=\x08\tqwertyuiop[]\r\0asdfghjkl;'`\0\\zxcvbnm,./\0*\0 ";
const SHIFTED: &[u8; 0x3A] =
    b"\0\x1b!@#$%^&*()_+\x08\0QWERTYUIOP{}\r\0ASDFGHJKL:\"~\0|ZXCVBNM<>?\0*\0 ";

const SC_LSHIFT: u8 = 0x2A;
const SC_RSHIFT: u8 = 0x36;
const SC_CTRL: u8 = 0x1D;
const SC_ALT: u8 = 0x38;
const SC_CAPS: u8 = 0x3A;
const SC_NUM: u8 = 0x45;
const SC_SCROLL: u8 = 0x46;
const SC_INSERT: u8 = 0x52;
/// BDA byte whose bit 7 says Ctrl+Break was pressed.
const BREAK_FLAG: u32 = 0x471;
const SC_DEL: u8 = 0x53;

/// The keystroke (scan << 8 | ascii) for a make code, or None for keys that give none.
fn keystroke(scan: u8, extended: bool, flags: u8) -> Option<u16> {
    let shift = flags & 0x03 != 0;
    let ctrl = flags & 0x04 != 0;
    let alt = flags & 0x08 != 0;
    let caps = flags & 0x40 != 0;
    let num = flags & 0x20 != 0;
    let k = |a: u8| Some((scan as u16) << 8 | a as u16);
    let ext = |s: u8, a: u8| Some((s as u16) << 8 | a as u16);
    // Function keys.
    if (0x3B..=0x44).contains(&scan) {
        let base = if alt {
            0x68
        } else if ctrl {
            0x5E
        } else if shift {
            0x54
        } else {
            0x3B
        };
        return ext(base + scan - 0x3B, 0);
    }
    if scan == 0x57 || scan == 0x58 {
        let base = if alt {
            0x8B
        } else if ctrl {
            0x89
        } else if shift {
            0x87
        } else {
            0x85
        };
        return ext(base + scan - 0x57, 0);
    }
    // Keypad and the grey cursor block.
    if (0x47..=0x53).contains(&scan) {
        const NAV: [u8; 13] = [
            0x47, 0x48, 0x49, b'-', 0x4B, 0x4C, 0x4D, b'+', 0x4F, 0x50, 0x51, 0x52, 0x53,
        ];
        const DIGITS: &[u8; 13] = b"789-456+1230.";
        let i = (scan - 0x47) as usize;
        if scan == 0x4A || scan == 0x4E {
            return if extended { None } else { k(DIGITS[i]) };
        }
        if extended {
            // Grey keys: E0 in the ASCII byte (INT 16h/10h shows it, 00h converts it).
            return if ctrl {
                ext(
                    [
                        0x77, 0x8D, 0x84, 0, 0x73, 0, 0x74, 0, 0x75, 0x91, 0x76, 0x92, 0x93,
                    ][i],
                    0xE0,
                )
            } else if alt {
                ext(
                    [
                        0x97, 0x98, 0x99, 0, 0x9B, 0, 0x9D, 0, 0x9F, 0xA0, 0xA1, 0xA2, 0xA3,
                    ][i],
                    0,
                )
            } else {
                ext(NAV[i], 0xE0)
            };
        }
        if alt {
            return None; // Alt + keypad digits compose a character (not supported here).
        }
        if ctrl {
            return ext(
                [
                    0x77, 0x8D, 0x84, 0x8E, 0x73, 0x8F, 0x74, 0x90, 0x75, 0x91, 0x76, 0x92, 0x93,
                ][i],
                0,
            );
        }
        return if num != shift {
            k(DIGITS[i])
        } else {
            ext(NAV[i], 0)
        };
    }
    if extended && scan == 0x35 {
        return if alt {
            ext(0xA4, 0)
        } else if ctrl {
            ext(0x95, 0)
        } else {
            ext(0xE0, b'/')
        };
    }
    if extended && scan == 0x1C {
        return if alt {
            ext(0xA6, 0)
        } else if ctrl {
            ext(0xE0, 0x0A)
        } else {
            ext(0xE0, 0x0D)
        };
    }
    if scan == 0x56 {
        return k(if shift { b'|' } else { b'\\' });
    }
    if scan as usize >= NORMAL.len() {
        return None;
    }
    let normal = NORMAL[scan as usize];
    if alt {
        return match scan {
            0x02..=0x0D => ext(scan + 0x76, 0),
            0x01 | 0x0E | 0x1A | 0x1B | 0x1C | 0x27 | 0x28 | 0x29 | 0x2B | 0x33 | 0x34 | 0x35
            | 0x37 => ext(scan, 0),
            0x0F => ext(0xA5, 0),
            0x39 => k(b' '),
            _ if normal.is_ascii_lowercase() => ext(scan, 0),
            _ => None,
        };
    }
    if ctrl {
        return match scan {
            _ if normal.is_ascii_lowercase() => k(normal - b'a' + 1),
            0x01 => k(0x1B),
            0x03 => ext(0x03, 0),
            0x07 => k(0x1E),
            0x0C => k(0x1F),
            0x0E => k(0x7F),
            0x0F => ext(0x94, 0),
            0x1A => k(0x1B),
            0x1B => k(0x1D),
            0x1C => k(0x0A),
            0x2B => k(0x1C),
            0x37 => ext(0x96, 0),
            0x39 => k(b' '),
            _ => None,
        };
    }
    let upper = shift != (caps && normal.is_ascii_lowercase());
    let ch = if shift {
        SHIFTED[scan as usize]
    } else {
        normal
    };
    let ch = if caps && normal.is_ascii_lowercase() {
        if upper {
            normal.to_ascii_uppercase()
        } else {
            normal
        }
    } else {
        ch
    };
    if scan == 0x0F && shift {
        return ext(0x0F, 0);
    }
    if ch == 0 {
        return None;
    }
    k(ch)
}

/// Put a keystroke in the BIOS buffer. Returns false if it is full.
pub fn push_key(pc: &mut Pc, key: u16) -> bool {
    let m = &mut pc.board.mem;
    let start = m.read16(bda::KBD_BUF_START);
    let end = m.read16(bda::KBD_BUF_END);
    let head = m.read16(bda::KBD_HEAD);
    let tail = m.read16(bda::KBD_TAIL);
    let mut next = tail + 2;
    if next >= end {
        next = start;
    }
    if next == head {
        pc.bios.keyboard.overflows += 1;
        return false;
    }
    m.write16(0x400 + tail as u32, key);
    m.write16(bda::KBD_TAIL, next);
    true
}

fn peek_key(pc: &Pc) -> Option<u16> {
    let m = &pc.board.mem;
    let head = m.read16(bda::KBD_HEAD);
    let tail = m.read16(bda::KBD_TAIL);
    (head != tail).then(|| m.read16(0x400 + head as u32))
}

/// Take the next keystroke from the buffer.
pub fn take_key(pc: &mut Pc) -> Option<u16> {
    let key = peek_key(pc)?;
    let m = &mut pc.board.mem;
    let start = m.read16(bda::KBD_BUF_START);
    let end = m.read16(bda::KBD_BUF_END);
    let mut head = m.read16(bda::KBD_HEAD) + 2;
    if head >= end {
        head = start;
    }
    m.write16(bda::KBD_HEAD, head);
    Some(key)
}

/// INT 09h (after the stub read port 60h into AL and offered it to INT 15h/4Fh).
pub fn int09(pc: &mut Pc) -> Flow {
    let code = pc.cpu.al();
    let m = &mut pc.board.mem;
    let mut f1 = m.read8(bda::KBD_FLAGS1);
    let mut f2 = m.read8(bda::KBD_FLAGS2);
    let mut f3 = m.read8(bda::KBD_FLAGS3);
    if code == 0xE0 {
        m.write8(bda::KBD_FLAGS3, f3 | 0x02);
        return Flow::Done;
    }
    if code == 0xE1 {
        m.write8(bda::KBD_FLAGS3, f3 | 0x01);
        return Flow::Done;
    }
    let extended = f3 & 0x02 != 0;
    let e1 = f3 & 0x01 != 0;
    f3 &= !0x03;
    let brk = code & 0x80 != 0;
    let scan = code & 0x7F;
    if e1 {
        // Pause: E1 1D 45; the 1D part is swallowed here, 45 sets the pause bit.
        if scan == 0x1D {
            m.write8(bda::KBD_FLAGS3, f3 | 0x01);
        } else {
            m.write8(bda::KBD_FLAGS3, f3);
        }
        return Flow::Done;
    }
    // Fake shifts around extended keys (E0 2A / E0 AA) carry no meaning.
    if extended && (scan == SC_LSHIFT || scan == SC_RSHIFT) {
        m.write8(bda::KBD_FLAGS3, f3);
        return Flow::Done;
    }
    // Ctrl+Break (the keyboard sends E0 46 for Pause with Ctrl held; Ctrl+Scroll Lock on the
    // 83-key keyboard): empty the buffer, set the break flag at 40:71h, store 0000h and call
    // INT 1Bh (DOS hooks it for ^C), as the PC BIOS does. Scroll Lock does not toggle.
    if scan == SC_SCROLL && f1 & 0x04 != 0 {
        m.write8(bda::KBD_FLAGS3, f3);
        if !brk {
            let start = m.read16(bda::KBD_BUF_START);
            m.write16(bda::KBD_HEAD, start);
            m.write16(bda::KBD_TAIL, start);
            m.write8(BREAK_FLAG, m.read8(BREAK_FLAG) | 0x80);
            push_key(pc, 0);
            super::system::call_guest_vector(pc, 0x1B);
        }
        return Flow::Done;
    }
    let set = |v: &mut u8, bit: u8, on: bool| {
        if on {
            *v |= bit
        } else {
            *v &= !bit
        }
    };
    match scan {
        SC_LSHIFT => set(&mut f1, 0x02, !brk),
        SC_RSHIFT => set(&mut f1, 0x01, !brk),
        SC_CTRL => {
            if extended {
                set(&mut f3, 0x04, !brk);
            } else {
                set(&mut f2, 0x01, !brk);
            }
            set(&mut f1, 0x04, f2 & 0x01 != 0 || f3 & 0x04 != 0);
        }
        SC_ALT => {
            if extended {
                set(&mut f3, 0x08, !brk);
            } else {
                set(&mut f2, 0x02, !brk);
            }
            set(&mut f1, 0x08, f2 & 0x02 != 0 || f3 & 0x08 != 0);
        }
        SC_CAPS | SC_NUM | SC_SCROLL if !extended => {
            let (toggle, held) = match scan {
                SC_CAPS => (0x40, 0x40),
                SC_NUM => (0x20, 0x20),
                _ => (0x10, 0x10),
            };
            if !brk && f2 & held == 0 {
                f1 ^= toggle;
            }
            set(&mut f2, held, !brk);
        }
        _ => {}
    }
    m.write8(bda::KBD_FLAGS1, f1);
    m.write8(bda::KBD_FLAGS2, f2);
    m.write8(bda::KBD_FLAGS3, f3);
    m.write8(bda::KBD_LEDS, (f1 >> 4) & 0x07);
    if brk
        || matches!(
            scan,
            SC_LSHIFT | SC_RSHIFT | SC_CTRL | SC_ALT | SC_CAPS | SC_NUM | SC_SCROLL
        )
    {
        return Flow::Done;
    }
    if scan == SC_INSERT && f1 & 0x0C == 0 {
        let f1 = f1 ^ 0x80;
        pc.board.mem.write8(bda::KBD_FLAGS1, f1);
    }
    // Ctrl-Alt-Del: warm reboot.
    if scan == SC_DEL && f1 & 0x0C == 0x0C {
        pc.board.mem.write16(bda::RESET_FLAG, 0x1234);
        pc.board.sys.reset = true;
        pc.board.sys.stop_cpu = true;
        return Flow::Done;
    }
    if let Some(key) = keystroke(scan, extended, f1) {
        push_key(pc, key);
    }
    Flow::Done
}

/// Convert an enhanced keystroke for the original (AH = 00h/01h) functions: grey keys lose
/// their E0 marker; keys the 83-key keyboard did not have are skipped (None).
fn classic(key: u16) -> Option<u16> {
    let (scan, ascii) = ((key >> 8) as u8, key as u8);
    if scan == 0xE0 {
        return Some(match ascii {
            b'/' => 0x352F,
            _ => 0x1C00 | ascii as u16,
        });
    }
    if scan > 0x84 {
        return None;
    }
    if ascii == 0xE0 && scan != 0 {
        return Some((scan as u16) << 8);
    }
    Some(key)
}

/// INT 16h.
pub fn int16(pc: &mut Pc) -> Flow {
    let ah = pc.cpu.ah();
    match ah {
        0x00 | 0x10 => loop {
            let Some(key) = take_key(pc) else {
                return Flow::Retry;
            };
            let key = if ah == 0x00 { classic(key) } else { Some(key) };
            if let Some(k) = key {
                pc.cpu.set_ax(k);
                return Flow::Done;
            }
        },
        0x01 | 0x11 => {
            loop {
                match peek_key(pc) {
                    None => {
                        set_caller_flags(pc, cpu::flags::ZF as u16, true);
                        return Flow::Done;
                    }
                    Some(k) => {
                        let shown = if ah == 0x01 { classic(k) } else { Some(k) };
                        match shown {
                            Some(s) => {
                                pc.cpu.set_ax(s);
                                set_caller_flags(pc, cpu::flags::ZF as u16, false);
                                return Flow::Done;
                            }
                            // Not visible to the old functions: drop it, as the BIOS does.
                            None => {
                                take_key(pc);
                            }
                        }
                    }
                }
            }
        }
        0x02 => {
            let f = pc.board.mem.read8(bda::KBD_FLAGS1);
            pc.cpu.set_al(f);
            Flow::Done
        }
        0x12 => {
            let f1 = pc.board.mem.read8(bda::KBD_FLAGS1);
            let f2 = pc.board.mem.read8(bda::KBD_FLAGS2);
            let f3 = pc.board.mem.read8(bda::KBD_FLAGS3);
            let hi = (f2 & 0x73) | (f3 & 0x0C) | (f2 & 0x04) << 5;
            pc.cpu.set_ax((hi as u16) << 8 | f1 as u16);
            Flow::Done
        }
        0x03 => Flow::Done,
        0x05 => {
            let ok = push_key(pc, pc.cpu.cx());
            pc.cpu.set_al(if ok { 0 } else { 1 });
            Flow::Done
        }
        0x09 => {
            // Capabilities: typematic and enhanced functions.
            pc.cpu.set_al(0x2C);
            Flow::Done
        }
        0x0A => {
            pc.cpu.set_bx(0x41AB);
            Flow::Done
        }
        _ => Flow::Done,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keystrokes() {
        assert_eq!(keystroke(0x1E, false, 0), Some(0x1E61));
        assert_eq!(keystroke(0x1E, false, 0x02), Some(0x1E41));
        assert_eq!(keystroke(0x1E, false, 0x40), Some(0x1E41), "caps lock");
        assert_eq!(keystroke(0x1E, false, 0x42), Some(0x1E61), "caps + shift");
        assert_eq!(keystroke(0x1E, false, 0x04), Some(0x1E01), "ctrl-a");
        assert_eq!(keystroke(0x1E, false, 0x08), Some(0x1E00), "alt-a");
        assert_eq!(keystroke(0x1C, false, 0), Some(0x1C0D));
        assert_eq!(keystroke(0x48, true, 0), Some(0x48E0), "grey up");
        assert_eq!(keystroke(0x48, false, 0), Some(0x4800), "keypad up");
        assert_eq!(keystroke(0x48, false, 0x20), Some(0x4838), "num lock 8");
        assert_eq!(keystroke(0x3B, false, 0), Some(0x3B00), "F1");
        assert_eq!(keystroke(0x58, false, 0x02), Some(0x8800), "shift F12");
        assert_eq!(keystroke(0x02, false, 0x02), Some(0x0221), "!");
        assert_eq!(classic(0x48E0), Some(0x4800));
        assert_eq!(classic(0xE00D), Some(0x1C0D));
        assert_eq!(classic(0x8500), None);
    }
}
