//! Handlers specialised when a block is decoded, for the forms that real code runs most: MOV,
//! ALU forms (memory destinations too), shifts and rotates, INC/DEC, MUL/IMUL, MOVZX/MOVSX,
//! CMOVcc, SETcc, TEST, LOOP, PUSH/POP of a register, CALL and RET. Each one knows its operand
//! size and whether its r/m operand is a register or memory, so it runs without the size
//! matches and the `Loc` of the general handlers. What each does is exactly what the general
//! handler for its opcode does (`alu_forms`, `mov_xchg`, `shift_group`...):
//! `tests/blocks_vs_steps.rs` runs random programs both ways and compares.
//!
//! Measured on the Linux boot (the kernel's decompressor is 80% of it): 32-bit MOV between a
//! register and memory or two registers is a third of all instructions, register-register ALU
//! forms another sixth.

use super::alu::AluOp;
use super::{gp0, size_mask, CS, EAX, ECX, EDX, SS};
use crate::bus::Bus;
use crate::decode::Insn;
use crate::flags::{LazyOp, CF, OF};
use crate::model::Model;
use crate::paging::{ram_get, ram_put};
use crate::{Cpu, Exception, Res};

/// Any form of memory operand (see `Cpu::operand_offset`).
pub(crate) const ANY_FORM: u32 = 0;

impl Cpu {
    /// 8A/8B with a memory operand: MOV r, m.
    #[inline(always)]
    pub(crate) fn mov_r_m<const SIZE: u32, const FORM: u32, B: Bus>(
        &mut self,
        bus: &mut B,
        insn: &Insn,
    ) -> Res<()> {
        let v = self.load::<SIZE, FORM, B>(bus, insn)?;
        self.set_reg(SIZE, insn.reg(), v);
        Ok(())
    }

    /// 8D with a 32-bit operand and [base + displacement] with a 32-bit address: LEA.
    #[inline(always)]
    pub(crate) fn lea_r32_bd(&mut self, insn: &Insn) -> Res<()> {
        self.regs[insn.reg() as usize] = self.operand_offset::<4>(insn);
        Ok(())
    }

    /// The `SIZE`-byte r/m operand of `insn`: a register, or memory as [`load`](Self::load)
    /// reads it.
    #[inline(always)]
    fn rm_operand<const SIZE: u32, B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<u32> {
        if insn.rm_is_reg() {
            Ok(self.get_reg(SIZE, insn.rm()))
        } else {
            self.load::<SIZE, ANY_FORM, B>(bus, insn)
        }
    }

    /// The offset of `insn`'s memory operand. `FORM` is [`ANY_FORM`], or the address size of
    /// the form [base + displacement] when the handler was chosen for it (`base_disp_form`):
    /// the commonest form, which needs neither the index nor the address size looked at.
    #[inline(always)]
    fn operand_offset<const FORM: u32>(&self, insn: &Insn) -> u32 {
        let base = || {
            insn.disp
                .wrapping_add(self.regs[(insn.ea_base & 7) as usize])
        };
        match FORM {
            4 => base(),
            2 => base() & 0xFFFF,
            _ => self.ea(insn),
        }
    }

    /// The `SIZE`-byte memory operand of `insn`: by the quick path (`window.rs`), else the
    /// full one, out of line.
    #[inline(always)]
    fn load<const SIZE: u32, const FORM: u32, B: Bus>(
        &mut self,
        bus: &mut B,
        insn: &Insn,
    ) -> Res<u32> {
        let (seg, off) = (insn.mem_seg(), self.operand_offset::<FORM>(insn));
        match self.quick_read::<SIZE, B>(bus, seg, off) {
            Some(v) => Ok(v),
            None => self.read_mem_slow(bus, seg, off, SIZE),
        }
    }

    /// Store `v` in the `SIZE`-byte memory operand of `insn`, as [`load`](Self::load) reads.
    #[inline(always)]
    fn store<const SIZE: u32, const FORM: u32, B: Bus>(
        &mut self,
        bus: &mut B,
        insn: &Insn,
        v: u32,
    ) -> Res<()> {
        let (seg, off) = (insn.mem_seg(), self.operand_offset::<FORM>(insn));
        if self.quick_write::<SIZE, B>(bus, seg, off, v) {
            return Ok(());
        }
        self.watch_code(|c| c.write_mem_slow(bus, seg, off, SIZE, v))
    }

    /// `slow`, the full path of a block's store, which is the last thing its instruction does:
    /// [`Exception::CODE_WRITTEN`] when it moved the code cache's epoch. Only the full path can:
    /// the quick one never holds a page with decoded code for writing (`paging.rs`), so a
    /// store that takes it needs no check at all.
    #[inline(always)]
    fn watch_code(&mut self, slow: impl FnOnce(&mut Self) -> Res<()>) -> Res<()> {
        let epoch = self.cache.epoch;
        slow(self)?;
        if self.cache.epoch != epoch {
            return Err(Exception::CODE_WRITTEN);
        }
        Ok(())
    }

    /// 88/89 with a memory operand: MOV m, r.
    #[inline(always)]
    pub(crate) fn mov_m_r<const SIZE: u32, const FORM: u32, B: Bus>(
        &mut self,
        bus: &mut B,
        insn: &Insn,
    ) -> Res<()> {
        let v = self.get_reg(SIZE, insn.reg());
        self.store::<SIZE, FORM, B>(bus, insn, v)
    }

    /// 89 and 8B between two registers (16 or 32 bits). `TO_RM`: 89 (the r/m register is
    /// written).
    #[inline(always)]
    pub(crate) fn mov_rr<const SIZE: u32, const TO_RM: bool>(&mut self, insn: &Insn) -> Res<()> {
        let (dst, src) = if TO_RM {
            (insn.rm(), insn.reg())
        } else {
            (insn.reg(), insn.rm())
        };
        let v = self.get_reg(SIZE, src);
        self.set_reg(SIZE, dst, v);
        Ok(())
    }

    /// The ALU forms 01/03 (and the other seven operations) between two registers of 16 or 32
    /// bits. `TO_RM`: the r/m register is the destination (01, 09...); else the reg field
    /// (03, 0B...).
    #[inline(always)]
    pub(crate) fn alu_rr<const OP: u8, const TO_RM: bool, const SIZE: u32>(
        &mut self,
        insn: &Insn,
    ) -> Res<()> {
        let (dst, src) = if TO_RM {
            (insn.rm(), insn.reg())
        } else {
            (insn.reg(), insn.rm())
        };
        if SIZE == 2 && matches!(OP, 1 | 4 | 6) {
            // OR, AND, XOR on the whole destination register, with the source read as 16 bits.
            // LLVM turns the plain form into this anyway, but with the source read as 32 bits,
            // and in V8's code a 32-bit read of a register that a 16-bit store just wrote waits
            // for that store to reach the cache (the real-mode benchmark's XOR BX, AX after
            // ADD AX, CX). The destination is still read as 32 bits.
            self.logic16_whole(AluOp::from_bits(OP), dst, self.get_reg(2, src));
            return Ok(());
        }
        let a = self.get_reg(SIZE, dst);
        let b = self.get_reg(SIZE, src);
        let r = self.alu(AluOp::from_bits(OP), SIZE, a, b);
        if OP != 7 {
            self.set_reg(SIZE, dst, r);
        }
        Ok(())
    }

    /// AND, OR or XOR (`op`, any other counts as XOR) of the 16-bit register `r` with `b` (its
    /// upper half clear), done on the whole 32-bit register and written in one 32-bit store,
    /// with the flags of the 16-bit result.
    #[inline(always)]
    fn logic16_whole(&mut self, op: AluOp, r: u8, b: u32) {
        let x = &mut self.regs[(r & 7) as usize];
        let full = match op {
            AluOp::And => *x & (b | 0xFFFF_0000),
            AluOp::Or => *x | b,
            _ => *x ^ b,
        };
        *x = full;
        self.flags.set_lazy(LazyOp::Logic, 2, 0, 0, full & 0xFFFF);
    }

    /// 03, 0B... with a memory operand: `op r, m` (16 or 32 bits).
    #[inline(always)]
    pub(crate) fn alu_r_m<const SIZE: u32, B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let b = self.load::<SIZE, ANY_FORM, B>(bus, insn)?;
        let op = AluOp::from_bits((insn.op >> 3) as u8);
        let r = self.alu(op, SIZE, self.get_reg(SIZE, insn.reg()), b);
        if op != AluOp::Cmp {
            self.set_reg(SIZE, insn.reg(), r);
        }
        Ok(())
    }

    /// Where the read-modify-write memory operand of `insn`, `SIZE` bytes, lies in the bus's
    /// RAM, when the direct path holds its page for writing: one check and one lookup serve
    /// both accesses (a writable segment is readable too, and the direct path holds a page as
    /// writable only once its accessed and dirty bits are set, and not while it holds cached
    /// code). None when anything needs the general path (a fault, a page crossing, a data
    /// breakpoint, a first write to the page, memory that is not plain RAM): the general
    /// handler then does the whole instruction.
    #[inline(always)]
    fn rmw_place<const SIZE: u32>(&self, insn: &Insn) -> Option<usize> {
        self.quick_place::<SIZE>(insn.mem_seg(), self.ea(insn))
    }

    /// `f` applied to the `SIZE`-byte operand at `at` (from [`rmw_place`]), in place; false,
    /// with nothing done, when it lies past the end of the bus's RAM.
    #[inline(always)]
    fn rmw_in_ram<const SIZE: u32, B: Bus>(
        &mut self,
        bus: &mut B,
        at: usize,
        f: impl FnOnce(&mut Self, u32) -> u32,
    ) -> bool {
        let Some(v) = ram_get(bus.ram(), at, SIZE) else {
            return false;
        };
        let r = f(self, v);
        ram_put(bus.ram(), at, SIZE, r)
    }

    /// 01, 09... (and 39, CMP, which only reads) with a memory destination: `op m, r` (16 or
    /// 32 bits).
    #[inline(always)]
    pub(crate) fn alu_m_r<const SIZE: u32, B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let op = AluOp::from_bits((insn.op >> 3) as u8);
        let b = self.get_reg(SIZE, insn.reg());
        self.alu_m::<SIZE, B>(bus, insn, op, b, Self::alu_forms)
    }

    /// 81 and 83 with a memory operand: `op m, imm` (16 or 32 bits).
    #[inline(always)]
    pub(crate) fn alu_m_imm<const SIZE: u32, B: Bus>(
        &mut self,
        bus: &mut B,
        insn: &Insn,
    ) -> Res<()> {
        let op = AluOp::from_bits(insn.reg());
        self.alu_m::<SIZE, B>(bus, insn, op, insn.imm, Self::alu_group1)
    }

    /// `op m, b` on the memory operand of `insn`: CMP only reads; the others read and write
    /// through one translation, or leave the whole instruction to `general`, its general
    /// handler.
    #[inline(always)]
    fn alu_m<const SIZE: u32, B: Bus>(
        &mut self,
        bus: &mut B,
        insn: &Insn,
        op: AluOp,
        b: u32,
        general: fn(&mut Self, &mut B, &Insn) -> Res<()>,
    ) -> Res<()> {
        if op == AluOp::Cmp {
            let a = self.load::<SIZE, ANY_FORM, B>(bus, insn)?;
            self.alu(op, SIZE, a, b);
            return Ok(());
        }
        match self.rmw_place::<SIZE>(insn) {
            Some(place) if self.rmw_in_ram::<SIZE, B>(bus, place, |c, a| c.alu(op, SIZE, a, b)) => {
                Ok(())
            }
            _ => self.watch_code(|c| general(c, bus, insn)),
        }
    }

    /// FF /0 and /1 with a memory operand: INC or DEC m (16 or 32 bits).
    #[inline(always)]
    pub(crate) fn inc_dec_m<const SIZE: u32, B: Bus>(
        &mut self,
        bus: &mut B,
        insn: &Insn,
    ) -> Res<()> {
        let dec = insn.reg() == 1;
        match self.rmw_place::<SIZE>(insn) {
            Some(place)
                if self.rmw_in_ram::<SIZE, B>(bus, place, |c, v| c.inc_dec(SIZE, v, dec)) =>
            {
                Ok(())
            }
            _ => self.watch_code(|c| c.group5(bus, insn)),
        }
    }

    /// 81 and 83 on a register: `op r, imm` (83's immediate is sign-extended). `OP` is the
    /// operation when the handler was chosen for one (the commonest: ADD, AND, SUB, CMP), or
    /// 8 to read it from the instruction.
    #[inline(always)]
    pub(crate) fn alu_r_imm<const OP: u8, const SIZE: u32>(&mut self, insn: &Insn) -> Res<()> {
        let op = AluOp::from_bits(if OP < 8 { OP } else { insn.reg() });
        if SIZE == 2 && matches!(op, AluOp::And | AluOp::Or | AluOp::Xor) {
            // On the whole register, so that it is written in one 32-bit store: merged into
            // the upper half, LLVM narrows the write to 16 bits, and in V8's code the next
            // 32-bit read of the register then waits for that store to reach the cache.
            self.logic16_whole(op, insn.rm(), insn.imm & 0xFFFF);
            return Ok(());
        }
        let r = self.alu(op, SIZE, self.get_reg(SIZE, insn.rm()), insn.imm);
        if op != AluOp::Cmp {
            self.set_reg(SIZE, insn.rm(), r);
        }
        Ok(())
    }

    /// C1 and D1 on a 32-bit register, any of the eight operations (`ONE`: D1, a count of one).
    /// The 32-bit case of `shift` in closed form: that one works in 64 bits for every size and
    /// kind, steps rotates one bit at a time and is not inlined, which costs 2 % of the
    /// benchmark (these shifts are 5 % of a Linux boot's instructions).
    #[inline(always)]
    pub(crate) fn shift_r32<const ONE: bool>(&mut self, insn: &Insn) -> Res<()> {
        let count = if ONE { 1 } else { insn.imm & 0x1F };
        if count == 0 {
            return Ok(());
        }
        let r = insn.rm() as usize;
        let v = self.regs[r];
        let kind = insn.reg();
        if kind < 4 {
            self.regs[r] = self.rotate::<4>(kind, v, count);
            return Ok(());
        }
        let (res, cf, of) = match kind {
            5 => (
                v >> count,
                (v >> (count - 1)) & 1,
                (count == 1) as u32 & (v >> 31),
            ),
            7 => (
                ((v as i32) >> count) as u32,
                ((v as i32) >> (count - 1)) as u32 & 1,
                0,
            ),
            // 4 and 6: SHL/SAL.
            _ => {
                let res = v << count;
                let cf = (v >> (32 - count)) & 1;
                (res, cf, (res >> 31) ^ cf)
            }
        };
        self.flags.set_lazy(LazyOp::Shift, 4, cf, of, res);
        self.regs[r] = res;
        Ok(())
    }

    /// ROL, ROR, RCL, RCR (`kind` 0-3) of a value of `SIZE` bytes (2 or 4) by a count of 1-31,
    /// in closed form: only CF and OF change, OF as after the last one-bit step (what `shift`
    /// does one bit at a time).
    #[inline(always)]
    fn rotate<const SIZE: u32>(&mut self, kind: u8, v: u32, count: u32) -> u32 {
        let bits = SIZE * 8;
        let mask = size_mask(SIZE) as u64;
        let v = v as u64 & mask;
        let (x, cf) = if kind < 2 {
            // ROL, ROR: the bits come round every `bits` steps.
            let c = count % bits;
            let left = if kind == 0 { c } else { (bits - c) % bits };
            let x = ((v << left) | (v >> (bits - left))) & mask;
            let cf = if kind == 0 { x & 1 } else { x >> (bits - 1) };
            (x, cf)
        } else {
            // Through the carry: a rotate of `bits` + 1 bits with CF on top, every
            // `bits` + 1 steps. Right by `c` is left by `bits` + 1 - `c`.
            let n = bits + 1;
            let c = count % n;
            let wide = ((self.flags.cf() as u64) << bits) | v;
            let left = if kind == 2 { c } else { n - c };
            let w = ((wide << left) | (wide >> (n - left))) & ((1 << n) - 1);
            (w & mask, w >> bits)
        };
        let msb = x >> (bits - 1);
        let of = if kind & 1 == 0 {
            msb ^ cf
        } else {
            msb ^ ((x >> (bits - 2)) & 1)
        };
        self.flags
            .set_masked(CF | OF, (cf as u32 * CF) | (of as u32 * OF));
        x as u32
    }

    /// 40-4F: INC or DEC (`DEC`) of a 16- or 32-bit register.
    #[inline(always)]
    pub(crate) fn inc_dec_r<const SIZE: u32, const DEC: bool>(&mut self, insn: &Insn) -> Res<()> {
        let r = insn.op & 7;
        let v = self.get_reg(SIZE, r as u8);
        let v = self.inc_dec(SIZE, v, DEC);
        self.set_reg(SIZE, r as u8, v);
        Ok(())
    }

    /// E2: LOOP's count (CX for `ASIZE` 2, ECX for 4) less one; whether the loop is taken
    /// (the count is not zero).
    #[inline(always)]
    pub(crate) fn loop_dec<const ASIZE: u32>(&mut self) -> bool {
        let c = self.get_reg(ASIZE, ECX).wrapping_sub(1) & size_mask(ASIZE);
        self.set_reg(ASIZE, ECX, c);
        c != 0
    }

    /// A near jump by `insn`'s displacement when `taken` (Jcc, LOOP, JMP).
    #[inline(always)]
    pub(crate) fn jump_if(&mut self, taken: bool, insn: &Insn) -> Res<()> {
        if taken {
            self.jmp_near(insn.imm, insn)
        } else {
            Ok(())
        }
    }

    /// F7 /4 and /5 on a 16- or 32-bit register: MUL or IMUL (`SIGNED`) of the accumulator,
    /// the product in DX:AX or EDX:EAX.
    #[inline(always)]
    pub(crate) fn mul_r<const SIZE: u32, const SIGNED: bool>(&mut self, insn: &Insn) -> Res<()> {
        let bits = SIZE * 8;
        let a = self.get_reg(SIZE, EAX) as u64;
        let v = self.get_reg(SIZE, insn.rm()) as u64;
        let sext = |x: u64| ((x << (64 - bits)) as i64) >> (64 - bits);
        let (p, overflow) = if SIGNED {
            let p = sext(a) * sext(v);
            (p as u64, p != sext(p as u64 & size_mask(SIZE) as u64))
        } else {
            let p = a * v;
            (p, p >> bits != 0)
        };
        let low = p as u32 & size_mask(SIZE);
        self.set_reg(SIZE, EAX, low);
        self.set_reg(SIZE, EDX, (p >> bits) as u32 & size_mask(SIZE));
        self.mul_flags(SIZE, low, overflow);
        Ok(())
    }

    /// 0F AF, 69 and 6B with 32-bit operands: IMUL r32, r/m32 (`IMM`: times the immediate,
    /// else times r32).
    #[inline(always)]
    pub(crate) fn imul_r32<const IMM: bool, B: Bus>(
        &mut self,
        bus: &mut B,
        insn: &Insn,
    ) -> Res<()> {
        let a = self.rm_operand::<4, B>(bus, insn)?;
        let b = if IMM {
            insn.imm
        } else {
            self.regs[insn.reg() as usize]
        };
        let r = self.imul_trunc(4, a, b);
        self.regs[insn.reg() as usize] = r;
        Ok(())
    }

    /// C1 and D1 on a 16-bit register, any of the eight operations (`ONE`: D1).
    #[inline(always)]
    pub(crate) fn shift_r16<const ONE: bool>(&mut self, insn: &Insn) -> Res<()> {
        let count = if ONE { 1 } else { insn.imm & 0x1F };
        if count == 0 {
            return Ok(());
        }
        let v = self.get_reg(2, insn.rm());
        let r = if insn.reg() < 4 {
            self.rotate::<2>(insn.reg(), v, count)
        } else {
            self.shift16(insn.reg(), v, count)
        };
        self.set_reg(2, insn.rm(), r);
        Ok(())
    }

    /// SHL/SAL, SHR, SAR (`kind` 4-7) of a 16-bit value by a count of 1-31, in closed form: what
    /// `shift` works out, without its general loop and sizes.
    #[inline(always)]
    fn shift16(&mut self, kind: u8, v: u32, count: u32) -> u32 {
        let v = (v & 0xFFFF) as u64;
        let (r, cf, of) = match kind {
            5 => (
                v >> count,
                (v >> (count - 1)) & 1,
                if count == 1 { v >> 15 } else { 0 },
            ),
            7 => {
                let sv = v as u16 as i16 as i64;
                (
                    (sv >> count) as u64 & 0xFFFF,
                    ((sv >> (count - 1)) & 1) as u64,
                    0,
                )
            }
            // 4 and 6: SHL/SAL.
            _ => {
                let wide = v << count;
                let r = wide & 0xFFFF;
                let cf = (wide >> 16) & 1;
                (r, cf, (r >> 15) ^ cf)
            }
        };
        self.flags
            .set_lazy(LazyOp::Shift, 2, cf as u32, of as u32, r as u32);
        r as u32
    }

    /// 0F B6 and 0F B7 to a 32-bit register: MOVZX r32, r/m8 or r/m16.
    #[inline(always)]
    pub(crate) fn movzx32<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let v = if insn.op & 1 == 0 {
            self.rm_operand::<1, B>(bus, insn)?
        } else {
            self.rm_operand::<2, B>(bus, insn)?
        };
        self.regs[insn.reg() as usize] = v;
        Ok(())
    }

    /// 0F BE and 0F BF to a 32-bit register: MOVSX r32, r/m8 or r/m16.
    #[inline(always)]
    pub(crate) fn movsx32<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let v = if insn.op & 1 == 0 {
            self.rm_operand::<1, B>(bus, insn)? as u8 as i8 as i32
        } else {
            self.rm_operand::<2, B>(bus, insn)? as u16 as i16 as i32
        };
        self.regs[insn.reg() as usize] = v as u32;
        Ok(())
    }

    /// 0F 40-4F with 32-bit operands: CMOVcc r32, r/m32. The source is read (and may fault)
    /// whether or not the condition holds.
    #[inline(always)]
    pub(crate) fn cmov32<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let v = self.rm_operand::<4, B>(bus, insn)?;
        if self.flags.condition((insn.op & 0xF) as u8) {
            self.regs[insn.reg() as usize] = v;
        }
        Ok(())
    }

    /// 0F 90-9F to a byte register: SETcc r8.
    #[inline(always)]
    pub(crate) fn setcc_r8(&mut self, insn: &Insn) -> Res<()> {
        let v = self.flags.condition((insn.op & 0xF) as u8) as u32;
        self.set_reg(1, insn.rm(), v);
        Ok(())
    }

    /// 85 between two registers: TEST r, r (16 or 32 bits).
    #[inline(always)]
    pub(crate) fn test_rr<const SIZE: u32>(&mut self, insn: &Insn) -> Res<()> {
        let a = self.get_reg(SIZE, insn.rm());
        let b = self.get_reg(SIZE, insn.reg());
        self.alu(AluOp::And, SIZE, a, b);
        Ok(())
    }

    /// 50-57: PUSH r.
    #[inline(always)]
    pub(crate) fn push_r<const SIZE: u32, B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let v = self.get_reg(SIZE, (insn.op & 7) as u8);
        self.push_watched::<SIZE, B>(bus, v)
    }

    /// [`push_value`](Self::push_value) as a block's store (see [`watch_code`](Self::watch_code)),
    /// for an instruction whose push is the last thing it does.
    #[inline(always)]
    pub(crate) fn push_watched<const SIZE: u32, B: Bus>(&mut self, bus: &mut B, v: u32) -> Res<()> {
        if self.quick_push::<SIZE, B>(bus, v) {
            return Ok(());
        }
        self.watch_code(|c| c.push_slow(bus, SIZE, v))
    }

    /// PUSH of `v`, `SIZE` bytes: by the quick path (`window.rs`), else the full one, out of
    /// line.
    #[inline(always)]
    pub(crate) fn push_value<const SIZE: u32, B: Bus>(&mut self, bus: &mut B, v: u32) -> Res<()> {
        if self.quick_push::<SIZE, B>(bus, v) {
            return Ok(());
        }
        self.push_slow(bus, SIZE, v)
    }

    /// 58-5F: POP r (POP eSP loads the value read, after the increment).
    #[inline(always)]
    pub(crate) fn pop_r<const SIZE: u32, B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let v = match self.quick_pop::<SIZE, B>(bus) {
            Some(v) => v,
            None => self.pop_slow(bus, SIZE)?,
        };
        self.set_reg(SIZE, (insn.op & 7) as u8, v);
        Ok(())
    }

    /// E8: CALL rel16/rel32.
    #[inline(always)]
    pub(crate) fn call_rel<const SIZE: u32, B: Bus>(
        &mut self,
        bus: &mut B,
        insn: &Insn,
    ) -> Res<()> {
        let ret = self.eip;
        let target = ret.wrapping_add(insn.imm) & size_mask(SIZE);
        if target > self.segs[CS as usize].limit {
            return Err(gp0());
        }
        self.push_value::<SIZE, B>(bus, ret)?;
        self.eip = target;
        Ok(())
    }

    /// C3: RET. eSP moves only once the target is known to be inside CS (the 8086 and 186 do
    /// not check).
    #[inline(always)]
    pub(crate) fn ret<const SIZE: u32, B: Bus>(&mut self, bus: &mut B) -> Res<()> {
        let sp = self.sp();
        let target = match self.quick_read::<SIZE, B>(bus, SS, sp) {
            Some(v) => v,
            None => self.read_mem_slow(bus, SS, sp, SIZE)?,
        };
        if target > self.segs[CS as usize].limit && self.model >= Model::I286 {
            return Err(gp0());
        }
        self.eip = target;
        self.set_sp(self.sp_plus(SIZE));
        Ok(())
    }
}
