//! Host-side keyboard helpers: text to key presses (set-1 scan codes, US layout), for typing
//! into the guest from the command line, the page's `sendText()` and tests.

/// Unshifted and shifted characters by set-1 scan code (US layout).
const KEYS: [(u8, char, char); 48] = [
    (0x02, '1', '!'),
    (0x03, '2', '@'),
    (0x04, '3', '#'),
    (0x05, '4', '$'),
    (0x06, '5', '%'),
    (0x07, '6', '^'),
    (0x08, '7', '&'),
    (0x09, '8', '*'),
    (0x0A, '9', '('),
    (0x0B, '0', ')'),
    (0x0C, '-', '_'),
    (0x0D, '=', '+'),
    (0x10, 'q', 'Q'),
    (0x11, 'w', 'W'),
    (0x12, 'e', 'E'),
    (0x13, 'r', 'R'),
    (0x14, 't', 'T'),
    (0x15, 'y', 'Y'),
    (0x16, 'u', 'U'),
    (0x17, 'i', 'I'),
    (0x18, 'o', 'O'),
    (0x19, 'p', 'P'),
    (0x1A, '[', '{'),
    (0x1B, ']', '}'),
    (0x1E, 'a', 'A'),
    (0x1F, 's', 'S'),
    (0x20, 'd', 'D'),
    (0x21, 'f', 'F'),
    (0x22, 'g', 'G'),
    (0x23, 'h', 'H'),
    (0x24, 'j', 'J'),
    (0x25, 'k', 'K'),
    (0x26, 'l', 'L'),
    (0x27, ';', ':'),
    (0x28, '\'', '"'),
    (0x29, '`', '~'),
    (0x2B, '\\', '|'),
    (0x2C, 'z', 'Z'),
    (0x2D, 'x', 'X'),
    (0x2E, 'c', 'C'),
    (0x2F, 'v', 'V'),
    (0x30, 'b', 'B'),
    (0x31, 'n', 'N'),
    (0x32, 'm', 'M'),
    (0x33, ',', '<'),
    (0x34, '.', '>'),
    (0x35, '/', '?'),
    (0x39, ' ', ' '),
];

pub const SC_LSHIFT: u16 = 0x2A;
pub const SC_ENTER: u16 = 0x1C;
pub const SC_TAB: u16 = 0x0F;
pub const SC_BACKSPACE: u16 = 0x0E;
pub const SC_ESC: u16 = 0x01;

/// The presses and releases that type `c`, or None for a character the keyboard cannot type.
pub fn char_to_keys(c: char) -> Option<Vec<(u16, bool)>> {
    let tap = |sc: u16| vec![(sc, true), (sc, false)];
    match c {
        '\n' | '\r' => return Some(tap(SC_ENTER)),
        '\t' => return Some(tap(SC_TAB)),
        '\x08' => return Some(tap(SC_BACKSPACE)),
        '\x1b' => return Some(tap(SC_ESC)),
        _ => {}
    }
    let &(sc, lower, _) = KEYS.iter().find(|k| k.1 == c || k.2 == c)?;
    let sc = sc as u16;
    if c == lower || c == ' ' {
        Some(tap(sc))
    } else {
        Some(vec![
            (SC_LSHIFT, true),
            (sc, true),
            (sc, false),
            (SC_LSHIFT, false),
        ])
    }
}

/// Key events for a whole string; characters that cannot be typed are reported back.
pub fn text_to_keys(text: &str) -> Result<Vec<(u16, bool)>, char> {
    let mut out = Vec::new();
    for c in text.chars() {
        out.extend(char_to_keys(c).ok_or(c)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing() {
        assert_eq!(char_to_keys('a'), Some(vec![(0x1E, true), (0x1E, false)]));
        assert_eq!(
            char_to_keys('A'),
            Some(vec![
                (0x2A, true),
                (0x1E, true),
                (0x1E, false),
                (0x2A, false)
            ])
        );
        assert_eq!(char_to_keys('\n'), Some(vec![(0x1C, true), (0x1C, false)]));
        assert_eq!(text_to_keys("dir\n").map(|v| v.len()), Ok(8));
        assert_eq!(text_to_keys("é"), Err('é'));
    }
}
