//! Running from decoded blocks: the fast path of the run loop.
//!
//! A block is a run of instructions decoded from one physical page, in the order they are
//! expected to run. It ends after an instruction that may change more than registers, flags
//! and data memory (a far or indirect transfer, a segment load of SS, a flags load, I/O, a
//! control-register write...), at the page's end, at the CS limit, or after [`BLOCK_MAX`]
//! instructions. It goes on through the direct transfers whose target is in the same page:
//! near JMP and CALL to their target, a RET from a CALL it followed to the instruction after
//! the CALL, a backward Jcc or LOOP to its target (loops are taken more often than not), any
//! other Jcc to the instruction after it. A transfer that goes elsewhere at run time stops
//! the block, as any taken branch did before blocks followed them. A jump back to an
//! instruction the block already holds closes a loop, and the block ends with it: the next
//! block starts at the loop's head and holds one turn of it, which the block loop runs again
//! without leaving (`run_block_insns`) while the loop is taken.
//!
//! The loop stops early when an instruction leaves EIP anywhere but where the block goes on
//! after it (a branch that went the other way, a REP iteration, a fault), invalidates decoded
//! code (the cache's epoch moves) or asks the run loop to stop (FERR#, a BIOS call).

use super::dispatch::{fuse, is_jcc, resolve};
use super::CS;
use crate::bus::Bus;
use crate::cache::{BlockInsn, Span, BLOCK_MAX};
use crate::decode::{self, Insn, F_INVALID};
use crate::model::Model;
use crate::paging::Access;
use crate::Cpu;

/// Whether execution may go on to the next instruction of a block after `insn`.
fn continues_block(insn: &Insn) -> bool {
    if insn.flags & F_INVALID != 0 {
        return false;
    }
    match insn.op {
        // ALU, INC/DEC, PUSH/POP of registers and ES/CS/SS/DS pushes, ES/DS pops.
        0x00..=0x07 | 0x08..=0x0E | 0x10..=0x16 | 0x18..=0x1F => insn.op != 0x17,
        0x20..=0x3F => true,
        0x40..=0x63 => true,
        0x68..=0x6B => true,
        // Jcc: a taken branch stops the loop by its EIP; a fall-through goes on.
        0x70..=0x7F => true,
        0x80..=0x8D => true,
        // MOV to a segment register: SS holds off interrupts for an instruction, and on the
        // 8086 MOV CS is a jump.
        0x8E => !matches!(insn.reg(), 1 | 2),
        0x8F..=0x99 => true,
        0x9B => true,
        0x9E..=0xAF => true,
        0xB0..=0xC1 => true,
        0xC4..=0xC9 => true,
        0xD0..=0xDF => true,
        0xE0..=0xE3 => true,
        0xF5..=0xF7 => true,
        0xF8 | 0xF9 | 0xFC | 0xFD | 0xFE => true,
        // Group 5: INC, DEC and PUSH; the calls and jumps end the block.
        0xFF => matches!(insn.reg(), 0 | 1 | 6),
        // Two-byte opcodes: CMOVcc, Jcc, SETcc, PUSH/POP FS/GS, CPUID, bit operations, SHLD,
        // SHRD, IMUL, CMPXCHG, LFS/LGS, MOVZX/MOVSX, XADD, CMPXCHG8B, BSWAP, RDTSC, long NOP.
        0x11F | 0x131 => true,
        0x140..=0x14F | 0x180..=0x19F => true,
        0x1A0..=0x1A5 | 0x1A8..=0x1AD | 0x1AF..=0x1B1 | 0x1B3..=0x1BF => true,
        0x1C0 | 0x1C1 | 0x1C7..=0x1CF => true,
        _ => false,
    }
}

/// Whether the run loop may go straight on to the next block after `insn`, the last one a
/// block ran, without the checks of `Cpu::run` between blocks: true when `insn` changes nothing
/// those checks look at (interrupt flag and inhibition, TF/RF, debug registers, HLT, the
/// devices' interrupt line, which moves only on I/O). That is every instruction a block goes on
/// after, and the near jumps, calls and returns.
fn chains(insn: &Insn) -> bool {
    continues_block(insn)
        || match insn.op {
            0xC2 | 0xC3 | 0xE8 | 0xE9 | 0xEB => true,
            0xFF => matches!(insn.reg(), 2 | 4),
            _ => false,
        }
}

impl Cpu {
    /// Execute blocks from CS:EIP, at most `left` instructions; returns how many were retired
    /// (at least one). Goes on from block to block while each one ends in a way that [`chains`]
    /// allows and nothing moved the cache's epoch; falls back to one plain step when there is
    /// no block to run.
    #[inline]
    pub(crate) fn run_block<B: Bus>(&mut self, bus: &mut B, left: u64) -> u64 {
        let cs = &self.segs[CS as usize];
        // Blocks chain only through near transfers, so CS stays as it is.
        let (big, limit, base) = (cs.big(), cs.limit, cs.base);
        let epoch = self.cache.epoch;
        // The segments may have changed since the last run (far transfers, interrupts...).
        self.open_windows();
        let mut done = 0;
        // The linear and physical page of the last block: a chain changes neither the mapping
        // nor the privilege (no CR3 or CR0 write, no INVLPG, no far transfer chains), so a
        // block on the same linear page needs no translation. (1: no page yet.)
        let (mut lin_page, mut phys_page) = (1, 0);
        // The decoded instructions, held for the whole chain (given back only to insert one).
        let mut arena = self.cache.block_insns();
        // Instructions run from blocks that were already decoded, counted once at the end.
        let mut hits = 0;
        let retired = loop {
            let eip = self.eip;
            let lin = base.wrapping_add(eip);
            let phys = if lin & !0xFFF == lin_page {
                phys_page | (lin & 0xFFF)
            } else {
                let Ok(phys) = self.translate(bus, lin, Access::Execute) else {
                    self.step_plain(bus);
                    break done + 1;
                };
                (lin_page, phys_page) = (lin & !0xFFF, phys & !0xFFF);
                phys
            };
            let cached = self.cache.find_block(phys, big);
            let fresh = cached.is_none();
            let found = match cached {
                Some(b) => Some(b),
                None => {
                    // Inserting changes the arena, which no one else may hold then (it would
                    // be copied).
                    drop(arena);
                    let built = self.build_block(bus, phys, big);
                    arena = self.cache.block_insns();
                    built
                }
            };
            let Some((first, count, span)) = found else {
                self.step_plain(bus);
                break done + 1;
            };
            // The whole block lies inside the CS limit: eip + lo >= 0 and eip + hi - 1 <= limit.
            if (eip as i64 + span.lo as i64) < 0 || eip as u64 + (span.hi - 1) as u64 > limit as u64
            {
                self.step_plain(bus);
                break done + 1;
            }
            let n = (count as u64).min(left - done) as usize;
            let block = &arena[first..first + n];
            let (ran, chain) = self.run_block_insns(bus, block, eip, big, epoch, left - done);
            if !fresh {
                hits += ran;
            }
            done += ran;
            // (A REP string instruction counts each element, so `done` may pass `left`.)
            if !chain || done >= left {
                break done;
            }
        };
        self.counters.cache_hits += hits;
        retired
    }

    /// Decode the block that starts at `phys` (CS:EIP) and store it. None when its first
    /// instruction cannot be decoded from this page alone (it crosses the page or the CS
    /// limit, or fetching it faults): the plain path deals with those.
    ///
    /// A block follows its direct transfers when their target lies in the same page (see
    /// [`followed`]): it goes on at the target of a near JMP or CALL, at the instruction after
    /// the CALL for a RET that returns from a call it followed, and at the target of a backward
    /// Jcc or LOOP (a loop is taken more often than not). Each instruction records where the
    /// block goes on after it (`BlockInsn::cont`); when it goes anywhere else at run time, the
    /// block stops there, as after any taken branch.
    #[cold]
    fn build_block<B: Bus>(
        &mut self,
        bus: &mut B,
        phys: u32,
        big: bool,
    ) -> Option<(usize, usize, Span)> {
        let model = self.model;
        let limit = self.segs[CS as usize].limit;
        let eip = self.eip;
        let page = phys & !0xFFF;
        let start = (phys & 0xFFF) as i32;
        let mut insns = [BlockInsn::default(); BLOCK_MAX];
        let mut count = 0;
        // The next instruction's offset from the block's first byte, and the span so far.
        let mut pos: i32 = 0;
        let mut span = Span { lo: 0, hi: 0 };
        // Where the CALLs this block followed return to (the innermost last).
        let mut returns = [0i32; 4];
        let mut depth = 0;
        // Where each instruction so far starts: a jump back to one of them closes a loop.
        let mut starts = [0i32; BLOCK_MAX];
        while count < BLOCK_MAX {
            let decoded = decode::decode(model, big, |i| {
                let at = start + pos + i as i32;
                let off = eip.wrapping_add((pos + i as i32) as u32);
                // (The 8086 wraps IP inside an instruction; the plain path handles that.)
                if !(0..0x1000).contains(&at)
                    || off > limit
                    || (model < Model::I286 && off > 0xFFFF)
                {
                    return Err(super::gp0());
                }
                Ok(bus.read8(page | at as u32))
            });
            let Ok(insn) = decoded else { break };
            let end = pos + insn.len as i32;
            let in_page = |off: i32| (0..0x1000).contains(&(start + off));
            let target = end.wrapping_add(insn.imm as i32);
            starts[count] = pos;
            // A jump back to an instruction of this block closes a loop: the block ends there,
            // so that the loop's head starts a block of its own, one turn of the loop, which
            // the block loop runs again without leaving it (`run_block_insns`).
            let closes_loop =
                insn.op != 0xE8 && (insn.imm as i32) < 0 && starts[..=count].contains(&target);
            let cont = match followed(&insn) {
                // (Not one of the other operand size: its target is cut to that size, and the
                // block loop takes a followed jump's target to be where the block goes on.)
                Follow::Target if in_page(target) && insn.op32() == big => {
                    if insn.op == 0xE8 {
                        if depth == returns.len() {
                            returns.copy_within(1.., 0);
                            depth -= 1;
                        }
                        returns[depth] = end;
                        depth += 1;
                    }
                    Some(target)
                }
                Follow::Return if depth > 0 => {
                    depth -= 1;
                    Some(returns[depth]).filter(|&at| in_page(at))
                }
                _ => None,
            };
            insns[count] = BlockInsn {
                insn,
                end: end as i16,
                cont: cont.unwrap_or(end) as i16,
                handler: resolve(&insn),
                chains: chains(&insn),
            };
            count += 1;
            span.lo = span.lo.min(pos as i16);
            span.hi = span.hi.max(end as i16);
            match cont {
                Some(_) if closes_loop => break,
                Some(at) => pos = at,
                None if continues_block(&insn) => pos = end,
                None => break,
            }
        }
        if count == 0 {
            return None;
        }
        for i in 1..count {
            if is_jcc(insns[i].handler) {
                insns[i - 1].handler = fuse(insns[i - 1].handler);
            }
        }
        self.counters.cache_misses += count as u64;
        self.code_in_page(phys);
        let first = self.cache.insert_block(phys, big, &insns[..count], span);
        Some((first, count, span))
    }
}

/// Which direct transfers a block may go on through (`Cpu::build_block`).
enum Follow {
    No,
    /// To the target: near JMP and CALL, and a backward Jcc or LOOP.
    Target,
    /// To where the CALL it returns from, if the block followed it, returns.
    Return,
}

fn followed(insn: &Insn) -> Follow {
    let backward = (insn.imm as i32) < 0;
    match insn.op {
        0xE8 | 0xE9 | 0xEB => Follow::Target,
        0x70..=0x7F | 0x180..=0x18F | 0xE0..=0xE2 if backward => Follow::Target,
        0xC2 | 0xC3 => Follow::Return,
        _ => Follow::No,
    }
}
