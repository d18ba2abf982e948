//! The x87 floating-point unit: its registers (the eight-register stack, control, status and tag
//! words, the instruction and operand pointers) and the memory images that FSTENV/FLDENV,
//! FSAVE/FRSTOR and FXSAVE/FXRSTOR move. The arithmetic lives in [`float80`] (80-bit soft-float)
//! and [`transcendental`]; the instruction decoding in the CPU's `exec::x87`.
//!
//! The 486 and later have the FPU on chip. The 8086-386 have none unless a coprocessor (8087,
//! 287, 387) is fitted: [`Fpu::present`] says which, and an absent FPU leaves the ESC opcodes to
//! the historical "decode the operand, do nothing" behaviour.

pub mod float80;
pub mod transcendental;

pub use float80::{Class, Cmp, Ctx, Rounding, F80};

/// Status word bits.
pub const SW_IE: u16 = 1 << 0;
pub const SW_SF: u16 = 1 << 6;
pub const SW_ES: u16 = 1 << 7;
pub const SW_C0: u16 = 1 << 8;
pub const SW_C1: u16 = 1 << 9;
pub const SW_C2: u16 = 1 << 10;
pub const SW_C3: u16 = 1 << 14;
pub const SW_B: u16 = 1 << 15;
/// The six exception flags.
pub const SW_EXCEPTIONS: u16 = 0x3F;
const SW_TOP: u16 = 7 << 11;

/// The control word after FNINIT: all exceptions masked, 64-bit precision, round to nearest.
pub const CW_INIT: u16 = 0x037F;

/// The FPU state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fpu {
    /// An FPU is there (on chip or a coprocessor). When false the ESC opcodes do nothing.
    pub present: bool,
    /// The physical registers R0-R7 (ST(i) is R((TOP + i) mod 8)).
    pub regs: [F80; 8],
    pub cw: u16,
    /// The status word, TOP included (bits 11-13).
    pub sw: u16,
    /// Bit i set: physical register i is not empty (the FXSAVE abridged tag). The full tag word
    /// is computed from the register contents, as the hardware does on FSTENV.
    pub valid: u8,
    /// Last non-control instruction: offset and CS selector, and its opcode (the low three bits
    /// of the ESC byte and the ModR/M byte).
    pub fip: u32,
    pub fcs: u16,
    pub fop: u16,
    /// Last memory operand: offset and segment selector.
    pub fdp: u32,
    pub fds: u16,
}

impl Fpu {
    /// The state after RESET (Intel: control word 0040h, status 0, all tags "zero", +0.0 in
    /// every register).
    pub fn new(present: bool) -> Fpu {
        Fpu {
            present,
            regs: [F80::ZERO; 8],
            cw: 0x0040,
            sw: 0,
            valid: 0xFF,
            fip: 0,
            fcs: 0,
            fop: 0,
            fdp: 0,
            fds: 0,
        }
    }

    /// FNINIT.
    pub fn init(&mut self) {
        self.cw = CW_INIT;
        self.sw = 0;
        self.valid = 0;
        self.fip = 0;
        self.fcs = 0;
        self.fop = 0;
        self.fdp = 0;
        self.fds = 0;
    }

    #[inline]
    pub fn top(&self) -> u8 {
        ((self.sw >> 11) & 7) as u8
    }

    #[inline]
    pub fn set_top(&mut self, t: u8) {
        self.sw = (self.sw & !SW_TOP) | (((t & 7) as u16) << 11);
    }

    /// Physical register number of ST(i).
    #[inline]
    pub fn phys(&self, i: u8) -> usize {
        ((self.top() + i) & 7) as usize
    }

    #[inline]
    pub fn st(&self, i: u8) -> F80 {
        self.regs[self.phys(i)]
    }

    #[inline]
    pub fn is_empty(&self, i: u8) -> bool {
        self.valid & (1 << self.phys(i)) == 0
    }

    /// Store into ST(i) and mark it in use.
    #[inline]
    pub fn set_st(&mut self, i: u8, v: F80) {
        let p = self.phys(i);
        self.regs[p] = v;
        self.valid |= 1 << p;
    }

    pub fn free(&mut self, i: u8) {
        self.valid &= !(1 << self.phys(i));
    }

    /// Decrement TOP and store into the new ST(0).
    pub fn push(&mut self, v: F80) {
        let t = self.top().wrapping_sub(1);
        self.set_top(t);
        self.set_st(0, v);
    }

    /// Mark ST(0) empty and increment TOP.
    pub fn pop(&mut self) {
        self.free(0);
        let t = self.top().wrapping_add(1);
        self.set_top(t);
    }

    pub fn set_c1(&mut self, on: bool) {
        self.set_flag(SW_C1, on);
    }

    pub fn set_flag(&mut self, bit: u16, on: bool) {
        if on {
            self.sw |= bit;
        } else {
            self.sw &= !bit;
        }
    }

    /// Set C3, C2, C0 from a comparison.
    pub fn set_compare(&mut self, c: Cmp) {
        let (c3, c2, c0) = match c {
            Cmp::Greater => (false, false, false),
            Cmp::Less => (false, false, true),
            Cmp::Equal => (true, false, false),
            Cmp::Unordered => (true, true, true),
        };
        self.set_flag(SW_C3, c3);
        self.set_flag(SW_C2, c2);
        self.set_flag(SW_C0, c0);
    }

    /// Record exception flags and recompute the error summary: ES (and B, which mirrors it since
    /// the 387) are set while any flagged exception is unmasked.
    pub fn raise(&mut self, flags: u16) {
        self.sw |= flags & SW_EXCEPTIONS;
        self.update_es();
    }

    pub fn update_es(&mut self) {
        let unmasked = self.sw & SW_EXCEPTIONS & !self.cw & SW_EXCEPTIONS;
        self.set_flag(SW_ES | SW_B, unmasked != 0);
    }

    /// An unmasked exception waits to be reported (#MF or FERR#) at the next waiting instruction.
    pub fn pending(&self) -> bool {
        self.sw & SW_ES != 0
    }

    /// The FERR# output: asserted while an unmasked exception is pending. On a PC it drives
    /// IRQ13 (through the chipset) when the OS runs with CR0.NE = 0.
    pub fn ferr(&self) -> bool {
        self.pending()
    }

    /// FLDCW.
    pub fn load_cw(&mut self, v: u16) {
        // Bits 6 reads as 1, 13-15 as 0 (the 387 and later keep the infinity-control bit 12).
        self.cw = (v & 0x1F3F) | 0x0040;
        self.update_es();
    }

    /// The 2-bit tag of physical register `p`: 0 valid, 1 zero, 2 special, 3 empty.
    pub fn tag(&self, p: usize) -> u16 {
        if self.valid & (1 << p) == 0 {
            return 3;
        }
        match self.regs[p].class() {
            Class::Normal => 0,
            Class::Zero => 1,
            _ => 2,
        }
    }

    /// The full tag word.
    pub fn tag_word(&self) -> u16 {
        (0..8).fold(0, |w, p| w | (self.tag(p) << (2 * p)))
    }

    /// Load a tag word: only "empty" or "not empty" is kept; the rest comes from the contents.
    pub fn load_tag_word(&mut self, tw: u16) {
        self.valid = (0..8).fold(0, |v, p| {
            if (tw >> (2 * p)) & 3 == 3 {
                v
            } else {
                v | (1 << p)
            }
        });
    }

    /// The environment image of FSTENV/FSAVE: 14 bytes (16-bit) or 28 bytes (32-bit), in the
    /// real-mode (also virtual-8086) or protected-mode layout.
    pub fn env_image(&self, protected: bool, op32: bool) -> Vec<u8> {
        let mut b = Vec::with_capacity(28);
        let w16 = |b: &mut Vec<u8>, v: u16| b.extend_from_slice(&v.to_le_bytes());
        let w32 = |b: &mut Vec<u8>, v: u32| b.extend_from_slice(&v.to_le_bytes());
        let tw = self.tag_word();
        let fop = (self.fop & 0x7FF) as u32;
        if op32 {
            w32(&mut b, 0xFFFF_0000 | self.cw as u32);
            w32(&mut b, 0xFFFF_0000 | self.sw as u32);
            w32(&mut b, 0xFFFF_0000 | tw as u32);
            if protected {
                w32(&mut b, self.fip);
                w32(&mut b, self.fcs as u32 | (fop << 16));
                w32(&mut b, self.fdp);
                w32(&mut b, 0xFFFF_0000 | self.fds as u32);
            } else {
                let ip = self.linear_ip();
                let dp = self.linear_dp();
                w32(&mut b, 0xFFFF_0000 | (ip & 0xFFFF));
                w32(&mut b, ((ip >> 16) << 12) | fop);
                w32(&mut b, 0xFFFF_0000 | (dp & 0xFFFF));
                w32(&mut b, (dp >> 16) << 12);
            }
        } else {
            w16(&mut b, self.cw);
            w16(&mut b, self.sw);
            w16(&mut b, tw);
            if protected {
                w16(&mut b, self.fip as u16);
                w16(&mut b, self.fcs);
                w16(&mut b, self.fdp as u16);
                w16(&mut b, self.fds);
            } else {
                let ip = self.linear_ip();
                let dp = self.linear_dp();
                w16(&mut b, ip as u16);
                w16(&mut b, ((((ip >> 16) & 0xF) << 12) | fop) as u16);
                w16(&mut b, dp as u16);
                w16(&mut b, (((dp >> 16) & 0xF) << 12) as u16);
            }
        }
        b
    }

    /// The real-mode formats store 20- or 32-bit linear pointers.
    fn linear_ip(&self) -> u32 {
        ((self.fcs as u32) << 4).wrapping_add(self.fip)
    }
    fn linear_dp(&self) -> u32 {
        ((self.fds as u32) << 4).wrapping_add(self.fdp)
    }

    /// FLDENV: load an environment image (the layout chosen as for [`Fpu::env_image`]).
    pub fn load_env(&mut self, b: &[u8], protected: bool, op32: bool) {
        let r16 = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
        let r32 = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let (cw, sw, tw);
        if op32 && b.len() >= 28 {
            cw = r16(0);
            sw = r16(4);
            tw = r16(8);
            if protected {
                self.fip = r32(12);
                let w = r32(16);
                self.fcs = w as u16;
                self.fop = ((w >> 16) & 0x7FF) as u16;
                self.fdp = r32(20);
                self.fds = r16(24);
            } else {
                let w = r32(16);
                self.fip = (r32(12) & 0xFFFF) | ((w >> 12) << 16);
                self.fcs = 0;
                self.fop = (w & 0x7FF) as u16;
                self.fdp = (r32(20) & 0xFFFF) | ((r32(24) >> 12) << 16);
                self.fds = 0;
            }
        } else if b.len() >= 14 {
            cw = r16(0);
            sw = r16(2);
            tw = r16(4);
            if protected {
                self.fip = r16(6) as u32;
                self.fcs = r16(8);
                self.fdp = r16(10) as u32;
                self.fds = r16(12);
            } else {
                let w = r16(8) as u32;
                self.fip = r16(6) as u32 | ((w >> 12) << 16);
                self.fcs = 0;
                self.fop = (w & 0x7FF) as u16;
                self.fdp = r16(10) as u32 | (((r16(12) as u32) >> 12) << 16);
                self.fds = 0;
            }
        } else {
            return;
        }
        self.cw = (cw & 0x1F3F) | 0x0040;
        self.sw = sw;
        self.load_tag_word(tw);
        self.update_es();
    }

    /// The FSAVE image: the environment, then ST(0)..ST(7) at ten bytes each.
    pub fn save_image(&self, protected: bool, op32: bool) -> Vec<u8> {
        let mut b = self.env_image(protected, op32);
        for i in 0..8 {
            b.extend_from_slice(&self.st(i).to_le_bytes());
        }
        b
    }

    /// FRSTOR: load an FSAVE image.
    pub fn restore_image(&mut self, b: &[u8], protected: bool, op32: bool) {
        let env = if op32 { 28 } else { 14 };
        if b.len() < env + 80 {
            return;
        }
        self.load_env(&b[..env], protected, op32);
        for i in 0..8u8 {
            let o = env + 10 * i as usize;
            let mut r = [0u8; 10];
            r.copy_from_slice(&b[o..o + 10]);
            let p = self.phys(i);
            self.regs[p] = F80::from_le_bytes(r);
        }
    }

    /// The 512-byte FXSAVE image (the x87 part; the SSE fields stay zero on a CPU without SSE).
    pub fn fxsave_image(&self) -> [u8; 512] {
        let mut b = [0u8; 512];
        b[0..2].copy_from_slice(&self.cw.to_le_bytes());
        b[2..4].copy_from_slice(&self.sw.to_le_bytes());
        b[4] = self.valid;
        b[6..8].copy_from_slice(&(self.fop & 0x7FF).to_le_bytes());
        b[8..12].copy_from_slice(&self.fip.to_le_bytes());
        b[12..14].copy_from_slice(&self.fcs.to_le_bytes());
        b[16..20].copy_from_slice(&self.fdp.to_le_bytes());
        b[20..22].copy_from_slice(&self.fds.to_le_bytes());
        for i in 0..8u8 {
            let o = 32 + 16 * i as usize;
            b[o..o + 10].copy_from_slice(&self.st(i).to_le_bytes());
        }
        b
    }

    /// FXRSTOR from a 512-byte image.
    pub fn fxrstor_image(&mut self, b: &[u8; 512]) {
        let r16 = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
        let r32 = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        self.cw = (r16(0) & 0x1F3F) | 0x0040;
        self.sw = r16(2);
        self.valid = b[4];
        self.fop = r16(6) & 0x7FF;
        self.fip = r32(8);
        self.fcs = r16(12);
        self.fdp = r32(16);
        self.fds = r16(20);
        for i in 0..8u8 {
            let o = 32 + 16 * i as usize;
            let mut r = [0u8; 10];
            r.copy_from_slice(&b[o..o + 10]);
            let p = self.phys(i);
            self.regs[p] = F80::from_le_bytes(r);
        }
        self.update_es();
    }
}
