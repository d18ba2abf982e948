//! The decoder: instruction bytes to an [`Insn`], driven by the instruction table.
//!
//! Prefixes, opcode, ModR/M, SIB, displacement and immediates are read once; the effective-address
//! form is pre-digested (base, index, scale, displacement, default segment) so that executing a
//! cached instruction does no decoding work at all.

use crate::model::Model;
use crate::table::{self, Entry, Kind, Opd};
use crate::{Exception, Res};

/// 32-bit operand size.
pub const F_OPSIZE: u16 = 1 << 0;
/// 32-bit address size.
pub const F_ADDRSIZE: u16 = 1 << 1;
/// F3 prefix (REP / REPE).
pub const F_REP: u16 = 1 << 2;
/// F2 prefix (REPNE).
pub const F_REPNE: u16 = 1 << 3;
pub const F_LOCK: u16 = 1 << 4;
/// ModR/M selects a register (mod == 3).
pub const F_RM_REG: u16 = 1 << 5;
/// A 66h prefix was present (for the disassembler).
pub const F_HAS66: u16 = 1 << 6;
/// A 67h prefix was present.
pub const F_HAS67: u16 = 1 << 7;

/// The opcode does not exist on this CPU model (or is an invalid group member): #UD.
pub const F_INVALID: u16 = 1 << 8;

/// "No register" in the effective-address fields; "no override" in [`Insn::seg`].
pub const NONE: u8 = 0xFF;

/// A decoded instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Insn {
    /// Opcode: `0x00-0xFF`, or `0x100 | b` for `0F b`.
    pub op: u16,
    pub modrm: u8,
    /// Length in bytes, prefixes included.
    pub len: u8,
    pub flags: u16,
    /// Segment override (0-5) or [`NONE`].
    pub seg: u8,
    /// Effective address: base and index registers (or [`NONE`]), scale shift, and the segment
    /// it uses (the override when there is one, else the addressing form's default).
    pub ea_base: u8,
    pub ea_index: u8,
    pub ea_scale: u8,
    pub ea_seg: u8,
    /// Number of segment-override prefixes (for the disassembler's faithful output).
    pub nseg: u8,
    pub disp: u32,
    /// First immediate (sign-extended where the form says so), or the branch displacement.
    pub imm: u32,
    /// Second immediate: the selector of a far pointer, ENTER's nesting level.
    pub imm2: u32,
}

impl Insn {
    #[inline]
    pub fn reg(&self) -> u8 {
        (self.modrm >> 3) & 7
    }
    #[inline]
    pub fn rm(&self) -> u8 {
        self.modrm & 7
    }
    #[inline]
    pub fn rm_is_reg(&self) -> bool {
        self.flags & F_RM_REG != 0
    }
    #[inline]
    pub fn op32(&self) -> bool {
        self.flags & F_OPSIZE != 0
    }
    #[inline]
    pub fn addr32(&self) -> bool {
        self.flags & F_ADDRSIZE != 0
    }
    /// Operand size in bytes for "v" forms.
    #[inline]
    pub fn osize(&self) -> u32 {
        if self.op32() {
            4
        } else {
            2
        }
    }
    /// The table row of this instruction.
    pub fn entry(&self) -> &'static Entry {
        table::lookup(self.op, self.modrm)
    }
    /// The segment a memory operand uses (override, else the addressing form's default).
    #[inline]
    pub fn mem_seg(&self) -> u8 {
        self.ea_seg
    }
    /// The segment the addressing form uses without an override: SS for a base of eBP (or
    /// ESP), else DS.
    pub fn default_seg(&self) -> u8 {
        if matches!(self.ea_base, 4 | 5) {
            SS
        } else {
            DS
        }
    }
}

const ES: u8 = 0;
const SS: u8 = 2;
const DS: u8 = 3;

/// Decode one instruction. `fetch(i)` returns the i-th byte of the instruction (it applies the
/// CS limit and paging and may fault). `big` is the code segment's default size.
pub fn decode(model: Model, big: bool, mut fetch: impl FnMut(u32) -> Res<u8>) -> Res<Insn> {
    let max_len = model.max_insn_len();
    let mut insn = Insn {
        seg: NONE,
        ea_base: NONE,
        ea_index: NONE,
        ea_seg: DS,
        ..Insn::default()
    };
    let mut pos: u32 = 0;
    let mut next = |pos: &mut u32| -> Res<u8> {
        if *pos as usize >= max_len {
            return Err(Exception::with_code(Exception::GP, 0));
        }
        let b = fetch(*pos)?;
        *pos += 1;
        Ok(b)
    };
    let mut opsize = big;
    let mut addrsize = big;
    let has32 = model.has_32bit();
    let mut b;
    loop {
        b = next(&mut pos)?;
        match b {
            0x26 | 0x2E | 0x36 | 0x3E => {
                insn.seg = (b >> 3) & 3;
                insn.nseg += 1;
            }
            0x64 | 0x65 if has32 => {
                insn.seg = b - 0x60;
                insn.nseg += 1;
            }
            0x66 if has32 => {
                opsize = !big;
                insn.flags |= F_HAS66;
            }
            0x67 if has32 => {
                addrsize = !big;
                insn.flags |= F_HAS67;
            }
            0xF0 => insn.flags |= F_LOCK,
            0xF2 => insn.flags = (insn.flags & !F_REP) | F_REPNE,
            0xF3 => insn.flags = (insn.flags & !F_REPNE) | F_REP,
            _ => break,
        }
    }
    if opsize {
        insn.flags |= F_OPSIZE;
    }
    if addrsize {
        insn.flags |= F_ADDRSIZE;
    }
    let mut op = b as u16;
    if b == 0x0F && model >= Model::I286 {
        op = 0x100 | next(&mut pos)? as u16;
    }
    insn.op = op;
    let row = if op < 0x100 {
        &table::ONE_BYTE[op as usize]
    } else {
        &table::TWO_BYTE[(op & 0xFF) as usize]
    };
    let mut entry = row;
    if row.has_modrm() {
        let modrm = next(&mut pos)?;
        insn.modrm = modrm;
        if let Kind::Group(g) = row.kind {
            entry = &g[((modrm >> 3) & 7) as usize];
        }
        // MOV to/from control and debug registers always takes a register, whatever mod says.
        let forced_reg = matches!(op, 0x120..=0x123);
        if modrm >> 6 == 3 || forced_reg {
            insn.flags |= F_RM_REG;
        } else if addrsize {
            decode_ea32(&mut insn, modrm, &mut || next(&mut pos))?;
        } else {
            decode_ea16(&mut insn, modrm, &mut || next(&mut pos))?;
        }
    }
    let usable = match entry.kind {
        Kind::Insn | Kind::Fpu => entry.since <= model,
        // 0F on the 8086 is POP CS; an escape byte is otherwise never an instruction by itself.
        Kind::Escape => model == Model::I8086,
        _ => false,
    };
    if !usable {
        insn.flags |= F_INVALID;
    }
    let mut seen = false;
    for &o in entry.operands {
        match o {
            Opd::Ib => insn_imm(&mut insn, &mut seen, next(&mut pos)? as u32),
            Opd::Ibs | Opd::Jb => {
                insn_imm(&mut insn, &mut seen, next(&mut pos)? as i8 as i32 as u32)
            }
            Opd::Iw => {
                let v = read_n(&mut || next(&mut pos), 2)?;
                insn_imm(&mut insn, &mut seen, v)
            }
            Opd::Iv | Opd::Jv => {
                let v = if opsize {
                    read_n(&mut || next(&mut pos), 4)?
                } else {
                    read_n(&mut || next(&mut pos), 2)?
                };
                let v = if o == Opd::Jv && !opsize {
                    v as u16 as i16 as i32 as u32
                } else {
                    v
                };
                insn_imm(&mut insn, &mut seen, v)
            }
            Opd::Ap => {
                insn.imm = read_n(&mut || next(&mut pos), if opsize { 4 } else { 2 })?;
                insn.imm2 = read_n(&mut || next(&mut pos), 2)?;
            }
            Opd::Ob | Opd::Ov => {
                insn.disp = read_n(&mut || next(&mut pos), if addrsize { 4 } else { 2 })?;
            }
            _ => {}
        }
    }
    insn.len = pos as u8;
    // The segment a memory operand uses, worked out once here rather than at each access.
    if insn.seg != NONE {
        insn.ea_seg = insn.seg;
    }
    Ok(insn)
}

/// Store an immediate: the first goes to `imm`, a second (ENTER's level) to `imm2`.
fn insn_imm(insn: &mut Insn, seen: &mut bool, v: u32) {
    if *seen {
        insn.imm2 = v;
    } else {
        insn.imm = v;
        *seen = true;
    }
}

fn read_n(next: &mut impl FnMut() -> Res<u8>, n: u32) -> Res<u32> {
    let mut v = 0u32;
    for i in 0..n {
        v |= (next()? as u32) << (8 * i);
    }
    Ok(v)
}

fn decode_ea16(insn: &mut Insn, modrm: u8, next: &mut impl FnMut() -> Res<u8>) -> Res<()> {
    const BX: u8 = 3;
    const BP: u8 = 5;
    const SI: u8 = 6;
    const DI: u8 = 7;
    let md = modrm >> 6;
    let (base, index) = match modrm & 7 {
        0 => (BX, SI),
        1 => (BX, DI),
        2 => (BP, SI),
        3 => (BP, DI),
        4 => (SI, NONE),
        5 => (DI, NONE),
        6 => (if md == 0 { NONE } else { BP }, NONE),
        _ => (BX, NONE),
    };
    insn.ea_base = base;
    insn.ea_index = index;
    insn.ea_seg = if base == BP { SS } else { DS };
    insn.disp = match md {
        0 if modrm & 7 == 6 => read_n(next, 2)?,
        1 => next()? as i8 as i32 as u32,
        2 => read_n(next, 2)?,
        _ => 0,
    };
    Ok(())
}

fn decode_ea32(insn: &mut Insn, modrm: u8, next: &mut impl FnMut() -> Res<u8>) -> Res<()> {
    const ESP: u8 = 4;
    const EBP: u8 = 5;
    let md = modrm >> 6;
    let rm = modrm & 7;
    let mut base = rm;
    let mut disp32 = md == 2;
    if rm == ESP {
        let sib = next()?;
        let idx = (sib >> 3) & 7;
        insn.ea_index = if idx == ESP { NONE } else { idx };
        insn.ea_scale = sib >> 6;
        base = sib & 7;
        if base == EBP && md == 0 {
            base = NONE;
            disp32 = true;
        }
    } else if rm == EBP && md == 0 {
        base = NONE;
        disp32 = true;
    }
    insn.ea_base = base;
    insn.ea_seg = if base == ESP || base == EBP { SS } else { DS };
    insn.disp = if disp32 {
        read_n(next, 4)?
    } else if md == 1 {
        next()? as i8 as i32 as u32
    } else {
        0
    };
    Ok(())
}

/// The default segment of string source operands (DS:SI) and destinations (ES:DI).
pub const STRING_SRC_SEG: u8 = DS;
pub const STRING_DST_SEG: u8 = ES;
