//! The handlers of a block's instructions, chosen when the block is decoded: `resolve` picks one
//! for each instruction (and `fuse` one for a flag-setting instruction and the Jcc after it),
//! and `run_block_insns`, the block loop, calls it past the general dispatcher (`execute`): no
//! opcode match, and no LOCK or invalid-opcode check (done once, here). The commonest forms go
//! to handlers specialised for their operand size and kind (`fast.rs`); the rest to their
//! instruction group's handler.

use super::fast::ANY_FORM;
use crate::bus::Bus;
use crate::cache::BlockInsn;
use crate::decode::{Insn, F_INVALID, F_LOCK, NONE};
use crate::Cpu;

/// Anything else: `execute_op`, the general opcode match.
const GENERAL: u8 = 0;
/// An invalid opcode or a LOCK prefix: the checks of `execute_here` first.
const CHECKED: u8 = 1;
const ALU_FORMS: u8 = 2;
const ALU_IMM: u8 = 3;
const MOV_RM: u8 = 4;
const MOV_REG_IMM: u8 = 5;
const JCC: u8 = 7;
const TEST: u8 = 8;
const LEA: u8 = 9;
const MOV_R32_M: u8 = 10;
const MOV_M_R32: u8 = 11;
const MOV_R16_M: u8 = 12;
const MOV_M_R16: u8 = 13;
const MOV_R8_M: u8 = 14;
const MOV_M_R8: u8 = 15;
const MOV_RR32_TO_RM: u8 = 16;
const MOV_RR32_TO_REG: u8 = 17;
const MOV_RR16_TO_RM: u8 = 18;
const MOV_RR16_TO_REG: u8 = 19;
const ALU_R32_M: u8 = 20;
const ALU_R16_M: u8 = 21;
const ALU_R32_IMM: u8 = 22;
const ALU_R16_IMM: u8 = 23;
const SHIFT_R32_IMM: u8 = 24;
const SHIFT_R32_1: u8 = 25;
const SHIFT_R16_IMM: u8 = 26;
const SHIFT_R16_1: u8 = 27;
const MOVZX32: u8 = 28;
const PUSH_R32: u8 = 29;
const POP_R32: u8 = 30;
const PUSH_R16: u8 = 31;
const POP_R16: u8 = 32;
const CALL_REL32: u8 = 33;
const CALL_REL16: u8 = 34;
const RET32: u8 = 35;
const RET16: u8 = 36;
const SHIFT_GROUP: u8 = 37;
const GROUP3: u8 = 38;
const GROUP5: u8 = 39;
const RET_NEAR: u8 = 40;
const JMP_REL: u8 = 41;
const LOOP: u8 = 42;
const TWO_BYTE: u8 = 43;
const INC_R32: u8 = 44;
const DEC_R32: u8 = 45;
const INC_R16: u8 = 46;
const DEC_R16: u8 = 47;
const LOOP_CX: u8 = 48;
const LOOP_ECX: u8 = 49;
const MUL_R32: u8 = 50;
const IMUL_R32: u8 = 51;
const IMUL_R32_RM: u8 = 52;
const IMUL_R32_IMM: u8 = 53;
const MUL_R16: u8 = 54;
const IMUL_R16: u8 = 55;
const ALU_M32_R: u8 = 56;
const ALU_M16_R: u8 = 57;
const ALU_M32_IMM: u8 = 58;
const ALU_M16_IMM: u8 = 59;
const INC_DEC_M32: u8 = 60;
const INC_DEC_M16: u8 = 61;
const MOVSX32: u8 = 62;
const CMOV32: u8 = 63;
// ALU between two registers of 32 (then 16) bits, with the r/m register or the reg field as
// destination: ALU_RR + 4 * operation + 2 * (16-bit) + (1 when the reg field is the destination).
const ALU_RR: u8 = 64;
const ADD_RR32_TO_RM: u8 = 64;
const ADD_RR32_TO_REG: u8 = 65;
const ADD_RR16_TO_RM: u8 = 66;
const ADD_RR16_TO_REG: u8 = 67;
const OR_RR32_TO_RM: u8 = 68;
const OR_RR32_TO_REG: u8 = 69;
const OR_RR16_TO_RM: u8 = 70;
const OR_RR16_TO_REG: u8 = 71;
const ADC_RR32_TO_RM: u8 = 72;
const ADC_RR32_TO_REG: u8 = 73;
const ADC_RR16_TO_RM: u8 = 74;
const ADC_RR16_TO_REG: u8 = 75;
const SBB_RR32_TO_RM: u8 = 76;
const SBB_RR32_TO_REG: u8 = 77;
const SBB_RR16_TO_RM: u8 = 78;
const SBB_RR16_TO_REG: u8 = 79;
const AND_RR32_TO_RM: u8 = 80;
const AND_RR32_TO_REG: u8 = 81;
const AND_RR16_TO_RM: u8 = 82;
const AND_RR16_TO_REG: u8 = 83;
const SUB_RR32_TO_RM: u8 = 84;
const SUB_RR32_TO_REG: u8 = 85;
const SUB_RR16_TO_RM: u8 = 86;
const SUB_RR16_TO_REG: u8 = 87;
const XOR_RR32_TO_RM: u8 = 88;
const XOR_RR32_TO_REG: u8 = 89;
const XOR_RR16_TO_RM: u8 = 90;
const XOR_RR16_TO_REG: u8 = 91;
const CMP_RR32_TO_RM: u8 = 92;
const CMP_RR32_TO_REG: u8 = 93;
const CMP_RR16_TO_RM: u8 = 94;
const CMP_RR16_TO_REG: u8 = 95;
// After the ALU_RR range.
const SETCC_R8: u8 = 96;
const TEST_RR32: u8 = 97;
const TEST_RR16: u8 = 98;
// A flag-setting instruction whose Jcc comes next in the block: one dispatch for both (`fuse`).
const CMP_RR32_TO_RM_JCC: u8 = 99;
const CMP_RR32_TO_REG_JCC: u8 = 100;
const TEST_RR32_JCC: u8 = 101;
const ALU_R32_IMM_JCC: u8 = 102;
// ALU r32, imm for the commonest operations, on their own (the rest: ALU_R32_IMM).
const ADD_R32_IMM: u8 = 103;
const AND_R32_IMM: u8 = 104;
const SUB_R32_IMM: u8 = 105;
const CMP_R32_IMM: u8 = 106;
const CMP_R32_IMM_JCC: u8 = 107;
// An instruction that loads a segment register: the general path, then the segment windows
// made again (`window.rs`).
const SEG_LOAD: u8 = 108;
// MOV between a register and memory at [base + displacement] (`base_disp_form`): 32-bit
// registers with 32-bit addresses, 16-bit ones with 16-bit addresses.
const MOV_R32_M_BD: u8 = 109;
const MOV_M_R32_BD: u8 = 110;
const MOV_R16_M_BD: u8 = 111;
const MOV_M_R16_BD: u8 = 112;

/// The handler for `insn` (see above).
pub(super) fn resolve(insn: &Insn) -> u8 {
    if insn.flags & (F_INVALID | F_LOCK) != 0 {
        return CHECKED;
    }
    let o32 = insn.op32();
    let reg = insn.rm_is_reg();
    match insn.op {
        // POP ES/SS/DS, MOV Sreg, LES, LDS, POP FS/GS, LSS, LFS, LGS.
        0x07 | 0x17 | 0x1F | 0x8E | 0xC4 | 0xC5 | 0x1A1 | 0x1A9 | 0x1B2 | 0x1B4 | 0x1B5 => SEG_LOAD,
        // ADD..CMP in their r/m forms between two registers of 16 or 32 bits.
        0x00..=0x3F if insn.op & 7 < 4 && insn.op & 1 == 1 && reg => {
            ALU_RR + 4 * (insn.op >> 3) as u8 + 2 * (!o32) as u8 + ((insn.op & 2) >> 1) as u8
        }
        0x00..=0x3F if insn.op & 7 == 1 => {
            if o32 {
                ALU_M32_R
            } else {
                ALU_M16_R
            }
        }
        0x00..=0x3F if insn.op & 7 == 3 => {
            if o32 {
                ALU_R32_M
            } else {
                ALU_R16_M
            }
        }
        // ADD..CMP in their r/m and accumulator forms (not the segment pushes, pops, BCD).
        0x00..=0x3F if insn.op & 7 < 6 => ALU_FORMS,
        0x81 | 0x83 if reg => match (o32, insn.reg()) {
            (true, 0) => ADD_R32_IMM,
            (true, 4) => AND_R32_IMM,
            (true, 5) => SUB_R32_IMM,
            (true, 7) => CMP_R32_IMM,
            (true, _) => ALU_R32_IMM,
            (false, _) => ALU_R16_IMM,
        },
        0x81 | 0x83 => {
            if o32 {
                ALU_M32_IMM
            } else {
                ALU_M16_IMM
            }
        }
        0x80 => ALU_IMM,
        0x89 if reg => {
            if o32 {
                MOV_RR32_TO_RM
            } else {
                MOV_RR16_TO_RM
            }
        }
        0x8B if reg => {
            if o32 {
                MOV_RR32_TO_REG
            } else {
                MOV_RR16_TO_REG
            }
        }
        0x89 if !reg && base_disp_form(insn) == Some(o32) => {
            if o32 {
                MOV_M_R32_BD
            } else {
                MOV_M_R16_BD
            }
        }
        0x8B if !reg && base_disp_form(insn) == Some(o32) => {
            if o32 {
                MOV_R32_M_BD
            } else {
                MOV_R16_M_BD
            }
        }
        0x89 => {
            if o32 {
                MOV_M_R32
            } else {
                MOV_M_R16
            }
        }
        0x8B => {
            if o32 {
                MOV_R32_M
            } else {
                MOV_R16_M
            }
        }
        0x88 if !reg => MOV_M_R8,
        0x8A if !reg => MOV_R8_M,
        0x88..=0x8B => MOV_RM,
        0xB0..=0xBF => MOV_REG_IMM,
        0x40..=0x4F => match (o32, insn.op >= 0x48) {
            (true, false) => INC_R32,
            (true, true) => DEC_R32,
            (false, false) => INC_R16,
            (false, true) => DEC_R16,
        },
        0x50..=0x57 => {
            if o32 {
                PUSH_R32
            } else {
                PUSH_R16
            }
        }
        0x58..=0x5F => {
            if o32 {
                POP_R32
            } else {
                POP_R16
            }
        }
        0x70..=0x7F | 0x180..=0x18F => JCC,
        0x85 if reg => {
            if o32 {
                TEST_RR32
            } else {
                TEST_RR16
            }
        }
        0x84 | 0x85 | 0xA8 | 0xA9 => TEST,
        0x8D if !reg => LEA,
        // Any shift or rotate of a 16- or 32-bit register by an immediate or by one.
        0xC1 if o32 && reg => SHIFT_R32_IMM,
        0xD1 if o32 && reg => SHIFT_R32_1,
        0xC1 if !o32 && reg => SHIFT_R16_IMM,
        0xD1 if !o32 && reg => SHIFT_R16_1,
        0xC0 | 0xC1 | 0xD0..=0xD3 => SHIFT_GROUP,
        0xF7 if reg && insn.reg() == 4 => {
            if o32 {
                MUL_R32
            } else {
                MUL_R16
            }
        }
        0xF7 if reg && insn.reg() == 5 => {
            if o32 {
                IMUL_R32
            } else {
                IMUL_R16
            }
        }
        0xF6 | 0xF7 => GROUP3,
        0x69 | 0x6B if o32 => IMUL_R32_IMM,
        0xFF if !reg && insn.reg() <= 1 => {
            if o32 {
                INC_DEC_M32
            } else {
                INC_DEC_M16
            }
        }
        0xFF => GROUP5,
        0xE8 => {
            if o32 {
                CALL_REL32
            } else {
                CALL_REL16
            }
        }
        0xC3 => {
            if o32 {
                RET32
            } else {
                RET16
            }
        }
        0xC2 => RET_NEAR,
        0xE9 | 0xEB => JMP_REL,
        0xE2 if insn.addr32() => LOOP_ECX,
        0xE2 => LOOP_CX,
        0xE0..=0xE3 => LOOP,
        0x1B6 | 0x1B7 if o32 => MOVZX32,
        0x1AF if o32 => IMUL_R32_RM,
        0x1BE | 0x1BF if o32 => MOVSX32,
        0x140..=0x14F if o32 => CMOV32,
        0x190..=0x19F if reg => SETCC_R8,
        0x100..=0x1FF => TWO_BYTE,
        _ => GENERAL,
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
pub(super) fn fuse(first: u8) -> u8 {
    match first {
        CMP_RR32_TO_REG => CMP_RR32_TO_REG_JCC,
        ALU_R32_IMM | ADD_R32_IMM | AND_R32_IMM | SUB_R32_IMM => ALU_R32_IMM_JCC,
        CMP_R32_IMM => CMP_R32_IMM_JCC,
        CMP_RR32_TO_RM => CMP_RR32_TO_RM_JCC,
        TEST_RR32 => TEST_RR32_JCC,
        other => other,
    }
}

/// Whether `handler` is a Jcc's.
pub(super) fn is_jcc(handler: u8) -> bool {
    handler == JCC
}

impl Cpu {
    /// The handlers that take the general protocol (`general!` in `run_block_insns`), out of
    /// the block loop: they are the slow instructions, and one call keeps the loop smaller.
    #[inline(never)]
    fn run_general<B: Bus>(&mut self, bus: &mut B, insn: &Insn, handler: u8) -> crate::Res<()> {
        match handler {
            CHECKED => self.execute_here(bus, insn),
            TWO_BYTE => self.two_byte(bus, insn),
            SHIFT_GROUP => self.shift_group(bus, insn),
            GROUP3 => self.group3(bus, insn),
            GROUP5 => self.group5(bus, insn),
            SEG_LOAD => {
                let r = self.execute_op(bus, insn);
                self.open_windows();
                r
            }
            _ => self.execute_op(bus, insn),
        }
    }

    /// Run `block` (the first instructions of a decoded block, at least one), which starts at
    /// `eip` (its CS being 32-bit when `big`); returns how many retired and whether the run
    /// loop may chain to the next block.
    ///
    /// Each arm of the handler match does only the bookkeeping its kind of instruction needs,
    /// and goes straight on to the next instruction otherwise:
    /// - register-only instructions, loads and stores leave EIP alone: it is written once,
    ///   when the block stops, from the end offset each instruction carries. They change eSP
    ///   only once nothing can fault any more, so a fault restarts them with eSP as it is.
    /// - stores check the cache's epoch (they may have rewritten code of this block);
    /// - branches get EIP set to the next instruction first and stop the block when they
    ///   leave it anywhere but where the block goes on (`BlockInsn::cont`: the next
    ///   instruction, or the target of a transfer the block followed);
    /// - CMP or TEST of two registers, or ALU with an immediate, followed by a Jcc (`fuse`):
    ///   one dispatch for the pair, the Jcc run right after as a branch;
    /// - everything else goes through the general protocol: EIP, the start and eSP kept for
    ///   the handler and a fault, the instruction counter brought up to date (REP, RDTSC and
    ///   the devices' clock read it), then both checks.
    ///
    /// A load that walks the page tables may set an accessed bit in a page that holds decoded
    /// code; it does not check the epoch, which the next store, general instruction or the
    /// block's end does. The bytes it changes are a page-table entry's, not this block's
    /// instructions.
    #[inline(always)]
    pub(super) fn run_block_insns<B: Bus>(
        &mut self,
        bus: &mut B,
        block: &[BlockInsn],
        eip: u32,
        big: bool,
        epoch: u32,
    ) -> (u64, bool) {
        debug_assert!(self.windows_current());
        let n = block.len();
        let mask = if big { u32::MAX } else { 0xFFFF };
        // Instructions retired before this block's `i`-th; the counter itself is written only
        // where a handler may read it, and when the block stops.
        let mut retired = self.counters.instructions;
        let mut insns = block.iter();
        // Stops the block: a fault (with the instruction's start and eSP), or an exit that
        // left EIP where it belongs and says whether the run loop may chain.
        let mut fault = None;
        let chain = loop {
            let Some(b) = insns.next() else {
                let last = &block[n - 1];
                self.eip = eip.wrapping_add(last.cont as i32 as u32) & mask;
                break last.chains && self.cache.epoch == epoch;
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
            // The first instruction of a fused pair; its Jcc runs after the match.
            macro_rules! then_jcc {
                ($e:expr) => {{
                    plain!($e);
                    true
                }};
            }
            let fused = match b.handler {
                CMP_RR32_TO_REG_JCC => then_jcc!(self.alu_rr::<7, false, 4>(insn)),
                ALU_R32_IMM_JCC => then_jcc!(self.alu_r_imm::<8, 4>(insn)),
                CMP_R32_IMM_JCC => then_jcc!(self.alu_r_imm::<7, 4>(insn)),
                CMP_RR32_TO_RM_JCC => then_jcc!(self.alu_rr::<7, true, 4>(insn)),
                TEST_RR32_JCC => then_jcc!(self.test_rr::<4>(insn)),
                ALU_FORMS => store!(self.alu_forms(bus, insn)),
                ALU_IMM => store!(self.alu_group1(bus, insn)),
                MOV_RM => store!(self.mov_xchg(bus, insn)),
                MOV_REG_IMM => plain!(self.mov_imm_reg(insn)),
                INC_R32 => plain!(self.inc_dec_r::<4, false>(insn)),
                DEC_R32 => plain!(self.inc_dec_r::<4, true>(insn)),
                INC_R16 => plain!(self.inc_dec_r::<2, false>(insn)),
                DEC_R16 => plain!(self.inc_dec_r::<2, true>(insn)),
                LOOP_CX => branch!(self.loop_count::<2>(insn)),
                LOOP_ECX => branch!(self.loop_count::<4>(insn)),
                MUL_R32 => plain!(self.mul_r::<4, false>(insn)),
                IMUL_R32 => plain!(self.mul_r::<4, true>(insn)),
                MUL_R16 => plain!(self.mul_r::<2, false>(insn)),
                IMUL_R16 => plain!(self.mul_r::<2, true>(insn)),
                ALU_M32_R => store!(self.alu_m_r::<4, B>(bus, insn)),
                ALU_M16_R => store!(self.alu_m_r::<2, B>(bus, insn)),
                ALU_M32_IMM => store!(self.alu_m_imm::<4, B>(bus, insn)),
                ALU_M16_IMM => store!(self.alu_m_imm::<2, B>(bus, insn)),
                INC_DEC_M32 => store!(self.inc_dec_m::<4, B>(bus, insn)),
                INC_DEC_M16 => store!(self.inc_dec_m::<2, B>(bus, insn)),
                MOVSX32 => plain!(self.movsx32(bus, insn)),
                CMOV32 => plain!(self.cmov32(bus, insn)),
                SETCC_R8 => plain!(self.setcc_r8(insn)),
                TEST_RR32 => plain!(self.test_rr::<4>(insn)),
                TEST_RR16 => plain!(self.test_rr::<2>(insn)),
                IMUL_R32_RM => plain!(self.imul_r32::<false, B>(bus, insn)),
                IMUL_R32_IMM => plain!(self.imul_r32::<true, B>(bus, insn)),
                JCC => branch!(self.jcc(insn)),
                TEST => plain!(self.test_forms(bus, insn)),
                LEA => plain!(self.lea(insn)),
                MOV_R32_M => plain!(self.mov_r_m::<4, ANY_FORM, B>(bus, insn)),
                MOV_M_R32 => store!(self.mov_m_r::<4, ANY_FORM, B>(bus, insn)),
                MOV_R32_M_BD => plain!(self.mov_r_m::<4, 4, B>(bus, insn)),
                MOV_M_R32_BD => store!(self.mov_m_r::<4, 4, B>(bus, insn)),
                MOV_R16_M => plain!(self.mov_r_m::<2, ANY_FORM, B>(bus, insn)),
                MOV_M_R16 => store!(self.mov_m_r::<2, ANY_FORM, B>(bus, insn)),
                MOV_R16_M_BD => plain!(self.mov_r_m::<2, 2, B>(bus, insn)),
                MOV_M_R16_BD => store!(self.mov_m_r::<2, 2, B>(bus, insn)),
                MOV_R8_M => plain!(self.mov_r_m::<1, ANY_FORM, B>(bus, insn)),
                MOV_M_R8 => store!(self.mov_m_r::<1, ANY_FORM, B>(bus, insn)),
                MOV_RR32_TO_RM => plain!(self.mov_rr::<4, true>(insn)),
                MOV_RR32_TO_REG => plain!(self.mov_rr::<4, false>(insn)),
                MOV_RR16_TO_RM => plain!(self.mov_rr::<2, true>(insn)),
                MOV_RR16_TO_REG => plain!(self.mov_rr::<2, false>(insn)),
                ALU_R32_M => plain!(self.alu_r_m::<4, B>(bus, insn)),
                ALU_R16_M => plain!(self.alu_r_m::<2, B>(bus, insn)),
                ALU_R32_IMM => plain!(self.alu_r_imm::<8, 4>(insn)),
                ADD_R32_IMM => plain!(self.alu_r_imm::<0, 4>(insn)),
                AND_R32_IMM => plain!(self.alu_r_imm::<4, 4>(insn)),
                SUB_R32_IMM => plain!(self.alu_r_imm::<5, 4>(insn)),
                CMP_R32_IMM => plain!(self.alu_r_imm::<7, 4>(insn)),
                ALU_R16_IMM => plain!(self.alu_r_imm::<8, 2>(insn)),
                SHIFT_R32_IMM => plain!(self.shift_r32::<false>(insn)),
                SHIFT_R32_1 => plain!(self.shift_r32::<true>(insn)),
                SHIFT_R16_IMM => plain!(self.shift_r16::<false>(insn)),
                SHIFT_R16_1 => plain!(self.shift_r16::<true>(insn)),
                MOVZX32 => plain!(self.movzx32(bus, insn)),
                PUSH_R32 => store!(self.push_r::<4, B>(bus, insn)),
                POP_R32 => plain!(self.pop_r::<4, B>(bus, insn)),
                PUSH_R16 => store!(self.push_r::<2, B>(bus, insn)),
                POP_R16 => plain!(self.pop_r::<2, B>(bus, insn)),
                CALL_REL32 => branch!(self.call_rel::<4, B>(bus, insn)),
                CALL_REL16 => branch!(self.call_rel::<2, B>(bus, insn)),
                RET32 => branch!(self.ret::<4, B>(bus)),
                RET16 => branch!(self.ret::<2, B>(bus)),
                RET_NEAR => branch!(self.ret_near(bus, insn)),
                JMP_REL => branch!(self.jmp_near(insn.imm, insn)),
                LOOP => branch!(self.loop_jcxz(insn)),
                ADD_RR32_TO_RM => plain!(self.alu_rr::<0, true, 4>(insn)),
                ADD_RR32_TO_REG => plain!(self.alu_rr::<0, false, 4>(insn)),
                ADD_RR16_TO_RM => plain!(self.alu_rr::<0, true, 2>(insn)),
                ADD_RR16_TO_REG => plain!(self.alu_rr::<0, false, 2>(insn)),
                OR_RR32_TO_RM => plain!(self.alu_rr::<1, true, 4>(insn)),
                OR_RR32_TO_REG => plain!(self.alu_rr::<1, false, 4>(insn)),
                OR_RR16_TO_RM => plain!(self.alu_rr::<1, true, 2>(insn)),
                OR_RR16_TO_REG => plain!(self.alu_rr::<1, false, 2>(insn)),
                ADC_RR32_TO_RM => plain!(self.alu_rr::<2, true, 4>(insn)),
                ADC_RR32_TO_REG => plain!(self.alu_rr::<2, false, 4>(insn)),
                ADC_RR16_TO_RM => plain!(self.alu_rr::<2, true, 2>(insn)),
                ADC_RR16_TO_REG => plain!(self.alu_rr::<2, false, 2>(insn)),
                SBB_RR32_TO_RM => plain!(self.alu_rr::<3, true, 4>(insn)),
                SBB_RR32_TO_REG => plain!(self.alu_rr::<3, false, 4>(insn)),
                SBB_RR16_TO_RM => plain!(self.alu_rr::<3, true, 2>(insn)),
                SBB_RR16_TO_REG => plain!(self.alu_rr::<3, false, 2>(insn)),
                AND_RR32_TO_RM => plain!(self.alu_rr::<4, true, 4>(insn)),
                AND_RR32_TO_REG => plain!(self.alu_rr::<4, false, 4>(insn)),
                AND_RR16_TO_RM => plain!(self.alu_rr::<4, true, 2>(insn)),
                AND_RR16_TO_REG => plain!(self.alu_rr::<4, false, 2>(insn)),
                SUB_RR32_TO_RM => plain!(self.alu_rr::<5, true, 4>(insn)),
                SUB_RR32_TO_REG => plain!(self.alu_rr::<5, false, 4>(insn)),
                SUB_RR16_TO_RM => plain!(self.alu_rr::<5, true, 2>(insn)),
                SUB_RR16_TO_REG => plain!(self.alu_rr::<5, false, 2>(insn)),
                XOR_RR32_TO_RM => plain!(self.alu_rr::<6, true, 4>(insn)),
                XOR_RR32_TO_REG => plain!(self.alu_rr::<6, false, 4>(insn)),
                XOR_RR16_TO_RM => plain!(self.alu_rr::<6, true, 2>(insn)),
                XOR_RR16_TO_REG => plain!(self.alu_rr::<6, false, 2>(insn)),
                CMP_RR32_TO_RM => plain!(self.alu_rr::<7, true, 4>(insn)),
                CMP_RR32_TO_REG => plain!(self.alu_rr::<7, false, 4>(insn)),
                CMP_RR16_TO_RM => plain!(self.alu_rr::<7, true, 2>(insn)),
                CMP_RR16_TO_REG => plain!(self.alu_rr::<7, false, 2>(insn)),
                // GENERAL, CHECKED, SEG_LOAD and the groups' handlers: one arm, one copy of
                // the general protocol, and the call out of line.
                other => general!(self.run_general(bus, insn, other)),
            };
            // The Jcc after the first instruction of a fused pair (`fuse`), unless the block
            // was cut short between them: one copy of it for every pair.
            if fused {
                if let Some(j) = insns.next() {
                    let next = eip.wrapping_add(j.end as i32 as u32) & mask;
                    self.eip = next;
                    if let Err(e) = self.jcc(&j.insn) {
                        let start = next.wrapping_sub(j.insn.len as u32) & mask;
                        fault = Some((e, start, self.regs[super::ESP as usize]));
                        break false;
                    }
                    if self.eip != eip.wrapping_add(j.cont as i32 as u32) & mask {
                        break j.chains && self.cache.epoch == epoch;
                    }
                }
            }
        };
        let i = n - insns.len();
        self.counters.instructions = retired + i as u64;
        if let Some((e, start, esp)) = fault {
            self.insn_start = start;
            self.insn_esp = esp;
            self.raise(bus, e);
            return (i as u64, false);
        }
        (i as u64, chain)
    }
}
