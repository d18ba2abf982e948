//! x87 instructions: the ESC opcodes D8-DF, WAIT, and FXSAVE/FXRSTOR (0F AE /0 /1).
//!
//! Decodes each form into an FPU operation ([`crate::fpu`]), moves memory operands through the
//! segment-checked `read_mem`/`write_mem`, and applies the FPU's exception model: stack faults,
//! masked responses, and unmasked exceptions that set ES and are reported at the next waiting
//! FPU instruction (or WAIT) as #MF when CR0.NE = 1, or through FERR# (IRQ13 on a PC) when
//! CR0.NE = 0. CR0.EM and CR0.TS raise #NM on ESC, CR0.TS with CR0.MP on WAIT.

use core::ops::Neg;

use super::ud;
use crate::bus::Bus;
use crate::decode::Insn;
use crate::flags::{AF, CF, OF, PF, SF, ZF};
use crate::fpu::float80::{self as fp, Cmp, Ctx, F80, IE};
use crate::fpu::transcendental::{self as tr, Trig};
use crate::fpu::{SW_C0, SW_C1, SW_C2, SW_C3, SW_ES, SW_SF};
use crate::model::Model;
use crate::{Cpu, Exception, Res};

/// #MF, the x87 floating-point error.
pub const MF: u8 = 16;

const CR0_MP: u32 = 1 << 1;
const CR0_EM: u32 = 1 << 2;
const CR0_TS: u32 = 1 << 3;
const CR0_NE: u32 = 1 << 5;

fn nm() -> Exception {
    Exception::fault(Exception::NM)
}

/// The arithmetic of the D8/DC/DA/DE groups by ModR/M reg field (D8 order).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Arith {
    Add,
    Mul,
    Com,
    Comp,
    Sub,
    Subr,
    Div,
    Divr,
}

impl Arith {
    fn from_reg(r: u8) -> Arith {
        match r & 7 {
            0 => Arith::Add,
            1 => Arith::Mul,
            2 => Arith::Com,
            3 => Arith::Comp,
            4 => Arith::Sub,
            5 => Arith::Subr,
            6 => Arith::Div,
            _ => Arith::Divr,
        }
    }
}

/// A memory operand's format.
#[derive(Clone, Copy, PartialEq, Eq)]
enum MemFmt {
    F32,
    F64,
    I16,
    I32,
}

impl Cpu {
    /// Whether an FPU is there (the 486 and later, or a fitted coprocessor; see
    /// [`crate::fpu::Fpu::present`]).
    pub fn fpu_present(&self) -> bool {
        self.fpu.present
    }

    // ---- entry points ----

    /// D8-DF.
    pub(crate) fn x87_escape<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        if !self.fpu.present {
            return self.x87_absent(insn);
        }
        if self.cr0 & (CR0_EM | CR0_TS) != 0 {
            return Err(nm());
        }
        let esc = (insn.op & 7) as u8;
        let mem = !insn.rm_is_reg();
        if !valid_form(self.model, esc, insn.modrm, mem) {
            return Err(ud());
        }
        let (nowait, control) = classify(esc, insn.modrm, mem);
        if !nowait {
            self.x87_check_pending()?;
        }
        let es_before = self.fpu.sw & SW_ES;
        let r = if mem {
            let seg = insn.mem_seg();
            let off = self.ea(insn);
            if !control {
                self.x87_note_insn(insn);
                self.fpu.fdp = off;
                self.fpu.fds = self.segs[seg as usize].selector;
            }
            self.x87_mem(bus, insn, esc, seg, off)
        } else {
            if !control {
                self.x87_note_insn(insn);
            }
            self.x87_reg(esc, insn.modrm)
        };
        self.x87_after(es_before);
        r
    }

    /// 9B: WAIT/FWAIT.
    pub(crate) fn x87_wait(&mut self) -> Res<()> {
        if self.cr0 & (CR0_MP | CR0_TS) == (CR0_MP | CR0_TS) {
            return Err(nm());
        }
        if !self.fpu.present {
            return Ok(());
        }
        self.x87_check_pending()
    }

    /// 0F AE: FXSAVE (/0) and FXRSTOR (/1); the other members are #UD here.
    // Reached once the two-byte dispatch routes 0F AE here (see the table row GRP15).
    pub(crate) fn x87_group15<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let reg = insn.reg();
        if reg > 1 || !self.fpu.present || self.model < Model::PentiumPro {
            return Err(ud());
        }
        if self.cr0 & CR0_EM != 0 {
            return Err(ud());
        }
        if self.cr0 & CR0_TS != 0 {
            return Err(nm());
        }
        let (seg, off) = self.mem_operand(insn)?;
        let lin = self.linear(seg, off, 512)?;
        if lin & 15 != 0 {
            return Err(super::gp0());
        }
        if reg == 0 {
            let img = self.fpu.fxsave_image();
            self.x87_write_bytes(bus, seg, off, &img)
        } else {
            let mut img = [0u8; 512];
            self.x87_read_bytes(bus, seg, off, &mut img)?;
            self.fpu.fxrstor_image(&img);
            Ok(())
        }
    }

    /// ESC without an FPU: the memory operand is checked against the segment limit and the
    /// instruction otherwise does nothing.
    fn x87_absent(&mut self, insn: &Insn) -> Res<()> {
        if self.cr0 & CR0_EM != 0 {
            return Err(nm());
        }
        if !insn.rm_is_reg() {
            let off = self.ea(insn);
            self.linear(insn.mem_seg(), off, 2)?;
        }
        Ok(())
    }

    /// Report a pending unmasked exception before a waiting instruction: #MF with CR0.NE, else
    /// nothing here (FERR# is already asserted and the machine raises IRQ13; the instruction
    /// goes on as with IGNNE# asserted).
    fn x87_check_pending(&mut self) -> Res<()> {
        if self.fpu.pending() && self.cr0 & CR0_NE != 0 {
            return Err(Exception::fault(MF));
        }
        Ok(())
    }

    /// After an ESC: when FERR# has just been asserted under CR0.NE = 0, stop the run loop so
    /// the machine can raise IRQ13 right after the faulting instruction.
    fn x87_after(&mut self, es_before: u16) {
        if es_before == 0 && self.fpu.pending() && self.cr0 & CR0_NE == 0 {
            self.request_stop();
        }
    }

    fn x87_note_insn(&mut self, insn: &Insn) {
        self.fpu.fip = self.insn_start;
        self.fpu.fcs = self.segs[super::CS as usize].selector;
        self.fpu.fop = ((insn.op & 7) << 8) | insn.modrm as u16;
    }

    // ---- memory helpers ----

    fn x87_read_bytes<B: Bus>(
        &mut self,
        bus: &mut B,
        seg: u8,
        off: u32,
        out: &mut [u8],
    ) -> Res<()> {
        self.linear(seg, off, out.len() as u32)?;
        let mut i = 0;
        while i < out.len() {
            let o = off.wrapping_add(i as u32);
            if out.len() - i >= 4 {
                let v = self.read_mem(bus, seg, o, 4)?;
                out[i..i + 4].copy_from_slice(&v.to_le_bytes());
                i += 4;
            } else {
                out[i] = self.read_mem(bus, seg, o, 1)? as u8;
                i += 1;
            }
        }
        Ok(())
    }

    fn x87_write_bytes<B: Bus>(&mut self, bus: &mut B, seg: u8, off: u32, data: &[u8]) -> Res<()> {
        self.linear(seg, off, data.len() as u32)?;
        let mut i = 0;
        while i < data.len() {
            let o = off.wrapping_add(i as u32);
            if data.len() - i >= 4 {
                let v = u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
                self.write_mem(bus, seg, o, 4, v)?;
                i += 4;
            } else {
                self.write_mem(bus, seg, o, 1, data[i] as u32)?;
                i += 1;
            }
        }
        Ok(())
    }

    fn x87_read_u64<B: Bus>(&mut self, bus: &mut B, seg: u8, off: u32) -> Res<u64> {
        let mut b = [0u8; 8];
        self.x87_read_bytes(bus, seg, off, &mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    /// Read a memory operand as an extended value (with the conversion's exceptions in `ctx`).
    fn x87_load_operand<B: Bus>(
        &mut self,
        bus: &mut B,
        seg: u8,
        off: u32,
        fmt: MemFmt,
        ctx: &mut Ctx,
    ) -> Res<F80> {
        Ok(match fmt {
            MemFmt::F32 => {
                let v = self.read_mem(bus, seg, off, 4)?;
                fp::from_f32_bits(ctx, v)
            }
            MemFmt::F64 => {
                let v = self.x87_read_u64(bus, seg, off)?;
                fp::from_f64_bits(ctx, v)
            }
            MemFmt::I16 => F80::from_i64(self.read_mem(bus, seg, off, 2)? as u16 as i16 as i64),
            MemFmt::I32 => F80::from_i64(self.read_mem(bus, seg, off, 4)? as i32 as i64),
        })
    }

    // ---- stack faults ----

    /// Stack underflow (#IS): IE and SF set, C1 cleared. Returns true when #IA is unmasked (the
    /// instruction then stops with nothing changed).
    fn x87_underflow(&mut self) -> bool {
        self.fpu.set_c1(false);
        self.fpu.sw |= SW_SF;
        self.fpu.raise(IE);
        self.fpu.cw & IE == 0
    }

    /// Stack overflow (#IS): IE and SF set, C1 set.
    fn x87_overflow(&mut self) -> bool {
        self.fpu.set_c1(true);
        self.fpu.sw |= SW_SF;
        self.fpu.raise(IE);
        self.fpu.cw & IE == 0
    }

    /// Push with the overflow check: a full ST(7) makes the masked response push the
    /// indefinite.
    fn x87_push(&mut self, v: F80) {
        if !self.fpu.is_empty(7) {
            if self.x87_overflow() {
                return;
            }
            self.fpu.push(F80::INDEFINITE);
            return;
        }
        self.fpu.push(v);
    }

    /// Commit the exceptions of an operation; C1 takes the round-up indicator.
    fn x87_commit(&mut self, ctx: &Ctx) {
        self.fpu.set_c1(ctx.up);
        self.fpu.raise(ctx.flags);
    }

    fn x87_ctx(&self) -> Ctx {
        Ctx::from_cw(self.fpu.cw)
    }

    // ---- arithmetic ----

    /// `ST(dst) = op(a, b)` for the arithmetic kinds; comparisons set the condition codes. `pop`
    /// pops once after (the P forms, FCOMP).
    fn x87_arith(&mut self, kind: Arith, dst: u8, a: F80, b: F80, ctx: &mut Ctx, pops: u8) {
        let r = match kind {
            Arith::Add => fp::add(ctx, a, b),
            Arith::Sub => fp::sub(ctx, a, b),
            Arith::Subr => fp::sub(ctx, b, a),
            Arith::Mul => fp::mul(ctx, a, b),
            Arith::Div => fp::div(ctx, a, b),
            Arith::Divr => fp::div(ctx, b, a),
            Arith::Com | Arith::Comp => {
                self.x87_compare(a, b, ctx, false, pops);
                return;
            }
        };
        match r {
            Some(v) => {
                self.x87_commit(ctx);
                self.fpu.set_st(dst, v);
                for _ in 0..pops {
                    self.fpu.pop();
                }
            }
            None => {
                ctx.up = false;
                self.x87_commit(ctx);
            }
        }
    }

    fn x87_compare(&mut self, a: F80, b: F80, ctx: &mut Ctx, quiet: bool, pops: u8) {
        match fp::compare(ctx, a, b, quiet) {
            Some(c) => {
                self.fpu.set_compare(c);
                ctx.up = false;
                self.x87_commit(ctx);
                for _ in 0..pops {
                    self.fpu.pop();
                }
            }
            None => {
                ctx.up = false;
                self.x87_commit(ctx);
            }
        }
    }

    /// FCOMI/FUCOMI and their P forms: the result goes to ZF, PF, CF.
    fn x87_comi(&mut self, i: u8, quiet: bool, pop: bool) -> Res<()> {
        if self.model < Model::PentiumPro {
            return Err(ud());
        }
        let mut ctx = self.x87_ctx();
        let c = if self.fpu.is_empty(0) || self.fpu.is_empty(i) {
            if self.x87_underflow() {
                return Ok(());
            }
            Cmp::Unordered
        } else {
            match fp::compare(&mut ctx, self.fpu.st(0), self.fpu.st(i), quiet) {
                Some(c) => c,
                None => {
                    ctx.up = false;
                    self.x87_commit(&ctx);
                    return Ok(());
                }
            }
        };
        let (z, p, cf) = match c {
            Cmp::Greater => (false, false, false),
            Cmp::Less => (false, false, true),
            Cmp::Equal => (true, false, false),
            Cmp::Unordered => (true, true, true),
        };
        let v = (if z { ZF } else { 0 }) | (if p { PF } else { 0 }) | (if cf { CF } else { 0 });
        self.flags.set_masked(ZF | PF | CF | OF | SF | AF, v);
        ctx.up = false;
        self.x87_commit(&ctx);
        if pop {
            self.fpu.pop();
        }
        Ok(())
    }

    // ---- memory forms ----

    fn x87_mem<B: Bus>(&mut self, bus: &mut B, insn: &Insn, esc: u8, seg: u8, off: u32) -> Res<()> {
        let reg = insn.reg();
        match (esc, reg) {
            (0 | 2 | 4 | 6, _) => {
                let fmt = match esc {
                    0 => MemFmt::F32,
                    2 => MemFmt::I32,
                    4 => MemFmt::F64,
                    _ => MemFmt::I16,
                };
                self.x87_mem_arith(bus, Arith::from_reg(reg), seg, off, fmt)
            }
            // FLD m32 / m64.
            (1, 0) | (5, 0) => {
                let fmt = if esc == 1 { MemFmt::F32 } else { MemFmt::F64 };
                let mut ctx = self.x87_ctx().full();
                let v = self.x87_load_operand(bus, seg, off, fmt, &mut ctx)?;
                self.x87_load_value(v, &ctx);
                Ok(())
            }
            // FILD m32 / m16 / m64.
            (3, 0) | (7, 0) | (7, 5) => {
                let v = match (esc, reg) {
                    (3, _) => self.read_mem(bus, seg, off, 4)? as i32 as i64,
                    (7, 0) => self.read_mem(bus, seg, off, 2)? as u16 as i16 as i64,
                    _ => self.x87_read_u64(bus, seg, off)? as i64,
                };
                self.x87_load_value(F80::from_i64(v), &Ctx::new(fp::Rounding::Nearest));
                Ok(())
            }
            // FLD m80.
            (3, 5) => {
                let mut b = [0u8; 10];
                self.x87_read_bytes(bus, seg, off, &mut b)?;
                self.x87_load_value(F80::from_le_bytes(b), &Ctx::new(fp::Rounding::Nearest));
                Ok(())
            }
            // FBLD.
            (7, 4) => {
                let mut b = [0u8; 10];
                self.x87_read_bytes(bus, seg, off, &mut b)?;
                self.x87_load_value(fp::from_bcd(b), &Ctx::new(fp::Rounding::Nearest));
                Ok(())
            }
            // FST/FSTP m32, m64.
            (1, 2 | 3) | (5, 2 | 3) => {
                let pop = reg == 3;
                if self.fpu.is_empty(0) {
                    if self.x87_underflow() {
                        return Ok(());
                    }
                    if esc == 1 {
                        self.write_mem(bus, seg, off, 4, 0xFFC0_0000)?;
                    } else {
                        self.x87_write_bytes(
                            bus,
                            seg,
                            off,
                            &0xFFF8_0000_0000_0000u64.to_le_bytes(),
                        )?;
                    }
                    return self.x87_pop_if(pop);
                }
                let mut ctx = self.x87_ctx().full();
                let a = self.fpu.st(0);
                if esc == 1 {
                    let Some(v) = fp::to_f32_bits(&mut ctx, a) else {
                        self.x87_commit(&ctx);
                        return Ok(());
                    };
                    self.write_mem(bus, seg, off, 4, v)?;
                } else {
                    let Some(v) = fp::to_f64_bits(&mut ctx, a) else {
                        self.x87_commit(&ctx);
                        return Ok(());
                    };
                    self.x87_write_bytes(bus, seg, off, &v.to_le_bytes())?;
                }
                self.x87_commit(&ctx);
                self.x87_pop_if(pop)
            }
            // FIST/FISTP m32, m16; FISTP m64.
            (3, 2 | 3) | (7, 2 | 3 | 7) => {
                let (bits, pop) = match (esc, reg) {
                    (3, r) => (32, r == 3),
                    (_, 7) => (64, true),
                    (_, r) => (16, r == 3),
                };
                let v = if self.fpu.is_empty(0) {
                    if self.x87_underflow() {
                        return Ok(());
                    }
                    i64::MIN >> (64 - bits)
                } else {
                    let mut ctx = self.x87_ctx().full();
                    let Some(v) = fp::to_int(&mut ctx, self.fpu.st(0), bits) else {
                        ctx.up = false;
                        self.x87_commit(&ctx);
                        return Ok(());
                    };
                    self.x87_write_int(bus, seg, off, bits, v)?;
                    self.x87_commit(&ctx);
                    return self.x87_pop_if(pop);
                };
                self.x87_write_int(bus, seg, off, bits, v)?;
                self.x87_pop_if(pop)
            }
            // FSTP m80.
            (3, 7) => {
                let v = if self.fpu.is_empty(0) {
                    if self.x87_underflow() {
                        return Ok(());
                    }
                    F80::INDEFINITE
                } else {
                    self.fpu.set_c1(false);
                    self.fpu.st(0)
                };
                self.x87_write_bytes(bus, seg, off, &v.to_le_bytes())?;
                self.fpu.pop();
                Ok(())
            }
            // FBSTP.
            (7, 6) => {
                let b = if self.fpu.is_empty(0) {
                    if self.x87_underflow() {
                        return Ok(());
                    }
                    fp::BCD_INDEFINITE
                } else {
                    let mut ctx = self.x87_ctx().full();
                    let Some(b) = fp::to_bcd(&mut ctx, self.fpu.st(0)) else {
                        ctx.up = false;
                        self.x87_commit(&ctx);
                        return Ok(());
                    };
                    self.x87_write_bytes(bus, seg, off, &b)?;
                    self.x87_commit(&ctx);
                    self.fpu.pop();
                    return Ok(());
                };
                self.x87_write_bytes(bus, seg, off, &b)?;
                self.fpu.pop();
                Ok(())
            }
            // FLDENV / FRSTOR.
            (1, 4) | (5, 4) => {
                let (protected, op32) = self.x87_env_format(insn);
                let len = if op32 { 28 } else { 14 } + if esc == 5 { 80 } else { 0 };
                let mut b = vec![0u8; len];
                self.x87_read_bytes(bus, seg, off, &mut b)?;
                if esc == 1 {
                    self.fpu.load_env(&b, protected, op32);
                } else {
                    self.fpu.restore_image(&b, protected, op32);
                }
                Ok(())
            }
            // FLDCW.
            (1, 5) => {
                let v = self.read_mem(bus, seg, off, 2)? as u16;
                self.fpu.load_cw(v);
                Ok(())
            }
            // FNSTENV / FNSAVE.
            (1, 6) | (5, 6) => {
                let (protected, op32) = self.x87_env_format(insn);
                let img = if esc == 1 {
                    self.fpu.env_image(protected, op32)
                } else {
                    self.fpu.save_image(protected, op32)
                };
                self.x87_write_bytes(bus, seg, off, &img)?;
                if esc == 1 {
                    // FSTENV masks every exception after storing.
                    self.fpu.cw |= 0x3F;
                } else {
                    self.fpu.init();
                }
                Ok(())
            }
            // FNSTCW / FNSTSW m16.
            (1, 7) => self.write_mem(bus, seg, off, 2, self.fpu.cw as u32),
            (5, 7) => self.write_mem(bus, seg, off, 2, self.fpu.sw as u32),
            // D9 /1, DB /4 /6, DD /5; FISTTP (DB/DD/DF /1) is SSE3.
            _ => Err(ud()),
        }
    }

    /// Which FSTENV layout: protected mode (not virtual-8086) or real, by operand size.
    fn x87_env_format(&self, insn: &Insn) -> (bool, bool) {
        (self.protected_mode() && !self.v86_mode(), insn.op32())
    }

    fn x87_pop_if(&mut self, pop: bool) -> Res<()> {
        if pop {
            self.fpu.pop();
        }
        Ok(())
    }

    fn x87_write_int<B: Bus>(
        &mut self,
        bus: &mut B,
        seg: u8,
        off: u32,
        bits: u32,
        v: i64,
    ) -> Res<()> {
        match bits {
            16 => self.write_mem(bus, seg, off, 2, v as u32 & 0xFFFF),
            32 => self.write_mem(bus, seg, off, 4, v as u32),
            _ => self.x87_write_bytes(bus, seg, off, &v.to_le_bytes()),
        }
    }

    /// Push a loaded value, or the overflow response; conversion exceptions from `ctx`
    /// (an unmasked #IA or #D stops the load).
    fn x87_load_value(&mut self, v: F80, ctx: &Ctx) {
        if !self.fpu.is_empty(7) {
            self.x87_overflow();
            if self.fpu.cw & IE != 0 {
                self.fpu.push(F80::INDEFINITE);
            }
            return;
        }
        self.fpu.set_c1(false);
        self.fpu.raise(ctx.flags);
        if ctx.unmasked() != 0 {
            return;
        }
        self.fpu.push(v);
    }

    fn x87_mem_arith<B: Bus>(
        &mut self,
        bus: &mut B,
        kind: Arith,
        seg: u8,
        off: u32,
        fmt: MemFmt,
    ) -> Res<()> {
        let mut ctx = self.x87_ctx();
        let b = self.x87_load_operand(bus, seg, off, fmt, &mut ctx)?;
        let pops = (kind == Arith::Comp) as u8;
        if self.fpu.is_empty(0) {
            if self.x87_underflow() {
                return Ok(());
            }
            if matches!(kind, Arith::Com | Arith::Comp) {
                self.fpu.set_compare(Cmp::Unordered);
            } else {
                self.fpu.set_st(0, F80::INDEFINITE);
            }
            return self.x87_pop_if(pops != 0);
        }
        if ctx.unmasked() != 0 {
            ctx.up = false;
            self.x87_commit(&ctx);
            return Ok(());
        }
        let a = self.fpu.st(0);
        self.x87_arith(kind, 0, a, b, &mut ctx, pops);
        Ok(())
    }

    // ---- register forms ----

    fn x87_reg(&mut self, esc: u8, modrm: u8) -> Res<()> {
        let reg = (modrm >> 3) & 7;
        let i = modrm & 7;
        match esc {
            0 => {
                // D8: ST(0) = ST(0) op ST(i).
                self.x87_reg_arith(Arith::from_reg(reg), 0, i, 0);
                Ok(())
            }
            4 | 6 => {
                // DC / DE: ST(i) = ST(i) op ST(0), with SUB/SUBR and DIV/DIVR swapped; DE pops.
                // DC D0/D8 (FCOM2, FCOMP3) and DE D0 (FCOMP5) are aliases of FCOM/FCOMP.
                match (esc, reg) {
                    (4, 2) => self.x87_reg_compare(i, false, 0),
                    (4, 3) | (6, 2) => self.x87_reg_compare(i, false, 1),
                    (6, 3) => {
                        if i != 1 {
                            return Err(ud());
                        }
                        // FCOMPP.
                        self.x87_reg_compare(1, false, 2)
                    }
                    _ => {
                        let kind = Arith::from_reg(if reg >= 4 { reg ^ 1 } else { reg });
                        self.x87_reg_arith(kind, i, 0, (esc == 6) as u8)
                    }
                }
                Ok(())
            }
            1 => self.x87_d9_reg(modrm),
            2 => match reg {
                0..=3 => self.x87_fcmov(reg, i, false),
                5 if i == 1 => {
                    // FUCOMPP.
                    self.x87_reg_compare(1, true, 2);
                    Ok(())
                }
                _ => Err(ud()),
            },
            3 => match reg {
                0..=3 => self.x87_fcmov(reg, i, true),
                4 => match i {
                    // FENI, FDISI (8087), FSETPM (287): no-ops since the 387.
                    0 | 1 | 4 => Ok(()),
                    2 => {
                        // FNCLEX.
                        self.fpu.sw &= !(0x80FF);
                        Ok(())
                    }
                    3 => {
                        self.fpu.init();
                        Ok(())
                    }
                    _ => Err(ud()),
                },
                5 => self.x87_comi(i, true, false),
                6 => self.x87_comi(i, false, false),
                _ => Err(ud()),
            },
            5 => match reg {
                0 => {
                    // FFREE.
                    self.fpu.free(i);
                    Ok(())
                }
                1 => self.x87_fxch(i),
                2 | 3 => self.x87_fst_reg(i, reg == 3),
                4 => {
                    self.x87_reg_compare(i, true, 0);
                    Ok(())
                }
                5 => {
                    self.x87_reg_compare(i, true, 1);
                    Ok(())
                }
                _ => Err(ud()),
            },
            _ => match reg {
                // DF.
                0 => {
                    // FFREEP.
                    self.fpu.free(i);
                    self.fpu.pop();
                    Ok(())
                }
                1 => self.x87_fxch(i),
                2 | 3 => self.x87_fst_reg(i, true),
                4 if i == 0 => {
                    // FNSTSW AX.
                    let sw = self.fpu.sw as u32;
                    self.set_reg(2, super::EAX, sw);
                    Ok(())
                }
                5 => self.x87_comi(i, true, true),
                6 => self.x87_comi(i, false, true),
                _ => Err(ud()),
            },
        }
    }

    /// `ST(dst) = ST(dst) op ST(src)` (comparisons: ST(0) against ST(src)), `pops` pops after.
    fn x87_reg_arith(&mut self, kind: Arith, dst: u8, src: u8, pops: u8) {
        if matches!(kind, Arith::Com | Arith::Comp) {
            self.x87_reg_compare(src, false, pops);
            return;
        }
        if self.fpu.is_empty(dst) || self.fpu.is_empty(src) {
            if self.x87_underflow() {
                return;
            }
            self.fpu.set_st(dst, F80::INDEFINITE);
            for _ in 0..pops {
                self.fpu.pop();
            }
            return;
        }
        let mut ctx = self.x87_ctx();
        let (a, b) = (self.fpu.st(dst), self.fpu.st(src));
        self.x87_arith(kind, dst, a, b, &mut ctx, pops);
    }

    fn x87_reg_compare(&mut self, i: u8, quiet: bool, pops: u8) {
        if self.fpu.is_empty(0) || self.fpu.is_empty(i) {
            if self.x87_underflow() {
                return;
            }
            self.fpu.set_compare(Cmp::Unordered);
            for _ in 0..pops {
                self.fpu.pop();
            }
            return;
        }
        let mut ctx = self.x87_ctx();
        let (a, b) = (self.fpu.st(0), self.fpu.st(i));
        self.x87_compare(a, b, &mut ctx, quiet, pops);
    }

    fn x87_fxch(&mut self, i: u8) -> Res<()> {
        let (mut a, mut b) = (self.fpu.st(0), self.fpu.st(i));
        if self.fpu.is_empty(0) || self.fpu.is_empty(i) {
            if self.x87_underflow() {
                return Ok(());
            }
            if self.fpu.is_empty(0) {
                a = F80::INDEFINITE;
            }
            if self.fpu.is_empty(i) {
                b = F80::INDEFINITE;
            }
        } else {
            self.fpu.set_c1(false);
        }
        self.fpu.set_st(0, b);
        self.fpu.set_st(i, a);
        Ok(())
    }

    /// FST/FSTP ST(i) (and the FSTP1/8/9 aliases).
    fn x87_fst_reg(&mut self, i: u8, pop: bool) -> Res<()> {
        let v = if self.fpu.is_empty(0) {
            if self.x87_underflow() {
                return Ok(());
            }
            F80::INDEFINITE
        } else {
            self.fpu.set_c1(false);
            self.fpu.st(0)
        };
        self.fpu.set_st(i, v);
        self.x87_pop_if(pop)
    }

    /// FCMOVcc (P6): reg 0-3 = B, E, BE, U; `negate` for the DB forms.
    fn x87_fcmov(&mut self, reg: u8, i: u8, negate: bool) -> Res<()> {
        if self.model < Model::PentiumPro {
            return Err(ud());
        }
        if self.fpu.is_empty(0) || self.fpu.is_empty(i) {
            if self.x87_underflow() {
                return Ok(());
            }
            self.fpu.set_st(0, F80::INDEFINITE);
            return Ok(());
        }
        let f = &self.flags;
        let c = match reg {
            0 => f.cf(),
            1 => f.zf(),
            2 => f.cf() || f.zf(),
            _ => f.pf(),
        };
        self.fpu.set_c1(false);
        if c != negate {
            let v = self.fpu.st(i);
            self.fpu.set_st(0, v);
        }
        Ok(())
    }

    fn x87_d9_reg(&mut self, modrm: u8) -> Res<()> {
        let reg = (modrm >> 3) & 7;
        let i = modrm & 7;
        match reg {
            0 => {
                // FLD ST(i).
                if !self.fpu.is_empty(7) {
                    self.x87_push(F80::ZERO);
                    return Ok(());
                }
                if self.fpu.is_empty(i) {
                    if self.x87_underflow() {
                        return Ok(());
                    }
                    self.fpu.push(F80::INDEFINITE);
                    return Ok(());
                }
                let v = self.fpu.st(i);
                self.fpu.set_c1(false);
                self.fpu.push(v);
                Ok(())
            }
            1 => self.x87_fxch(i),
            2 if i == 0 => Ok(()), // FNOP
            2 => Err(ud()),
            3 => self.x87_fst_reg(i, true), // FSTP1
            4 => self.x87_d9_e0(i),
            5 => {
                if i == 7 {
                    return Err(ud());
                }
                // FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ.
                let rc = fp::Rounding::from_rc(self.fpu.cw >> 10);
                let v = match i {
                    0 => F80::ONE,
                    6 => F80::ZERO,
                    k => {
                        let (m, e) = tr::constant_bits(k - 1);
                        fp::constant(rc, m, e)
                    }
                };
                if self.fpu.is_empty(7) {
                    self.fpu.set_c1(false);
                }
                self.x87_push(v);
                Ok(())
            }
            6 => self.x87_d9_f0(i),
            _ => self.x87_d9_f8(i),
        }
    }

    /// D9 E0-E7: FCHS FABS - - FTST FXAM - -.
    fn x87_d9_e0(&mut self, i: u8) -> Res<()> {
        match i {
            0 | 1 => {
                let v = if self.fpu.is_empty(0) {
                    if self.x87_underflow() {
                        return Ok(());
                    }
                    F80::INDEFINITE
                } else {
                    self.fpu.set_c1(false);
                    let a = self.fpu.st(0);
                    if i == 0 {
                        a.neg()
                    } else {
                        a.abs()
                    }
                };
                self.fpu.set_st(0, v);
                Ok(())
            }
            4 => {
                // FTST.
                if self.fpu.is_empty(0) {
                    if self.x87_underflow() {
                        return Ok(());
                    }
                    self.fpu.set_compare(Cmp::Unordered);
                    return Ok(());
                }
                let mut ctx = self.x87_ctx();
                let a = self.fpu.st(0);
                self.x87_compare(a, F80::ZERO, &mut ctx, false, 0);
                Ok(())
            }
            5 => {
                // FXAM.
                let a = self.fpu.st(0);
                let (c3, c2, c0) = if self.fpu.is_empty(0) {
                    (true, false, true)
                } else {
                    match a.class() {
                        fp::Class::Unsupported => (false, false, false),
                        fp::Class::Nan => (false, false, true),
                        fp::Class::Normal => (false, true, false),
                        fp::Class::Infinity => (false, true, true),
                        fp::Class::Zero => (true, false, false),
                        fp::Class::Denormal => (true, true, false),
                    }
                };
                self.fpu.set_flag(SW_C3, c3);
                self.fpu.set_flag(SW_C2, c2);
                self.fpu.set_flag(SW_C0, c0);
                self.fpu.set_flag(SW_C1, a.sign());
                Ok(())
            }
            _ => Err(ud()),
        }
    }

    /// Stack checks of the instructions that replace ST0 and push a second result (FPTAN,
    /// FXTRACT, FSINCOS): an empty ST0 underflows, a full ST7 overflows. True when handled.
    fn x87_two_results_stack_fault(&mut self) -> bool {
        if self.fpu.is_empty(0) {
            if !self.x87_underflow() {
                self.fpu.set_st(0, F80::INDEFINITE);
                self.x87_push(F80::INDEFINITE);
            }
            return true;
        }
        if !self.fpu.is_empty(7) {
            if !self.x87_overflow() {
                self.fpu.set_st(0, F80::INDEFINITE);
                self.fpu.push(F80::INDEFINITE);
            }
            return true;
        }
        false
    }

    /// D9 F0-F7: F2XM1 FYL2X FPTAN FPATAN FXTRACT FPREM1 FDECSTP FINCSTP.
    fn x87_d9_f0(&mut self, i: u8) -> Res<()> {
        match i {
            0 => self.x87_unary(tr::f2xm1),
            1 => self.x87_binary_pop(tr::fyl2x),
            2 => {
                // FPTAN.
                if self.x87_two_results_stack_fault() {
                    return Ok(());
                }
                let mut ctx = self.x87_ctx().full();
                match tr::fptan(&mut ctx, self.fpu.st(0)) {
                    Trig::Value(v) => {
                        self.fpu.set_flag(SW_C2, false);
                        self.x87_commit(&ctx);
                        self.fpu.set_st(0, v);
                        self.fpu.push(F80::ONE);
                    }
                    Trig::OutOfRange => self.fpu.set_flag(SW_C2, true),
                    Trig::Abort => {
                        self.fpu.set_flag(SW_C2, false);
                        ctx.up = false;
                        self.x87_commit(&ctx);
                    }
                }
                Ok(())
            }
            3 => self.x87_binary_pop(tr::fpatan),
            4 => {
                // FXTRACT.
                if self.x87_two_results_stack_fault() {
                    return Ok(());
                }
                let mut ctx = self.x87_ctx().full();
                match fp::extract(&mut ctx, self.fpu.st(0)) {
                    Some((e, s)) => {
                        ctx.up = false;
                        self.x87_commit(&ctx);
                        self.fpu.set_st(0, e);
                        self.fpu.push(s);
                    }
                    None => {
                        ctx.up = false;
                        self.x87_commit(&ctx);
                    }
                }
                Ok(())
            }
            5 => self.x87_prem(true),
            6 | 7 => {
                // FDECSTP / FINCSTP.
                let t = if i == 6 {
                    self.fpu.top().wrapping_sub(1)
                } else {
                    self.fpu.top().wrapping_add(1)
                };
                self.fpu.set_top(t);
                self.fpu.set_c1(false);
                Ok(())
            }
            _ => Err(ud()),
        }
    }

    /// D9 F8-FF: FPREM FYL2XP1 FSQRT FSINCOS FRNDINT FSCALE FSIN FCOS.
    fn x87_d9_f8(&mut self, i: u8) -> Res<()> {
        match i {
            0 => self.x87_prem(false)?,
            1 => self.x87_binary_pop(tr::fyl2xp1)?,
            2 => {
                // FSQRT: precision control applies.
                if self.fpu.is_empty(0) {
                    if self.x87_underflow() {
                        return Ok(());
                    }
                    self.fpu.set_st(0, F80::INDEFINITE);
                    return Ok(());
                }
                let mut ctx = self.x87_ctx();
                let r = fp::sqrt(&mut ctx, self.fpu.st(0));
                self.x87_store_st0(r, &mut ctx);
            }
            3 => {
                // FSINCOS.
                if self.x87_two_results_stack_fault() {
                    return Ok(());
                }
                let mut ctx = self.x87_ctx().full();
                match tr::fsincos(&mut ctx, self.fpu.st(0)) {
                    Trig::Value((s, c)) => {
                        self.fpu.set_flag(SW_C2, false);
                        self.x87_commit(&ctx);
                        self.fpu.set_st(0, s);
                        self.fpu.push(c);
                    }
                    Trig::OutOfRange => self.fpu.set_flag(SW_C2, true),
                    Trig::Abort => {
                        self.fpu.set_flag(SW_C2, false);
                        ctx.up = false;
                        self.x87_commit(&ctx);
                    }
                }
            }
            4 => self.x87_unary(fp::round_int)?,
            5 => {
                // FSCALE: ST(0) = ST(0) × 2^trunc(ST(1)).
                if self.fpu.is_empty(0) || self.fpu.is_empty(1) {
                    if self.x87_underflow() {
                        return Ok(());
                    }
                    self.fpu.set_st(0, F80::INDEFINITE);
                    return Ok(());
                }
                let mut ctx = self.x87_ctx().full();
                let r = fp::scale(&mut ctx, self.fpu.st(0), self.fpu.st(1));
                self.x87_store_st0(r, &mut ctx);
            }
            6 | 7 => {
                // FSIN / FCOS.
                if self.fpu.is_empty(0) {
                    if self.x87_underflow() {
                        return Ok(());
                    }
                    self.fpu.set_st(0, F80::INDEFINITE);
                    return Ok(());
                }
                let mut ctx = self.x87_ctx().full();
                let a = self.fpu.st(0);
                let r = if i == 6 {
                    tr::fsin(&mut ctx, a)
                } else {
                    tr::fcos(&mut ctx, a)
                };
                match r {
                    Trig::Value(v) => {
                        self.fpu.set_flag(SW_C2, false);
                        self.x87_commit(&ctx);
                        self.fpu.set_st(0, v);
                    }
                    Trig::OutOfRange => self.fpu.set_flag(SW_C2, true),
                    Trig::Abort => {
                        self.fpu.set_flag(SW_C2, false);
                        ctx.up = false;
                        self.x87_commit(&ctx);
                    }
                }
            }
            _ => return Err(ud()),
        }
        Ok(())
    }

    fn x87_store_st0(&mut self, r: Option<F80>, ctx: &mut Ctx) {
        match r {
            Some(v) => {
                self.x87_commit(ctx);
                self.fpu.set_st(0, v);
            }
            None => {
                ctx.up = false;
                self.x87_commit(ctx);
            }
        }
    }

    /// ST(0) = f(ST(0)) at 64-bit precision.
    fn x87_unary(&mut self, f: impl Fn(&mut Ctx, F80) -> Option<F80>) -> Res<()> {
        if self.fpu.is_empty(0) {
            if self.x87_underflow() {
                return Ok(());
            }
            self.fpu.set_st(0, F80::INDEFINITE);
            return Ok(());
        }
        let mut ctx = self.x87_ctx().full();
        let r = f(&mut ctx, self.fpu.st(0));
        self.x87_store_st0(r, &mut ctx);
        Ok(())
    }

    /// ST(1) = f(ST(1), ST(0)), then pop (FYL2X, FYL2XP1, FPATAN).
    fn x87_binary_pop(&mut self, f: impl Fn(&mut Ctx, F80, F80) -> Option<F80>) -> Res<()> {
        if self.fpu.is_empty(0) || self.fpu.is_empty(1) {
            if self.x87_underflow() {
                return Ok(());
            }
            self.fpu.set_st(1, F80::INDEFINITE);
            self.fpu.pop();
            return Ok(());
        }
        let mut ctx = self.x87_ctx().full();
        match f(&mut ctx, self.fpu.st(1), self.fpu.st(0)) {
            Some(v) => {
                self.x87_commit(&ctx);
                self.fpu.set_st(1, v);
                self.fpu.pop();
            }
            None => {
                ctx.up = false;
                self.x87_commit(&ctx);
            }
        }
        Ok(())
    }

    /// FPREM / FPREM1: ST(0) = remainder of ST(0) / ST(1); C2 = incomplete, C0 C3 C1 = the
    /// quotient's bits 2, 0, 1.
    fn x87_prem(&mut self, nearest: bool) -> Res<()> {
        if self.fpu.is_empty(0) || self.fpu.is_empty(1) {
            if self.x87_underflow() {
                return Ok(());
            }
            self.fpu.set_st(0, F80::INDEFINITE);
            return Ok(());
        }
        let mut ctx = self.x87_ctx().full();
        match fp::rem(&mut ctx, self.fpu.st(0), self.fpu.st(1), nearest) {
            Some(r) => {
                self.fpu.raise(ctx.flags);
                self.fpu.set_flag(SW_C2, r.partial);
                if !r.partial {
                    self.fpu.set_flag(SW_C0, r.q & 4 != 0);
                    self.fpu.set_flag(SW_C3, r.q & 1 != 0);
                    self.fpu.set_flag(SW_C1, r.q & 2 != 0);
                } else {
                    self.fpu.set_c1(false);
                }
                self.fpu.set_st(0, r.value);
            }
            None => {
                ctx.up = false;
                self.x87_commit(&ctx);
            }
        }
        Ok(())
    }
}

/// (no-wait, control) for an ESC form: the no-wait instructions do not report pending
/// exceptions; the control instructions leave the instruction and operand pointers alone.
fn classify(esc: u8, modrm: u8, mem: bool) -> (bool, bool) {
    let reg = (modrm >> 3) & 7;
    if mem {
        match (esc, reg) {
            // FNSTENV, FNSTCW, FNSAVE, FNSTSW.
            (1, 6) | (1, 7) | (5, 6) | (5, 7) => (true, true),
            // FLDENV, FLDCW, FRSTOR.
            (1, 4) | (1, 5) | (5, 4) => (false, true),
            _ => (false, false),
        }
    } else {
        match (esc, modrm) {
            // FENI FDISI FNCLEX FNINIT FSETPM, FNSTSW AX.
            (3, 0xE0..=0xE4) | (7, 0xE0) => (true, true),
            _ => (false, false),
        }
    }
}

/// Whether an ESC form is an instruction on this model (reserved forms are #UD; FCMOVcc and
/// FCOMI/FUCOMI came with the P6; FISTTP is SSE3 and not here).
fn valid_form(model: Model, esc: u8, modrm: u8, mem: bool) -> bool {
    let reg = (modrm >> 3) & 7;
    let i = modrm & 7;
    let p6 = model >= Model::PentiumPro;
    if mem {
        return !matches!(
            (esc, reg),
            (1, 1) | (3, 1) | (3, 4) | (3, 6) | (5, 1) | (5, 5) | (7, 1)
        );
    }
    match (esc, reg) {
        (1, 2) => i == 0,
        (1, 4) => !matches!(i, 2 | 3 | 6 | 7),
        (1, 5) => i != 7,
        (2, 0..=3) | (3, 0..=3) | (3, 5) | (3, 6) | (7, 5) | (7, 6) => p6,
        (2, 5) | (6, 3) => i == 1,
        (2, _) | (3, 7) | (5, 6) | (5, 7) | (7, 7) => false,
        (3, 4) => i <= 4,
        (7, 4) => i == 0,
        _ => true,
    }
}
