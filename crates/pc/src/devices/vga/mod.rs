//! The VGA: misc output, sequencer, CRT controller, graphics controller, attribute controller,
//! DAC, 256 KiB of planar memory, and the Bochs VBE (DISPI) extension with a linear frame buffer.
//!
//! The picture is always computed from the register state (never from a BIOS mode number), at
//! most once per frame, by [`Vga::render`]; memory writes only store bytes and set a flag.
//!
//! Video memory is one buffer. Its first 256 KiB hold the four VGA planes interleaved, a plane
//! byte at `offset * 4 + plane`, so the four bytes at one offset (the latches) are one `u32`.
//! The VBE modes use the same buffer as flat memory, as the Bochs adapter does.

pub mod font;
mod render;
pub mod vbe;

use super::{Ctx, Device, Nanos};
pub use render::Frame;
pub use vbe::{flags as vbe_flags, index as vbe_index, Dispi, DISPI_ID5, LFB_BASE, LFB_SIZE};

/// Size of video memory (VGA planes and VBE frame buffer alike).
pub const VRAM_SIZE: usize = 16 << 20;
/// Bytes of VGA planar memory (4 planes of 64 KiB).
pub const PLANAR_SIZE: usize = 256 << 10;

/// Each bit of a 4-bit plane mask widened to a byte: bit n set gives 0xFF in byte n.
const EXPAND: [u32; 16] = {
    let mut t = [0u32; 16];
    let mut i = 0;
    while i < 16 {
        let mut v = 0u32;
        let mut b = 0;
        while b < 4 {
            if i & (1 << b) != 0 {
                v |= 0xFF << (8 * b);
            }
            b += 1;
        }
        t[i] = v;
        i += 1;
    }
    t
};

#[inline]
fn splat(b: u8) -> u32 {
    b as u32 * 0x0101_0101
}

/// Where a character map (font block) starts in plane 2, by its 3-bit number.
pub const FONT_BLOCK_OFFSET: [u32; 8] = [
    0x0000, 0x4000, 0x8000, 0xC000, 0x2000, 0x6000, 0xA000, 0xE000,
];

pub struct Vga {
    /// Miscellaneous output register (3C2 write, 3CC read).
    pub misc: u8,
    pub seq_index: u8,
    pub seq: [u8; 5],
    pub crtc_index: u8,
    pub crtc: [u8; 0x19],
    pub gc_index: u8,
    pub gc: [u8; 9],
    /// Attribute address register, with the palette address source bit (5).
    pub attr_index: u8,
    /// The attribute flip-flop: false = the next 3C0 write is an index.
    pub attr_data_next: bool,
    pub attr: [u8; 0x15],
    /// The DAC: 256 entries of red, green, blue (6 bits, or 8 in the VBE 8-bit DAC mode).
    pub dac: [u8; 768],
    pub pel_mask: u8,
    dac_write_index: u8,
    dac_read_index: u8,
    dac_write_sub: u8,
    dac_read_sub: u8,
    dac_latch: [u8; 3],
    /// 3C7 read: 0 after a 3C8 write, 3 after a 3C7 write.
    dac_state: u8,
    pub feature: u8,
    /// The four plane bytes loaded by the last read.
    pub latch: u32,
    pub vram: Vec<u8>,
    pub vbe: Dispi,
    /// Something that may change the picture happened since the last render.
    pub dirty: bool,
    /// Video memory past the VGA planes was written (a reset must clear all of it).
    beyond_planes: bool,
    render: render::RenderState,
}

impl Default for Vga {
    fn default() -> Self {
        Self::new()
    }
}

impl Vga {
    pub fn new() -> Vga {
        Vga {
            vram: vec![0; VRAM_SIZE],
            ..Vga::new_registers()
        }
    }

    // ---- memory ------------------------------------------------------------------------------

    /// The offset of a CPU address inside the memory window the graphics controller decodes.
    #[inline]
    fn window_offset(&self, addr: u32) -> Option<u32> {
        let a = addr.wrapping_sub(0xA0000);
        match (self.gc[6] >> 2) & 3 {
            0 => (a < 0x20000).then_some(a),
            1 => (a < 0x10000).then_some(a),
            2 => (0x10000..0x18000).contains(&a).then(|| a - 0x10000),
            _ => (0x18000..0x20000).contains(&a).then(|| a - 0x18000),
        }
    }

    /// A CPU read in the legacy window A0000-BFFFF.
    pub fn mem_read8(&mut self, addr: u32) -> u8 {
        if self.vbe.enabled() {
            return match self.vbe.bank_offset(addr) {
                Some(i) => self.vram[i],
                None => 0xFF,
            };
        }
        match self.window_offset(addr) {
            Some(off) => self.planar_read(off),
            None => 0xFF,
        }
    }

    /// A CPU write in the legacy window A0000-BFFFF.
    pub fn mem_write8(&mut self, addr: u32, v: u8) {
        if self.vbe.enabled() {
            if let Some(i) = self.vbe.bank_offset(addr) {
                if self.vram[i] != v {
                    self.vram[i] = v;
                    self.dirty = true;
                }
                self.beyond_planes = true;
            }
            return;
        }
        if let Some(off) = self.window_offset(addr) {
            self.planar_write(off, v);
        }
    }

    /// A read of the linear frame buffer, `off` bytes from its start.
    #[inline]
    pub fn lfb_read8(&self, off: u32) -> u8 {
        self.vram.get(off as usize).copied().unwrap_or(0xFF)
    }

    #[inline]
    pub fn lfb_write8(&mut self, off: u32, v: u8) {
        if let Some(b) = self.vram.get_mut(off as usize) {
            if *b != v {
                *b = v;
                self.dirty = true;
            }
            self.beyond_planes = true;
        }
    }

    #[inline]
    pub fn lfb_read32(&self, off: u32) -> u32 {
        let i = off as usize;
        match self.vram.get(i..i + 4) {
            Some(s) => u32::from_le_bytes([s[0], s[1], s[2], s[3]]),
            None => 0xFFFF_FFFF,
        }
    }

    #[inline]
    pub fn lfb_write32(&mut self, off: u32, v: u32) {
        let i = off as usize;
        if let Some(s) = self.vram.get_mut(i..i + 4) {
            if s != v.to_le_bytes() {
                s.copy_from_slice(&v.to_le_bytes());
                self.dirty = true;
            }
            self.beyond_planes = true;
        }
    }

    /// Plane offset and the plane a CPU read returns, by the addressing mode in force.
    #[inline]
    fn planar_read(&mut self, off: u32) -> u8 {
        let (plane_off, plane) = if self.seq[4] & 0x08 != 0 {
            (off & 0xFFFC, off & 3)
        } else if self.gc[5] & 0x10 != 0 {
            (off & 0xFFFE, (self.gc[4] as u32 & 2) | (off & 1))
        } else {
            (off & 0xFFFF, self.gc[4] as u32 & 3)
        };
        let i = (plane_off as usize) << 2;
        let latch = u32::from_le_bytes([
            self.vram[i],
            self.vram[i + 1],
            self.vram[i + 2],
            self.vram[i + 3],
        ]);
        self.latch = latch;
        if self.gc[5] & 0x08 == 0 {
            (latch >> (plane * 8)) as u8
        } else {
            // Read mode 1: colour compare, ignoring the planes the don't-care register clears.
            let cc = EXPAND[(self.gc[2] & 0xF) as usize];
            let care = EXPAND[(self.gc[7] & 0xF) as usize];
            let same = !((latch ^ cc) & care);
            (same & (same >> 8) & (same >> 16) & (same >> 24)) as u8
        }
    }

    #[inline]
    fn planar_write(&mut self, off: u32, v: u8) {
        let mut planes = self.seq[2] & 0xF;
        let plane_off = if self.seq[4] & 0x08 != 0 {
            planes &= 1 << (off & 3);
            off & 0xFFFC
        } else if self.seq[4] & 0x04 == 0 {
            planes &= if off & 1 != 0 { 0b1010 } else { 0b0101 };
            off & 0xFFFE
        } else {
            off & 0xFFFF
        };
        if planes == 0 {
            return;
        }
        let gc = &self.gc;
        let rotate = (gc[3] & 7) as u32;
        let latch = self.latch;
        let result = match gc[5] & 3 {
            0 => {
                let x = splat(v.rotate_right(rotate));
                let esr = EXPAND[(gc[1] & 0xF) as usize];
                let x = (x & !esr) | (EXPAND[(gc[0] & 0xF) as usize] & esr);
                self.alu(x, splat(gc[8]))
            }
            1 => latch,
            2 => self.alu(EXPAND[(v & 0xF) as usize], splat(gc[8])),
            _ => {
                let mask = splat(v.rotate_right(rotate) & gc[8]);
                self.alu(EXPAND[(gc[0] & 0xF) as usize], mask)
            }
        };
        let i = (plane_off as usize) << 2;
        let pm = EXPAND[planes as usize];
        let s = &mut self.vram[i..i + 4];
        let old = u32::from_le_bytes([s[0], s[1], s[2], s[3]]);
        let new = (old & !pm) | (result & pm);
        // A guest that writes what is already there (a clock drawn again each turn of its
        // loop) changes nothing on screen: the picture need not be drawn again for it.
        if new != old {
            s.copy_from_slice(&new.to_le_bytes());
            self.dirty = true;
        }
    }

    /// The logical operation with the latches, then the bit mask.
    #[inline]
    fn alu(&self, x: u32, mask: u32) -> u32 {
        let latch = self.latch;
        let y = match (self.gc[3] >> 3) & 3 {
            0 => x,
            1 => x & latch,
            2 => x | latch,
            _ => x ^ latch,
        };
        (y & mask) | (latch & !mask)
    }

    /// A byte of plane `plane` at plane offset `off` (for the firmware and the renderer).
    #[inline]
    pub fn plane_byte(&self, plane: usize, off: u32) -> u8 {
        self.vram[((off as usize & 0xFFFF) << 2) | (plane & 3)]
    }

    // ---- registers ---------------------------------------------------------------------------

    /// Whether the CRT controller answers at 3Dx (colour) rather than 3Bx (monochrome).
    #[inline]
    fn colour_io(&self) -> bool {
        self.misc & 1 != 0
    }

    /// CRTC values assembled from their overflow bits.
    pub fn vertical_display_end(&self) -> u32 {
        let c = &self.crtc;
        (c[0x12] as u32 | ((c[7] as u32 >> 1) & 1) << 8 | ((c[7] as u32 >> 6) & 1) << 9) + 1
    }

    fn vertical_total(&self) -> u32 {
        let c = &self.crtc;
        (c[6] as u32 | (c[7] as u32 & 1) << 8 | ((c[7] as u32 >> 5) & 1) << 9) + 2
    }

    fn vertical_retrace_start(&self) -> u32 {
        let c = &self.crtc;
        c[0x10] as u32 | ((c[7] as u32 >> 2) & 1) << 8 | ((c[7] as u32 >> 7) & 1) << 9
    }

    pub fn line_compare(&self) -> u32 {
        let c = &self.crtc;
        c[0x18] as u32 | ((c[7] as u32 >> 4) & 1) << 8 | ((c[9] as u32 >> 6) & 1) << 9
    }

    /// Frame timing from the CRTC: (nanoseconds a scan line, lines a frame).
    fn timing(&self) -> Timing {
        if self.vbe.enabled() {
            let lines = self.vbe.yres as u64 + 25;
            return Timing {
                line_ns: 16_666_667 / lines,
                lines,
                display_lines: self.vbe.yres as u64,
                retrace: (self.vbe.yres as u64 + 5, 3),
                display_frac: (4, 5),
            };
        }
        let htotal = self.crtc[0] as u64 + 5;
        let hde = self.crtc[1] as u64 + 1;
        let vtotal = self.vertical_total() as u64;
        let vde = self.vertical_display_end() as u64;
        let cw = if self.seq[1] & 1 != 0 { 8 } else { 9 };
        let half = if self.seq[1] & 0x08 != 0 { 2 } else { 1 };
        let clock_khz = if (self.misc >> 2) & 3 == 1 {
            28_322
        } else {
            25_175
        };
        let line_ns = htotal * cw * half * 1_000_000 / clock_khz;
        if htotal < 10 || hde >= htotal || vtotal < 100 || vde > vtotal || line_ns == 0 {
            // Not a sane programming: use the timing of the 70 Hz modes.
            return Timing {
                line_ns: 31_778,
                lines: 449,
                display_lines: 400,
                retrace: (412, 2),
                display_frac: (80, 100),
            };
        }
        let vrs = self.vertical_retrace_start() as u64;
        let vre = (self.crtc[0x11] & 0xF) as u64;
        let len = match (vre.wrapping_sub(vrs)) & 0xF {
            0 => 16,
            n => n,
        };
        Timing {
            line_ns,
            lines: vtotal,
            display_lines: vde,
            retrace: (vrs, len),
            display_frac: (hde, htotal),
        }
    }

    /// Input status register 1: bit 0 = not in the display area, bit 3 = vertical retrace.
    fn input_status1(&self, now: Nanos) -> u8 {
        let t = self.timing();
        let frame = t.line_ns * t.lines;
        let pos = now % frame.max(1);
        let line = pos / t.line_ns;
        let in_line = pos % t.line_ns;
        let retrace = line >= t.retrace.0 && line < t.retrace.0 + t.retrace.1;
        let hblank = in_line * t.display_frac.1 >= t.line_ns * t.display_frac.0;
        let blank = line >= t.display_lines || hblank;
        (blank as u8) | (retrace as u8) << 3
    }

    /// Frames since power-on (for the cursor and character blink).
    pub fn frame_number(&self, now: Nanos) -> u64 {
        let t = self.timing();
        now / (t.line_ns * t.lines).max(1)
    }

    fn read_port(&mut self, port: u16, now: Nanos) -> u8 {
        let colour = self.colour_io();
        match port {
            0x3B4 | 0x3B5 | 0x3BA if colour => 0xFF,
            0x3D4 | 0x3D5 | 0x3DA if !colour => 0xFF,
            0x3C0 => self.attr_index,
            0x3C1 => self
                .attr
                .get((self.attr_index & 0x1F) as usize)
                .copied()
                .unwrap_or(0),
            // Input status 0: switch sense reads 1 (a colour monitor is attached).
            0x3C2 => 0x10,
            0x3C3 => 1,
            0x3C4 => self.seq_index,
            0x3C5 => self.seq.get(self.seq_index as usize).copied().unwrap_or(0),
            0x3C6 => self.pel_mask,
            0x3C7 => self.dac_state,
            0x3C8 => self.dac_write_index,
            0x3C9 => {
                let v = self.dac[self.dac_read_index as usize * 3 + self.dac_read_sub as usize];
                self.dac_read_sub += 1;
                if self.dac_read_sub == 3 {
                    self.dac_read_sub = 0;
                    self.dac_read_index = self.dac_read_index.wrapping_add(1);
                }
                v
            }
            0x3CA => self.feature,
            0x3CC => self.misc,
            0x3CE => self.gc_index,
            0x3CF => self.gc.get(self.gc_index as usize).copied().unwrap_or(0),
            0x3B4 | 0x3D4 => self.crtc_index,
            0x3B5 | 0x3D5 => self
                .crtc
                .get(self.crtc_index as usize)
                .copied()
                .unwrap_or(0),
            0x3BA | 0x3DA => {
                self.attr_data_next = false;
                self.input_status1(now)
            }
            _ => 0xFF,
        }
    }

    fn write_port(&mut self, port: u16, v: u8) {
        let colour = self.colour_io();
        match port {
            0x3B4 | 0x3B5 | 0x3BA if colour => {}
            0x3D4 | 0x3D5 | 0x3DA if !colour => {}
            0x3C0 => {
                if !self.attr_data_next {
                    if (self.attr_index ^ v) & 0x20 != 0 {
                        self.dirty = true;
                    }
                    self.attr_index = v & 0x3F;
                } else if let Some(r) = self.attr.get_mut((self.attr_index & 0x1F) as usize) {
                    *r = v;
                    self.dirty = true;
                }
                self.attr_data_next = !self.attr_data_next;
            }
            0x3C2 => {
                self.misc = v;
                self.dirty = true;
            }
            0x3C4 => self.seq_index = v & 7,
            0x3C5 => {
                let i = self.seq_index as usize;
                if let Some(r) = self.seq.get_mut(i) {
                    *r = v;
                    if i != 2 {
                        self.dirty = true;
                    }
                }
            }
            0x3C6 => {
                self.pel_mask = v;
                self.dirty = true;
            }
            0x3C7 => {
                self.dac_read_index = v;
                self.dac_read_sub = 0;
                self.dac_state = 3;
            }
            0x3C8 => {
                self.dac_write_index = v;
                self.dac_write_sub = 0;
                self.dac_state = 0;
            }
            0x3C9 => {
                let mask = if self.vbe.dac_8bit() { 0xFF } else { 0x3F };
                self.dac_latch[self.dac_write_sub as usize] = v & mask;
                self.dac_write_sub += 1;
                if self.dac_write_sub == 3 {
                    let i = self.dac_write_index as usize * 3;
                    self.dac[i..i + 3].copy_from_slice(&self.dac_latch);
                    self.dac_write_sub = 0;
                    self.dac_write_index = self.dac_write_index.wrapping_add(1);
                    self.dirty = true;
                }
            }
            0x3BA | 0x3DA => self.feature = v,
            0x3CE => self.gc_index = v & 0xF,
            0x3CF => {
                let i = self.gc_index as usize;
                if let Some(r) = self.gc.get_mut(i) {
                    *r = v;
                    if i == 5 || i == 6 {
                        self.dirty = true;
                    }
                }
            }
            0x3B4 | 0x3D4 => self.crtc_index = v & 0x3F,
            0x3B5 | 0x3D5 => {
                let i = self.crtc_index as usize;
                if i >= self.crtc.len() {
                    return;
                }
                let mut v = v;
                if i <= 7 && self.crtc[0x11] & 0x80 != 0 {
                    // Registers 0-7 are write-protected, except the line compare bit of 07h.
                    if i != 7 {
                        return;
                    }
                    v = (self.crtc[7] & !0x10) | (v & 0x10);
                }
                self.crtc[i] = v;
                self.dirty = true;
            }
            _ => {}
        }
    }

    /// The CRTC index port the misc output register selects (3D4h colour, 3B4h mono).
    pub fn crtc_port(&self) -> u16 {
        if self.colour_io() {
            0x3D4
        } else {
            0x3B4
        }
    }
}

/// Frame timing derived from the CRTC.
struct Timing {
    line_ns: u64,
    lines: u64,
    display_lines: u64,
    /// First line of vertical retrace and its length in lines.
    retrace: (u64, u64),
    /// Display enable as a fraction of a scan line.
    display_frac: (u64, u64),
}

impl Device for Vga {
    fn name(&self) -> &'static str {
        "vga"
    }

    fn io_read(&mut self, port: u16, size: u8, ctx: &mut Ctx) -> u32 {
        match port {
            0x1CE | 0x1CF => self.vbe.read(port, size),
            _ => self.read_port(port, ctx.now) as u32,
        }
    }

    fn io_write(&mut self, port: u16, size: u8, value: u32, _ctx: &mut Ctx) {
        match port {
            0x1CE | 0x1CF => {
                let was = (self.vbe.enabled(), self.vbe.dac_8bit());
                if let Some(clear) = self.vbe.write(port, size, value) {
                    // Enabled without the no-clear bit: the visible memory starts black.
                    let n = clear.min(self.vram.len());
                    self.vram[..n].fill(0);
                }
                if self.vbe.enabled() && !was.0 {
                    // The VBE modes use the A0000 64 KiB window, as graphics memory.
                    self.gc[6] = (self.gc[6] & !0x0C) | 0x05;
                }
                if was.1 != self.vbe.dac_8bit() {
                    self.convert_dac(self.vbe.dac_8bit());
                }
                self.dirty = true;
            }
            _ => self.write_port(port, value as u8),
        }
    }

    fn reset(&mut self) {
        // Keep the buffer (no second 16 MiB allocation), clearing only what was used.
        let mut vram = std::mem::take(&mut self.vram);
        if vram.len() != VRAM_SIZE {
            vram = vec![0; VRAM_SIZE];
        } else if self.beyond_planes {
            vram.fill(0);
        } else {
            vram[..PLANAR_SIZE].fill(0);
        }
        *self = Vga {
            vram,
            ..Vga::new_registers()
        };
    }
}

impl Vga {
    /// Power-on registers, without allocating video memory.
    fn new_registers() -> Vga {
        Vga {
            misc: 0,
            seq_index: 0,
            seq: [0; 5],
            crtc_index: 0,
            crtc: [0; 0x19],
            gc_index: 0,
            gc: [0; 9],
            attr_index: 0,
            attr_data_next: false,
            attr: [0; 0x15],
            dac: [0; 768],
            pel_mask: 0xFF,
            dac_write_index: 0,
            dac_read_index: 0,
            dac_write_sub: 0,
            dac_read_sub: 0,
            dac_latch: [0; 3],
            dac_state: 0,
            feature: 0,
            latch: 0,
            vram: Vec::new(),
            vbe: Dispi::default(),
            dirty: true,
            beyond_planes: false,
            render: render::RenderState::default(),
        }
    }

    /// Switching the DAC between 6 and 8 bits a component keeps the colours.
    fn convert_dac(&mut self, to_8bit: bool) {
        for c in self.dac.iter_mut() {
            *c = if to_8bit {
                (*c << 2) | (*c >> 4)
            } else {
                *c >> 2
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::{IrqLines, SysLines};
    use crate::memory::Memory;

    fn out(vga: &mut Vga, port: u16, v: u8) {
        let mut irq = IrqLines::default();
        let mut mem = Memory::new(0x1000);
        let mut sys = SysLines::default();
        let mut ctx = Ctx {
            now: 0,
            irq: &mut irq,
            mem: &mut mem,
            sys: &mut sys,
        };
        vga.io_write(port, 1, v as u32, &mut ctx);
    }

    fn inp(vga: &mut Vga, port: u16, now: Nanos) -> u8 {
        let mut irq = IrqLines::default();
        let mut mem = Memory::new(0x1000);
        let mut sys = SysLines::default();
        let mut ctx = Ctx {
            now,
            irq: &mut irq,
            mem: &mut mem,
            sys: &mut sys,
        };
        vga.io_read(port, 1, &mut ctx) as u8
    }

    fn seq(vga: &mut Vga, i: u8, v: u8) {
        out(vga, 0x3C4, i);
        out(vga, 0x3C5, v);
    }

    fn gc(vga: &mut Vga, i: u8, v: u8) {
        out(vga, 0x3CE, i);
        out(vga, 0x3CF, v);
    }

    /// Only a write that changes video memory asks for the picture to be drawn again: a guest
    /// that rewrites the same text or pixels over and over (a clock drawn each turn of a loop)
    /// costs no drawing.
    #[test]
    fn writes_of_what_is_already_there_leave_the_picture_alone() {
        let mut v = planar();
        v.mem_write8(0xA0010, 0x5A);
        assert!(v.dirty, "a new value");
        v.dirty = false;
        v.mem_write8(0xA0010, 0x5A);
        assert!(!v.dirty, "the same value in every plane");
        v.mem_write8(0xA0010, 0x5B);
        assert!(v.dirty, "another value");
        v.vram.resize(1 << 20, 0);
        v.dirty = false;
        v.lfb_write32(0x400, 0);
        v.lfb_write8(0x404, 0);
        assert!(!v.dirty, "zeros over zeros in the frame buffer");
        v.lfb_write32(0x400, 7);
        assert!(v.dirty);
        v.dirty = false;
        v.lfb_write8(0x404, 1);
        assert!(v.dirty);
    }

    /// A planar 16-colour setup (mode 12h's sequencer and graphics controller).
    fn planar() -> Vga {
        let mut v = Vga::new();
        out(&mut v, 0x3C2, 0xE3);
        seq(&mut v, 2, 0x0F);
        seq(&mut v, 4, 0x06);
        for (i, x) in [0, 0, 0, 0, 0, 0, 0x05, 0x0F, 0xFF].into_iter().enumerate() {
            gc(&mut v, i as u8, x);
        }
        v
    }

    fn planes_at(v: &Vga, off: u32) -> [u8; 4] {
        [0, 1, 2, 3].map(|p| v.plane_byte(p, off))
    }

    #[test]
    fn write_mode_0_with_map_mask_and_set_reset() {
        let mut v = planar();
        seq(&mut v, 2, 0b0101);
        v.mem_write8(0xA0010, 0xA5);
        assert_eq!(planes_at(&v, 0x10), [0xA5, 0, 0xA5, 0]);
        // Set/reset on planes 0 and 1 with value 0b0010: plane 0 cleared, plane 1 set.
        seq(&mut v, 2, 0x0F);
        gc(&mut v, 0, 0b0010);
        gc(&mut v, 1, 0b0011);
        v.mem_write8(0xA0011, 0x3C);
        assert_eq!(planes_at(&v, 0x11), [0x00, 0xFF, 0x3C, 0x3C]);
    }

    #[test]
    fn rotate_logical_ops_and_bit_mask_use_the_latches() {
        let mut v = planar();
        v.mem_write8(0xA0000, 0xF0);
        gc(&mut v, 3, 0x01); // rotate right by 1
        v.mem_write8(0xA0001, 0x01);
        assert_eq!(planes_at(&v, 1), [0x80; 4]);
        // Load the latches from offset 0 (0xF0 in every plane), then XOR 0xFF under mask 0x3C.
        let _ = v.mem_read8(0xA0000);
        gc(&mut v, 3, 0x18);
        gc(&mut v, 8, 0x3C);
        v.mem_write8(0xA0002, 0xFF);
        assert_eq!(planes_at(&v, 2), [0xCC; 4]);
        // AND and OR.
        gc(&mut v, 8, 0xFF);
        gc(&mut v, 3, 0x08);
        v.mem_write8(0xA0003, 0x3C);
        assert_eq!(planes_at(&v, 3), [0x30; 4]);
        gc(&mut v, 3, 0x10);
        v.mem_write8(0xA0004, 0x0F);
        assert_eq!(planes_at(&v, 4), [0xFF; 4]);
    }

    #[test]
    fn write_mode_1_copies_the_latches() {
        let mut v = planar();
        for (p, b) in [0x11u8, 0x22, 0x44, 0x88].into_iter().enumerate() {
            seq(&mut v, 2, 1 << p);
            v.mem_write8(0xA0100, b);
        }
        seq(&mut v, 2, 0x0F);
        gc(&mut v, 5, 0x01);
        let _ = v.mem_read8(0xA0100);
        v.mem_write8(0xA0200, 0x00);
        assert_eq!(planes_at(&v, 0x200), [0x11, 0x22, 0x44, 0x88]);
    }

    #[test]
    fn write_modes_2_and_3() {
        let mut v = planar();
        gc(&mut v, 5, 0x02);
        gc(&mut v, 8, 0xF0);
        v.mem_write8(0xA0000, 0b1001);
        assert_eq!(planes_at(&v, 0), [0xF0, 0x00, 0x00, 0xF0]);
        // Mode 3: the rotated data ANDed with the bit mask selects the bits; set/reset is the
        // colour (enable set/reset is ignored).
        gc(&mut v, 5, 0x03);
        gc(&mut v, 8, 0xFF);
        gc(&mut v, 0, 0b0110);
        let _ = v.mem_read8(0xA0001);
        v.mem_write8(0xA0001, 0x18);
        assert_eq!(planes_at(&v, 1), [0x00, 0x18, 0x18, 0x00]);
    }

    #[test]
    fn read_modes_0_and_1() {
        let mut v = planar();
        gc(&mut v, 5, 0x02);
        v.mem_write8(0xA0000, 5);
        gc(&mut v, 8, 0x0F);
        let _ = v.mem_read8(0xA0000); // the latches keep the bits outside the mask
        v.mem_write8(0xA0000, 3);
        gc(&mut v, 5, 0x00);
        gc(&mut v, 4, 2);
        assert_eq!(v.mem_read8(0xA0000), 0xF0);
        gc(&mut v, 4, 1);
        assert_eq!(v.mem_read8(0xA0000), 0x0F);
        // Colour compare: which pixels are colour 5, then colour 3 ignoring plane 1.
        gc(&mut v, 5, 0x08);
        gc(&mut v, 2, 5);
        gc(&mut v, 7, 0x0F);
        assert_eq!(v.mem_read8(0xA0000), 0xF0);
        gc(&mut v, 2, 1);
        gc(&mut v, 7, 0b1101);
        assert_eq!(v.mem_read8(0xA0000), 0x0F);
    }

    #[test]
    fn chain_4_spreads_bytes_over_the_planes() {
        let mut v = planar();
        seq(&mut v, 4, 0x0E);
        gc(&mut v, 5, 0x40);
        for a in 0..8u32 {
            v.mem_write8(0xA0000 + a, 0x10 + a as u8);
        }
        assert_eq!(planes_at(&v, 0), [0x10, 0x11, 0x12, 0x13]);
        assert_eq!(planes_at(&v, 4), [0x14, 0x15, 0x16, 0x17]);
        assert_eq!(v.mem_read8(0xA0006), 0x16);
        // Unchained, plane 2 at offset 4 is the same byte.
        seq(&mut v, 4, 0x06);
        gc(&mut v, 4, 2);
        assert_eq!(v.mem_read8(0xA0004), 0x16);
    }

    #[test]
    fn odd_even_text_addressing_and_memory_map() {
        let mut v = Vga::new();
        seq(&mut v, 2, 0x03);
        seq(&mut v, 4, 0x02);
        gc(&mut v, 5, 0x10);
        gc(&mut v, 6, 0x0E);
        gc(&mut v, 8, 0xFF);
        v.mem_write8(0xB8000, b'A');
        v.mem_write8(0xB8001, 0x1F);
        v.mem_write8(0xB8002, b'B');
        assert_eq!(v.plane_byte(0, 0), b'A');
        assert_eq!(v.plane_byte(1, 0), 0x1F);
        assert_eq!(v.plane_byte(0, 2), b'B');
        assert_eq!(v.mem_read8(0xB8001), 0x1F);
        assert_eq!(v.mem_read8(0xB8002), b'B');
        // B8000 is decoded; A0000 and B0000 are not.
        assert_eq!(v.mem_read8(0xA0000), 0xFF);
        v.mem_write8(0xB0000, 0x55);
        assert_eq!(v.plane_byte(0, 0), b'A');
    }

    #[test]
    fn attribute_flip_flop_is_reset_by_input_status_read() {
        let mut v = Vga::new();
        out(&mut v, 0x3C2, 0x67);
        out(&mut v, 0x3C0, 0x01);
        let _ = inp(&mut v, 0x3DA, 0);
        out(&mut v, 0x3C0, 0x02);
        out(&mut v, 0x3C0, 0x3A);
        assert_eq!(v.attr[2], 0x3A);
        assert_eq!(v.attr[1], 0);
        // With misc bit 0 set the mono status port does not answer.
        assert_eq!(inp(&mut v, 0x3BA, 0), 0xFF);
    }

    #[test]
    fn dac_write_and_read_back() {
        let mut v = Vga::new();
        out(&mut v, 0x3C8, 0x10);
        for c in [1, 2, 3, 0x3F, 0x7F, 0x20] {
            out(&mut v, 0x3C9, c);
        }
        out(&mut v, 0x3C7, 0x10);
        let got: Vec<u8> = (0..6).map(|_| inp(&mut v, 0x3C9, 0)).collect();
        assert_eq!(got, [1, 2, 3, 0x3F, 0x3F, 0x20]);
        assert_eq!(inp(&mut v, 0x3C7, 0), 3);
    }

    #[test]
    fn reset_clears_video_memory_and_registers() {
        let mut v = planar();
        v.mem_write8(0xA0010, 0x5A);
        v.lfb_write32(0x80_0000, 0x1234_5678);
        v.reset();
        assert_eq!(v.vram.len(), VRAM_SIZE);
        assert!(v.vram.iter().all(|&b| b == 0));
        assert_eq!((v.misc, v.seq[2], v.gc[8]), (0, 0, 0));
        // Only the planes were used: a reset clears those.
        v.vram[10] = 1;
        v.reset();
        assert_eq!(v.vram[10], 0);
    }

    #[test]
    fn crtc_protect_bit() {
        let mut v = Vga::new();
        out(&mut v, 0x3C2, 0x01);
        out(&mut v, 0x3D4, 0x11);
        out(&mut v, 0x3D5, 0x80);
        out(&mut v, 0x3D4, 0x01);
        out(&mut v, 0x3D5, 0x4F);
        assert_eq!(v.crtc[1], 0);
        out(&mut v, 0x3D4, 0x07);
        out(&mut v, 0x3D5, 0xFF);
        assert_eq!(v.crtc[7], 0x10);
    }

    #[test]
    fn retrace_bit_toggles_with_time() {
        let mut v = Vga::new();
        out(&mut v, 0x3C2, 0x67);
        // Mode 3 timing: 449 lines of 31.78 us, retrace from line 412 for 2 lines.
        let regs = [
            0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E, 0x00, 0x00,
            0x00, 0x00, 0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF,
        ];
        for (i, r) in regs.into_iter().enumerate() {
            out(&mut v, 0x3D4, i as u8);
            out(&mut v, 0x3D5, r);
        }
        let line = v.timing().line_ns;
        assert_eq!(inp(&mut v, 0x3DA, line * 10) & 9, 0);
        assert_eq!(inp(&mut v, 0x3DA, line * 413) & 9, 9);
        assert_eq!(inp(&mut v, 0x3DA, line * 420) & 9, 1);
        let frame = line * 449;
        assert_eq!(inp(&mut v, 0x3DA, frame * 7 + line * 412 + 5) & 8, 8);
    }
}
