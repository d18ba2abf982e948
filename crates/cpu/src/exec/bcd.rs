//! Decimal adjust instructions: DAA DAS AAA AAS AAM AAD.

use super::EAX;
use crate::decode::Insn;
use crate::flags::{LazyOp, AF, CF};
use crate::{Cpu, Exception, Res};

impl Cpu {
    /// Set SZP from AL and CF/AF as given (OF is undefined; left as the logic op leaves it).
    fn bcd_flags(&mut self, al: u32, cf: bool, af: bool) {
        self.flags.set_lazy(LazyOp::Logic, 1, 0, 0, al);
        let f = (cf as u32 * CF) | (af as u32 * AF);
        self.flags.set_masked(CF | AF, f);
    }

    pub(crate) fn daa(&mut self) -> Res<()> {
        let old_al = self.get_reg(1, EAX);
        let old_cf = self.flags.cf();
        let mut al = old_al;
        let mut cf = false;
        let af = if al & 0x0F > 9 || self.flags.af() {
            al += 6;
            cf = old_cf || al > 0xFF;
            true
        } else {
            false
        };
        if old_al > 0x99 || old_cf {
            al += 0x60;
            cf = true;
        }
        let al = al & 0xFF;
        self.set_reg(1, EAX, al);
        self.bcd_flags(al, cf, af);
        Ok(())
    }

    pub(crate) fn das(&mut self) -> Res<()> {
        let old_al = self.get_reg(1, EAX);
        let old_cf = self.flags.cf();
        let mut al = old_al;
        let mut cf = false;
        let af = if al & 0x0F > 9 || self.flags.af() {
            cf = old_cf || al < 6;
            al = al.wrapping_sub(6) & 0xFF;
            true
        } else {
            false
        };
        if old_al > 0x99 || old_cf {
            al = al.wrapping_sub(0x60) & 0xFF;
            cf = true;
        }
        self.set_reg(1, EAX, al);
        self.bcd_flags(al, cf, af);
        Ok(())
    }

    /// AAA / AAS: the 286 adjusts all of AX (a carry out of AL reaches AH).
    fn ascii_adjust(&mut self, sub: bool) -> Res<()> {
        let ax = self.get_reg(2, EAX);
        let adjust = (ax & 0x0F) > 9 || self.flags.af();
        let ax = if adjust {
            if sub {
                ax.wrapping_sub(6).wrapping_sub(0x100)
            } else {
                ax.wrapping_add(0x106)
            }
        } else {
            ax
        };
        let ax = ax & 0xFF0F;
        self.set_reg(2, EAX, ax);
        self.bcd_flags(ax & 0xFF, adjust, adjust);
        Ok(())
    }

    pub(crate) fn aaa(&mut self) -> Res<()> {
        self.ascii_adjust(false)
    }

    pub(crate) fn aas(&mut self) -> Res<()> {
        self.ascii_adjust(true)
    }

    pub(crate) fn aam(&mut self, insn: &Insn) -> Res<()> {
        let base = insn.imm & 0xFF;
        if base == 0 {
            return Err(Exception::fault(Exception::DE));
        }
        let al = self.get_reg(1, EAX);
        let (ah, al) = (al / base, al % base);
        self.set_reg(2, EAX, (ah << 8) | al);
        self.bcd_flags(al, false, false);
        Ok(())
    }

    pub(crate) fn aad(&mut self, insn: &Insn) -> Res<()> {
        let base = insn.imm & 0xFF;
        let ax = self.get_reg(2, EAX);
        let al = ((ax & 0xFF) + (ax >> 8) * base) & 0xFF;
        self.set_reg(2, EAX, al);
        self.bcd_flags(al, false, false);
        Ok(())
    }
}
