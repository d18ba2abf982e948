//! The handlers of a block's instructions, chosen when the block is decoded: `resolve` picks one
//! for each instruction (and `fuse` one for a flag-setting instruction and the Jcc after it),
//! and `run_block_insns`, the block loop, calls it past the general dispatcher (`execute`): no
//! opcode match, and no LOCK or invalid-opcode check (done once, here). The commonest forms go
//! to handlers specialised for their operand size and kind (`fast.rs`); the rest to their
//! instruction group's handler.

use super::fast::ANY_FORM;
use crate::bus::Bus;
use crate::cache::BlockInsn;
use crate::decode::{Insn, F_INVALID, F_LOCK, F_REP, NONE};
use crate::Cpu;

/// How the block loop runs an instruction: chosen once, when its block is decoded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Handler {
    /// Anything else: `execute_op`, the general opcode match.
    #[default]
    General,
    /// An invalid opcode or a LOCK prefix: the checks of `execute_here` first.
    Checked,
    AluForms,
    AluImm,
    MovRm,
    MovRegImm,
    /// MOV r32, imm32 (B8+r with a 32-bit operand): the commonest form, without the size test.
    MovR32Imm,
    Jcc,
    Test,
    Lea,
    MovR32M,
    MovMR32,
    MovR16M,
    MovMR16,
    MovR8M,
    MovMR8,
    MovRr32ToRm,
    MovRr32ToReg,
    MovRr16ToRm,
    MovRr16ToReg,
    AluR32M,
    AluR16M,
    AluR32Imm,
    AluR16Imm,
    ShiftR32Imm,
    ShiftR321,
    ShiftR16Imm,
    ShiftR161,
    Movzx32,
    PushR32,
    PopR32,
    PushR16,
    PopR16,
    CallRel32,
    CallRel16,
    Ret32,
    Ret16,
    ShiftGroup,
    Group3,
    Group5,
    RetNear,
    JmpRel,
    /// NOP (not PAUSE) and the multi-byte NOP, 0F 1F: nothing to do.
    Nop,
    Loop,
    TwoByte,
    IncR32,
    DecR32,
    IncR16,
    DecR16,
    LoopCx,
    LoopEcx,
    MulR32,
    ImulR32,
    ImulR32Rm,
    ImulR32Imm,
    MulR16,
    ImulR16,
    AluM32R,
    AluM16R,
    AluM32Imm,
    AluM16Imm,
    IncDecM32,
    IncDecM16,
    Movsx32,
    Cmov32,
    // ALU between two registers of 32 (then 16) bits, with the r/m register or the reg field as
    // destination (`ALU_RR`).
    AddRr32ToRm,
    AddRr32ToReg,
    AddRr16ToRm,
    AddRr16ToReg,
    OrRr32ToRm,
    OrRr32ToReg,
    OrRr16ToRm,
    OrRr16ToReg,
    AdcRr32ToRm,
    AdcRr32ToReg,
    AdcRr16ToRm,
    AdcRr16ToReg,
    SbbRr32ToRm,
    SbbRr32ToReg,
    SbbRr16ToRm,
    SbbRr16ToReg,
    AndRr32ToRm,
    AndRr32ToReg,
    AndRr16ToRm,
    AndRr16ToReg,
    SubRr32ToRm,
    SubRr32ToReg,
    SubRr16ToRm,
    SubRr16ToReg,
    XorRr32ToRm,
    XorRr32ToReg,
    XorRr16ToRm,
    XorRr16ToReg,
    CmpRr32ToRm,
    CmpRr32ToReg,
    CmpRr16ToRm,
    CmpRr16ToReg,
    SetccR8,
    TestRr32,
    TestRr16,
    // A flag-setting instruction whose Jcc comes next in the block: one dispatch for both (`fuse`).
    CmpRr32ToRmJcc,
    CmpRr32ToRegJcc,
    TestRr32Jcc,
    AluR32ImmJcc,
    // ALU r32, imm for the commonest operations, on their own (the rest: AluR32Imm).
    AddR32Imm,
    AndR32Imm,
    SubR32Imm,
    CmpR32Imm,
    // The same with 16-bit registers (the rest: AluR16Imm).
    AddR16Imm,
    AndR16Imm,
    SubR16Imm,
    CmpR16Imm,
    /// LEA of [base + displacement] with 32-bit operand and address.
    LeaR32Bd,
    CmpR32ImmJcc,
    // An instruction that loads a segment register: the general path, then the segment windows
    // made again (`window.rs`).
    SegLoad,
    // MOV between a register and memory at [base + displacement] (`base_disp_form`): 32-bit
    // registers with 32-bit addresses, 16-bit ones with 16-bit addresses.
    MovR32MBd,
    MovMR32Bd,
    MovR16MBd,
    MovMR16Bd,
}

use Handler::*;

/// The ALU forms between two registers, by `4 * operation + 2 * (16-bit) + (1 when the reg
/// field is the destination)`.
const ALU_RR: [Handler; 32] = [
    AddRr32ToRm,
    AddRr32ToReg,
    AddRr16ToRm,
    AddRr16ToReg,
    OrRr32ToRm,
    OrRr32ToReg,
    OrRr16ToRm,
    OrRr16ToReg,
    AdcRr32ToRm,
    AdcRr32ToReg,
    AdcRr16ToRm,
    AdcRr16ToReg,
    SbbRr32ToRm,
    SbbRr32ToReg,
    SbbRr16ToRm,
    SbbRr16ToReg,
    AndRr32ToRm,
    AndRr32ToReg,
    AndRr16ToRm,
    AndRr16ToReg,
    SubRr32ToRm,
    SubRr32ToReg,
    SubRr16ToRm,
    SubRr16ToReg,
    XorRr32ToRm,
    XorRr32ToReg,
    XorRr16ToRm,
    XorRr16ToReg,
    CmpRr32ToRm,
    CmpRr32ToReg,
    CmpRr16ToRm,
    CmpRr16ToReg,
];

/// The handler for `insn` (see above).
pub(super) fn resolve(insn: &Insn) -> Handler {
    if insn.flags & (F_INVALID | F_LOCK) != 0 {
        return Checked;
    }
    let o32 = insn.op32();
    let reg = insn.rm_is_reg();
    match insn.op {
        // POP ES/SS/DS, MOV Sreg, LES, LDS, POP FS/GS, LSS, LFS, LGS.
        0x07 | 0x17 | 0x1F | 0x8E | 0xC4 | 0xC5 | 0x1A1 | 0x1A9 | 0x1B2 | 0x1B4 | 0x1B5 => SegLoad,
        // ADD..CMP in their r/m forms between two registers of 16 or 32 bits.
        0x00..=0x3F if insn.op & 7 < 4 && insn.op & 1 == 1 && reg => {
            ALU_RR
                [4 * (insn.op >> 3) as usize + 2 * (!o32) as usize + ((insn.op & 2) >> 1) as usize]
        }
        0x00..=0x3F if insn.op & 7 == 1 => {
            if o32 {
                AluM32R
            } else {
                AluM16R
            }
        }
        0x00..=0x3F if insn.op & 7 == 3 => {
            if o32 {
                AluR32M
            } else {
                AluR16M
            }
        }
        // ADD..CMP in their r/m and accumulator forms (not the segment pushes, pops, BCD).
        0x00..=0x3F if insn.op & 7 < 6 => AluForms,
        0x81 | 0x83 if reg => match (o32, insn.reg()) {
            (true, 0) => AddR32Imm,
            (true, 4) => AndR32Imm,
            (true, 5) => SubR32Imm,
            (true, 7) => CmpR32Imm,
            (true, _) => AluR32Imm,
            (false, 0) => AddR16Imm,
            (false, 4) => AndR16Imm,
            (false, 5) => SubR16Imm,
            (false, 7) => CmpR16Imm,
            (false, _) => AluR16Imm,
        },
        0x81 | 0x83 => {
            if o32 {
                AluM32Imm
            } else {
                AluM16Imm
            }
        }
        0x80 => AluImm,
        0x89 if reg => {
            if o32 {
                MovRr32ToRm
            } else {
                MovRr16ToRm
            }
        }
        0x8B if reg => {
            if o32 {
                MovRr32ToReg
            } else {
                MovRr16ToReg
            }
        }
        0x89 if !reg && base_disp_form(insn) == Some(o32) => {
            if o32 {
                MovMR32Bd
            } else {
                MovMR16Bd
            }
        }
        0x8B if !reg && base_disp_form(insn) == Some(o32) => {
            if o32 {
                MovR32MBd
            } else {
                MovR16MBd
            }
        }
        0x89 => {
            if o32 {
                MovMR32
            } else {
                MovMR16
            }
        }
        0x8B => {
            if o32 {
                MovR32M
            } else {
                MovR16M
            }
        }
        0x88 if !reg => MovMR8,
        0x8A if !reg => MovR8M,
        0x88..=0x8B => MovRm,
        0xB8..=0xBF if o32 => MovR32Imm,
        0xB0..=0xBF => MovRegImm,
        0x40..=0x4F => match (o32, insn.op >= 0x48) {
            (true, false) => IncR32,
            (true, true) => DecR32,
            (false, false) => IncR16,
            (false, true) => DecR16,
        },
        0x50..=0x57 => {
            if o32 {
                PushR32
            } else {
                PushR16
            }
        }
        0x58..=0x5F => {
            if o32 {
                PopR32
            } else {
                PopR16
            }
        }
        0x70..=0x7F | 0x180..=0x18F => Jcc,
        0x85 if reg => {
            if o32 {
                TestRr32
            } else {
                TestRr16
            }
        }
        0x84 | 0x85 | 0xA8 | 0xA9 => Test,
        0x8D if !reg && o32 && base_disp_form(insn) == Some(true) => LeaR32Bd,
        0x8D if !reg => Lea,
        // Any shift or rotate of a 16- or 32-bit register by an immediate or by one.
        0xC1 if o32 && reg => ShiftR32Imm,
        0xD1 if o32 && reg => ShiftR321,
        0xC1 if !o32 && reg => ShiftR16Imm,
        0xD1 if !o32 && reg => ShiftR161,
        0xC0 | 0xC1 | 0xD0..=0xD3 => ShiftGroup,
        0xF7 if reg && insn.reg() == 4 => {
            if o32 {
                MulR32
            } else {
                MulR16
            }
        }
        0xF7 if reg && insn.reg() == 5 => {
            if o32 {
                ImulR32
            } else {
                ImulR16
            }
        }
        0xF6 | 0xF7 => Group3,
        0x69 | 0x6B if o32 => ImulR32Imm,
        0xFF if !reg && insn.reg() <= 1 => {
            if o32 {
                IncDecM32
            } else {
                IncDecM16
            }
        }
        0xFF => Group5,
        0xE8 => {
            if o32 {
                CallRel32
            } else {
                CallRel16
            }
        }
        0xC3 => {
            if o32 {
                Ret32
            } else {
                Ret16
            }
        }
        0xC2 => RetNear,
        0xE9 | 0xEB => JmpRel,
        0x90 if insn.flags & F_REP == 0 => Nop,
        0x11F => Nop,
        0xE2 if insn.addr32() => LoopEcx,
        0xE2 => LoopCx,
        0xE0..=0xE3 => Loop,
        0x1B6 | 0x1B7 if o32 => Movzx32,
        0x1AF if o32 => ImulR32Rm,
        0x1BE | 0x1BF if o32 => Movsx32,
        0x140..=0x14F if o32 => Cmov32,
        0x190..=0x19F if reg => SetccR8,
        0x100..=0x1FF => TwoByte,
        _ => General,
    }
}

/// When `insn`'s memory operand is [base + displacement], with no index: whether its address
/// is 32-bit.
fn base_disp_form(insn: &Insn) -> Option<bool> {
    (insn.ea_base != NONE && insn.ea_index == NONE).then_some(insn.addr32())
}

/// The handler for an instruction with handler `first` when a Jcc follows it in the block: one
/// that runs both, so that the pair costs one dispatch and the condition reads the flags the
/// first one just recorded. `first` itself when it has no fused form.
pub(super) fn fuse(first: Handler) -> Handler {
    match first {
        CmpRr32ToReg => CmpRr32ToRegJcc,
        AluR32Imm | AddR32Imm | AndR32Imm | SubR32Imm => AluR32ImmJcc,
        CmpR32Imm => CmpR32ImmJcc,
        CmpRr32ToRm => CmpRr32ToRmJcc,
        TestRr32 => TestRr32Jcc,
        other => other,
    }
}

/// Whether `handler` is a Jcc's.
pub(super) fn is_jcc(handler: Handler) -> bool {
    handler == Jcc
}

impl Cpu {
    /// The handlers that take the general protocol (`general!` in `run_block_insns`), out of
    /// the block loop: they are the slow instructions, and one call keeps the loop smaller.
    #[inline(never)]
    fn run_general<B: Bus>(
        &mut self,
        bus: &mut B,
        insn: &Insn,
        handler: Handler,
    ) -> crate::Res<()> {
        match handler {
            Checked => self.execute_here(bus, insn),
            TwoByte => self.two_byte(bus, insn),
            ShiftGroup => self.shift_group(bus, insn),
            Group3 => self.group3(bus, insn),
            Group5 => self.group5(bus, insn),
            SegLoad => {
                let r = self.execute_op(bus, insn);
                self.open_windows();
                r
            }
            _ => self.execute_op(bus, insn),
        }
    }

    /// Run `block` (the first instructions of a decoded block, at least one), which starts at
    /// `eip` (its CS being 32-bit when `big`), at most `budget` instructions (REP string
    /// elements counted); returns how many retired, elements included, and whether the run
    /// loop may chain to the next block.
    ///
    /// A block whose last instruction goes back to its first (one turn of a loop, see
    /// `exec::block`) runs again from here, without going back to the run loop for the next
    /// block, while a whole turn fits in `budget`: the lookup, translation and limit check
    /// this saves cost more than the turn of a short loop.
    ///
    /// Each arm of the handler match does only the bookkeeping its kind of instruction needs,
    /// and goes straight on to the next instruction otherwise:
    /// - register-only instructions, loads and stores leave EIP alone: it is written once,
    ///   when the block stops, from the end offset each instruction carries. They change eSP
    ///   only once nothing can fault any more, so a fault restarts them with eSP as it is.
    /// - stores may have rewritten code of this block. The specialised handlers' stores can
    ///   only do so on their full path, which returns `Exception::CODE_WRITTEN` when the cache's
    ///   epoch moved (`watch_code`), so that their quick path checks nothing; the generic
    ///   handlers' stores check the epoch after the instruction;
    /// - direct jumps (Jcc, LOOP, JMP) that go where the block goes on (`BlockInsn::cont`:
    ///   the next instruction, or the target of a jump the block followed) do nothing more;
    ///   one that goes elsewhere sets EIP and stops the block. A CALL the block followed only
    ///   pushes. Other branches get EIP set to the next instruction first and stop the block
    ///   when they leave it anywhere but where it goes on;
    /// - CMP or TEST of two registers, or ALU with an immediate, followed by a Jcc (`fuse`):
    ///   one dispatch for the pair, the Jcc run right after as a direct jump (above);
    /// - everything else goes through the general protocol: EIP, the start and eSP kept for
    ///   the handler and a fault, the instruction counter brought up to date (REP, RDTSC and
    ///   the devices' clock read it), then both checks.
    ///
    /// Its machine code is sensitive to where it lands: a change that adds no instruction to a
    /// path can still slow every instruction by a quarter. Time a change against its parent with
    /// `scripts/bench-ab` (and the wasm build in Node), not only with cachegrind's counts.
    ///
    /// A load that walks the page tables may set an accessed bit in a page that holds decoded
    /// code; it does not check the epoch, which the next generic store, general instruction or
    /// the block's end does. The bytes it changes are a page-table entry's, not this block's
    /// instructions.
    #[inline(always)]
    pub(super) fn run_block_insns<B: Bus>(
        &mut self,
        bus: &mut B,
        block: &[BlockInsn],
        eip: u32,
        big: bool,
        epoch: u32,
        budget: u64,
    ) -> (u64, bool) {
        debug_assert!(self.windows_current());
        let n = block.len();
        let mask = if big { u32::MAX } else { 0xFFFF };
        // Instructions retired before this turn of the block's `i`-th; the counter itself is
        // written only where a handler may read it, and when the block stops.
        let first = self.counters.instructions;
        let mut retired = first;
        // A whole turn of a block that loops back to its start must fit before this count.
        let again_until = first + budget - n as u64;
        let mut insns = block.iter();
        // Stops the block: a fault (with the instruction's start and eSP), or an exit that
        // left EIP where it belongs and says whether the run loop may chain.
        let mut fault = None;
        let chain = loop {
            let Some(b) = insns.next() else {
                let last = &block[n - 1];
                let chains = last.chains && self.cache.epoch == epoch;
                // (Added, then taken back when the block stops: the same test written as
                // `retired + n <= again_until`, adding only on a new turn, made the native
                // benchmark 9 % slower, 0.408 against 0.373 s in `scripts/bench-ab`.)
                retired += n as u64;
                if last.cont == 0 && chains && retired <= again_until {
                    insns = block.iter();
                    continue;
                }
                retired -= n as u64;
                self.eip = eip.wrapping_add(last.cont as i32 as u32) & mask;
                break chains;
            };
            let insn = &b.insn;
            // Where this instruction ends and starts: computed only by the arms that need them.
            let next = || eip.wrapping_add(b.end as i32 as u32) & mask;
            // Where the block goes on after it: `next()` but for a transfer it followed.
            let cont = || eip.wrapping_add(b.cont as i32 as u32) & mask;
            let start = || next().wrapping_sub(insn.len as u32) & mask;
            // A handler that cannot fault returns a constant Ok, and the check folds away.
            macro_rules! plain {
                ($e:expr) => {{
                    if let Err(e) = $e {
                        fault = Some((e, start(), self.regs[super::ESP as usize]));
                        break false;
                    }
                    false
                }};
            }
            macro_rules! store {
                ($e:expr) => {{
                    plain!($e);
                    if self.cache.epoch != epoch {
                        self.eip = next();
                        break false;
                    }
                    false
                }};
            }
            macro_rules! branch {
                ($e:expr) => {{
                    self.eip = next();
                    plain!($e);
                    if self.eip != cont() {
                        break b.chains && self.cache.epoch == epoch;
                    }
                    false
                }};
            }
            macro_rules! general {
                ($e:expr) => {{
                    let esp = self.regs[super::ESP as usize];
                    self.eip = next();
                    self.insn_start = start();
                    let before = (n - insns.len() - 1) as u64;
                    self.counters.instructions = retired + before;
                    let r = $e;
                    retired = self.counters.instructions - before;
                    if let Err(e) = r {
                        fault = Some((e, start(), esp));
                        break false;
                    }
                    if self.cache.epoch != epoch {
                        break false;
                    }
                    if self.eip != cont() {
                        break b.chains;
                    }
                    false
                }};
            }
            // A direct jump (Jcc, LOOP, JMP) that is `taken` or not: when it goes where the block
            // goes on (the target of one the block followed, else the next instruction), there
            // is nothing more to do, not even EIP to set. Otherwise EIP goes where the jump
            // does (or it faults) and the block stops.
            macro_rules! follow {
                ($taken:expr, $insn:expr) => {{
                    let taken = $taken;
                    if taken != (b.cont != b.end) {
                        self.eip = next();
                        plain!(self.jump_if(taken, $insn));
                        break b.chains && self.cache.epoch == epoch;
                    }
                    false
                }};
            }
            // The first instruction of a fused pair; its Jcc runs after the match.
            macro_rules! then_jcc {
                ($e:expr) => {{
                    plain!($e);
                    true
                }};
            }
            let fused = match b.handler {
                CmpRr32ToRegJcc => then_jcc!(self.alu_rr::<7, false, 4>(insn)),
                AluR32ImmJcc => then_jcc!(self.alu_r_imm::<8, 4>(insn)),
                CmpR32ImmJcc => then_jcc!(self.alu_r_imm::<7, 4>(insn)),
                CmpRr32ToRmJcc => then_jcc!(self.alu_rr::<7, true, 4>(insn)),
                TestRr32Jcc => then_jcc!(self.test_rr::<4>(insn)),
                AluForms => store!(self.alu_forms(bus, insn)),
                AluImm => store!(self.alu_group1(bus, insn)),
                MovRm => store!(self.mov_xchg(bus, insn)),
                MovRegImm => plain!(self.mov_imm_reg(insn)),
                MovR32Imm => {
                    self.regs[(insn.op & 7) as usize] = insn.imm;
                    false
                }
                IncR32 => plain!(self.inc_dec_r::<4, false>(insn)),
                DecR32 => plain!(self.inc_dec_r::<4, true>(insn)),
                IncR16 => plain!(self.inc_dec_r::<2, false>(insn)),
                DecR16 => plain!(self.inc_dec_r::<2, true>(insn)),
                LoopCx => follow!(self.loop_dec::<2>(), insn),
                LoopEcx => follow!(self.loop_dec::<4>(), insn),
                MulR32 => plain!(self.mul_r::<4, false>(insn)),
                ImulR32 => plain!(self.mul_r::<4, true>(insn)),
                MulR16 => plain!(self.mul_r::<2, false>(insn)),
                ImulR16 => plain!(self.mul_r::<2, true>(insn)),
                AluM32R => plain!(self.alu_m_r::<4, B>(bus, insn)),
                AluM16R => plain!(self.alu_m_r::<2, B>(bus, insn)),
                AluM32Imm => plain!(self.alu_m_imm::<4, B>(bus, insn)),
                AluM16Imm => plain!(self.alu_m_imm::<2, B>(bus, insn)),
                IncDecM32 => plain!(self.inc_dec_m::<4, B>(bus, insn)),
                IncDecM16 => plain!(self.inc_dec_m::<2, B>(bus, insn)),
                Movsx32 => plain!(self.movsx32(bus, insn)),
                Cmov32 => plain!(self.cmov32(bus, insn)),
                SetccR8 => plain!(self.setcc_r8(insn)),
                TestRr32 => plain!(self.test_rr::<4>(insn)),
                TestRr16 => plain!(self.test_rr::<2>(insn)),
                ImulR32Rm => plain!(self.imul_r32::<false, B>(bus, insn)),
                ImulR32Imm => plain!(self.imul_r32::<true, B>(bus, insn)),
                Jcc => follow!(self.flags.condition((insn.op & 0xF) as u8), insn),
                Test => plain!(self.test_forms(bus, insn)),
                Lea => plain!(self.lea(insn)),
                MovR32M => plain!(self.mov_r_m::<4, ANY_FORM, B>(bus, insn)),
                MovMR32 => plain!(self.mov_m_r::<4, ANY_FORM, B>(bus, insn)),
                MovR32MBd => plain!(self.mov_r_m::<4, 4, B>(bus, insn)),
                MovMR32Bd => plain!(self.mov_m_r::<4, 4, B>(bus, insn)),
                MovR16M => plain!(self.mov_r_m::<2, ANY_FORM, B>(bus, insn)),
                MovMR16 => plain!(self.mov_m_r::<2, ANY_FORM, B>(bus, insn)),
                MovR16MBd => plain!(self.mov_r_m::<2, 2, B>(bus, insn)),
                MovMR16Bd => plain!(self.mov_m_r::<2, 2, B>(bus, insn)),
                MovR8M => plain!(self.mov_r_m::<1, ANY_FORM, B>(bus, insn)),
                MovMR8 => plain!(self.mov_m_r::<1, ANY_FORM, B>(bus, insn)),
                MovRr32ToRm => plain!(self.mov_rr::<4, true>(insn)),
                MovRr32ToReg => plain!(self.mov_rr::<4, false>(insn)),
                MovRr16ToRm => plain!(self.mov_rr::<2, true>(insn)),
                MovRr16ToReg => plain!(self.mov_rr::<2, false>(insn)),
                AluR32M => plain!(self.alu_r_m::<4, B>(bus, insn)),
                AluR16M => plain!(self.alu_r_m::<2, B>(bus, insn)),
                AluR32Imm => plain!(self.alu_r_imm::<8, 4>(insn)),
                AddR16Imm => plain!(self.alu_r_imm::<0, 2>(insn)),
                AndR16Imm => plain!(self.alu_r_imm::<4, 2>(insn)),
                SubR16Imm => plain!(self.alu_r_imm::<5, 2>(insn)),
                CmpR16Imm => plain!(self.alu_r_imm::<7, 2>(insn)),
                LeaR32Bd => plain!(self.lea_r32_bd(insn)),
                AddR32Imm => plain!(self.alu_r_imm::<0, 4>(insn)),
                AndR32Imm => plain!(self.alu_r_imm::<4, 4>(insn)),
                SubR32Imm => plain!(self.alu_r_imm::<5, 4>(insn)),
                CmpR32Imm => plain!(self.alu_r_imm::<7, 4>(insn)),
                AluR16Imm => plain!(self.alu_r_imm::<8, 2>(insn)),
                ShiftR32Imm => plain!(self.shift_r32::<false>(insn)),
                ShiftR321 => plain!(self.shift_r32::<true>(insn)),
                ShiftR16Imm => plain!(self.shift_r16::<false>(insn)),
                ShiftR161 => plain!(self.shift_r16::<true>(insn)),
                Movzx32 => plain!(self.movzx32(bus, insn)),
                PushR32 => plain!(self.push_r::<4, B>(bus, insn)),
                PopR32 => plain!(self.pop_r::<4, B>(bus, insn)),
                PushR16 => plain!(self.push_r::<2, B>(bus, insn)),
                PopR16 => plain!(self.pop_r::<2, B>(bus, insn)),
                // A CALL the block followed only pushes: its target is where the block goes on
                // (and where the run does, when the push rewrote code and the block stops).
                CallRel32 if b.cont != b.end => {
                    plain!(self.push_watched::<4, B>(bus, next()))
                }
                CallRel16 if b.cont != b.end => {
                    plain!(self.push_watched::<2, B>(bus, next()))
                }
                CallRel32 => branch!(self.call_rel::<4, B>(bus, insn)),
                CallRel16 => branch!(self.call_rel::<2, B>(bus, insn)),
                Ret32 => branch!(self.ret::<4, B>(bus)),
                Ret16 => branch!(self.ret::<2, B>(bus)),
                RetNear => branch!(self.ret_near(bus, insn)),
                JmpRel => follow!(true, insn),
                Nop => false,
                Loop => branch!(self.loop_jcxz(insn)),
                AddRr32ToRm => plain!(self.alu_rr::<0, true, 4>(insn)),
                AddRr32ToReg => plain!(self.alu_rr::<0, false, 4>(insn)),
                AddRr16ToRm => plain!(self.alu_rr::<0, true, 2>(insn)),
                AddRr16ToReg => plain!(self.alu_rr::<0, false, 2>(insn)),
                OrRr32ToRm => plain!(self.alu_rr::<1, true, 4>(insn)),
                OrRr32ToReg => plain!(self.alu_rr::<1, false, 4>(insn)),
                OrRr16ToRm => plain!(self.alu_rr::<1, true, 2>(insn)),
                OrRr16ToReg => plain!(self.alu_rr::<1, false, 2>(insn)),
                AdcRr32ToRm => plain!(self.alu_rr::<2, true, 4>(insn)),
                AdcRr32ToReg => plain!(self.alu_rr::<2, false, 4>(insn)),
                AdcRr16ToRm => plain!(self.alu_rr::<2, true, 2>(insn)),
                AdcRr16ToReg => plain!(self.alu_rr::<2, false, 2>(insn)),
                SbbRr32ToRm => plain!(self.alu_rr::<3, true, 4>(insn)),
                SbbRr32ToReg => plain!(self.alu_rr::<3, false, 4>(insn)),
                SbbRr16ToRm => plain!(self.alu_rr::<3, true, 2>(insn)),
                SbbRr16ToReg => plain!(self.alu_rr::<3, false, 2>(insn)),
                AndRr32ToRm => plain!(self.alu_rr::<4, true, 4>(insn)),
                AndRr32ToReg => plain!(self.alu_rr::<4, false, 4>(insn)),
                AndRr16ToRm => plain!(self.alu_rr::<4, true, 2>(insn)),
                AndRr16ToReg => plain!(self.alu_rr::<4, false, 2>(insn)),
                SubRr32ToRm => plain!(self.alu_rr::<5, true, 4>(insn)),
                SubRr32ToReg => plain!(self.alu_rr::<5, false, 4>(insn)),
                SubRr16ToRm => plain!(self.alu_rr::<5, true, 2>(insn)),
                SubRr16ToReg => plain!(self.alu_rr::<5, false, 2>(insn)),
                XorRr32ToRm => plain!(self.alu_rr::<6, true, 4>(insn)),
                XorRr32ToReg => plain!(self.alu_rr::<6, false, 4>(insn)),
                XorRr16ToRm => plain!(self.alu_rr::<6, true, 2>(insn)),
                XorRr16ToReg => plain!(self.alu_rr::<6, false, 2>(insn)),
                CmpRr32ToRm => plain!(self.alu_rr::<7, true, 4>(insn)),
                CmpRr32ToReg => plain!(self.alu_rr::<7, false, 4>(insn)),
                CmpRr16ToRm => plain!(self.alu_rr::<7, true, 2>(insn)),
                CmpRr16ToReg => plain!(self.alu_rr::<7, false, 2>(insn)),
                // General, Checked, SegLoad and the groups' handlers: one arm, one copy of
                // the general protocol, and the call out of line.
                General | Checked | SegLoad | TwoByte | ShiftGroup | Group3 | Group5 => {
                    general!(self.run_general(bus, insn, b.handler))
                }
            };
            // The Jcc after the first instruction of a fused pair (`fuse`), unless the block
            // was cut short between them: one copy of it for every pair.
            if fused {
                if let Some(j) = insns.next() {
                    let taken = self.flags.condition((j.insn.op & 0xF) as u8);
                    if taken != (j.cont != j.end) {
                        let next = eip.wrapping_add(j.end as i32 as u32) & mask;
                        self.eip = next;
                        if let Err(e) = self.jump_if(taken, &j.insn) {
                            let start = next.wrapping_sub(j.insn.len as u32) & mask;
                            fault = Some((e, start, self.regs[super::ESP as usize]));
                            break false;
                        }
                        break j.chains && self.cache.epoch == epoch;
                    }
                }
            }
        };
        let i = n - insns.len();
        self.counters.instructions = retired + i as u64;
        let ran = self.counters.instructions - first;
        if let Some((e, start, esp)) = fault {
            if e == crate::Exception::CODE_WRITTEN {
                // Not a fault: a store rewrote decoded code (`watch_code`), and its instruction
                // is done. The block stops after it, where the block went on.
                let b = &block[i - 1];
                self.eip = eip.wrapping_add(b.cont as i32 as u32) & mask;
                return (ran, false);
            }
            self.insn_start = start;
            self.insn_esp = esp;
            self.raise(bus, e);
            return (ran, false);
        }
        (ran, chain)
    }
}
