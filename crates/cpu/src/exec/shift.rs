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
        let count = if self.model >= Model::I186 {
            count & 0x1F
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
                        let wide = v << count;
                        let r = wide & m;
                        let cf = (wide >> bits) & 1;
                        (r, cf, msb(r) ^ cf)
                    }
                    5 => {
                        let r = v >> count;
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
