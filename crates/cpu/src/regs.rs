//! Register names and segment registers with their descriptor caches.

/// General registers in encoding order (the 32-bit names; 16-bit code uses the low halves).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reg {
    Eax = 0,
    Ecx = 1,
    Edx = 2,
    Ebx = 3,
    Esp = 4,
    Ebp = 5,
    Esi = 6,
    Edi = 7,
}

impl Reg {
    pub const ALL: [Reg; 8] = [
        Reg::Eax,
        Reg::Ecx,
        Reg::Edx,
        Reg::Ebx,
        Reg::Esp,
        Reg::Ebp,
        Reg::Esi,
        Reg::Edi,
    ];
    pub fn from_index(i: u8) -> Reg {
        Reg::ALL[(i & 7) as usize]
    }
}

/// Segment registers in encoding order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegReg {
    Es = 0,
    Cs = 1,
    Ss = 2,
    Ds = 3,
    Fs = 4,
    Gs = 5,
}

impl SegReg {
    pub const ALL: [SegReg; 6] = [
        SegReg::Es,
        SegReg::Cs,
        SegReg::Ss,
        SegReg::Ds,
        SegReg::Fs,
        SegReg::Gs,
    ];
    pub fn from_index(i: u8) -> SegReg {
        SegReg::ALL[(i as usize) % 6]
    }
    pub fn name(self) -> &'static str {
        ["es", "cs", "ss", "ds", "fs", "gs"][self as usize]
    }
}

/// Descriptor-cache flag bits kept in [`Segment::flags`]: the access byte in bits 0-7 and the
/// D/B bit.
pub const SEG_ACCESSED: u16 = 1 << 0;
pub const SEG_WRITABLE: u16 = 1 << 1; // data: writable; code: readable
pub const SEG_EXPAND_DOWN: u16 = 1 << 2; // data: expand-down; code: conforming
pub const SEG_CODE: u16 = 1 << 3;
pub const SEG_NOT_SYSTEM: u16 = 1 << 4;
pub const SEG_PRESENT: u16 = 1 << 7;
/// Reads through this segment fault (#GP/#SS): a null selector, or execute-only code.
pub const SEG_NO_READ: u16 = 1 << 8;
/// Writes through this segment fault: a null selector, code, or read-only data.
pub const SEG_NO_WRITE: u16 = 1 << 9;
/// Granularity (4 KiB units; the limit is kept already scaled) and the available bit.
pub const SEG_GRANULAR: u16 = 1 << 15;
pub const SEG_AVL: u16 = 1 << 12;
/// D/B: 32-bit default operand size (code) or stack pointer size (stack).
pub const SEG_BIG: u16 = 1 << 14;

/// A segment register: the visible selector and the hidden descriptor cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub selector: u16,
    pub base: u32,
    /// Highest valid offset (byte granular, already scaled by G).
    pub limit: u32,
    pub flags: u16,
}

impl Segment {
    /// The cache contents a real-mode load gives: a present, writable, 64 KiB data segment.
    pub fn real(selector: u16) -> Segment {
        Segment {
            selector,
            base: (selector as u32) << 4,
            limit: 0xFFFF,
            flags: SEG_PRESENT | SEG_NOT_SYSTEM | SEG_WRITABLE | SEG_ACCESSED,
        }
    }

    pub fn big(&self) -> bool {
        self.flags & SEG_BIG != 0
    }

    pub fn dpl(&self) -> u8 {
        ((self.flags >> 5) & 3) as u8
    }

    /// Whether an access of `size` bytes (1 to 4, or any size >= 1) at `offset` lies inside the
    /// segment. No 64-bit arithmetic: `offset + size - 1` may wrap past 4 GiB, which is outside.
    #[inline]
    pub fn check_limit(&self, offset: u32, size: u32) -> bool {
        let span = size.wrapping_sub(1);
        if self.flags & (SEG_EXPAND_DOWN | SEG_CODE) != SEG_EXPAND_DOWN {
            // last = offset + span <= limit, without overflow.
            return offset <= self.limit && span <= self.limit - offset;
        }
        let upper: u32 = if self.big() { 0xFFFF_FFFF } else { 0xFFFF };
        offset > self.limit && offset <= upper && span <= upper - offset
    }
}
