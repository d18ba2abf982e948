//! Shifts and rotates: ROL ROR RCL RCR SHL SHR SAL SAR, by 1, by CL and by an immediate.
//!
//! From the 286 on, the count is masked to five bits. A zero count changes nothing, flags
//! included. OF follows the last single-bit step, which is what the hardware vectors show for
//! counts above one.

use super::{size_mask, ECX};
use crate::bus::Bus;
use crate::decode::Insn;
use crate::flags::{LazyOp, CF, OF};
use crate::model::Model;
use crate::{Cpu, Res};

impl Cpu {
    /// C0, C1, D0-D3.
    pub(crate) fn shift_group<B: Bus>(&mut self, bus: &mut B, insn: &Insn) -> Res<()> {
        let size = if insn.op & 1 == 0 { 1 } else { insn.osize() };
        let count = match insn.op {
            0xC0 | 0xC1 => insn.imm & 0xFF,
            0xD0 | 0xD1 => 1,
            _ => self.get_reg(1, ECX),
        };
        // (The 8086 shifts by all of CL, one bit at a time: from 33 on, every bit is out and
        // a shift gives what it gives for 33. Rotates go on turning. `shift` is right for any
        // count too; with both, the native run loop keeps its place in its 64-byte line, which
        // sets its speed: PERFORMANCE.md, "Where the loop's function starts".)
        let count = if self.model >= Model::I186 {
            count & 0x1F
        } else if insn.reg() >= 4 {
            count.min(33)
        } else {
            count
        };
        let loc = self.rm_loc(insn);
        let v = self.read_loc(bus, loc, size)?;
        if count == 0 {
            return Ok(());
        }
        let r = self.shift(insn.reg(), size, v, count);
        self.write_loc(bus, loc, size, r)
    }

    /// Shift or rotate `v` (of `size` bytes) by a non-zero `count`; sets the flags.
    pub(crate) fn shift(&mut self, kind: u8, size: u32, v: u32, count: u32) -> u32 {
        let bits = size * 8;
        let m = size_mask(size) as u64;
        let v = v as u64 & m;
        let msb = |x: u64| (x >> (bits - 1)) & 1;
        match kind {
            0..=3 => {
                // Rotates change only CF and OF.
                let mut x = v;
                let mut cf = self.flags.cf() as u64;
                for _ in 0..count {
                    match kind {
                        0 => {
                            cf = msb(x);
                            x = ((x << 1) | cf) & m;
                        }
                        1 => {
                            cf = x & 1;
                            x = (x >> 1) | (cf << (bits - 1));
                        }
                        2 => {
                            let out = msb(x);
                            x = ((x << 1) | cf) & m;
                            cf = out;
                        }
                        _ => {
                            let out = x & 1;
                            x = (x >> 1) | (cf << (bits - 1));
                            cf = out;
                        }
                    }
                }
                let of = match kind {
                    0 | 2 => msb(x) ^ cf,
                    _ => msb(x) ^ ((x >> (bits - 2)) & 1),
                };
                let f = (cf as u32 * CF) | (of as u32 * OF);
                self.flags.set_masked(CF | OF, f);
                x as u32
            }
            _ => {
                let (r, cf, of) = match kind {
                    4 | 6 => {
                        let wide = v.checked_shl(count).unwrap_or(0);
                        let r = wide & m;
                        let cf = (wide >> bits) & 1;
                        (r, cf, msb(r) ^ cf)
                    }
                    5 => {
                        let r = v.checked_shr(count).unwrap_or(0);
                        let cf = if count <= 64 {
                            (v >> (count - 1)) & 1
                        } else {
                            0
                        };
                        // The last step shifts a value whose top bit is already clear, unless
                        // there was only one step.
                        let of = if count == 1 { msb(v) } else { 0 };
                        (r, cf, of)
                    }
                    _ => {
                        let sv = ((v << (64 - bits)) as i64) >> (64 - bits);
                        let r = (sv >> count.min(63)) as u64 & m;
                        let cf = ((sv >> (count - 1).min(63)) & 1) as u64;
                        (r, cf, 0)
                    }
                };
                // SZP follow the result; CF, OF as computed; AF is undefined (the 286 clears it).
                self.flags
                    .set_lazy(LazyOp::Shift, size, cf as u32, of as u32, r as u32);
                r as u32
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::bus::FlatBus;
    use crate::flags::CF;
    use crate::{Cpu, Model};

    /// `op` (D3h /reg: a shift of AX by CL) on `model`, with AX = `ax` and CL = `cl`: AX and CF.
    fn shift_ax_by_cl(model: Model, reg: u8, ax: u32, cl: u32) -> (u32, bool) {
        let mut bus = FlatBus::new(1 << 20);
        bus.ram[0x1000..0x1002].copy_from_slice(&[0xD3, 0xC0 | reg << 3]);
        let mut cpu = Cpu::new(model);
        for (r, v) in [("cs", 0), ("eip", 0x1000), ("eax", ax), ("ecx", cl)] {
            assert!(cpu.set_named(r, v));
        }
        cpu.step(&mut bus);
        assert_eq!(cpu.get_named("eip"), Some(0x1002));
        (cpu.get_named("ax").unwrap_or(0), cpu.eflags() & CF != 0)
    }

    /// The 8086 does not mask the count: SHL, SHR and SAR by 64 to 255 shift every bit out
    /// (they wrapped to a shift by the count modulo 64 before, and panicked in a debug build);
    /// the 186 on masks it to five bits.
    #[test]
    fn the_8086_shifts_by_all_of_cl() {
        for cl in [33, 64, 65, 200, 255] {
            assert_eq!(
                shift_ax_by_cl(Model::I8086, 4, 0x8001, cl),
                (0, false),
                "SHL {cl}"
            );
            assert_eq!(
                shift_ax_by_cl(Model::I8086, 5, 0x8001, cl),
                (0, false),
                "SHR {cl}"
            );
            assert_eq!(
                shift_ax_by_cl(Model::I8086, 7, 0x8001, cl),
                (0xFFFF, true),
                "SAR {cl}"
            );
        }
        assert_eq!(
            shift_ax_by_cl(Model::I8086, 4, 0x8001, 16),
            (0, true),
            "SHL 16: bit 0 out last"
        );
        // 65 & 1Fh = 1 on the 186.
        assert_eq!(shift_ax_by_cl(Model::I186, 4, 0x8001, 65), (0x0002, true));
        // RCL by 17 on a 16-bit value turns all the way round.
        assert_eq!(shift_ax_by_cl(Model::I8086, 2, 0x8001, 17), (0x8001, false));
    }
}
