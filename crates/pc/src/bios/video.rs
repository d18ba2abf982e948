//! INT 10h, the video BIOS, over the VGA registers as a real video BIOS does it: a mode is set
//! by programming the sequencer, CRTC, attribute and graphics controllers and the DAC from the
//! VGA parameter table in the ROM (found through the save pointer table at 40:A8, so a program
//! may supply its own); text and pixels go through video memory with the graphics controller's
//! write modes; fonts are loaded into plane 2. VBE 2.0 (AX=4Fxxh) drives the Bochs DISPI
//! registers and the linear frame buffer.
//!
//! The ROM tables live at F000:A000-F000:DFFF, plus the IBM fixed places: the 6845 parameter
//! table at F000:F0A4 (INT 1Dh) and the first half of the 8x8 font at F000:FA6E.

use super::{lin, seg_base, Flow, Pc, Regs, ROM_SEG};
use crate::devices::vga::{self, font, FONT_BLOCK_OFFSET};
use cpu::{Bus, SegReg};

// ---- ROM layout (offsets in segment F000) -------------------------------------------------------

const FONT16_OFF: u16 = 0xA000;
const FONT14_OFF: u16 = 0xB000;
const FONT8_OFF: u16 = 0xBE00;
const FONT8_HI_OFF: u16 = FONT8_OFF + 0x400;
const PARAM_TABLE_OFF: u16 = 0xC600;
const PARAM_ENTRIES: usize = 0x1D;
const SAVE_PTR_OFF: u16 = 0xCD80;
const SECONDARY_SAVE_OFF: u16 = 0xCDA0;
const STATIC_FUNC_OFF: u16 = 0xCDC0;
const ALT_FONT_OFF: u16 = 0xCDD0;
const VBE_WIN_FUNC_OFF: u16 = 0xCDD8;
const DCC_TABLE_OFF: u16 = 0xCDE0;
const VBE_INFO_OFF: u16 = 0xCE00;
const CGA_PARAMS_OFF: u16 = 0xF0A4;
const FONT8_LOW_OFF: u16 = 0xFA6E;

/// BIOS data area fields of the video BIOS (offsets from 400h).
mod field {
    pub const MODE: u32 = 0x49;
    pub const COLUMNS: u32 = 0x4A;
    pub const PAGE_SIZE: u32 = 0x4C;
    pub const PAGE_START: u32 = 0x4E;
    pub const CURSOR_POS: u32 = 0x50;
    pub const CURSOR_SHAPE: u32 = 0x60;
    pub const ACTIVE_PAGE: u32 = 0x62;
    pub const CRTC_PORT: u32 = 0x63;
    pub const MODE_CONTROL: u32 = 0x65;
    pub const CGA_PALETTE: u32 = 0x66;
    pub const ROWS: u32 = 0x84;
    pub const CHAR_HEIGHT: u32 = 0x85;
    pub const EGA_INFO: u32 = 0x87;
    pub const EGA_SWITCHES: u32 = 0x88;
    pub const VGA_FLAGS: u32 = 0x89;
    pub const DCC_INDEX: u32 = 0x8A;
    pub const SAVE_PTR: u32 = 0xA8;
}

/// Video BIOS state beyond the BIOS data area.
#[derive(Debug, Clone, Default)]
pub struct VideoState {
    /// The VBE mode set by 4F02h (with its LFB bit), while one is on.
    pub vbe_mode: Option<u16>,
}

// ---- modes ---------------------------------------------------------------------------------------

/// How a mode lays out video memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    /// 320x200, 2 bits a pixel, CGA interleaved banks at B8000h.
    Cga4,
    /// 640x200, 1 bit a pixel, CGA interleaved banks at B8000h.
    Cga2,
    /// EGA/VGA planar: a bit of each plane a pixel, at A0000h.
    Planar,
    /// 320x200, a byte a pixel (chain-4) at A0000h.
    Vga256,
}

/// Which colours the DAC gets at a mode set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dac {
    /// The 64 EGA colours (rgbRGB), for 350/400/480-line modes.
    Ega,
    /// The 16 CGA colours (bit 4 = intensity), for 200-line modes.
    Cga,
    Mono,
    /// Mode 13h's 256 colours.
    Vga256,
}

#[derive(Debug, Clone, Copy)]
struct ModeInfo {
    mode: u8,
    kind: Kind,
    /// Entry of the VGA parameter table.
    index: u8,
    /// Physical address of the video memory the mode uses.
    base: u32,
    width: u16,
    height: u16,
    colours: u16,
    pages: u8,
    dac: Dac,
}

#[allow(clippy::too_many_arguments)]
const fn m(
    mode: u8,
    kind: Kind,
    index: u8,
    base: u32,
    size: (u16, u16),
    colours: u16,
    pages: u8,
    dac: Dac,
) -> ModeInfo {
    ModeInfo {
        mode,
        kind,
        index,
        base,
        width: size.0,
        height: size.1,
        colours,
        pages,
        dac,
    }
}

const MODES: [ModeInfo; 15] = [
    m(0x00, Kind::Text, 0x17, 0xB8000, (360, 400), 16, 8, Dac::Ega),
    m(0x01, Kind::Text, 0x17, 0xB8000, (360, 400), 16, 8, Dac::Ega),
    m(0x02, Kind::Text, 0x18, 0xB8000, (720, 400), 16, 8, Dac::Ega),
    m(0x03, Kind::Text, 0x18, 0xB8000, (720, 400), 16, 8, Dac::Ega),
    m(0x04, Kind::Cga4, 0x04, 0xB8000, (320, 200), 4, 1, Dac::Cga),
    m(0x05, Kind::Cga4, 0x05, 0xB8000, (320, 200), 4, 1, Dac::Cga),
    m(0x06, Kind::Cga2, 0x06, 0xB8000, (640, 200), 2, 1, Dac::Cga),
    m(0x07, Kind::Text, 0x19, 0xB0000, (720, 400), 0, 8, Dac::Mono),
    m(
        0x0D,
        Kind::Planar,
        0x0D,
        0xA0000,
        (320, 200),
        16,
        8,
        Dac::Cga,
    ),
    m(
        0x0E,
        Kind::Planar,
        0x0E,
        0xA0000,
        (640, 200),
        16,
        4,
        Dac::Cga,
    ),
    m(
        0x0F,
        Kind::Planar,
        0x0F,
        0xA0000,
        (640, 350),
        0,
        2,
        Dac::Mono,
    ),
    m(
        0x10,
        Kind::Planar,
        0x10,
        0xA0000,
        (640, 350),
        16,
        2,
        Dac::Ega,
    ),
    m(
        0x11,
        Kind::Planar,
        0x1A,
        0xA0000,
        (640, 480),
        2,
        1,
        Dac::Ega,
    ),
    m(
        0x12,
        Kind::Planar,
        0x1B,
        0xA0000,
        (640, 480),
        16,
        1,
        Dac::Ega,
    ),
    m(
        0x13,
        Kind::Vga256,
        0x1C,
        0xA0000,
        (320, 200),
        256,
        1,
        Dac::Vga256,
    ),
];

fn mode_info(mode: u8) -> Option<ModeInfo> {
    MODES.iter().find(|i| i.mode == mode).copied()
}

/// One VGA parameter table entry, in the IBM layout (64 bytes).
struct Params {
    cols: u8,
    rows_minus1: u8,
    char_height: u8,
    page_size: u16,
    seq: [u8; 4],
    misc: u8,
    crtc: [u8; 25],
    attr: [u8; 20],
    gc: [u8; 9],
}

impl Params {
    fn to_bytes(&self) -> [u8; 64] {
        let mut b = [0u8; 64];
        b[0] = self.cols;
        b[1] = self.rows_minus1;
        b[2] = self.char_height;
        b[3..5].copy_from_slice(&self.page_size.to_le_bytes());
        b[5..9].copy_from_slice(&self.seq);
        b[9] = self.misc;
        b[10..35].copy_from_slice(&self.crtc);
        b[35..55].copy_from_slice(&self.attr);
        b[55..64].copy_from_slice(&self.gc);
        b
    }

    fn from_bytes(b: &[u8; 64]) -> Params {
        let mut p = Params {
            cols: b[0],
            rows_minus1: b[1],
            char_height: b[2],
            page_size: u16::from_le_bytes([b[3], b[4]]),
            seq: [0; 4],
            misc: b[9],
            crtc: [0; 25],
            attr: [0; 20],
            gc: [0; 9],
        };
        p.seq.copy_from_slice(&b[5..9]);
        p.crtc.copy_from_slice(&b[10..35]);
        p.attr.copy_from_slice(&b[35..55]);
        p.gc.copy_from_slice(&b[55..64]);
        p
    }
}

const ATTR_TEXT: [u8; 20] = [
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F,
    0x0C, 0x00, 0x0F, 0x08,
];
const ATTR_EGA16: [u8; 20] = [
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F,
    0x01, 0x00, 0x0F, 0x00,
];
const ATTR_CGA16: [u8; 20] = [
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
    0x01, 0x00, 0x0F, 0x00,
];
const GC_TEXT: [u8; 9] = [0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0E, 0x00, 0xFF];
const GC_PLANAR: [u8; 9] = [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0F, 0xFF];
const CRTC_TEXT80: [u8; 25] = [
    0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x00,
    0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF,
];
const CRTC_200_320: [u8; 25] = [
    0x2D, 0x27, 0x28, 0x90, 0x2B, 0x80, 0xBF, 0x1F, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x9C, 0x8E, 0x8F, 0x14, 0x00, 0x96, 0xB9, 0xE3, 0xFF,
];
const CRTC_200_640: [u8; 25] = [
    0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x9C, 0x8E, 0x8F, 0x28, 0x00, 0x96, 0xB9, 0xE3, 0xFF,
];
const CRTC_350: [u8; 25] = [
    0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x83, 0x85, 0x5D, 0x28, 0x0F, 0x63, 0xBA, 0xE3, 0xFF,
];
const CRTC_480: [u8; 25] = [
    0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0x0B, 0x3E, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xEA, 0x8C, 0xDF, 0x28, 0x00, 0xE7, 0x04, 0xE3, 0xFF,
];

/// The VGA parameter table entry `index` (IBM numbering), if this BIOS defines it.
fn params(index: u8) -> Option<Params> {
    let with = |crtc: [u8; 25], changes: &[(usize, u8)]| {
        let mut c = crtc;
        for &(i, v) in changes {
            c[i] = v;
        }
        c
    };
    Some(match index {
        // 40x25 and 80x25 text, 400 lines, 9x16 characters.
        0x17 => Params {
            cols: 40,
            rows_minus1: 24,
            char_height: 16,
            page_size: 0x0800,
            seq: [0x08, 0x03, 0x00, 0x02],
            misc: 0x67,
            crtc: with(
                CRTC_TEXT80,
                &[
                    (0, 0x2D),
                    (1, 0x27),
                    (2, 0x28),
                    (3, 0x90),
                    (4, 0x2B),
                    (5, 0xA0),
                    (0x13, 0x14),
                ],
            ),
            attr: ATTR_TEXT,
            gc: GC_TEXT,
        },
        0x18 => Params {
            cols: 80,
            rows_minus1: 24,
            char_height: 16,
            page_size: 0x1000,
            seq: [0x00, 0x03, 0x00, 0x02],
            misc: 0x67,
            crtc: CRTC_TEXT80,
            attr: ATTR_TEXT,
            gc: GC_TEXT,
        },
        // Monochrome 80x25 text.
        0x19 => Params {
            cols: 80,
            rows_minus1: 24,
            char_height: 16,
            page_size: 0x1000,
            seq: [0x00, 0x03, 0x00, 0x02],
            misc: 0x66,
            crtc: with(CRTC_TEXT80, &[(0x14, 0x0F)]),
            attr: [
                0x00, 0x08, 0x08, 0x08, 0x08, 0x08, 0x08, 0x08, 0x10, 0x18, 0x18, 0x18, 0x18, 0x18,
                0x18, 0x18, 0x0E, 0x00, 0x0F, 0x08,
            ],
            gc: [0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0A, 0x00, 0xFF],
        },
        // CGA 320x200 in 4 colours: odd/even, interleaved shift, row scan 0 selects bank 0.
        0x04 | 0x05 => Params {
            cols: 40,
            rows_minus1: 24,
            char_height: 8,
            page_size: 0x4000,
            seq: [0x09, 0x03, 0x00, 0x02],
            misc: 0x63,
            crtc: with(CRTC_200_320, &[(9, 0xC1), (0x17, 0xA2)]),
            attr: [
                0x00, 0x13, 0x15, 0x17, 0x02, 0x04, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
                0x16, 0x17, 0x01, 0x00, 0x03, 0x00,
            ],
            gc: [0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x0F, 0x00, 0xFF],
        },
        // CGA 640x200 in 2 colours: plane 0 only.
        0x06 => Params {
            cols: 80,
            rows_minus1: 24,
            char_height: 8,
            page_size: 0x4000,
            seq: [0x01, 0x01, 0x00, 0x06],
            misc: 0x63,
            crtc: with(CRTC_200_640, &[(9, 0xC1), (0x17, 0xC2)]),
            attr: [
                0x00, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17,
                0x17, 0x17, 0x01, 0x00, 0x01, 0x00,
            ],
            gc: [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0D, 0x00, 0xFF],
        },
        0x0D => Params {
            cols: 40,
            rows_minus1: 24,
            char_height: 8,
            page_size: 0x2000,
            seq: [0x09, 0x0F, 0x00, 0x06],
            misc: 0x63,
            crtc: CRTC_200_320,
            attr: ATTR_CGA16,
            gc: GC_PLANAR,
        },
        0x0E => Params {
            cols: 80,
            rows_minus1: 24,
            char_height: 8,
            page_size: 0x4000,
            seq: [0x01, 0x0F, 0x00, 0x06],
            misc: 0x63,
            crtc: CRTC_200_640,
            attr: ATTR_CGA16,
            gc: GC_PLANAR,
        },
        // Monochrome 640x350: plane 0 is the picture, plane 2 the intensity.
        0x0F => Params {
            cols: 80,
            rows_minus1: 24,
            char_height: 14,
            page_size: 0x8000,
            seq: [0x01, 0x0F, 0x00, 0x06],
            misc: 0xA2,
            crtc: CRTC_350,
            attr: [
                0x00, 0x08, 0x00, 0x00, 0x18, 0x18, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x18,
                0x00, 0x00, 0x0B, 0x00, 0x05, 0x00,
            ],
            gc: [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x05, 0xFF],
        },
        0x10 => Params {
            cols: 80,
            rows_minus1: 24,
            char_height: 14,
            page_size: 0x8000,
            seq: [0x01, 0x0F, 0x00, 0x06],
            misc: 0xA3,
            crtc: CRTC_350,
            attr: ATTR_EGA16,
            gc: GC_PLANAR,
        },
        // 640x480 in 2 colours: only plane 0 reaches the palette.
        0x1A => Params {
            cols: 80,
            rows_minus1: 29,
            char_height: 16,
            page_size: 0xA000,
            seq: [0x01, 0x0F, 0x00, 0x06],
            misc: 0xE3,
            crtc: with(CRTC_480, &[(0x17, 0xC3)]),
            attr: [
                0x00, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F,
                0x3F, 0x3F, 0x01, 0x00, 0x01, 0x00,
            ],
            gc: GC_PLANAR,
        },
        0x1B => Params {
            cols: 80,
            rows_minus1: 29,
            char_height: 16,
            page_size: 0xA000,
            seq: [0x01, 0x0F, 0x00, 0x06],
            misc: 0xE3,
            crtc: CRTC_480,
            attr: ATTR_EGA16,
            gc: GC_PLANAR,
        },
        // 320x200 in 256 colours: chain-4, doubleword addressing, each line scanned twice.
        0x1C => Params {
            cols: 40,
            rows_minus1: 24,
            char_height: 8,
            page_size: 0xFA00,
            seq: [0x01, 0x0F, 0x00, 0x0E],
            misc: 0x63,
            crtc: with(
                CRTC_TEXT80,
                &[
                    (4, 0x54),
                    (5, 0x80),
                    (9, 0x41),
                    (0x0A, 0),
                    (0x0B, 0),
                    (0x14, 0x40),
                ],
            ),
            attr: [
                0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D,
                0x0E, 0x0F, 0x41, 0x00, 0x0F, 0x00,
            ],
            gc: [0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0F, 0xFF],
        },
        _ => return None,
    })
}

// ---- colours -----------------------------------------------------------------------------------

/// DAC entry `i` (6-bit components) of a default palette.
fn dac_colour(dac: Dac, i: usize) -> [u8; 3] {
    let bit = |n: usize| ((i >> n) & 1) as u8;
    match dac {
        Dac::Ega => [
            bit(2) * 42 + bit(5) * 21,
            bit(1) * 42 + bit(4) * 21,
            bit(0) * 42 + bit(3) * 21,
        ],
        Dac::Cga => cga_colour(i & 7 | (i >> 1) & 8),
        Dac::Mono => {
            let v = bit(3) * 42 + bit(4) * 21;
            [v, v, v]
        }
        Dac::Vga256 => vga256_colour(i),
    }
}

/// The 16 CGA colours (bit 3 = intensity), with brown for colour 6.
fn cga_colour(c: usize) -> [u8; 3] {
    let i = ((c >> 3) & 1) as u8 * 21;
    let mut rgb = [
        ((c >> 2) & 1) as u8 * 42 + i,
        ((c >> 1) & 1) as u8 * 42 + i,
        (c & 1) as u8 * 42 + i,
    ];
    if c == 6 {
        rgb[1] = 21;
    }
    rgb
}

/// The default 256-colour palette: the 16 CGA colours, 16 greys, then 9 rings of 24 hues
/// (3 brightnesses x 3 saturations), then black.
fn vga256_colour(i: usize) -> [u8; 3] {
    match i {
        0..=15 => cga_colour(i),
        16..=31 => {
            let v = ((i - 16) * 63 / 15) as u8;
            [v, v, v]
        }
        32..=247 => {
            let ring = (i - 32) / 24;
            let hue = (i - 32) % 24;
            let (max, mins) = match ring / 3 {
                0 => (63u32, [0u32, 31, 45]),
                1 => (28, [0, 14, 20]),
                _ => (16, [0, 8, 11]),
            };
            let min = mins[ring % 3];
            let level = |k: u32| (min + (max - min) * k / 4) as u8;
            let (seg, k) = (hue / 4, (hue % 4) as u32);
            let (r, g, b) = match seg {
                0 => (k, 0, 4),
                1 => (4, 0, 4 - k),
                2 => (4, k, 0),
                3 => (4 - k, 4, 0),
                4 => (0, 4, k),
                _ => (0, 4 - k, 4),
            };
            [level(r), level(g), level(b)]
        }
        _ => [0, 0, 0],
    }
}

// ---- small helpers -------------------------------------------------------------------------------

fn bda8(pc: &Pc, off: u32) -> u8 {
    pc.board.mem.read8(0x400 + off)
}

fn bda16(pc: &Pc, off: u32) -> u16 {
    pc.board.mem.read16(0x400 + off)
}

fn set_bda8(pc: &mut Pc, off: u32, v: u8) {
    pc.board.mem.write8(0x400 + off, v);
}

fn set_bda16(pc: &mut Pc, off: u32, v: u16) {
    pc.board.mem.write16(0x400 + off, v);
}

fn outb(pc: &mut Pc, port: u16, v: u8) {
    pc.board.port_write(port, v);
}

fn inb(pc: &mut Pc, port: u16) -> u8 {
    pc.board.port_read(port)
}

fn vread(pc: &mut Pc, addr: u32) -> u8 {
    pc.board.read8(addr)
}

fn vwrite(pc: &mut Pc, addr: u32, v: u8) {
    pc.board.write8(addr, v);
}

fn seq_write(pc: &mut Pc, i: u8, v: u8) {
    outb(pc, 0x3C4, i);
    outb(pc, 0x3C5, v);
}

fn seq_read(pc: &mut Pc, i: u8) -> u8 {
    outb(pc, 0x3C4, i);
    inb(pc, 0x3C5)
}

fn gc_write(pc: &mut Pc, i: u8, v: u8) {
    outb(pc, 0x3CE, i);
    outb(pc, 0x3CF, v);
}

fn gc_read(pc: &mut Pc, i: u8) -> u8 {
    outb(pc, 0x3CE, i);
    inb(pc, 0x3CF)
}

fn crtc_port(pc: &Pc) -> u16 {
    match bda16(pc, field::CRTC_PORT) {
        0x3B4 => 0x3B4,
        _ => 0x3D4,
    }
}

fn crtc_write(pc: &mut Pc, i: u8, v: u8) {
    let p = crtc_port(pc);
    outb(pc, p, i);
    outb(pc, p + 1, v);
}

fn crtc_read(pc: &mut Pc, i: u8) -> u8 {
    let p = crtc_port(pc);
    outb(pc, p, i);
    inb(pc, p + 1)
}

/// Reset the attribute flip-flop to "index" by reading input status 1.
fn attr_reset_flipflop(pc: &mut Pc) {
    let p = crtc_port(pc) + 6;
    let _ = inb(pc, p);
}

/// Write an attribute controller register, leaving the display on afterwards.
fn attr_write(pc: &mut Pc, i: u8, v: u8) {
    attr_reset_flipflop(pc);
    outb(pc, 0x3C0, i & 0x1F);
    outb(pc, 0x3C0, v);
    outb(pc, 0x3C0, 0x20);
}

fn attr_read(pc: &mut Pc, i: u8) -> u8 {
    attr_reset_flipflop(pc);
    outb(pc, 0x3C0, (i & 0x1F) | 0x20);
    let v = inb(pc, 0x3C1);
    attr_reset_flipflop(pc);
    v
}

fn dac_write(pc: &mut Pc, i: u8, rgb: [u8; 3]) {
    outb(pc, 0x3C8, i);
    for c in rgb {
        outb(pc, 0x3C9, c);
    }
}

fn dac_read(pc: &mut Pc, i: u8) -> [u8; 3] {
    outb(pc, 0x3C7, i);
    [inb(pc, 0x3C9), inb(pc, 0x3C9), inb(pc, 0x3C9)]
}

fn bp(pc: &Pc) -> u16 {
    pc.cpu.regs[5] as u16
}

fn di(pc: &Pc) -> u16 {
    pc.cpu.regs[7] as u16
}

fn set_es_bp(pc: &mut Pc, seg: u16, off: u16) {
    pc.cpu.load_seg_real(SegReg::Es, seg);
    pc.cpu.regs[5] = (pc.cpu.regs[5] & 0xFFFF_0000) | off as u32;
}

/// Linear address of ES:`off`.
fn es(pc: &Pc, off: u16) -> u32 {
    seg_base(&pc.cpu, SegReg::Es).wrapping_add(off as u32)
}

fn read_bytes(pc: &Pc, addr: u32, n: usize) -> Vec<u8> {
    let mut v = vec![0; n];
    pc.board.mem.read_bytes(addr, &mut v);
    v
}

fn far_ptr(pc: &Pc, addr: u32) -> u32 {
    let off = pc.board.mem.read16(addr);
    let seg = pc.board.mem.read16(addr + 2);
    lin(seg, off)
}

fn set_vector(pc: &mut Pc, n: u8, seg: u16, off: u16) {
    pc.board.mem.write16(n as u32 * 4, off);
    pc.board.mem.write16(n as u32 * 4 + 2, seg);
}

fn current(pc: &Pc) -> Option<ModeInfo> {
    if pc.bios.video.vbe_mode.is_some() {
        return None;
    }
    mode_info(bda8(pc, field::MODE) & 0x7F)
}

fn columns(pc: &Pc) -> u16 {
    bda16(pc, field::COLUMNS).max(1)
}

fn rows(pc: &Pc) -> u16 {
    bda8(pc, field::ROWS) as u16 + 1
}

fn char_height(pc: &Pc) -> u16 {
    (bda8(pc, field::CHAR_HEIGHT) as u16).max(1)
}

// ---- ROM -----------------------------------------------------------------------------------------

/// Put the video BIOS's tables into the ROM image (the 64 KiB at F000:0000).
pub fn install_rom(image: &mut [u8]) {
    let put = |image: &mut [u8], off: u16, bytes: &[u8]| {
        let at = off as usize;
        if let Some(dst) = image.get_mut(at..at + bytes.len()) {
            dst.copy_from_slice(bytes);
        }
    };
    put(image, FONT16_OFF, &font::FONT_8X16);
    put(image, FONT14_OFF, &font::FONT_8X14);
    put(image, FONT8_OFF, &font::FONT_8X8);
    put(image, FONT8_LOW_OFF, &font::FONT_8X8[..0x400]);
    for i in 0..PARAM_ENTRIES {
        if let Some(p) = params(i as u8) {
            put(image, PARAM_TABLE_OFF + i as u16 * 64, &p.to_bytes());
        }
    }
    // Save pointer table: the parameter table, then the secondary save pointer table (which
    // points to the display combination code table).
    let mut save = [0u8; 28];
    save[0..2].copy_from_slice(&PARAM_TABLE_OFF.to_le_bytes());
    save[2..4].copy_from_slice(&ROM_SEG.to_le_bytes());
    save[16..18].copy_from_slice(&SECONDARY_SAVE_OFF.to_le_bytes());
    save[18..20].copy_from_slice(&ROM_SEG.to_le_bytes());
    put(image, SAVE_PTR_OFF, &save);
    let mut secondary = [0u8; 26];
    secondary[0..2].copy_from_slice(&26u16.to_le_bytes());
    secondary[2..4].copy_from_slice(&DCC_TABLE_OFF.to_le_bytes());
    secondary[4..6].copy_from_slice(&ROM_SEG.to_le_bytes());
    put(image, SECONDARY_SAVE_OFF, &secondary);
    // Display combination codes: (active, alternate) pairs; entry 0Bh is "VGA colour".
    let dcc: [u8; 4 + 2 * 12] = [
        12, 1, 8, 0, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0x02, 0x01, 0x00, 0x04, 0x04, 0x01, 0x00,
        0x05, 0x02, 0x05, 0x00, 0x06, 0x01, 0x06, 0x05, 0x06, 0x08, 0x00,
    ];
    put(image, DCC_TABLE_OFF, &dcc);
    // Static functionality table (INT 10h/1Bh): modes 0-7, 0Dh-13h; 200/350/400 lines; 8 font
    // blocks, 2 active; palettes, fonts, cursor emulation, blink toggle, DCC.
    put(
        image,
        STATIC_FUNC_OFF,
        &[
            0xFF, 0xE0, 0x0F, 0, 0, 0, 0, 0x07, 8, 2, 0xFF, 0x0C, 0, 0, 0, 0,
        ],
    );
    // Empty alternate 9-dot font tables (every glyph's ninth column comes from line graphics).
    put(image, ALT_FONT_OFF, &[0, 0]);
    // VBE window function: push ax; mov ax,4F05h; int 10h; pop ax; retf.
    put(
        image,
        VBE_WIN_FUNC_OFF,
        &[0x50, 0xB8, 0x05, 0x4F, 0xCD, 0x10, 0x58, 0xCB],
    );
    put(image, VBE_INFO_OFF, &vbe_rom_block());
    // The 6845 parameter table of the IBM PC (INT 1Dh): 40x25, 80x25, graphics, monochrome;
    // regen lengths; columns; mode control register values.
    let mut cga = Vec::with_capacity(88);
    for regs in [
        [
            0x38u8, 0x28, 0x2D, 0x0A, 0x1F, 0x06, 0x19, 0x1C, 0x02, 0x07, 0x06, 0x07,
        ],
        [
            0x71, 0x50, 0x5A, 0x0A, 0x1F, 0x06, 0x19, 0x1C, 0x02, 0x07, 0x06, 0x07,
        ],
        [
            0x38, 0x28, 0x2D, 0x0A, 0x7F, 0x06, 0x64, 0x70, 0x02, 0x01, 0x06, 0x07,
        ],
        [
            0x61, 0x50, 0x52, 0x0F, 0x19, 0x06, 0x19, 0x19, 0x02, 0x0D, 0x0B, 0x0C,
        ],
    ] {
        cga.extend_from_slice(&regs);
        cga.extend_from_slice(&[0; 4]);
    }
    for len in [0x0800u16, 0x1000, 0x4000, 0x4000] {
        cga.extend_from_slice(&len.to_le_bytes());
    }
    cga.extend_from_slice(&[40, 40, 80, 80, 40, 40, 80, 80]);
    cga.extend_from_slice(&CGA_MODE_CONTROL);
    put(image, CGA_PARAMS_OFF, &cga);
}

/// CGA mode control register (3D8h) values of modes 0-7, kept in 40:65.
const CGA_MODE_CONTROL: [u8; 8] = [0x2C, 0x28, 0x2D, 0x29, 0x2A, 0x2E, 0x1E, 0x29];

// ---- POST ----------------------------------------------------------------------------------------

/// Power-on initialization of the display: the EGA/VGA data area, the font and parameter
/// vectors, and mode 3.
pub fn post_init(pc: &mut Pc) {
    set_bda8(pc, field::EGA_INFO, 0x60);
    set_bda8(pc, field::EGA_SWITCHES, 0x09);
    set_bda8(pc, field::VGA_FLAGS, 0x11);
    set_bda8(pc, field::DCC_INDEX, 0x0B);
    set_bda16(pc, field::SAVE_PTR, SAVE_PTR_OFF);
    set_bda16(pc, field::SAVE_PTR + 2, ROM_SEG);
    set_vector(pc, 0x1D, ROM_SEG, CGA_PARAMS_OFF);
    set_vector(pc, 0x1F, ROM_SEG, FONT8_HI_OFF);
    set_vector(pc, 0x43, ROM_SEG, FONT8_LOW_OFF);
    pc.bios.video.vbe_mode = None;
    set_mode(pc, 0x03);
}

// ---- INT 10h -------------------------------------------------------------------------------------

pub fn int10(pc: &mut Pc) -> Flow {
    let ah = pc.cpu.ah();
    match ah {
        0x00 => {
            let al = pc.cpu.al();
            if set_mode(pc, al) {
                // AL: the IBM BIOS returns 30h for modes 0-5 and 7, 20h for 6, 3Fh above 7.
                let ret = match al & 0x7F {
                    6 => 0x3F,
                    0..=7 => 0x30,
                    _ => 0x20,
                };
                pc.cpu.set_al(ret);
            }
        }
        0x01 => {
            let cx = pc.cpu.cx();
            set_bda16(pc, field::CURSOR_SHAPE, cx);
            program_cursor_shape(pc, cx);
        }
        0x02 => {
            let page = pc.cpu.bh() & 7;
            let (row, col) = (pc.cpu.dh(), pc.cpu.dl());
            set_cursor(pc, page, col, row);
        }
        0x03 => {
            let page = pc.cpu.bh() & 7;
            let pos = bda16(pc, field::CURSOR_POS + 2 * page as u32);
            let shape = bda16(pc, field::CURSOR_SHAPE);
            pc.cpu.set_dx(pos);
            pc.cpu.set_cx(shape);
        }
        0x04 => pc.cpu.set_ah(0), // light pen: not triggered
        0x05 => set_active_page(pc, pc.cpu.al()),
        0x06 | 0x07 => {
            let (r0, c0, r1, c1) = (pc.cpu.ch(), pc.cpu.cl(), pc.cpu.dh(), pc.cpu.dl());
            let n = pc.cpu.al();
            let fill = pc.cpu.bh();
            let page = bda8(pc, field::ACTIVE_PAGE);
            scroll(pc, page, (r0, c0, r1, c1), n, fill, ah == 0x06);
        }
        0x08 => {
            let page = pc.cpu.bh() & 7;
            let (ch, attr) = read_char(pc, page);
            pc.cpu.set_ax((attr as u16) << 8 | ch as u16);
        }
        0x09 | 0x0A => {
            let page = pc.cpu.bh() & 7;
            let (ch, attr, n) = (pc.cpu.al(), pc.cpu.bl(), pc.cpu.cx());
            write_chars(pc, page, ch, (ah == 0x09).then_some(attr), attr, n);
        }
        0x0B => cga_palette(pc),
        0x0C => {
            let (x, y, c, page) = (pc.cpu.cx(), pc.cpu.dx(), pc.cpu.al(), pc.cpu.bh());
            write_pixel(pc, page, x, y, c);
        }
        0x0D => {
            let (x, y, page) = (pc.cpu.cx(), pc.cpu.dx(), pc.cpu.bh());
            let c = read_pixel(pc, page, x, y);
            pc.cpu.set_al(c);
        }
        0x0E => {
            let (ch, colour) = (pc.cpu.al(), pc.cpu.bl());
            let page = bda8(pc, field::ACTIVE_PAGE);
            teletype(pc, page, ch, None, colour);
        }
        0x0F => {
            let mode = bda8(pc, field::MODE) | (bda8(pc, field::EGA_INFO) & 0x80);
            let cols = bda8(pc, field::COLUMNS);
            pc.cpu.set_ax((cols as u16) << 8 | mode as u16);
            let page = bda8(pc, field::ACTIVE_PAGE);
            pc.cpu.set_bh(page);
        }
        0x10 => palette(pc),
        0x11 => character_generator(pc),
        0x12 => alternate_select(pc),
        0x13 => write_string(pc),
        0x1A => match pc.cpu.al() {
            0x00 => {
                pc.cpu.set_bx(0x0008);
                pc.cpu.set_al(0x1A);
            }
            0x01 => pc.cpu.set_al(0x1A),
            _ => {}
        },
        0x1B if pc.cpu.bx() == 0 => {
            functionality_state(pc);
            pc.cpu.set_al(0x1B);
        }
        0x4F => vbe(pc),
        // Anything else: returned unchanged, as the IBM BIOS does.
        _ => {}
    }
    Flow::Done
}

// ---- mode set ------------------------------------------------------------------------------------

/// The parameter table entry `index`, through the save pointer table at 40:A8 as a program
/// may have replaced it.
fn read_params(pc: &Pc, index: u8) -> Option<Params> {
    let save = far_ptr(pc, 0x400 + field::SAVE_PTR);
    let table = if save == 0 {
        lin(ROM_SEG, PARAM_TABLE_OFF)
    } else {
        far_ptr(pc, save)
    };
    let mut b = [0u8; 64];
    pc.board.mem.read_bytes(table + index as u32 * 64, &mut b);
    if b.iter().all(|&x| x == 0) {
        return params(index);
    }
    Some(Params::from_bytes(&b))
}

/// Leave any VBE mode.
fn vbe_off(pc: &mut Pc) {
    if pc.board.vga.vbe.enabled() {
        dispi_write(pc, vga::vbe_index::ENABLE, 0);
    }
    pc.bios.video.vbe_mode = None;
}

/// INT 10h AH=00h: set a standard mode. Returns false for a mode this BIOS does not have.
fn set_mode(pc: &mut Pc, al: u8) -> bool {
    let mode = al & 0x7F;
    let keep = al & 0x80 != 0;
    let Some(info) = mode_info(mode) else {
        return false;
    };
    let Some(p) = read_params(pc, info.index) else {
        return false;
    };
    vbe_off(pc);
    // Screen off while the registers change.
    let s1 = seq_read(pc, 1);
    seq_write(pc, 1, s1 | 0x20);
    outb(pc, 0x3C2, p.misc);
    set_bda16(
        pc,
        field::CRTC_PORT,
        if p.misc & 1 != 0 { 0x3D4 } else { 0x3B4 },
    );
    seq_write(pc, 0, 0x01);
    for (i, &v) in p.seq.iter().enumerate() {
        seq_write(pc, i as u8 + 1, v | if i == 0 { 0x20 } else { 0 });
    }
    seq_write(pc, 0, 0x03);
    crtc_write(pc, 0x11, p.crtc[0x11] & 0x7F);
    for (i, &v) in p.crtc.iter().enumerate() {
        crtc_write(pc, i as u8, v);
    }
    attr_reset_flipflop(pc);
    for (i, &v) in p.attr.iter().enumerate() {
        outb(pc, 0x3C0, i as u8);
        outb(pc, 0x3C0, v);
    }
    outb(pc, 0x3C0, 0x14);
    outb(pc, 0x3C0, 0x00);
    for (i, &v) in p.gc.iter().enumerate() {
        gc_write(pc, i as u8, v);
    }
    outb(pc, 0x3C6, 0xFF);
    if bda8(pc, field::VGA_FLAGS) & 0x08 == 0 {
        load_default_dac(pc, info.dac);
    }
    if !keep {
        clear_screen(pc, &info);
    }
    // The data area.
    set_bda8(pc, field::MODE, mode);
    set_bda16(pc, field::COLUMNS, p.cols as u16);
    set_bda16(pc, field::PAGE_SIZE, p.page_size);
    set_bda16(pc, field::PAGE_START, 0);
    for i in 0..8 {
        set_bda16(pc, field::CURSOR_POS + 2 * i, 0);
    }
    set_bda8(pc, field::ACTIVE_PAGE, 0);
    set_bda8(pc, field::ROWS, p.rows_minus1);
    set_bda8(pc, field::CHAR_HEIGHT, p.char_height);
    let info87 = (bda8(pc, field::EGA_INFO) & 0x7F) | if keep { 0x80 } else { 0 };
    set_bda8(pc, field::EGA_INFO, info87);
    if let Some(&mc) = CGA_MODE_CONTROL.get(mode as usize) {
        set_bda8(pc, field::MODE_CONTROL, mc);
    }
    set_bda8(pc, field::CGA_PALETTE, if mode == 6 { 0x3F } else { 0x30 });
    let flags = bda8(pc, field::VGA_FLAGS) & !0x90;
    let lines = if info.kind == Kind::Text { 0x10 } else { 0 };
    set_bda8(pc, field::VGA_FLAGS, flags | lines);
    // Fonts: text modes load theirs into plane 2; graphics modes point INT 43h at theirs.
    match info.kind {
        Kind::Text => {
            load_rom_font(pc, p.char_height, 0);
            set_bda16(pc, field::CURSOR_SHAPE, 0x0607);
            program_cursor_shape(pc, 0x0607);
        }
        Kind::Cga4 | Kind::Cga2 => set_vector(pc, 0x43, ROM_SEG, FONT8_LOW_OFF),
        _ => {
            let off = match p.char_height {
                14 => FONT14_OFF,
                16 => FONT16_OFF,
                _ => FONT8_OFF,
            };
            set_vector(pc, 0x43, ROM_SEG, off);
        }
    }
    set_vector(pc, 0x1F, ROM_SEG, FONT8_HI_OFF);
    // Screen on, palette to the display.
    let s1 = seq_read(pc, 1);
    seq_write(pc, 1, s1 & !0x20);
    attr_reset_flipflop(pc);
    outb(pc, 0x3C0, 0x20);
    true
}

fn load_default_dac(pc: &mut Pc, dac: Dac) {
    let n = if dac == Dac::Vga256 { 256 } else { 64 };
    let grey = bda8(pc, field::VGA_FLAGS) & 0x02 != 0;
    outb(pc, 0x3C8, 0);
    for i in 0..256 {
        let rgb = if i < n { dac_colour(dac, i) } else { [0; 3] };
        let rgb = if grey { grey_sum(rgb) } else { rgb };
        for c in rgb {
            outb(pc, 0x3C9, c);
        }
    }
}

/// Grey-scale summing: 30% red, 59% green, 11% blue.
fn grey_sum([r, g, b]: [u8; 3]) -> [u8; 3] {
    let v = ((r as u32 * 30 + g as u32 * 59 + b as u32 * 11 + 50) / 100).min(63) as u8;
    [v, v, v]
}

fn clear_screen(pc: &mut Pc, info: &ModeInfo) {
    match info.kind {
        Kind::Text => {
            for i in 0..0x4000u32 {
                pc.board.write16(info.base + i * 2, 0x0720);
            }
        }
        Kind::Cga4 | Kind::Cga2 => {
            for i in 0..0x4000u32 {
                pc.board.write16(info.base + i * 2, 0);
            }
        }
        Kind::Planar | Kind::Vga256 => {
            // All four planes, whatever the addressing mode.
            let save = seq_read(pc, 4);
            seq_write(pc, 4, 0x06);
            seq_write(pc, 2, 0x0F);
            let gc5 = gc_read(pc, 5);
            gc_write(pc, 5, 0);
            for i in 0..0x8000u32 {
                pc.board.write16(0xA0000 + i * 2, 0);
            }
            gc_write(pc, 5, gc5);
            seq_write(pc, 4, save);
        }
    }
}

// ---- fonts ---------------------------------------------------------------------------------------

/// Write glyphs into font block `block` of plane 2, with the sequencer and graphics controller
/// set for plane 2 access around it (as the IBM BIOS does), then put them back.
fn load_font(pc: &mut Pc, glyphs: &[u8], height: u8, first: u16, count: u16, block: u8) {
    let h = (height as usize).clamp(1, 32);
    let saved = (
        seq_read(pc, 2),
        seq_read(pc, 4),
        gc_read(pc, 4),
        gc_read(pc, 5),
        gc_read(pc, 6),
    );
    seq_write(pc, 0, 0x01);
    seq_write(pc, 2, 0x04);
    seq_write(pc, 4, 0x07);
    seq_write(pc, 0, 0x03);
    gc_write(pc, 4, 0x02);
    gc_write(pc, 5, 0x00);
    gc_write(pc, 6, 0x04);
    let base = 0xA0000 + FONT_BLOCK_OFFSET[(block & 7) as usize];
    for c in 0..count as usize {
        let code = (first as usize + c) & 0xFF;
        for row in 0..32 {
            let v = if row < h {
                glyphs.get(c * h + row).copied().unwrap_or(0)
            } else {
                0
            };
            vwrite(pc, base + (code * 32 + row) as u32, v);
        }
    }
    seq_write(pc, 0, 0x01);
    seq_write(pc, 2, saved.0);
    seq_write(pc, 4, saved.1);
    seq_write(pc, 0, 0x03);
    gc_write(pc, 4, saved.2);
    gc_write(pc, 5, saved.3);
    gc_write(pc, 6, saved.4);
}

/// The ROM font of a character height (8, 14 or 16 lines; others get the 8x16 one).
fn rom_font(height: u8) -> (&'static [u8], u8) {
    match height {
        8 => (&font::FONT_8X8, 8),
        14 => (&font::FONT_8X14, 14),
        _ => (&font::FONT_8X16, 16),
    }
}

fn load_rom_font(pc: &mut Pc, height: u8, block: u8) {
    let (glyphs, h) = rom_font(height);
    load_font(pc, glyphs, h, 0, 256, block);
}

/// After a font load with recalculation (AL=1xh): character height, rows, cursor, display end.
fn recalc_text(pc: &mut Pc, height: u8) {
    let h = (height as u16).clamp(1, 32);
    let lines = match current(pc) {
        Some(i) => i.height,
        None => 400,
    };
    let rows = (lines / h).max(1);
    let cols = columns(pc);
    let r9 = crtc_read(pc, 9);
    crtc_write(pc, 9, (r9 & 0xE0) | (h as u8 - 1));
    let end = rows * h - 1;
    let r11 = crtc_read(pc, 0x11);
    crtc_write(pc, 0x11, r11 & 0x7F);
    let r7 = crtc_read(pc, 7);
    let r7 = (r7 & !0x42) | (((end >> 8) & 1) as u8 * 0x02) | (((end >> 9) & 1) as u8 * 0x40);
    crtc_write(pc, 7, r7);
    crtc_write(pc, 0x12, end as u8);
    crtc_write(pc, 0x11, r11);
    set_bda8(pc, field::ROWS, (rows - 1) as u8);
    set_bda8(pc, field::CHAR_HEIGHT, h as u8);
    set_bda16(pc, field::PAGE_SIZE, (rows * cols * 2 + 0xFF) & !0xFF);
    let (s, e) = if h > 8 {
        (h - 3, h - 2)
    } else {
        (h.saturating_sub(2), h - 1)
    };
    crtc_write(pc, 0x0A, s as u8);
    crtc_write(pc, 0x0B, e as u8);
    set_bda16(pc, field::CURSOR_SHAPE, 0x0607);
}

/// INT 10h AH=11h.
fn character_generator(pc: &mut Pc) {
    let al = pc.cpu.al();
    let block = pc.cpu.bl();
    match al {
        0x00 | 0x10 => {
            let h = pc.cpu.bh();
            let count = pc.cpu.cx();
            let first = pc.cpu.dx();
            let data = read_bytes(pc, es(pc, bp(pc)), count as usize * h.max(1) as usize);
            load_font(pc, &data, h, first, count, block);
            if al == 0x10 {
                recalc_text(pc, h);
            }
        }
        0x01 | 0x02 | 0x04 | 0x11 | 0x12 | 0x14 => {
            let h = match al & 0x0F {
                1 => 14,
                2 => 8,
                _ => 16,
            };
            load_rom_font(pc, h, block);
            if al & 0x10 != 0 {
                recalc_text(pc, h);
            }
        }
        0x03 => seq_write(pc, 3, block),
        0x20 => {
            let off = bp(pc);
            let seg = pc.cpu.seg_selector(SegReg::Es);
            set_vector(pc, 0x1F, seg, off);
        }
        0x21..=0x24 => {
            let (seg, off, h) = match al {
                0x21 => (pc.cpu.seg_selector(SegReg::Es), bp(pc), pc.cpu.cx() as u8),
                0x22 => (ROM_SEG, FONT14_OFF, 14),
                0x23 => (ROM_SEG, FONT8_OFF, 8),
                _ => (ROM_SEG, FONT16_OFF, 16),
            };
            set_vector(pc, 0x43, seg, off);
            let rows = match pc.cpu.bl() {
                0 => pc.cpu.dl().max(1),
                1 => 14,
                2 => 25,
                _ => 43,
            };
            set_bda8(pc, field::ROWS, rows - 1);
            set_bda8(pc, field::CHAR_HEIGHT, h);
        }
        0x30 => {
            let vector =
                |pc: &Pc, n: u32| (pc.board.mem.read16(n * 4 + 2), pc.board.mem.read16(n * 4));
            let (seg, off) = match pc.cpu.bh() {
                0x00 => vector(pc, 0x1F),
                0x01 => vector(pc, 0x43),
                0x02 => (ROM_SEG, FONT14_OFF),
                0x03 => (ROM_SEG, FONT8_LOW_OFF),
                0x04 => (ROM_SEG, FONT8_HI_OFF),
                0x06 => (ROM_SEG, FONT16_OFF),
                _ => (ROM_SEG, ALT_FONT_OFF),
            };
            set_es_bp(pc, seg, off);
            pc.cpu.set_cx(char_height(pc));
            let r = bda8(pc, field::ROWS);
            pc.cpu.set_dl(r);
        }
        _ => {}
    }
}

// ---- cursor and pages ----------------------------------------------------------------------------

/// Program the CRTC cursor start/end from a CGA-style shape (CH start, CL end), scaling it to
/// the character height as the VGA's cursor emulation does.
fn program_cursor_shape(pc: &mut Pc, cx: u16) {
    let mut start = ((cx >> 8) & 0x3F) as u8;
    let mut end = (cx & 0x1F) as u8;
    let h = char_height(pc) as u8;
    let emulate = bda8(pc, field::EGA_INFO) & 0x01 == 0;
    if emulate && h > 8 && end < 8 && start & 0x20 == 0 && start < 8 {
        let e = ((end as u16 + 1) * h as u16 / 8).saturating_sub(2) as u8;
        start = if start + 1 >= end {
            e.saturating_sub(1)
        } else {
            (start as u16 * h as u16 / 8) as u8
        };
        end = e;
    }
    crtc_write(pc, 0x0A, start);
    crtc_write(pc, 0x0B, end);
}

fn set_cursor(pc: &mut Pc, page: u8, col: u8, row: u8) {
    set_bda16(
        pc,
        field::CURSOR_POS + 2 * (page & 7) as u32,
        (row as u16) << 8 | col as u16,
    );
    if page == bda8(pc, field::ACTIVE_PAGE) {
        update_hw_cursor(pc);
    }
}

fn cursor(pc: &Pc, page: u8) -> (u16, u16) {
    let v = bda16(pc, field::CURSOR_POS + 2 * (page & 7) as u32);
    (v & 0xFF, v >> 8)
}

/// Put the hardware cursor where the active page's cursor is.
fn update_hw_cursor(pc: &mut Pc) {
    if current(pc).is_none_or(|i| i.kind != Kind::Text) {
        return;
    }
    let page = bda8(pc, field::ACTIVE_PAGE);
    let (col, row) = cursor(pc, page);
    let at = (bda16(pc, field::PAGE_START) / 2)
        .wrapping_add(row * columns(pc))
        .wrapping_add(col);
    crtc_write(pc, 0x0E, (at >> 8) as u8);
    crtc_write(pc, 0x0F, at as u8);
}

fn set_active_page(pc: &mut Pc, page: u8) {
    let Some(info) = current(pc) else {
        return;
    };
    if page >= info.pages {
        return;
    }
    let start = bda16(pc, field::PAGE_SIZE).wrapping_mul(page as u16);
    set_bda8(pc, field::ACTIVE_PAGE, page);
    set_bda16(pc, field::PAGE_START, start);
    let counter = if info.kind == Kind::Text {
        start / 2
    } else {
        start
    };
    crtc_write(pc, 0x0C, (counter >> 8) as u8);
    crtc_write(pc, 0x0D, counter as u8);
    update_hw_cursor(pc);
}

// ---- characters ----------------------------------------------------------------------------------

/// Address of a character cell in a text mode.
fn text_addr(pc: &Pc, info: &ModeInfo, page: u8, col: u16, row: u16) -> u32 {
    let page_size = bda16(pc, field::PAGE_SIZE) as u32;
    info.base + page as u32 * page_size + (row as u32 * columns(pc) as u32 + col as u32) * 2
}

/// The glyph (8 pixels wide, `height` rows) of a character for graphics modes, from the
/// fonts INT 43h (and INT 1Fh for characters 80h-FFh in the CGA modes) point to.
fn graphics_glyph(pc: &Pc, info: &ModeInfo, ch: u8) -> Vec<u8> {
    let h = graphics_char_height(pc, info) as usize;
    let addr = if matches!(info.kind, Kind::Cga4 | Kind::Cga2) && ch >= 0x80 {
        far_ptr(pc, 0x1F * 4) + (ch as u32 - 0x80) * 8
    } else {
        far_ptr(pc, 0x43 * 4) + ch as u32 * h as u32
    };
    read_bytes(pc, addr, h)
}

fn graphics_char_height(pc: &Pc, info: &ModeInfo) -> u16 {
    match info.kind {
        Kind::Cga4 | Kind::Cga2 => 8,
        _ => char_height(pc),
    }
}

/// Bytes a pixel line of a planar mode takes.
fn planar_pitch(info: &ModeInfo) -> u32 {
    info.width as u32 / 8
}

/// Address of pixel line `y` of a CGA mode (two interleaved banks).
fn cga_line(y: u32) -> u32 {
    0xB8000 + (y & 1) * 0x2000 + (y >> 1) * 80
}

/// Draw a glyph into a graphics-mode character cell. Bit 7 of `colour` XORs (except in 256
/// colours).
fn draw_glyph(pc: &mut Pc, info: &ModeInfo, page: u8, col: u16, row: u16, ch: u8, colour: u8) {
    let glyph = graphics_glyph(pc, info, ch);
    let h = glyph.len() as u32;
    let xor = colour & 0x80 != 0;
    match info.kind {
        Kind::Cga4 => {
            for (i, &g) in glyph.iter().enumerate() {
                let a = cga_line(row as u32 * 8 + i as u32) + col as u32 * 2;
                let mut bits = 0u16;
                for b in 0..8 {
                    if g & (0x80 >> b) != 0 {
                        bits |= ((colour & 3) as u16) << (14 - 2 * b);
                    }
                }
                for (k, byte) in [(bits >> 8) as u8, bits as u8].into_iter().enumerate() {
                    let at = a + k as u32;
                    let v = if xor { vread(pc, at) ^ byte } else { byte };
                    vwrite(pc, at, v);
                }
            }
        }
        Kind::Cga2 => {
            for (i, &g) in glyph.iter().enumerate() {
                let at = cga_line(row as u32 * 8 + i as u32) + col as u32;
                let byte = if colour & 1 != 0 { g } else { 0 };
                let v = if xor { vread(pc, at) ^ byte } else { byte };
                vwrite(pc, at, v);
            }
        }
        Kind::Planar => {
            let pitch = planar_pitch(info);
            let base = 0xA0000 + page as u32 * bda16(pc, field::PAGE_SIZE) as u32;
            gc_write(pc, 1, 0x0F);
            gc_write(pc, 3, if xor { 0x18 } else { 0x00 });
            for (i, &g) in glyph.iter().enumerate() {
                let at = base + (row as u32 * h + i as u32) * pitch + col as u32;
                if !xor {
                    gc_write(pc, 0, 0x00);
                    gc_write(pc, 8, 0xFF);
                    vwrite(pc, at, 0xFF);
                }
                gc_write(pc, 0, colour & 0x0F);
                gc_write(pc, 8, g);
                let _ = vread(pc, at);
                vwrite(pc, at, 0xFF);
            }
            restore_gc(pc);
        }
        Kind::Vga256 => {
            for (i, &g) in glyph.iter().enumerate() {
                let y = row as u32 * h + i as u32;
                for b in 0..8u32 {
                    let at = 0xA0000 + y * 320 + col as u32 * 8 + b;
                    let v = if g & (0x80 >> b) != 0 { colour } else { 0 };
                    vwrite(pc, at, v);
                }
            }
        }
        Kind::Text => {}
    }
}

/// The graphics controller as the planar modes leave it.
fn restore_gc(pc: &mut Pc) {
    for (i, v) in [(0u8, 0u8), (1, 0), (3, 0), (5, 0), (8, 0xFF)] {
        gc_write(pc, i, v);
    }
}

/// The 8-pixel rows of a graphics-mode character cell, a bit set for each non-background pixel.
fn cell_bits(pc: &mut Pc, page: u8, col: u16, row: u16, h: u32) -> Vec<u8> {
    let mut rows = Vec::with_capacity(h as usize);
    for i in 0..h {
        let y = row as u32 * h + i;
        let mut bits = 0u8;
        for b in 0..8u16 {
            if read_pixel(pc, page, col * 8 + b, y as u16) != 0 {
                bits |= 0x80 >> b;
            }
        }
        rows.push(bits);
    }
    rows
}

/// INT 10h AH=08h: the character and attribute at the cursor (graphics modes: the character
/// whose glyph matches the cell, or 0).
fn read_char(pc: &mut Pc, page: u8) -> (u8, u8) {
    let Some(info) = current(pc) else {
        return (0, 0);
    };
    let (col, row) = cursor(pc, page);
    if info.kind == Kind::Text {
        let a = text_addr(pc, &info, page, col, row);
        return (vread(pc, a), vread(pc, a + 1));
    }
    let h = graphics_char_height(pc, &info) as u32;
    let bits = cell_bits(pc, page, col, row, h);
    for ch in 0..=255u8 {
        if graphics_glyph(pc, &info, ch) == bits {
            return (ch, 0);
        }
    }
    (0, 0)
}

/// INT 10h AH=09h/0Ah: `n` copies of a character from the cursor on, the cursor unmoved.
fn write_chars(pc: &mut Pc, page: u8, ch: u8, attr: Option<u8>, colour: u8, n: u16) {
    let Some(info) = current(pc) else {
        return;
    };
    let (cols, rows) = (columns(pc), rows(pc));
    let (mut col, mut row) = cursor(pc, page);
    for _ in 0..n {
        if row >= rows {
            break;
        }
        put_char(pc, &info, page, col, row, ch, attr, colour);
        col += 1;
        if col >= cols {
            col = 0;
            row += 1;
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn put_char(
    pc: &mut Pc,
    info: &ModeInfo,
    page: u8,
    col: u16,
    row: u16,
    ch: u8,
    attr: Option<u8>,
    colour: u8,
) {
    if info.kind == Kind::Text {
        let a = text_addr(pc, info, page, col, row);
        vwrite(pc, a, ch);
        if let Some(at) = attr {
            vwrite(pc, a + 1, at);
        }
    } else {
        draw_glyph(pc, info, page, col, row, ch, colour);
    }
}

/// The teletype: BEL, BS, CR and LF act; other characters are written and the cursor moves
/// on, scrolling the screen up at the bottom.
fn teletype(pc: &mut Pc, page: u8, ch: u8, attr: Option<u8>, colour: u8) {
    let Some(info) = current(pc) else {
        return;
    };
    let (cols, rows) = (columns(pc), rows(pc));
    let (mut col, mut row) = cursor(pc, page);
    match ch {
        0x07 => {}
        0x08 => col = col.saturating_sub(1),
        0x0D => col = 0,
        0x0A => row += 1,
        _ => {
            put_char(pc, &info, page, col, row, ch, attr, colour);
            col += 1;
            if col >= cols {
                col = 0;
                row += 1;
            }
        }
    }
    if row >= rows {
        row = rows - 1;
        // Text: the new line takes the attribute at the cursor; graphics: background 0.
        let fill = if info.kind == Kind::Text {
            let a = text_addr(pc, &info, page, col.min(cols - 1), row);
            vread(pc, a + 1)
        } else {
            0
        };
        scroll(
            pc,
            page,
            (0, 0, (rows - 1) as u8, (cols - 1) as u8),
            1,
            fill,
            true,
        );
    }
    set_cursor(pc, page, col as u8, row as u8);
}

/// INT 10h AH=13h: write a string at DH,DL on page BH, with the attribute BL or attributes in
/// the string (AL bit 1), moving the cursor (AL bit 0).
fn write_string(pc: &mut Pc) {
    let al = pc.cpu.al();
    let page = pc.cpu.bh() & 7;
    let attr = pc.cpu.bl();
    let n = pc.cpu.cx() as usize;
    let (row, col) = (pc.cpu.dh(), pc.cpu.dl());
    let with_attrs = al & 2 != 0;
    let data = read_bytes(pc, es(pc, bp(pc)), n * if with_attrs { 2 } else { 1 });
    let saved = cursor(pc, page);
    set_cursor(pc, page, col, row);
    for i in 0..n {
        let (ch, at) = if with_attrs {
            (data[2 * i], data[2 * i + 1])
        } else {
            (data[i], attr)
        };
        let special = matches!(ch, 0x07 | 0x08 | 0x0A | 0x0D);
        teletype(pc, page, ch, (!special).then_some(at), at);
    }
    if al & 1 == 0 {
        set_cursor(pc, page, saved.0 as u8, saved.1 as u8);
    }
}

// ---- scrolling -----------------------------------------------------------------------------------

/// INT 10h AH=06h/07h: scroll a window up or down by `n` lines (0 = clear it), filling with
/// `fill` (an attribute in text modes, a colour in graphics modes).
fn scroll(pc: &mut Pc, page: u8, win: (u8, u8, u8, u8), n: u8, fill: u8, up: bool) {
    let Some(info) = current(pc) else {
        return;
    };
    let (cols, rows) = (columns(pc), rows(pc));
    let (r0, c0) = (win.0 as u16, win.1 as u16);
    let r1 = (win.2 as u16).min(rows - 1);
    let c1 = (win.3 as u16).min(cols - 1);
    if r0 > r1 || c0 > c1 {
        return;
    }
    let height = r1 - r0 + 1;
    let n = if n == 0 || n as u16 > height {
        height
    } else {
        n as u16
    };
    for i in 0..height {
        let (dst, src) = if up {
            (r0 + i, r0 + i + n)
        } else {
            (r1 - i, (r1 - i).wrapping_sub(n))
        };
        if i + n < height {
            copy_row(pc, &info, page, dst, src, c0, c1);
        } else {
            fill_row(pc, &info, page, dst, c0, c1, fill);
        }
    }
}

fn copy_row(pc: &mut Pc, info: &ModeInfo, page: u8, dst: u16, src: u16, c0: u16, c1: u16) {
    match info.kind {
        Kind::Text => {
            for c in c0..=c1 {
                let s = text_addr(pc, info, page, c, src);
                let d = text_addr(pc, info, page, c, dst);
                let w = pc.board.read16(s);
                pc.board.write16(d, w);
            }
        }
        Kind::Cga4 | Kind::Cga2 => {
            let bpc = if info.kind == Kind::Cga4 { 2 } else { 1 };
            for i in 0..8u32 {
                let s = cga_line(src as u32 * 8 + i);
                let d = cga_line(dst as u32 * 8 + i);
                for x in c0 as u32 * bpc..(c1 as u32 + 1) * bpc {
                    let v = vread(pc, s + x);
                    vwrite(pc, d + x, v);
                }
            }
        }
        Kind::Planar => {
            // Write mode 1 copies all four planes through the latches.
            let h = graphics_char_height(pc, info) as u32;
            let pitch = planar_pitch(info);
            let base = 0xA0000 + page as u32 * bda16(pc, field::PAGE_SIZE) as u32;
            gc_write(pc, 5, 0x01);
            for i in 0..h {
                let s = base + (src as u32 * h + i) * pitch;
                let d = base + (dst as u32 * h + i) * pitch;
                for x in c0 as u32..=c1 as u32 {
                    let _ = vread(pc, s + x);
                    vwrite(pc, d + x, 0);
                }
            }
            gc_write(pc, 5, 0x00);
        }
        Kind::Vga256 => {
            let h = graphics_char_height(pc, info) as u32;
            for i in 0..h {
                let s = 0xA0000 + (src as u32 * h + i) * 320;
                let d = 0xA0000 + (dst as u32 * h + i) * 320;
                for x in c0 as u32 * 8..(c1 as u32 + 1) * 8 {
                    let v = vread(pc, s + x);
                    vwrite(pc, d + x, v);
                }
            }
        }
    }
}

fn fill_row(pc: &mut Pc, info: &ModeInfo, page: u8, row: u16, c0: u16, c1: u16, fill: u8) {
    match info.kind {
        Kind::Text => {
            for c in c0..=c1 {
                let d = text_addr(pc, info, page, c, row);
                pc.board.write16(d, (fill as u16) << 8 | 0x20);
            }
        }
        Kind::Cga4 | Kind::Cga2 => {
            let (bpc, v) = if info.kind == Kind::Cga4 {
                (2, (fill & 3) * 0x55)
            } else {
                (1, if fill & 1 != 0 { 0xFF } else { 0 })
            };
            for i in 0..8u32 {
                let d = cga_line(row as u32 * 8 + i);
                for x in c0 as u32 * bpc..(c1 as u32 + 1) * bpc {
                    vwrite(pc, d + x, v);
                }
            }
        }
        Kind::Planar => {
            let h = graphics_char_height(pc, info) as u32;
            let pitch = planar_pitch(info);
            let base = 0xA0000 + page as u32 * bda16(pc, field::PAGE_SIZE) as u32;
            gc_write(pc, 0, fill & 0x0F);
            gc_write(pc, 1, 0x0F);
            gc_write(pc, 8, 0xFF);
            for i in 0..h {
                let d = base + (row as u32 * h + i) * pitch;
                for x in c0 as u32..=c1 as u32 {
                    vwrite(pc, d + x, 0xFF);
                }
            }
            restore_gc(pc);
        }
        Kind::Vga256 => {
            let h = graphics_char_height(pc, info) as u32;
            for i in 0..h {
                let d = 0xA0000 + (row as u32 * h + i) * 320;
                for x in c0 as u32 * 8..(c1 as u32 + 1) * 8 {
                    vwrite(pc, d + x, fill);
                }
            }
        }
    }
}

// ---- pixels --------------------------------------------------------------------------------------

/// INT 10h AH=0Ch: colour `c` at (x, y); bit 7 of the colour XORs (not in 256 colours).
fn write_pixel(pc: &mut Pc, page: u8, x: u16, y: u16, c: u8) {
    let Some(info) = current(pc) else {
        return;
    };
    if x >= info.width || y >= info.height {
        return;
    }
    let (x, y) = (x as u32, y as u32);
    let xor = c & 0x80 != 0;
    match info.kind {
        Kind::Cga4 => {
            let a = cga_line(y) + x / 4;
            let sh = 6 - 2 * (x & 3);
            let old = vread(pc, a);
            let v = if xor {
                old ^ ((c & 3) << sh)
            } else {
                (old & !(3 << sh)) | ((c & 3) << sh)
            };
            vwrite(pc, a, v);
        }
        Kind::Cga2 => {
            let a = cga_line(y) + x / 8;
            let bit = 0x80 >> (x & 7);
            let old = vread(pc, a);
            let v = if xor {
                old ^ if c & 1 != 0 { bit } else { 0 }
            } else if c & 1 != 0 {
                old | bit
            } else {
                old & !bit
            };
            vwrite(pc, a, v);
        }
        Kind::Planar => {
            let page = page as u32 % info.pages as u32;
            let a = 0xA0000
                + page * bda16(pc, field::PAGE_SIZE) as u32
                + y * planar_pitch(&info)
                + x / 8;
            gc_write(pc, 0, c & 0x0F);
            gc_write(pc, 1, 0x0F);
            gc_write(pc, 3, if xor { 0x18 } else { 0 });
            gc_write(pc, 8, 0x80 >> (x & 7));
            let _ = vread(pc, a);
            vwrite(pc, a, 0xFF);
            restore_gc(pc);
        }
        Kind::Vga256 => vwrite(pc, 0xA0000 + y * 320 + x, c),
        Kind::Text => {}
    }
}

/// INT 10h AH=0Dh: the colour at (x, y).
fn read_pixel(pc: &mut Pc, page: u8, x: u16, y: u16) -> u8 {
    let Some(info) = current(pc) else {
        return 0;
    };
    if x >= info.width || y >= info.height {
        return 0;
    }
    let (x, y) = (x as u32, y as u32);
    match info.kind {
        Kind::Cga4 => (vread(pc, cga_line(y) + x / 4) >> (6 - 2 * (x & 3))) & 3,
        Kind::Cga2 => (vread(pc, cga_line(y) + x / 8) >> (7 - (x & 7))) & 1,
        Kind::Planar => {
            let page = page as u32 % info.pages as u32;
            let a = 0xA0000
                + page * bda16(pc, field::PAGE_SIZE) as u32
                + y * planar_pitch(&info)
                + x / 8;
            let mut c = 0;
            for plane in 0..4u8 {
                gc_write(pc, 4, plane);
                if vread(pc, a) & (0x80 >> (x & 7)) != 0 {
                    c |= 1 << plane;
                }
            }
            gc_write(pc, 4, 0);
            c
        }
        Kind::Vga256 => vread(pc, 0xA0000 + y * 320 + x),
        Kind::Text => 0,
    }
}

// ---- palettes ------------------------------------------------------------------------------------

/// INT 10h AH=0Bh: the CGA background/border colour (BH=0) or palette (BH=1).
fn cga_palette(pc: &mut Pc) {
    let Some(info) = current(pc) else {
        return;
    };
    let bl = pc.cpu.bl();
    let mut p66 = bda8(pc, field::CGA_PALETTE);
    match pc.cpu.bh() {
        0x00 => {
            p66 = (p66 & 0xE0) | (bl & 0x1F);
            let c = (bl & 7) | (bl & 8) << 1;
            if info.kind == Kind::Text {
                attr_write(pc, 0x11, c);
            } else {
                attr_write(pc, 0x00, c);
                attr_write(pc, 0x11, c);
                // Bit 4: the intensity of the foreground palette.
                p66 = (p66 & !0x10) | (bl & 0x10);
            }
        }
        0x01 => p66 = (p66 & !0x20) | if bl & 1 != 0 { 0x20 } else { 0 },
        _ => return,
    }
    set_bda8(pc, field::CGA_PALETTE, p66);
    if info.kind == Kind::Cga4 {
        let intensity = p66 & 0x10;
        let base: [u8; 3] = if p66 & 0x20 != 0 {
            [3, 5, 7]
        } else {
            [2, 4, 6]
        };
        for (i, b) in base.into_iter().enumerate() {
            attr_write(pc, i as u8 + 1, b | intensity);
        }
    }
}

/// INT 10h AH=10h: palette registers and the DAC.
fn palette(pc: &mut Pc) {
    let al = pc.cpu.al();
    let (bl, bh) = (pc.cpu.bl(), pc.cpu.bh());
    match al {
        0x00 if bl < 0x14 => attr_write(pc, bl, bh),
        0x01 => attr_write(pc, 0x11, bh),
        0x02 => {
            let data = read_bytes(pc, es(pc, pc.cpu.dx()), 17);
            for (i, &v) in data.iter().enumerate() {
                attr_write(pc, if i == 16 { 0x11 } else { i as u8 }, v);
            }
        }
        0x03 => {
            let m = attr_read(pc, 0x10);
            attr_write(pc, 0x10, if bl & 1 != 0 { m | 0x08 } else { m & !0x08 });
        }
        0x07 if bl < 0x14 => {
            let v = attr_read(pc, bl);
            pc.cpu.set_bh(v);
        }
        0x08 => {
            let v = attr_read(pc, 0x11);
            pc.cpu.set_bh(v);
        }
        0x09 => {
            let mut data = [0u8; 17];
            for (i, d) in data.iter_mut().enumerate() {
                *d = attr_read(pc, if i == 16 { 0x11 } else { i as u8 });
            }
            let a = es(pc, pc.cpu.dx());
            pc.board.mem.write_bytes(a, &data);
        }
        0x10 => {
            let rgb = [pc.cpu.dh(), pc.cpu.ch(), pc.cpu.cl()];
            let rgb = if bda8(pc, field::VGA_FLAGS) & 0x02 != 0 {
                grey_sum(rgb)
            } else {
                rgb
            };
            dac_write(pc, pc.cpu.bx() as u8, rgb);
        }
        0x12 => {
            let (first, n) = (pc.cpu.bx(), pc.cpu.cx() as usize);
            let data = read_bytes(pc, es(pc, pc.cpu.dx()), n * 3);
            outb(pc, 0x3C8, first as u8);
            for &v in &data {
                outb(pc, 0x3C9, v);
            }
        }
        0x13 => {
            let m = attr_read(pc, 0x10);
            match bl {
                0x00 => attr_write(pc, 0x10, (m & 0x7F) | (bh & 1) << 7),
                0x01 => {
                    let v = if m & 0x80 != 0 {
                        bh & 0x0F
                    } else {
                        (bh & 3) << 2
                    };
                    attr_write(pc, 0x14, v);
                }
                _ => {}
            }
        }
        0x15 => {
            let [r, g, b] = dac_read(pc, pc.cpu.bx() as u8);
            pc.cpu.set_dh(r);
            pc.cpu.set_ch(g);
            pc.cpu.set_cl(b);
        }
        0x17 => {
            let (first, n) = (pc.cpu.bx(), pc.cpu.cx() as usize);
            outb(pc, 0x3C7, first as u8);
            let mut data = vec![0u8; n * 3];
            for d in data.iter_mut() {
                *d = inb(pc, 0x3C9);
            }
            let a = es(pc, pc.cpu.dx());
            pc.board.mem.write_bytes(a, &data);
        }
        0x18 => outb(pc, 0x3C6, bl),
        0x19 => {
            let v = inb(pc, 0x3C6);
            pc.cpu.set_bl(v);
        }
        0x1A => {
            let m = attr_read(pc, 0x10);
            let cs = attr_read(pc, 0x14);
            let (mode, sel) = if m & 0x80 != 0 {
                (1, cs & 0x0F)
            } else {
                (0, (cs >> 2) & 3)
            };
            pc.cpu.set_bx((sel as u16) << 8 | mode);
        }
        0x1B => {
            let (first, n) = (pc.cpu.bx(), pc.cpu.cx());
            for i in 0..n {
                let idx = first.wrapping_add(i) as u8;
                let g = grey_sum(dac_read(pc, idx));
                dac_write(pc, idx, g);
            }
        }
        _ => {}
    }
}

// ---- INT 10h AH=12h, AH=1Bh ----------------------------------------------------------------------

fn alternate_select(pc: &mut Pc) {
    let bl = pc.cpu.bl();
    let al = pc.cpu.al();
    let mut ok = true;
    match bl {
        0x10 => {
            let mono = crtc_port(pc) == 0x3B4;
            pc.cpu.set_bh(mono as u8);
            pc.cpu.set_bl(3);
            let sw = bda8(pc, field::EGA_SWITCHES) & 0x0F;
            pc.cpu.set_cx(sw as u16);
            return;
        }
        // Alternate print screen: nothing to change.
        0x20 => {}
        0x30 => {
            // Vertical resolution of the next text mode: 200, 350 or 400 lines (recorded).
            let f = bda8(pc, field::VGA_FLAGS) & !0x90;
            let f = match al {
                0 => f | 0x80,
                1 => f,
                2 => f | 0x10,
                _ => {
                    ok = false;
                    f | 0x10
                }
            };
            set_bda8(pc, field::VGA_FLAGS, f);
        }
        0x31 => {
            let f = bda8(pc, field::VGA_FLAGS);
            set_bda8(
                pc,
                field::VGA_FLAGS,
                if al == 0 { f & !0x08 } else { f | 0x08 },
            );
        }
        0x32 => {
            // Video enable/disable: the sequencer's screen-off bit.
            let s = seq_read(pc, 1);
            seq_write(pc, 1, if al == 0 { s & !0x20 } else { s | 0x20 });
        }
        0x33 => {
            let f = bda8(pc, field::VGA_FLAGS);
            set_bda8(
                pc,
                field::VGA_FLAGS,
                if al == 0 { f | 0x02 } else { f & !0x02 },
            );
        }
        0x34 => {
            let f = bda8(pc, field::EGA_INFO);
            set_bda8(
                pc,
                field::EGA_INFO,
                if al == 0 { f & !0x01 } else { f | 0x01 },
            );
        }
        0x35 | 0x36 => {
            if bl == 0x36 {
                let s = seq_read(pc, 1);
                seq_write(pc, 1, if al == 0 { s & !0x20 } else { s | 0x20 });
            }
        }
        _ => return,
    }
    if ok {
        pc.cpu.set_al(0x12);
    }
}

/// INT 10h AH=1Bh: the 64-byte state block at ES:DI.
fn functionality_state(pc: &mut Pc) {
    let mut b = [0u8; 64];
    b[0..2].copy_from_slice(&STATIC_FUNC_OFF.to_le_bytes());
    b[2..4].copy_from_slice(&ROM_SEG.to_le_bytes());
    let mut area = [0u8; 30];
    pc.board.mem.read_bytes(0x449, &mut area);
    b[4..34].copy_from_slice(&area);
    b[0x22] = bda8(pc, field::ROWS) + 1;
    b[0x23..0x25].copy_from_slice(&char_height(pc).to_le_bytes());
    b[0x25] = 0x08;
    b[0x26] = 0x00;
    let info = current(pc);
    let colours = info.map_or(0, |i| i.colours);
    b[0x27..0x29].copy_from_slice(&colours.to_le_bytes());
    b[0x29] = info.map_or(1, |i| i.pages);
    b[0x2A] = match info.map_or(400, |i| i.height) {
        200 => 0,
        350 => 1,
        480 => 3,
        _ => 2,
    };
    let sel = pc.board.vga.seq[3];
    b[0x2B] = (sel & 3) | ((sel >> 2) & 4);
    b[0x2C] = ((sel >> 2) & 3) | ((sel >> 3) & 4);
    let m = pc.board.vga.attr[0x10];
    b[0x2D] = if m & 0x08 != 0 { 0x20 } else { 0 } | (bda8(pc, field::VGA_FLAGS) & 0x0F);
    b[0x31] = 3;
    let a = es(pc, di(pc));
    pc.board.mem.write_bytes(a, &b);
}

// ---- VBE -----------------------------------------------------------------------------------------

/// The VBE modes: number, width, height, bits a pixel.
const VBE_MODES: [(u16, u16, u16, u8); 26] = [
    (0x100, 640, 400, 8),
    (0x101, 640, 480, 8),
    (0x103, 800, 600, 8),
    (0x105, 1024, 768, 8),
    (0x107, 1280, 1024, 8),
    (0x10D, 320, 200, 15),
    (0x10E, 320, 200, 16),
    (0x10F, 320, 200, 24),
    (0x110, 640, 480, 15),
    (0x111, 640, 480, 16),
    (0x112, 640, 480, 24),
    (0x113, 800, 600, 15),
    (0x114, 800, 600, 16),
    (0x115, 800, 600, 24),
    (0x116, 1024, 768, 15),
    (0x117, 1024, 768, 16),
    (0x118, 1024, 768, 24),
    (0x119, 1280, 1024, 15),
    (0x11A, 1280, 1024, 16),
    (0x11B, 1280, 1024, 24),
    (0x140, 320, 200, 32),
    (0x141, 640, 400, 32),
    (0x142, 640, 480, 32),
    (0x143, 800, 600, 32),
    (0x144, 1024, 768, 32),
    (0x145, 1280, 1024, 32),
];

const VBE_OEM: &[u8] = b"aula86 VGA BIOS\0";
const VBE_VENDOR: &[u8] = b"aula86\0";
const VBE_PRODUCT: &[u8] = b"aula86 Bochs-compatible VBE adapter\0";
const VBE_REVISION: &[u8] = b"1.0\0";

/// Offsets in the VBE ROM block: the strings, then the mode list.
fn vbe_rom_layout() -> [u16; 5] {
    let oem = VBE_INFO_OFF;
    let vendor = oem + VBE_OEM.len() as u16;
    let product = vendor + VBE_VENDOR.len() as u16;
    let rev = product + VBE_PRODUCT.len() as u16;
    let list = (rev + VBE_REVISION.len() as u16 + 1) & !1;
    [oem, vendor, product, rev, list]
}

fn vbe_rom_block() -> Vec<u8> {
    let [_, _, _, _, list] = vbe_rom_layout();
    let mut b = Vec::new();
    for s in [VBE_OEM, VBE_VENDOR, VBE_PRODUCT, VBE_REVISION] {
        b.extend_from_slice(s);
    }
    b.resize((list - VBE_INFO_OFF) as usize, 0);
    for (n, ..) in VBE_MODES {
        b.extend_from_slice(&n.to_le_bytes());
    }
    b.extend_from_slice(&0xFFFFu16.to_le_bytes());
    b
}

fn dispi_write(pc: &mut Pc, index: u16, v: u16) {
    pc.board.io_write16(0x1CE, index);
    pc.board.io_write16(0x1CF, v);
}

fn dispi_read(pc: &mut Pc, index: u16) -> u16 {
    pc.board.io_write16(0x1CE, index);
    pc.board.io_read16(0x1CF)
}

fn vbe_ok(pc: &mut Pc) {
    pc.cpu.set_ax(0x004F);
}

fn vbe_fail(pc: &mut Pc) {
    pc.cpu.set_ax(0x014F);
}

fn vbe(pc: &mut Pc) {
    use vga::vbe_index as ix;
    match pc.cpu.al() {
        0x00 => vbe_controller_info(pc),
        0x01 => {
            let mode = pc.cpu.cx() & 0x1FF;
            match VBE_MODES.iter().find(|m| m.0 == mode) {
                Some(&m) => {
                    let block = vbe_mode_info(m);
                    let a = es(pc, di(pc));
                    pc.board.mem.write_bytes(a, &block);
                    vbe_ok(pc);
                }
                None => vbe_fail(pc),
            }
        }
        0x02 => {
            let bx = pc.cpu.bx();
            let mode = bx & 0x1FF;
            let keep = bx & 0x8000 != 0;
            if mode < 0x100 {
                if set_mode(pc, mode as u8 | if keep { 0x80 } else { 0 }) {
                    vbe_ok(pc);
                } else {
                    vbe_fail(pc);
                }
                return;
            }
            let Some(&(n, w, h, bpp)) = VBE_MODES.iter().find(|m| m.0 == mode) else {
                vbe_fail(pc);
                return;
            };
            dispi_write(pc, ix::ENABLE, 0);
            dispi_write(pc, ix::XRES, w);
            dispi_write(pc, ix::YRES, h);
            dispi_write(pc, ix::BPP, bpp as u16);
            let mut en = vga::vbe_flags::ENABLED;
            if bx & 0x4000 != 0 {
                en |= vga::vbe_flags::LFB_ENABLED;
            }
            if keep {
                en |= vga::vbe_flags::NOCLEAR;
            }
            dispi_write(pc, ix::ENABLE, en);
            if !pc.board.vga.vbe.enabled() {
                vbe_fail(pc);
                return;
            }
            if bpp == 8 {
                load_default_dac(pc, Dac::Vga256);
            }
            pc.bios.video.vbe_mode = Some(n | (bx & 0x4000));
            vbe_ok(pc);
        }
        0x03 => {
            let m = match pc.bios.video.vbe_mode {
                Some(m) if pc.board.vga.vbe.enabled() => m,
                _ => bda8(pc, field::MODE) as u16,
            };
            pc.cpu.set_bx(m);
            vbe_ok(pc);
        }
        0x05 => {
            if pc.cpu.bl() != 0 {
                vbe_fail(pc);
                return;
            }
            match pc.cpu.bh() {
                0x00 => {
                    let dx = pc.cpu.dx();
                    dispi_write(pc, ix::BANK, dx);
                    if dispi_read(pc, ix::BANK) != dx {
                        vbe_fail(pc);
                        return;
                    }
                }
                0x01 => {
                    let b = dispi_read(pc, ix::BANK);
                    pc.cpu.set_dx(b);
                }
                _ => {
                    vbe_fail(pc);
                    return;
                }
            }
            vbe_ok(pc);
        }
        0x06 => {
            if !pc.board.vga.vbe.enabled() {
                vbe_fail(pc);
                return;
            }
            let bytespp = vga::vbe::bytes_per_pixel(pc.board.vga.vbe.bpp) as u16;
            match pc.cpu.bl() {
                0x00 => dispi_write(pc, ix::VIRT_WIDTH, pc.cpu.cx()),
                0x02 => dispi_write(pc, ix::VIRT_WIDTH, pc.cpu.cx() / bytespp.max(1)),
                0x01 => {}
                0x03 => {
                    let max_px = (vga::VRAM_SIZE as u32
                        / (bytespp as u32 * pc.board.vga.vbe.yres.max(1) as u32))
                        .min(0x7FFF) as u16;
                    pc.cpu.set_bx(max_px.saturating_mul(bytespp));
                    pc.cpu.set_cx(max_px);
                    vbe_ok(pc);
                    return;
                }
                _ => {
                    vbe_fail(pc);
                    return;
                }
            }
            let d = &pc.board.vga.vbe;
            let (px, lines) = (d.virt_width, d.virt_height);
            pc.cpu.set_bx(px.saturating_mul(bytespp));
            pc.cpu.set_cx(px);
            pc.cpu.set_dx(lines);
            vbe_ok(pc);
        }
        0x07 => match pc.cpu.bl() {
            0x00 | 0x80 => {
                dispi_write(pc, ix::X_OFFSET, pc.cpu.cx());
                dispi_write(pc, ix::Y_OFFSET, pc.cpu.dx());
                vbe_ok(pc);
            }
            0x01 => {
                let (x, y) = (dispi_read(pc, ix::X_OFFSET), dispi_read(pc, ix::Y_OFFSET));
                pc.cpu.set_bh(0);
                pc.cpu.set_cx(x);
                pc.cpu.set_dx(y);
                vbe_ok(pc);
            }
            _ => vbe_fail(pc),
        },
        0x08 => {
            let en = dispi_read(pc, ix::ENABLE);
            match pc.cpu.bl() {
                0x00 => {
                    let wide = pc.cpu.bh() >= 8;
                    let en = if wide {
                        en | vga::vbe_flags::DAC_8BIT
                    } else {
                        en & !vga::vbe_flags::DAC_8BIT
                    };
                    dispi_write(pc, ix::ENABLE, en);
                    pc.cpu.set_bh(if wide { 8 } else { 6 });
                    vbe_ok(pc);
                }
                0x01 => {
                    pc.cpu.set_bh(if en & vga::vbe_flags::DAC_8BIT != 0 {
                        8
                    } else {
                        6
                    });
                    vbe_ok(pc);
                }
                _ => vbe_fail(pc),
            }
        }
        0x09 => {
            let (n, first) = (pc.cpu.cx() as usize, pc.cpu.dx());
            let a = es(pc, di(pc));
            match pc.cpu.bl() {
                0x00 | 0x80 => {
                    let data = read_bytes(pc, a, n * 4);
                    outb(pc, 0x3C8, first as u8);
                    for e in data.chunks_exact(4) {
                        for c in [e[2], e[1], e[0]] {
                            outb(pc, 0x3C9, c);
                        }
                    }
                    vbe_ok(pc);
                }
                0x01 => {
                    outb(pc, 0x3C7, first as u8);
                    let mut data = vec![0u8; n * 4];
                    for e in data.chunks_exact_mut(4) {
                        let (r, g, b) = (inb(pc, 0x3C9), inb(pc, 0x3C9), inb(pc, 0x3C9));
                        e.copy_from_slice(&[b, g, r, 0]);
                    }
                    pc.board.mem.write_bytes(a, &data);
                    vbe_ok(pc);
                }
                _ => vbe_fail(pc),
            }
        }
        // Save/restore state, the protected-mode interface, DDC: not provided (AL stays as it
        // was, which a caller reads as "function not supported").
        _ => {}
    }
}

fn vbe_controller_info(pc: &mut Pc) {
    let a = es(pc, di(pc));
    let vbe2 = read_bytes(pc, a, 4) == b"VBE2";
    let [oem, vendor, product, rev, list] = vbe_rom_layout();
    let mut b = vec![0u8; if vbe2 { 512 } else { 256 }];
    b[0..4].copy_from_slice(b"VESA");
    b[4..6].copy_from_slice(&0x0200u16.to_le_bytes());
    let far = |off: u16| ((ROM_SEG as u32) << 16 | off as u32).to_le_bytes();
    b[6..10].copy_from_slice(&far(oem));
    b[10..14].copy_from_slice(&1u32.to_le_bytes()); // DAC switchable to 8 bits
    b[14..18].copy_from_slice(&far(list));
    b[18..20].copy_from_slice(&((vga::VRAM_SIZE >> 16) as u16).to_le_bytes());
    b[20..22].copy_from_slice(&0x0100u16.to_le_bytes());
    b[22..26].copy_from_slice(&far(vendor));
    b[26..30].copy_from_slice(&far(product));
    b[30..34].copy_from_slice(&far(rev));
    pc.board.mem.write_bytes(a, &b);
    vbe_ok(pc);
}

fn vbe_mode_info((_, w, h, bpp): (u16, u16, u16, u8)) -> [u8; 256] {
    let mut b = [0u8; 256];
    let bytespp = (bpp as u16).div_ceil(8);
    let pitch = w * bytespp;
    let pages = (vga::VRAM_SIZE / (pitch as usize * h as usize)).clamp(1, 256) - 1;
    let put16 =
        |b: &mut [u8; 256], at: usize, v: u16| b[at..at + 2].copy_from_slice(&v.to_le_bytes());
    // Supported, extended information, colour, graphics, linear frame buffer.
    put16(&mut b, 0x00, 0x009B);
    b[0x02] = 0x07;
    b[0x03] = 0x00;
    put16(&mut b, 0x04, 64);
    put16(&mut b, 0x06, 64);
    put16(&mut b, 0x08, 0xA000);
    put16(&mut b, 0x0A, 0x0000);
    put16(&mut b, 0x0C, VBE_WIN_FUNC_OFF);
    put16(&mut b, 0x0E, ROM_SEG);
    put16(&mut b, 0x10, pitch);
    put16(&mut b, 0x12, w);
    put16(&mut b, 0x14, h);
    b[0x16] = 8;
    b[0x17] = 16;
    b[0x18] = 1;
    b[0x19] = bpp;
    b[0x1A] = 1;
    b[0x1B] = if bpp == 8 { 4 } else { 6 };
    b[0x1C] = 0;
    b[0x1D] = pages as u8;
    b[0x1E] = 1;
    // Direct colour masks: (size, position) of red, green, blue, reserved.
    let masks: [u8; 8] = match bpp {
        15 => [5, 10, 5, 5, 5, 0, 1, 15],
        16 => [5, 11, 6, 5, 5, 0, 0, 0],
        24 => [8, 16, 8, 8, 8, 0, 0, 0],
        32 => [8, 16, 8, 8, 8, 0, 8, 24],
        _ => [0; 8],
    };
    b[0x1F..0x27].copy_from_slice(&masks);
    b[0x27] = if bpp == 32 { 0x02 } else { 0 };
    b[0x28..0x2C].copy_from_slice(&vga::LFB_BASE.to_le_bytes());
    // VBE 3.0 linear fields (harmless to a 2.0 caller).
    put16(&mut b, 0x32, pitch);
    b[0x34] = pages as u8;
    b[0x35] = pages as u8;
    b[0x36..0x3E].copy_from_slice(&masks);
    b
}

// ---- messages ------------------------------------------------------------------------------------

/// Show a firmware message on the screen at the cursor (boot failures), through the teletype.
pub fn print_message(pc: &mut Pc, msg: &str) {
    if current(pc).is_none() {
        set_mode(pc, 0x03);
    }
    let page = bda8(pc, field::ACTIVE_PAGE);
    for ch in msg.chars() {
        let b = if ch.is_ascii() { ch as u8 } else { b'?' };
        teletype(pc, page, b, None, 0x07);
    }
    teletype(pc, page, b'\r', None, 0x07);
    teletype(pc, page, b'\n', None, 0x07);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_entries_round_trip() {
        for i in 0..PARAM_ENTRIES as u8 {
            if let Some(p) = params(i) {
                let b = p.to_bytes();
                assert_eq!(Params::from_bytes(&b).to_bytes(), b);
            }
        }
    }

    #[test]
    fn rom_tables_stay_in_their_space() {
        let [.., list] = vbe_rom_layout();
        let end = list as usize + VBE_MODES.len() * 2 + 2;
        assert!(end <= 0xE000, "VBE block ends at {end:#x}");
        assert!(PARAM_TABLE_OFF as usize + PARAM_ENTRIES * 64 <= SAVE_PTR_OFF as usize);
        assert!(FONT8_OFF as usize + 2048 <= PARAM_TABLE_OFF as usize);
        assert!(FONT14_OFF as usize + 3584 <= FONT8_OFF as usize);
        let mut image = vec![0xFFu8; 0x10000];
        install_rom(&mut image);
        assert_eq!(&image[0xFA6E..0xFA6E + 8], &font::FONT_8X8[..8]);
        assert_eq!(image[CGA_PARAMS_OFF as usize + 88 - 1], 0x29);
        assert_eq!(
            &image[FONT16_OFF as usize + 16 * 0x41..][..16],
            &font::FONT_8X16[16 * 0x41..][..16]
        );
    }

    #[test]
    fn default_palettes() {
        assert_eq!(dac_colour(Dac::Ega, 0x14), [42, 21, 0]);
        assert_eq!(dac_colour(Dac::Ega, 0x3F), [63, 63, 63]);
        assert_eq!(dac_colour(Dac::Cga, 0x06), [42, 21, 0]);
        assert_eq!(dac_colour(Dac::Cga, 0x13), [21, 63, 63]);
        assert_eq!(vga256_colour(15), [63, 63, 63]);
        assert_eq!(vga256_colour(32), [0, 0, 63]);
        assert_eq!(vga256_colour(40), [63, 0, 0]);
    }
}
