//! The two-byte (0F xx) instructions of the 386 and later: near Jcc, SETcc, CMOVcc, MOVZX/MOVSX,
//! bit tests and scans, double shifts, IMUL r,r/m, PUSH/POP FS/GS, LSS/LFS/LGS, MOV to and from
//! control and debug registers, and the 486/Pentium/P6 additions (BSWAP, XADD, CMPXCHG,
//! CMPXCHG8B, CPUID, RDTSC, RDMSR/WRMSR, RDPMC, INVD/WBINVD/INVLPG, SYSENTER/SYSEXIT, UD2).

use super::alu::AluOp;
use super::{gp0, size_mask, ud, Loc, EAX, EBX, ECX, EDX, ESP, SS};
use crate::bus::Bus;
use crate::decode::Insn;
use crate::flags::{LazyOp, CF, IF, OF, RF, VM, ZF};
use crate::model::Model;
use crate::msr;
use crate::paging::{CR0_PG, CR4_PGE, CR4_PSE};
use crate::regs::{
    Segment, SEG_BIG, SEG_CODE, SEG_GRANULAR, SEG_NOT_SYSTEM, SEG_NO_WRITE, SEG_PRESENT,
    SEG_WRITABLE,
};
use crate::{Cpu, Res};

impl Cpu {
    /// 0F xx dispatch.
    pub(crate) fn two_byte<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let op = (insn.op & 0xFF) as u8;
        match op {
            0x00 => self.group6(bus, insn),
            0x01 => self.group7(bus, insn),
            0x02 | 0x03 => self.lar_lsl(bus, insn),
            0x05 => Err(ud()), // LOADALL: undocumented, not emulated
            0x06 => {
                self.require_cpl0()?;
                self.cr0 &= !0x8;
                Ok(())
            }
            0x08 | 0x09 => self.require_cpl0(),
            0x0B => Err(ud()),
            0x1F => {
                // Multi-byte NOP: decodes its operand (and can fault on its address) only.
                Ok(())
            }
            0x20..=0x23 => self.mov_cr_dr(insn),
            0x30 => self.wrmsr(),
            0x31 => self.rdtsc(),
            0x32 => self.rdmsr(),
            0x33 => self.rdpmc(),
            0x34 => self.sysenter(),
            0x35 => self.sysexit(),
            0x40..=0x4F => {
                let size = insn.osize();
                let v = self.read_rm(bus, insn, size)?;
                if self.flags.condition(op & 0xF) {
                    self.set_reg(size, insn.reg(), v);
                } else if size == 4 {
                    // A 32-bit CMOV writes its destination even when false (zero-extends).
                    let cur = self.get_reg(4, insn.reg());
                    self.set_reg(4, insn.reg(), cur);
                }
                Ok(())
            }
            0x80..=0x8F => self.jcc(insn),
            0x90..=0x9F => {
                let v = self.flags.condition(op & 0xF) as u32;
                self.write_rm(bus, insn, 1, v)
            }
            0xA0 | 0xA8 => {
                let seg = if op == 0xA0 { 4 } else { 5 };
                let v = self.segs[seg].selector as u32;
                self.push(bus, insn.osize(), v)
            }
            0xA1 | 0xA9 => {
                let seg = if op == 0xA1 { 4 } else { 5 };
                self.pop_seg(bus, seg, insn.osize())
            }
            0xA2 => self.cpuid(),
            0xA3 | 0xAB | 0xB3 | 0xBB | 0xBA => self.bit_test(bus, insn),
            0xA4 | 0xA5 | 0xAC | 0xAD => self.double_shift(bus, insn),
            0xAE => self.x87_group15(bus, insn),
            0xAF => {
                let size = insn.osize();
                let b = self.read_rm(bus, insn, size)?;
                let a = self.get_reg(size, insn.reg());
                let r = self.imul_trunc(size, a, b);
                self.set_reg(size, insn.reg(), r);
                Ok(())
            }
            0xB0 | 0xB1 => self.cmpxchg(bus, insn),
            0xB2 | 0xB4 | 0xB5 => self.load_far_pointer(bus, insn),
            0xB6 | 0xB7 | 0xBE | 0xBF => {
                let src = if op & 1 == 0 { 1 } else { 2 };
                let v = self.read_rm(bus, insn, src)?;
                let v = if op >= 0xBE {
                    super::sign_extend(v, src)
                } else {
                    v
                };
                self.set_reg(insn.osize(), insn.reg(), v);
                Ok(())
            }
            0xBC | 0xBD => self.bit_scan(bus, insn),
            0xC0 | 0xC1 => self.xadd(bus, insn),
            0xC7 => self.cmpxchg8b(bus, insn),
            0xC8..=0xCF => {
                let r = op & 7;
                let v = self.get_reg(4, r);
                if insn.op32() {
                    self.set_reg(4, r, v.swap_bytes());
                } else {
                    // BSWAP of a 16-bit register is undefined; real CPUs clear it.
                    self.set_reg(2, r, 0);
                }
                Ok(())
            }
            _ => Err(ud()),
        }
    }

    fn require_cpl0(&self) -> Res<()> {
        if self.cpl() != 0 {
            Err(gp0())
        } else {
            Ok(())
        }
    }

    /// 0F 01: SGDT SIDT LGDT LIDT SMSW LMSW INVLPG.
    pub(crate) fn group7<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let reg = insn.reg();
        match reg {
            0..=3 => {
                let (seg, off) = self.mem_operand(insn)?;
                let next = |o: u32| {
                    if insn.addr32() {
                        o.wrapping_add(2)
                    } else {
                        o.wrapping_add(2) & 0xFFFF
                    }
                };
                if reg < 2 {
                    let t = if reg == 0 { self.gdtr } else { self.idtr };
                    let base = match self.model {
                        // The 286 has a 24-bit base and stores FFh in the sixth byte.
                        Model::I286 => (t.base & 0x00FF_FFFF) | 0xFF00_0000,
                        _ if !insn.op32() => t.base & 0x00FF_FFFF,
                        _ => t.base,
                    };
                    self.write_mem(bus, seg, off, 2, t.limit & 0xFFFF)?;
                    self.write_mem(bus, seg, next(off), 4, base)
                } else {
                    self.require_cpl0()?;
                    if self.v86_mode() {
                        return Err(gp0());
                    }
                    let limit = self.read_mem(bus, seg, off, 2)?;
                    let base = self.read_mem(bus, seg, next(off), 4)?;
                    let base = if insn.op32() {
                        base
                    } else {
                        base & 0x00FF_FFFF
                    };
                    let t = crate::TableReg { base, limit };
                    if reg == 2 {
                        self.gdtr = t;
                    } else {
                        self.idtr = t;
                    }
                    Ok(())
                }
            }
            4 => {
                let msw = self.cr0 & 0xFFFF;
                let size = if insn.rm_is_reg() { insn.osize() } else { 2 };
                let v = if self.model == Model::I286 {
                    msw | 0xFFF0
                } else {
                    msw
                };
                let v = if size == 4 { self.cr0 } else { v };
                self.write_rm(bus, insn, size, v)
            }
            6 => {
                self.require_cpl0()?;
                let v = self.read_rm(bus, insn, 2)?;
                // LMSW can set PE but never clear it; it touches only PE, MP, EM, TS.
                let pe = (self.cr0 | v) & 1;
                self.cr0 = (self.cr0 & !0xF) | (v & 0xE) | pe;
                Ok(())
            }
            7 => {
                if self.model < Model::I486 {
                    return Err(ud());
                }
                self.require_cpl0()?;
                let (seg, off) = self.mem_operand(insn)?;
                let lin = self.segs[seg as usize].base.wrapping_add(off);
                self.tlb.flush_page(lin);
                Ok(())
            }
            _ => Err(ud()),
        }
    }

    /// 0F 20-23: MOV r32, CRn / DRn and back.
    fn mov_cr_dr(&mut self, insn: &Insn) -> Res<()> {
        self.require_cpl0()?;
        if self.v86_mode() {
            return Err(gp0());
        }
        let n = insn.reg();
        let r = insn.rm();
        match insn.op & 0xFF {
            0x20 => {
                let v = match n {
                    0 => self.cr0,
                    2 => self.cr2,
                    3 => self.cr3,
                    4 if self.model >= Model::Pentium => self.cr4,
                    _ => return Err(ud()),
                };
                self.set_reg(4, r, v);
            }
            0x22 => {
                let v = self.get_reg(4, r);
                match n {
                    0 => self.write_cr0(v)?,
                    2 => self.cr2 = v,
                    3 => {
                        self.cr3 = v & 0xFFFF_F018;
                        self.tlb.flush_nonglobal();
                    }
                    4 if self.model >= Model::Pentium => {
                        // VME, PVI, TSD, DE, PSE, MCE, PGE, PCE, OSFXSR, OSXMMEXCPT.
                        let allowed = 0x0000_06FF & !(1 << 5);
                        if v & !allowed != 0 {
                            return Err(gp0());
                        }
                        if (v ^ self.cr4) & (CR4_PGE | CR4_PSE) != 0 {
                            self.tlb.flush_all();
                        }
                        self.cr4 = v;
                        self.sync_breakpoints(); // CR4.DE turns I/O breakpoints on
                    }
                    _ => return Err(ud()),
                }
            }
            0x21 => {
                // DR4/DR5 and general detect: see `debug`.
                let i = self.debug_register_access(n)?;
                let v = self.dr[i];
                self.set_reg(4, r, v);
            }
            _ => {
                let i = self.debug_register_access(n)?;
                let v = self.get_reg(4, r);
                self.write_debug_register(i, v);
            }
        }
        Ok(())
    }

    fn write_cr0(&mut self, v: u32) -> Res<()> {
        // PG without PE, or NW without CD, is a #GP.
        if (v & CR0_PG != 0 && v & 1 == 0) || (v & (1 << 29) != 0 && v & (1 << 30) == 0) {
            return Err(gp0());
        }
        let mut v = v;
        if self.model >= Model::I486 {
            v |= 0x10; // ET is hard-wired to 1
        }
        let mask = match self.model {
            Model::I386 => 0x8000_001F,
            _ => 0xE005_003F,
        };
        let v = v & mask;
        if (v ^ self.cr0) & (CR0_PG | crate::paging::CR0_WP | 1) != 0 {
            self.tlb.flush_all();
        }
        let leaving_pm = self.cr0 & 1 != 0 && v & 1 == 0;
        self.cr0 = v;
        if leaving_pm {
            self.set_cpl(0);
        }
        Ok(())
    }

    fn bit_test<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = insn.osize();
        let bits = size * 8;
        let (kind, bit_raw) = if insn.op == 0x1BA {
            (insn.reg() - 4, insn.imm & 0xFF)
        } else {
            (((insn.op >> 3) & 3) as u8, self.get_reg(size, insn.reg()))
        };
        let loc = if insn.rm_is_reg() || insn.op == 0x1BA {
            let l = self.rm_loc(insn);
            match l {
                Loc::Reg(_) => l,
                Loc::Mem(s, o) => Loc::Mem(s, o),
            }
        } else {
            // A register bit offset reaches memory beyond the operand (signed).
            let off = super::sign_extend(bit_raw, size) as i32 >> if size == 4 { 5 } else { 4 };
            let ea = self.ea(insn).wrapping_add((off * size as i32) as u32);
            let ea = if insn.addr32() { ea } else { ea & 0xFFFF };
            Loc::Mem(insn.mem_seg(), ea)
        };
        let bit = bit_raw & (bits - 1);
        let v = self.read_loc(bus, loc, size)?;
        let was = (v >> bit) & 1 != 0;
        let nv = match kind {
            0 => None,
            1 => Some(v | (1 << bit)),
            2 => Some(v & !(1 << bit)),
            _ => Some(v ^ (1 << bit)),
        };
        if let Some(nv) = nv {
            self.write_loc(bus, loc, size, nv)?;
        }
        self.flags.set_bits(CF, was);
        Ok(())
    }

    fn bit_scan<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = insn.osize();
        let v = self.read_rm(bus, insn, size)? & size_mask(size);
        if v == 0 {
            self.flags.set_bits(ZF, true);
            return Ok(());
        }
        let r = if insn.op == 0x1BC {
            v.trailing_zeros()
        } else {
            31 - v.leading_zeros()
        };
        self.set_reg(size, insn.reg(), r);
        self.flags.set_bits(ZF, false);
        Ok(())
    }

    /// SHLD / SHRD.
    fn double_shift<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = insn.osize();
        let bits = size * 8;
        let count = if insn.op & 1 == 0 {
            insn.imm
        } else {
            self.get_reg(1, ECX)
        } & 0x1F;
        let loc = self.rm_loc(insn);
        let dst = self.read_loc(bus, loc, size)?;
        if count == 0 {
            return Ok(());
        }
        let src = self.get_reg(size, insn.reg());
        let left = insn.op & 0xFF < 0xA8;
        let (r, cf) = if size == 4 {
            let wide = if left {
                (dst as u64) << 32 | src as u64
            } else {
                (src as u64) << 32 | dst as u64
            };
            if left {
                let w = wide << count;
                ((w >> 32) as u32, (wide >> (64 - count)) & 1 != 0)
            } else {
                (((wide >> count) as u32), (wide >> (count - 1)) & 1 != 0)
            }
        } else {
            // 16-bit: counts over 16 shift through a 48-bit pattern (undefined; as the P6 does).
            if left {
                let wide = (dst as u64) << 32 | (src as u64) << 16 | dst as u64;
                let w = wide << count;
                (((w >> 32) & 0xFFFF) as u32, (wide >> (48 - count)) & 1 != 0)
            } else {
                let pair = (src as u64) << 16 | dst as u64;
                (
                    ((pair >> count) & 0xFFFF) as u32,
                    (pair >> (count - 1)) & 1 != 0,
                )
            }
        };
        let r = r & size_mask(size);
        self.flags.set_lazy(LazyOp::Logic, size, 0, 0, r);
        let of = ((r ^ dst) >> (bits - 1)) & 1 != 0;
        let f = (cf as u32 * CF) | (of as u32 * OF);
        self.flags.set_masked(CF | OF, f);
        self.write_loc(bus, loc, size, r)
    }

    fn cmpxchg<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = if insn.op & 1 == 0 { 1 } else { insn.osize() };
        let loc = self.rm_loc(insn);
        let dst = self.read_loc(bus, loc, size)?;
        let acc = self.get_reg(size, EAX);
        self.alu(AluOp::Cmp, size, acc, dst);
        if acc & size_mask(size) == dst {
            let src = self.get_reg(size, insn.reg());
            self.write_loc(bus, loc, size, src)
        } else {
            // The destination is written back either way (a locked read-modify-write).
            self.write_loc(bus, loc, size, dst)?;
            self.set_reg(size, EAX, dst);
            Ok(())
        }
    }

    fn cmpxchg8b<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        if insn.reg() != 1 {
            return Err(ud());
        }
        let (seg, off) = self.mem_operand(insn)?;
        let lo = self.read_mem(bus, seg, off, 4)?;
        let hi = self.read_mem(bus, seg, off.wrapping_add(4), 4)?;
        if lo == self.regs[EAX as usize] && hi == self.regs[EDX as usize] {
            let (b, c) = (self.regs[EBX as usize], self.regs[ECX as usize]);
            self.write_mem(bus, seg, off, 4, b)?;
            self.write_mem(bus, seg, off.wrapping_add(4), 4, c)?;
            self.flags.set_bits(ZF, true);
        } else {
            self.write_mem(bus, seg, off, 4, lo)?;
            self.write_mem(bus, seg, off.wrapping_add(4), 4, hi)?;
            self.regs[EAX as usize] = lo;
            self.regs[EDX as usize] = hi;
            self.flags.set_bits(ZF, false);
        }
        Ok(())
    }

    fn xadd<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = if insn.op & 1 == 0 { 1 } else { insn.osize() };
        let loc = self.rm_loc(insn);
        let dst = self.read_loc(bus, loc, size)?;
        let src = self.get_reg(size, insn.reg());
        let sum = self.alu(AluOp::Add, size, dst, src);
        self.set_reg(size, insn.reg(), dst);
        self.write_loc(bus, loc, size, sum)
    }

    fn cpuid(&mut self) -> Res<()> {
        if !self.model.has_cpuid() {
            return Err(ud());
        }
        let r = msr::cpuid(self.model, self.regs[EAX as usize]);
        self.regs[EAX as usize] = r[0];
        self.regs[EBX as usize] = r[1];
        self.regs[ECX as usize] = r[2];
        self.regs[EDX as usize] = r[3];
        Ok(())
    }

    /// The time-stamp counter: one tick per retired instruction plus the guest's offset.
    pub fn tsc(&self) -> u64 {
        self.counters.instructions.wrapping_add(self.msr.tsc_offset)
    }

    fn rdtsc(&mut self) -> Res<()> {
        if self.cr4 & (1 << 2) != 0 && self.cpl() != 0 {
            return Err(gp0());
        }
        let t = self.tsc();
        self.regs[EAX as usize] = t as u32;
        self.regs[EDX as usize] = (t >> 32) as u32;
        Ok(())
    }

    fn rdpmc(&mut self) -> Res<()> {
        if self.cr4 & (1 << 8) == 0 && self.cpl() != 0 {
            return Err(gp0());
        }
        let i = self.regs[ECX as usize];
        if i > 1 {
            return Err(gp0());
        }
        let v = self.msr.pmc[i as usize];
        self.regs[EAX as usize] = v as u32;
        self.regs[EDX as usize] = (v >> 32) as u32 & 0xFF;
        Ok(())
    }

    fn rdmsr(&mut self) -> Res<()> {
        self.require_cpl0()?;
        let v: u64 = match self.regs[ECX as usize] {
            msr::IA32_TSC => self.tsc(),
            msr::IA32_SYSENTER_CS if self.model >= Model::PentiumPro => self.msr.sysenter_cs as u64,
            msr::IA32_SYSENTER_ESP if self.model >= Model::PentiumPro => {
                self.msr.sysenter_esp as u64
            }
            msr::IA32_SYSENTER_EIP if self.model >= Model::PentiumPro => {
                self.msr.sysenter_eip as u64
            }
            msr::IA32_PLATFORM_ID
            | msr::IA32_BIOS_SIGN_ID
            | msr::IA32_MCG_CAP
            | msr::IA32_MCG_STATUS => 0,
            msr::IA32_MISC_ENABLE => self.msr.misc_enable,
            msr::IA32_PERFEVTSEL0 => self.msr.perfevtsel[0],
            msr::IA32_PERFEVTSEL1 => self.msr.perfevtsel[1],
            msr::IA32_PMC0 => self.msr.pmc[0],
            msr::IA32_PMC1 => self.msr.pmc[1],
            _ => return Err(gp0()),
        };
        self.regs[EAX as usize] = v as u32;
        self.regs[EDX as usize] = (v >> 32) as u32;
        Ok(())
    }

    fn wrmsr(&mut self) -> Res<()> {
        self.require_cpl0()?;
        let v = (self.regs[EDX as usize] as u64) << 32 | self.regs[EAX as usize] as u64;
        match self.regs[ECX as usize] {
            msr::IA32_TSC => self.msr.tsc_offset = v.wrapping_sub(self.counters.instructions),
            msr::IA32_SYSENTER_CS if self.model >= Model::PentiumPro => {
                self.msr.sysenter_cs = v as u32
            }
            msr::IA32_SYSENTER_ESP if self.model >= Model::PentiumPro => {
                self.msr.sysenter_esp = v as u32
            }
            msr::IA32_SYSENTER_EIP if self.model >= Model::PentiumPro => {
                self.msr.sysenter_eip = v as u32
            }
            msr::IA32_BIOS_SIGN_ID | msr::IA32_MCG_STATUS => {}
            msr::IA32_MISC_ENABLE => self.msr.misc_enable = v,
            msr::IA32_PERFEVTSEL0 => self.msr.perfevtsel[0] = v,
            msr::IA32_PERFEVTSEL1 => self.msr.perfevtsel[1] = v,
            msr::IA32_PMC0 => self.msr.pmc[0] = v & 0xFF_FFFF_FFFF,
            msr::IA32_PMC1 => self.msr.pmc[1] = v & 0xFF_FFFF_FFFF,
            _ => return Err(gp0()),
        }
        Ok(())
    }

    /// A flat 4 GiB segment for SYSENTER/SYSEXIT.
    fn flat(sel: u16, code: bool, dpl: u8) -> Segment {
        let kind = if code {
            SEG_CODE | SEG_NO_WRITE
        } else {
            SEG_WRITABLE
        };
        Segment {
            selector: sel,
            base: 0,
            limit: 0xFFFF_FFFF,
            flags: SEG_PRESENT
                | SEG_NOT_SYSTEM
                | kind
                | (dpl as u16) << 5
                | SEG_BIG
                | SEG_GRANULAR
                | 1,
        }
    }

    fn sysenter(&mut self) -> Res<()> {
        let cs = self.msr.sysenter_cs as u16;
        if !self.protected_mode() || cs & 0xFFFC == 0 {
            return Err(gp0());
        }
        self.flags.set_bits(VM | IF | RF, false);
        self.segs[super::CS as usize] = Cpu::flat(cs & 0xFFFC, true, 0);
        self.segs[SS as usize] = Cpu::flat((cs & 0xFFFC) + 8, false, 0);
        self.set_cpl(0);
        self.regs[ESP as usize] = self.msr.sysenter_esp;
        self.eip = self.msr.sysenter_eip;
        Ok(())
    }

    fn sysexit(&mut self) -> Res<()> {
        let cs = self.msr.sysenter_cs as u16;
        if !self.protected_mode() || self.v86_mode() || self.cpl() != 0 || cs & 0xFFFC == 0 {
            return Err(gp0());
        }
        self.segs[super::CS as usize] = Cpu::flat((cs + 16) | 3, true, 3);
        self.segs[SS as usize] = Cpu::flat((cs + 24) | 3, false, 3);
        self.set_cpl(3);
        self.regs[ESP as usize] = self.regs[ECX as usize];
        self.eip = self.regs[EDX as usize];
        Ok(())
    }
}
