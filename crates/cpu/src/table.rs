//! The instruction table: the single source of truth for what each opcode is.
//!
//! For every one-byte opcode, every `0F xx` opcode and every ModR/M-reg group member it gives the
//! mnemonic, the operand forms (which tell the decoder how long the instruction is and the
//! disassembler how to print it), the first CPU model that has it, and its class for the teaching
//! view (Popek–Goldberg): ordinary, privileged (faults outside ring 0, or outside the allowed
//! IOPL) or sensitive but unprivileged (reads or changes privileged state without trapping).

use crate::model::Model;

/// Teaching class of an instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    Ordinary,
    /// Traps when executed outside ring 0 (or when IOPL/the I/O bitmap forbids it).
    Privileged,
    /// Sensitive (reads or depends on privileged state) yet does not trap in user mode: the
    /// reason the classic x86 is not virtualizable by trap-and-emulate.
    Sensitive,
}

impl Class {
    pub fn name(self) -> &'static str {
        match self {
            Class::Ordinary => "ordinary",
            Class::Privileged => "privileged",
            Class::Sensitive => "sensitive",
        }
    }
}

/// Operand forms, in Intel-manual notation where one exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opd {
    /// ModR/M r/m, byte / operand-size / word / dword.
    Eb,
    Ev,
    Ew,
    /// ModR/M reg field: general register byte / operand-size / word.
    Gb,
    Gv,
    Gw,
    /// ModR/M reg field: segment register.
    Sw,
    /// ModR/M reg field: control / debug register (mod ignored, always a register).
    Cd,
    Dd,
    /// ModR/M r/m that must be a register (32-bit, for MOV CRn/DRn).
    Rd,
    /// ModR/M r/m that must be memory: no size / far pointer / BOUND pair / descriptor table.
    M,
    Mp,
    Ma,
    Ms,
    /// Immediate byte / sign-extended byte / word / operand-size.
    Ib,
    Ibs,
    Iw,
    Iv,
    /// Relative branch target, byte / operand-size.
    Jb,
    Jv,
    /// Far pointer immediate (offset then selector).
    Ap,
    /// Memory offset without ModR/M (MOV AL/AX, moffs).
    Ob,
    Ov,
    /// Fixed registers.
    Al,
    Ax,
    Cl,
    Dx,
    /// General register in the low three opcode bits, byte / operand-size.
    Zb,
    Zv,
    /// Segment register named by the opcode.
    Es,
    Cs,
    Ss,
    Ds,
    Fs,
    Gs,
    /// The constant 1 (shift by one) and 3 (INT3 prints nothing; kept for completeness).
    One,
    /// String operands: DS:SI and ES:DI, byte / operand-size.
    Xb,
    Xv,
    Yb,
    Yv,
    /// x87 memory operand (ESC with mod != 3), size given by the mnemonic.
    Fm,
}

impl Opd {
    /// Whether this operand form is encoded in a ModR/M byte.
    pub const fn uses_modrm(self) -> bool {
        matches!(
            self,
            Opd::Eb
                | Opd::Ev
                | Opd::Ew
                | Opd::Gb
                | Opd::Gv
                | Opd::Gw
                | Opd::Sw
                | Opd::Cd
                | Opd::Dd
                | Opd::Rd
                | Opd::M
                | Opd::Mp
                | Opd::Ma
                | Opd::Ms
                | Opd::Fm
        )
    }
}

/// What kind of entry an opcode is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An instruction.
    Insn,
    /// A prefix byte (segment override, operand/address size, LOCK, REP).
    Prefix,
    /// The ModR/M reg field selects the instruction from a group of eight.
    Group(&'static [Entry; 8]),
    /// The two-byte escape 0F.
    Escape,
    /// An x87 escape (D8-DF): ModR/M follows; without an FPU only its length matters.
    Fpu,
    /// Not an instruction: #UD.
    Invalid,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub mnemonic: &'static str,
    pub operands: &'static [Opd],
    /// The first model that has this instruction.
    pub since: Model,
    pub class: Class,
    pub kind: Kind,
}

impl Entry {
    /// Whether the decoder must read a ModR/M byte.
    pub fn has_modrm(&self) -> bool {
        match self.kind {
            Kind::Group(_) | Kind::Fpu => true,
            Kind::Insn => self.operands.iter().any(|o| o.uses_modrm()),
            _ => false,
        }
    }
}

use Class::{Ordinary as O, Privileged as P, Sensitive as S};
use Model::{Pentium as M586, PentiumPro as M686};
use Model::{I186 as M186, I286 as M286, I386 as M386, I486 as M486, I8086 as M86};
use Opd::*;

const fn e(mnemonic: &'static str, operands: &'static [Opd], since: Model, class: Class) -> Entry {
    Entry {
        mnemonic,
        operands,
        since,
        class,
        kind: Kind::Insn,
    }
}
const fn grp(g: &'static [Entry; 8], since: Model) -> Entry {
    Entry {
        mnemonic: "",
        operands: &[],
        since,
        class: O,
        kind: Kind::Group(g),
    }
}
const PFX: Entry = Entry {
    mnemonic: "",
    operands: &[],
    since: M86,
    class: O,
    kind: Kind::Prefix,
};
const PFX386: Entry = Entry {
    mnemonic: "",
    operands: &[],
    since: M386,
    class: O,
    kind: Kind::Prefix,
};
const BAD: Entry = Entry {
    mnemonic: "(bad)",
    operands: &[],
    since: M86,
    class: O,
    kind: Kind::Invalid,
};
const FPU: Entry = Entry {
    mnemonic: "esc",
    operands: &[Fm],
    since: M86,
    class: O,
    kind: Kind::Fpu,
};

macro_rules! alu_rows {
    ($m:literal) => {
        [
            e($m, &[Eb, Gb], M86, O),
            e($m, &[Ev, Gv], M86, O),
            e($m, &[Gb, Eb], M86, O),
            e($m, &[Gv, Ev], M86, O),
            e($m, &[Al, Ib], M86, O),
            e($m, &[Ax, Iv], M86, O),
        ]
    };
}

const ALU: [&str; 8] = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"];

const fn alu_group(src: &'static [Opd]) -> [Entry; 8] {
    let mut g = [BAD; 8];
    let mut i = 0;
    while i < 8 {
        g[i] = e(ALU[i], src, M86, O);
        i += 1;
    }
    g
}

pub static GRP1_EB_IB: [Entry; 8] = alu_group(&[Eb, Ib]);
pub static GRP1_EV_IV: [Entry; 8] = alu_group(&[Ev, Iv]);
pub static GRP1_EV_IBS: [Entry; 8] = alu_group(&[Ev, Ibs]);

const SHIFTS: [&str; 8] = ["rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"];

const fn shift_group(ops: &'static [Opd], since: Model) -> [Entry; 8] {
    let mut g = [BAD; 8];
    let mut i = 0;
    while i < 8 {
        g[i] = e(SHIFTS[i], ops, since, O);
        i += 1;
    }
    g
}

pub static GRP2_EB_IB: [Entry; 8] = shift_group(&[Eb, Ib], M186);
pub static GRP2_EV_IB: [Entry; 8] = shift_group(&[Ev, Ib], M186);
pub static GRP2_EB_1: [Entry; 8] = shift_group(&[Eb, One], M86);
pub static GRP2_EV_1: [Entry; 8] = shift_group(&[Ev, One], M86);
pub static GRP2_EB_CL: [Entry; 8] = shift_group(&[Eb, Cl], M86);
pub static GRP2_EV_CL: [Entry; 8] = shift_group(&[Ev, Cl], M86);

pub static GRP3_EB: [Entry; 8] = [
    e("test", &[Eb, Ib], M86, O),
    e("test", &[Eb, Ib], M86, O),
    e("not", &[Eb], M86, O),
    e("neg", &[Eb], M86, O),
    e("mul", &[Eb], M86, O),
    e("imul", &[Eb], M86, O),
    e("div", &[Eb], M86, O),
    e("idiv", &[Eb], M86, O),
];
pub static GRP3_EV: [Entry; 8] = [
    e("test", &[Ev, Iv], M86, O),
    e("test", &[Ev, Iv], M86, O),
    e("not", &[Ev], M86, O),
    e("neg", &[Ev], M86, O),
    e("mul", &[Ev], M86, O),
    e("imul", &[Ev], M86, O),
    e("div", &[Ev], M86, O),
    e("idiv", &[Ev], M86, O),
];
pub static GRP4_EB: [Entry; 8] = [
    e("inc", &[Eb], M86, O),
    e("dec", &[Eb], M86, O),
    BAD,
    BAD,
    BAD,
    BAD,
    BAD,
    BAD,
];
pub static GRP5_EV: [Entry; 8] = [
    e("inc", &[Ev], M86, O),
    e("dec", &[Ev], M86, O),
    e("call", &[Ev], M86, O),
    e("call far", &[Mp], M86, S),
    e("jmp", &[Ev], M86, O),
    e("jmp far", &[Mp], M86, S),
    e("push", &[Ev], M86, O),
    BAD,
];
pub static GRP1A_POP: [Entry; 8] = [e("pop", &[Ev], M86, O), BAD, BAD, BAD, BAD, BAD, BAD, BAD];
pub static GRP11_EB: [Entry; 8] = [
    e("mov", &[Eb, Ib], M86, O),
    BAD,
    BAD,
    BAD,
    BAD,
    BAD,
    BAD,
    BAD,
];
pub static GRP11_EV: [Entry; 8] = [
    e("mov", &[Ev, Iv], M86, O),
    BAD,
    BAD,
    BAD,
    BAD,
    BAD,
    BAD,
    BAD,
];

/// 0F 00: the system-segment instructions of the 286.
pub static GRP6: [Entry; 8] = [
    e("sldt", &[Ew], M286, S),
    e("str", &[Ew], M286, S),
    e("lldt", &[Ew], M286, P),
    e("ltr", &[Ew], M286, P),
    e("verr", &[Ew], M286, S),
    e("verw", &[Ew], M286, S),
    BAD,
    BAD,
];
/// 0F 01: descriptor-table registers and the machine status word.
pub static GRP7: [Entry; 8] = [
    e("sgdt", &[Ms], M286, S),
    e("sidt", &[Ms], M286, S),
    e("lgdt", &[Ms], M286, P),
    e("lidt", &[Ms], M286, P),
    e("smsw", &[Ew], M286, S),
    BAD,
    e("lmsw", &[Ew], M286, P),
    e("invlpg", &[M], M486, P),
];
/// 0F BA: bit test with an immediate bit number.
pub static GRP8: [Entry; 8] = [
    BAD,
    BAD,
    BAD,
    BAD,
    e("bt", &[Ev, Ib], M386, O),
    e("bts", &[Ev, Ib], M386, O),
    e("btr", &[Ev, Ib], M386, O),
    e("btc", &[Ev, Ib], M386, O),
];
/// 0F AE: FXSAVE / FXRSTOR (P6 with FXSR).
pub static GRP15: [Entry; 8] = [
    e("fxsave", &[M], M686, O),
    e("fxrstor", &[M], M686, O),
    BAD,
    BAD,
    BAD,
    BAD,
    BAD,
    BAD,
];
/// 0F C7: CMPXCHG8B.
pub static GRP9: [Entry; 8] = [
    BAD,
    e("cmpxchg8b", &[M], M586, O),
    BAD,
    BAD,
    BAD,
    BAD,
    BAD,
    BAD,
];

const fn jcc_rows(ops: &'static [Opd], since: Model) -> [Entry; 16] {
    const NAMES: [&str; 16] = [
        "jo", "jno", "jb", "jae", "je", "jne", "jbe", "ja", "js", "jns", "jp", "jnp", "jl", "jge",
        "jle", "jg",
    ];
    let mut r = [BAD; 16];
    let mut i = 0;
    while i < 16 {
        r[i] = e(NAMES[i], ops, since, O);
        i += 1;
    }
    r
}

const fn cc_rows(
    prefix: &'static [&'static str; 16],
    ops: &'static [Opd],
    since: Model,
) -> [Entry; 16] {
    let mut r = [BAD; 16];
    let mut i = 0;
    while i < 16 {
        r[i] = e(prefix[i], ops, since, O);
        i += 1;
    }
    r
}

const SETCC: [&str; 16] = [
    "seto", "setno", "setb", "setae", "sete", "setne", "setbe", "seta", "sets", "setns", "setp",
    "setnp", "setl", "setge", "setle", "setg",
];
const CMOVCC: [&str; 16] = [
    "cmovo", "cmovno", "cmovb", "cmovae", "cmove", "cmovne", "cmovbe", "cmova", "cmovs", "cmovns",
    "cmovp", "cmovnp", "cmovl", "cmovge", "cmovle", "cmovg",
];

const fn build_one_byte() -> [Entry; 256] {
    let mut t = [BAD; 256];
    // 00-3F: the eight ALU operations, segment pushes/pops, prefixes, BCD adjusts.
    let mut i = 0;
    while i < 8 {
        let rows = match i {
            0 => alu_rows!("add"),
            1 => alu_rows!("or"),
            2 => alu_rows!("adc"),
            3 => alu_rows!("sbb"),
            4 => alu_rows!("and"),
            5 => alu_rows!("sub"),
            6 => alu_rows!("xor"),
            _ => alu_rows!("cmp"),
        };
        let mut j = 0;
        while j < 6 {
            t[i * 8 + j] = rows[j];
            j += 1;
        }
        i += 1;
    }
    t[0x06] = e("push", &[Es], M86, S);
    t[0x07] = e("pop", &[Es], M86, S);
    t[0x0E] = e("push", &[Cs], M86, S);
    t[0x0F] = Entry {
        mnemonic: "",
        operands: &[],
        since: M86,
        class: O,
        kind: Kind::Escape,
    };
    t[0x16] = e("push", &[Ss], M86, S);
    t[0x17] = e("pop", &[Ss], M86, S);
    t[0x1E] = e("push", &[Ds], M86, S);
    t[0x1F] = e("pop", &[Ds], M86, S);
    t[0x26] = PFX;
    t[0x27] = e("daa", &[], M86, O);
    t[0x2E] = PFX;
    t[0x2F] = e("das", &[], M86, O);
    t[0x36] = PFX;
    t[0x37] = e("aaa", &[], M86, O);
    t[0x3E] = PFX;
    t[0x3F] = e("aas", &[], M86, O);
    // 40-5F: INC/DEC/PUSH/POP of a register named by the opcode.
    let mut r = 0;
    while r < 8 {
        t[0x40 + r] = e("inc", &[Zv], M86, O);
        t[0x48 + r] = e("dec", &[Zv], M86, O);
        t[0x50 + r] = e("push", &[Zv], M86, O);
        t[0x58 + r] = e("pop", &[Zv], M86, O);
        t[0x90 + r] = e("xchg", &[Zv, Ax], M86, O);
        t[0xB0 + r] = e("mov", &[Zb, Ib], M86, O);
        t[0xB8 + r] = e("mov", &[Zv, Iv], M86, O);
        r += 1;
    }
    t[0x90] = e("nop", &[], M86, O);
    // 60-6F: 186 additions and the 386 prefixes.
    t[0x60] = e("pusha", &[], M186, O);
    t[0x61] = e("popa", &[], M186, O);
    t[0x62] = e("bound", &[Gv, Ma], M186, O);
    t[0x63] = e("arpl", &[Ew, Gw], M286, O);
    t[0x64] = PFX386;
    t[0x65] = PFX386;
    t[0x66] = PFX386;
    t[0x67] = PFX386;
    t[0x68] = e("push", &[Iv], M186, O);
    t[0x69] = e("imul", &[Gv, Ev, Iv], M186, O);
    t[0x6A] = e("push", &[Ibs], M186, O);
    t[0x6B] = e("imul", &[Gv, Ev, Ibs], M186, O);
    t[0x6C] = e("insb", &[], M186, P);
    t[0x6D] = e("insw", &[], M186, P);
    t[0x6E] = e("outsb", &[], M186, P);
    t[0x6F] = e("outsw", &[], M186, P);
    let jcc = jcc_rows(&[Jb], M86);
    let mut c = 0;
    while c < 16 {
        t[0x70 + c] = jcc[c];
        c += 1;
    }
    t[0x80] = grp(&GRP1_EB_IB, M86);
    t[0x81] = grp(&GRP1_EV_IV, M86);
    t[0x82] = grp(&GRP1_EB_IB, M86);
    t[0x83] = grp(&GRP1_EV_IBS, M86);
    t[0x84] = e("test", &[Eb, Gb], M86, O);
    t[0x85] = e("test", &[Ev, Gv], M86, O);
    t[0x86] = e("xchg", &[Eb, Gb], M86, O);
    t[0x87] = e("xchg", &[Ev, Gv], M86, O);
    t[0x88] = e("mov", &[Eb, Gb], M86, O);
    t[0x89] = e("mov", &[Ev, Gv], M86, O);
    t[0x8A] = e("mov", &[Gb, Eb], M86, O);
    t[0x8B] = e("mov", &[Gv, Ev], M86, O);
    t[0x8C] = e("mov", &[Ev, Sw], M86, S);
    t[0x8D] = e("lea", &[Gv, M], M86, O);
    t[0x8E] = e("mov", &[Sw, Ew], M86, S);
    t[0x8F] = grp(&GRP1A_POP, M86);
    t[0x98] = e("cbw", &[], M86, O);
    t[0x99] = e("cwd", &[], M86, O);
    t[0x9A] = e("call", &[Ap], M86, S);
    t[0x9B] = e("wait", &[], M86, O);
    t[0x9C] = e("pushf", &[], M86, S);
    t[0x9D] = e("popf", &[], M86, S);
    t[0x9E] = e("sahf", &[], M86, O);
    t[0x9F] = e("lahf", &[], M86, O);
    t[0xA0] = e("mov", &[Al, Ob], M86, O);
    t[0xA1] = e("mov", &[Ax, Ov], M86, O);
    t[0xA2] = e("mov", &[Ob, Al], M86, O);
    t[0xA3] = e("mov", &[Ov, Ax], M86, O);
    t[0xA4] = e("movsb", &[], M86, O);
    t[0xA5] = e("movsw", &[], M86, O);
    t[0xA6] = e("cmpsb", &[], M86, O);
    t[0xA7] = e("cmpsw", &[], M86, O);
    t[0xA8] = e("test", &[Al, Ib], M86, O);
    t[0xA9] = e("test", &[Ax, Iv], M86, O);
    t[0xAA] = e("stosb", &[], M86, O);
    t[0xAB] = e("stosw", &[], M86, O);
    t[0xAC] = e("lodsb", &[], M86, O);
    t[0xAD] = e("lodsw", &[], M86, O);
    t[0xAE] = e("scasb", &[], M86, O);
    t[0xAF] = e("scasw", &[], M86, O);
    t[0xC0] = grp(&GRP2_EB_IB, M186);
    t[0xC1] = grp(&GRP2_EV_IB, M186);
    t[0xC2] = e("ret", &[Iw], M86, O);
    t[0xC3] = e("ret", &[], M86, O);
    t[0xC4] = e("les", &[Gv, Mp], M86, O);
    t[0xC5] = e("lds", &[Gv, Mp], M86, O);
    t[0xC6] = grp(&GRP11_EB, M86);
    t[0xC7] = grp(&GRP11_EV, M86);
    t[0xC8] = e("enter", &[Iw, Ib], M186, O);
    t[0xC9] = e("leave", &[], M186, O);
    t[0xCA] = e("retf", &[Iw], M86, S);
    t[0xCB] = e("retf", &[], M86, S);
    t[0xCC] = e("int3", &[], M86, S);
    t[0xCD] = e("int", &[Ib], M86, S);
    t[0xCE] = e("into", &[], M86, S);
    t[0xCF] = e("iret", &[], M86, S);
    t[0xD0] = grp(&GRP2_EB_1, M86);
    t[0xD1] = grp(&GRP2_EV_1, M86);
    t[0xD2] = grp(&GRP2_EB_CL, M86);
    t[0xD3] = grp(&GRP2_EV_CL, M86);
    t[0xD4] = e("aam", &[Ib], M86, O);
    t[0xD5] = e("aad", &[Ib], M86, O);
    t[0xD6] = e("salc", &[], M86, O);
    t[0xD7] = e("xlatb", &[], M86, O);
    let mut f = 0xD8;
    while f <= 0xDF {
        t[f] = FPU;
        f += 1;
    }
    t[0xE0] = e("loopne", &[Jb], M86, O);
    t[0xE1] = e("loope", &[Jb], M86, O);
    t[0xE2] = e("loop", &[Jb], M86, O);
    t[0xE3] = e("jcxz", &[Jb], M86, O);
    t[0xE4] = e("in", &[Al, Ib], M86, P);
    t[0xE5] = e("in", &[Ax, Ib], M86, P);
    t[0xE6] = e("out", &[Ib, Al], M86, P);
    t[0xE7] = e("out", &[Ib, Ax], M86, P);
    t[0xE8] = e("call", &[Jv], M86, O);
    t[0xE9] = e("jmp", &[Jv], M86, O);
    t[0xEA] = e("jmp", &[Ap], M86, S);
    t[0xEB] = e("jmp", &[Jb], M86, O);
    t[0xEC] = e("in", &[Al, Dx], M86, P);
    t[0xED] = e("in", &[Ax, Dx], M86, P);
    t[0xEE] = e("out", &[Dx, Al], M86, P);
    t[0xEF] = e("out", &[Dx, Ax], M86, P);
    t[0xF0] = PFX;
    t[0xF1] = e("int1", &[], M386, O);
    t[0xF2] = PFX;
    t[0xF3] = PFX;
    t[0xF4] = e("hlt", &[], M86, P);
    t[0xF5] = e("cmc", &[], M86, O);
    t[0xF6] = grp(&GRP3_EB, M86);
    t[0xF7] = grp(&GRP3_EV, M86);
    t[0xF8] = e("clc", &[], M86, O);
    t[0xF9] = e("stc", &[], M86, O);
    t[0xFA] = e("cli", &[], M86, P);
    t[0xFB] = e("sti", &[], M86, P);
    t[0xFC] = e("cld", &[], M86, O);
    t[0xFD] = e("std", &[], M86, O);
    t[0xFE] = grp(&GRP4_EB, M86);
    t[0xFF] = grp(&GRP5_EV, M86);
    t
}

const fn build_two_byte() -> [Entry; 256] {
    let mut t = [BAD; 256];
    t[0x00] = grp(&GRP6, M286);
    t[0x01] = grp(&GRP7, M286);
    t[0x02] = e("lar", &[Gv, Ew], M286, S);
    t[0x03] = e("lsl", &[Gv, Ew], M286, S);
    t[0x05] = e("loadall", &[], M286, P);
    t[0x06] = e("clts", &[], M286, P);
    t[0x08] = e("invd", &[], M486, P);
    t[0x09] = e("wbinvd", &[], M486, P);
    t[0x0B] = e("ud2", &[], M686, O);
    t[0x1F] = e("nop", &[Ev], M686, O);
    t[0x20] = e("mov", &[Rd, Cd], M386, P);
    t[0x21] = e("mov", &[Rd, Dd], M386, P);
    t[0x22] = e("mov", &[Cd, Rd], M386, P);
    t[0x23] = e("mov", &[Dd, Rd], M386, P);
    t[0x30] = e("wrmsr", &[], M586, P);
    t[0x31] = e("rdtsc", &[], M586, S);
    t[0x32] = e("rdmsr", &[], M586, P);
    t[0x33] = e("rdpmc", &[], M686, S);
    t[0x34] = e("sysenter", &[], M686, O);
    t[0x35] = e("sysexit", &[], M686, P);
    let cmov = cc_rows(&CMOVCC, &[Gv, Ev], M686);
    let jcc = jcc_rows(&[Jv], M386);
    let setcc = cc_rows(&SETCC, &[Eb], M386);
    let mut c = 0;
    while c < 16 {
        t[0x40 + c] = cmov[c];
        t[0x80 + c] = jcc[c];
        t[0x90 + c] = setcc[c];
        c += 1;
    }
    t[0xA0] = e("push", &[Fs], M386, S);
    t[0xA1] = e("pop", &[Fs], M386, S);
    t[0xA2] = e("cpuid", &[], M486, O);
    t[0xA3] = e("bt", &[Ev, Gv], M386, O);
    t[0xA4] = e("shld", &[Ev, Gv, Ib], M386, O);
    t[0xA5] = e("shld", &[Ev, Gv, Cl], M386, O);
    t[0xA8] = e("push", &[Gs], M386, S);
    t[0xA9] = e("pop", &[Gs], M386, S);
    t[0xAB] = e("bts", &[Ev, Gv], M386, O);
    t[0xAC] = e("shrd", &[Ev, Gv, Ib], M386, O);
    t[0xAD] = e("shrd", &[Ev, Gv, Cl], M386, O);
    t[0xAE] = grp(&GRP15, M686);
    t[0xAF] = e("imul", &[Gv, Ev], M386, O);
    t[0xB0] = e("cmpxchg", &[Eb, Gb], M486, O);
    t[0xB1] = e("cmpxchg", &[Ev, Gv], M486, O);
    t[0xB2] = e("lss", &[Gv, Mp], M386, S);
    t[0xB3] = e("btr", &[Ev, Gv], M386, O);
    t[0xB4] = e("lfs", &[Gv, Mp], M386, S);
    t[0xB5] = e("lgs", &[Gv, Mp], M386, S);
    t[0xB6] = e("movzx", &[Gv, Eb], M386, O);
    t[0xB7] = e("movzx", &[Gv, Ew], M386, O);
    t[0xBA] = grp(&GRP8, M386);
    t[0xBB] = e("btc", &[Ev, Gv], M386, O);
    t[0xBC] = e("bsf", &[Gv, Ev], M386, O);
    t[0xBD] = e("bsr", &[Gv, Ev], M386, O);
    t[0xBE] = e("movsx", &[Gv, Eb], M386, O);
    t[0xBF] = e("movsx", &[Gv, Ew], M386, O);
    t[0xC0] = e("xadd", &[Eb, Gb], M486, O);
    t[0xC1] = e("xadd", &[Ev, Gv], M486, O);
    t[0xC7] = grp(&GRP9, M586);
    let mut r = 0;
    while r < 8 {
        t[0xC8 + r] = e("bswap", &[Zv], M486, O);
        r += 1;
    }
    t
}

/// One-byte opcodes.
pub static ONE_BYTE: [Entry; 256] = build_one_byte();
/// Two-byte opcodes (after 0F).
pub static TWO_BYTE: [Entry; 256] = build_two_byte();

/// The table entry for an opcode (`0x000-0x0FF` one-byte, `0x100-0x1FF` for `0F xx`) and its
/// ModR/M byte, resolving groups.
pub fn lookup(op: u16, modrm: u8) -> &'static Entry {
    let e = if op < 0x100 {
        &ONE_BYTE[op as usize]
    } else {
        &TWO_BYTE[(op & 0xFF) as usize]
    };
    match e.kind {
        Kind::Group(g) => &g[((modrm >> 3) & 7) as usize],
        _ => e,
    }
}

/// Names of the x87 instructions by ESC opcode and ModR/M for the memory forms, used by the
/// disassembler (the FPU itself comes with the 32-bit work).
pub fn fpu_mem_mnemonic(op: u8, reg: u8) -> (&'static str, &'static str) {
    const D8: [&str; 8] = [
        "fadd", "fmul", "fcom", "fcomp", "fsub", "fsubr", "fdiv", "fdivr",
    ];
    const D9: [&str; 8] = [
        "fld", "(bad)", "fst", "fstp", "fldenv", "fldcw", "fnstenv", "fnstcw",
    ];
    const DA: [&str; 8] = [
        "fiadd", "fimul", "ficom", "ficomp", "fisub", "fisubr", "fidiv", "fidivr",
    ];
    const DB: [&str; 8] = [
        "fild", "fisttp", "fist", "fistp", "(bad)", "fld", "(bad)", "fstp",
    ];
    const DD: [&str; 8] = [
        "fld", "fisttp", "fst", "fstp", "frstor", "(bad)", "fnsave", "fnstsw",
    ];
    const DF: [&str; 8] = [
        "fild", "fisttp", "fist", "fistp", "fbld", "fild", "fbstp", "fistp",
    ];
    let r = (reg & 7) as usize;
    match op {
        0xD8 => (D8[r], "dword"),
        0xD9 => (D9[r], if r < 4 { "dword" } else { "" }),
        0xDA => (DA[r], "dword"),
        0xDB => (DB[r], if r == 5 || r == 7 { "tword" } else { "dword" }),
        0xDC => (D8[r], "qword"),
        0xDD => (
            DD[r],
            if r < 4 {
                "qword"
            } else if r == 7 {
                "word"
            } else {
                ""
            },
        ),
        0xDE => (DA[r], "word"),
        _ => (
            DF[r],
            match r {
                4 | 6 => "tword",
                5 | 7 => "qword",
                _ => "word",
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_one_byte_opcode_has_a_row() {
        let mut named = 0;
        for (op, e) in ONE_BYTE.iter().enumerate() {
            match e.kind {
                Kind::Insn => {
                    assert!(!e.mnemonic.is_empty(), "opcode {op:02X}");
                    named += 1;
                }
                Kind::Group(g) => assert!(g.iter().any(|x| x.kind == Kind::Insn), "group {op:02X}"),
                _ => {}
            }
        }
        assert!(named > 180, "only {named} named one-byte opcodes");
    }

    #[test]
    fn popek_goldberg_classes() {
        assert_eq!(
            lookup(0x9D, 0).class,
            Class::Sensitive,
            "POPF does not trap"
        );
        assert_eq!(lookup(0xF4, 0).class, Class::Privileged, "HLT traps");
        assert_eq!(lookup(0x101, 0x00).class, Class::Sensitive, "SGDT");
        assert_eq!(lookup(0x101, 0x10).class, Class::Privileged, "LGDT");
        assert_eq!(lookup(0x101, 0x20).class, Class::Sensitive, "SMSW");
        assert_eq!(lookup(0x101, 0x30).class, Class::Privileged, "LMSW");
        assert_eq!(lookup(0x00, 0).class, Class::Ordinary);
        assert_eq!(lookup(0xFF, 0x18).mnemonic, "call far");
    }

    #[test]
    fn models() {
        assert_eq!(lookup(0x60, 0).since, Model::I186);
        assert_eq!(lookup(0x1A2, 0).since, Model::I486);
        assert_eq!(lookup(0x140, 0).since, Model::PentiumPro);
        assert_eq!(lookup(0x00, 0).since, Model::I8086);
    }
}
