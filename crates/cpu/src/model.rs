//! CPU models: which instructions exist and the small behaviours that differ between generations.

use crate::flags;

/// The CPU generation being emulated. Ordered: a later model has everything an earlier one has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Model {
    I8086,
    I186,
    I286,
    I386,
    I486,
    Pentium,
    /// Pentium Pro / i686: CMOV, FCOMI, SYSENTER.
    PentiumPro,
}

impl Model {
    pub const ALL: [Model; 7] = [
        Model::I8086,
        Model::I186,
        Model::I286,
        Model::I386,
        Model::I486,
        Model::Pentium,
        Model::PentiumPro,
    ];

    /// The name used on command lines and in the page.
    pub fn name(self) -> &'static str {
        match self {
            Model::I8086 => "8086",
            Model::I186 => "186",
            Model::I286 => "286",
            Model::I386 => "386",
            Model::I486 => "486",
            Model::Pentium => "pentium",
            Model::PentiumPro => "pentiumpro",
        }
    }

    pub fn from_name(s: &str) -> Option<Model> {
        let s = s.to_ascii_lowercase();
        let s = s.trim_start_matches('i').trim_start_matches("80");
        Some(match s {
            "8086" | "86" | "88" | "8088" => Model::I8086,
            "186" | "188" => Model::I186,
            "286" => Model::I286,
            "386" => Model::I386,
            "486" => Model::I486,
            "586" | "pentium" => Model::Pentium,
            "686" | "pentiumpro" | "p6" | "ppro" => Model::PentiumPro,
            _ => return None,
        })
    }

    /// Longest legal instruction in bytes (prefixes included); longer raises #GP (#UD on none).
    pub fn max_insn_len(self) -> usize {
        match self {
            Model::I8086 | Model::I186 => usize::MAX,
            Model::I286 => 10,
            _ => 15,
        }
    }

    /// Whether 32-bit operand/address size prefixes and registers exist.
    pub fn has_32bit(self) -> bool {
        self >= Model::I386
    }

    /// EDX after reset on 386 and later (family/model/stepping).
    pub fn reset_edx(self) -> u32 {
        match self {
            Model::I386 => 0x0303,
            Model::I486 => 0x0421,
            Model::Pentium => 0x0543,
            Model::PentiumPro => 0x0652,
            _ => 0,
        }
    }

    /// Bits of CR0 that exist on this model (for the reset value).
    pub fn cr0_reset_mask(self) -> u32 {
        match self {
            Model::I386 => 0x0000_0010,
            _ => 0xFFFF_FFFF,
        }
    }

    /// The FLAGS value the CPU can actually hold, given what software tried to store.
    pub fn sanitize_flags(self, v: u32, protected: bool) -> u32 {
        let mut v = (v | flags::FIXED1) & !(flags::RESERVED0);
        match self {
            // 8086/186: bits 12-15 always read as 1.
            Model::I8086 | Model::I186 => (v & 0x0FFF) | 0xF000,
            // 286: no bit 15; in real mode IOPL and NT cannot be set.
            Model::I286 => {
                v &= 0x7FFF;
                if !protected {
                    v &= 0x0FFF;
                }
                v
            }
            Model::I386 => v & 0x0003_7FFF,
            Model::I486 => v & 0x0007_7FFF,
            Model::Pentium | Model::PentiumPro => v & 0x003F_7FFF,
        }
    }
}
