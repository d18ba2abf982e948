//! Model-specific registers and CPUID: what the CPU model reports about itself.

use crate::model::Model;

pub const IA32_TSC: u32 = 0x10;
pub const IA32_APIC_BASE: u32 = 0x1B;
pub const IA32_SYSENTER_CS: u32 = 0x174;
pub const IA32_SYSENTER_ESP: u32 = 0x175;
pub const IA32_SYSENTER_EIP: u32 = 0x176;
pub const IA32_MISC_ENABLE: u32 = 0x1A0;
pub const IA32_PLATFORM_ID: u32 = 0x17;
pub const IA32_BIOS_SIGN_ID: u32 = 0x8B;
pub const IA32_MCG_CAP: u32 = 0x179;
pub const IA32_MCG_STATUS: u32 = 0x17A;
pub const IA32_PERFEVTSEL0: u32 = 0x186;
pub const IA32_PERFEVTSEL1: u32 = 0x187;
pub const IA32_PMC0: u32 = 0xC1;
pub const IA32_PMC1: u32 = 0xC2;

#[derive(Debug, Clone, Default)]
pub struct Msrs {
    pub sysenter_cs: u32,
    pub sysenter_esp: u32,
    pub sysenter_eip: u32,
    /// Added to the instruction count to form the time-stamp counter (WRMSR 10h).
    pub tsc_offset: u64,
    pub misc_enable: u64,
    pub perfevtsel: [u64; 2],
    pub pmc: [u64; 2],
}

/// CPUID feature bits (EDX of leaf 1).
pub mod feature {
    pub const FPU: u32 = 1 << 0;
    pub const VME: u32 = 1 << 1;
    pub const DE: u32 = 1 << 2;
    pub const PSE: u32 = 1 << 3;
    pub const TSC: u32 = 1 << 4;
    pub const MSR: u32 = 1 << 5;
    pub const CX8: u32 = 1 << 8;
    pub const SEP: u32 = 1 << 11;
    pub const PGE: u32 = 1 << 13;
    pub const CMOV: u32 = 1 << 15;
    pub const FXSR: u32 = 1 << 24;
}

impl Model {
    /// Whether CPUID exists (late 486s and everything after).
    pub fn has_cpuid(self) -> bool {
        self >= Model::I486
    }

    /// The CPUID leaf-1 feature flags (EDX) this model reports.
    pub fn cpuid_features(self) -> u32 {
        use feature::*;
        match self {
            Model::I486 => FPU | VME,
            Model::Pentium => FPU | VME | DE | PSE | TSC | MSR | CX8,
            Model::PentiumPro => FPU | VME | DE | PSE | TSC | MSR | CX8 | SEP | PGE | CMOV | FXSR,
            _ => 0,
        }
    }

    /// CPUID leaf 1 EAX: stepping, model, family.
    pub fn cpuid_signature(self) -> u32 {
        match self {
            Model::I486 => 0x0000_0435,
            Model::Pentium => 0x0000_0543,
            // Family 6, model 5, stepping 2: a Pentium II (the P6 core with FXSR).
            Model::PentiumPro => 0x0000_0652,
            _ => 0,
        }
    }
}

/// The CPUID result (EAX, EBX, ECX, EDX) for `leaf` on `model`.
pub fn cpuid(model: Model, leaf: u32) -> [u32; 4] {
    // "GenuineIntel" in EBX, EDX, ECX.
    const VENDOR: [u32; 3] = [0x756E_6547, 0x4965_6E69, 0x6C65_746E];
    let max_leaf = if model >= Model::PentiumPro { 2 } else { 1 };
    // Beyond the highest leaf (basic or extended: these models have no extended leaves),
    // Intel CPUs return the highest basic leaf's data.
    let leaf = if leaf > max_leaf { max_leaf } else { leaf };
    match leaf {
        0 => [max_leaf, VENDOR[0], VENDOR[2], VENDOR[1]],
        1 => [model.cpuid_signature(), 0, 0, model.cpuid_features()],
        // Cache descriptors: 8 KiB L1 code and data, 256 KiB L2, 32-entry TLBs.
        2 if model >= Model::PentiumPro => [0x0302_0101, 0, 0, 0x0C04_0843],
        _ => [0, 0, 0, 0],
    }
}
