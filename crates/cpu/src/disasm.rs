//! Intel-syntax disassembler derived from the instruction table.
//!
//! Everything about *what* an instruction is comes from [`crate::table`] through the decoded
//! [`Insn`]: the mnemonic, the operand forms and whether the form exists on the model. This module
//! only decides how to spell it. The spelling is NASM style as in the names of the hardware test
//! vectors (`add byte [bx+124Eh],0B3h`, `jo short 0FF89h`, `call far [di]`, `es movsb`):
//!
//! * numbers are upper-case hex with an `h` suffix and a leading `0` when the first digit is a
//!   letter; values below ten are written as a plain digit; displacements are signed (`[bp-6Dh]`);
//! * branch targets and far pointers are written with at least four hex digits (eight for 32-bit
//!   offsets), computed from the address of the instruction and wrapped to the operand size;
//! * a size keyword (`byte`, `word`, `dword`, ...) is written on a memory operand only when no
//!   register operand of the same size already fixes it;
//! * a segment override is written inside the brackets, and only when it differs from the
//!   addressing form's default segment; string instructions that read DS:(E)SI print a
//!   non-default source segment before the mnemonic (`es lodsb`); the others ignore it;
//! * `lock`, `rep`/`repe` (CMPS, SCAS) and `repne` come first;
//! * `imul r,r,imm` with the same register twice is `imul r,imm`; `xchg` writes the register
//!   first; LEA shows no segment override (it accesses no memory);
//! * opcodes the model does not have, empty group slots, register operands where only memory is
//!   allowed (LEA, LES, BOUND, far CALL/JMP ...) and segment registers 6-7 are `(bad)`. As in the
//!   vector names, `mov cs,...` and `fs`/`gs` are still named on a 286, where they raise #UD.

use crate::decode::{self, Insn, F_INVALID, F_LOCK, F_REP, F_REPNE, NONE};
use crate::model::Model;
use crate::table::{self, Entry, Kind, Opd};
use std::fmt::Write as _;

const REG8: [&str; 8] = ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"];
const REG16: [&str; 8] = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"];
const REG32: [&str; 8] = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
const SEG: [&str; 8] = ["es", "cs", "ss", "ds", "fs", "gs", "?", "?"];
const DS: u8 = 3;

/// Why [`disassemble`] could not decode an instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisasmError {
    /// The bytes end before the instruction does.
    Truncated,
    /// The instruction is longer than the model allows (the CPU raises #GP).
    TooLong,
}

impl std::fmt::Display for DisasmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DisasmError::Truncated => "instruction bytes end too early",
            DisasmError::TooLong => "instruction longer than this CPU allows",
        })
    }
}

impl std::error::Error for DisasmError {}

/// Decode the instruction at the start of `bytes` and format it; returns the text and the
/// instruction's length. `ip` is the instruction's address (for branch targets).
pub fn disassemble(
    model: Model,
    big: bool,
    bytes: &[u8],
    ip: u32,
) -> Result<(String, usize), DisasmError> {
    let mut truncated = false;
    let res = decode::decode(model, big, |i| match bytes.get(i as usize) {
        Some(&b) => Ok(b),
        None => {
            truncated = true;
            Err(crate::Exception::fault(crate::Exception::PF))
        }
    });
    match res {
        Ok(insn) => Ok((format(&insn, ip), insn.len as usize)),
        Err(_) if truncated => Err(DisasmError::Truncated),
        Err(_) => Err(DisasmError::TooLong),
    }
}

/// Format a decoded instruction located at address `ip`.
pub fn format(insn: &Insn, ip: u32) -> String {
    let entry = insn.entry();
    let body = if insn.flags & F_INVALID != 0 {
        None
    } else {
        match entry.kind {
            Kind::Insn => insn_body(insn, entry, ip),
            Kind::Fpu => fpu_body(insn),
            // 0F is an instruction only on the 8086 (the decoder flags it invalid elsewhere).
            Kind::Escape => Some("pop cs".to_string()),
            _ => None,
        }
    };
    let Some(body) = body else {
        return "(bad)".to_string();
    };
    let mut out = String::new();
    if insn.seg != NONE && insn.seg != DS && reads_ds_si(entry) {
        out.push_str(SEG[(insn.seg & 7) as usize]);
        out.push(' ');
    }
    if insn.flags & F_LOCK != 0 {
        out.push_str("lock ");
    }
    if insn.flags & F_REPNE != 0 {
        out.push_str("repne ");
    } else if insn.flags & F_REP != 0 {
        out.push_str(if compares(entry) { "repe " } else { "rep " });
    }
    out.push_str(&body);
    out
}

/// String instructions whose source is DS:(E)SI (or DS:(E)BX for XLAT): a segment override
/// applies to them, so it is shown even though there is no memory operand to put it in.
fn reads_ds_si(e: &Entry) -> bool {
    e.operands.is_empty()
        && ["movs", "cmps", "lods", "outs", "xlat"]
            .iter()
            .any(|p| e.mnemonic.starts_with(p))
}

/// CMPS and SCAS: F3 means REPE for them.
fn compares(e: &Entry) -> bool {
    e.operands.is_empty() && (e.mnemonic.starts_with("cmps") || e.mnemonic.starts_with("scas"))
}

/// The mnemonic as spelled for the operand and address size.
fn mnemonic(insn: &Insn, e: &Entry) -> &'static str {
    let m = e.mnemonic;
    if insn.addr32() && m == "jcxz" {
        return "jecxz";
    }
    if !insn.op32() || !e.operands.is_empty() {
        return m;
    }
    match m {
        "cbw" => "cwde",
        "cwd" => "cdq",
        "pusha" => "pushad",
        "popa" => "popad",
        "pushf" => "pushfd",
        "popf" => "popfd",
        "iret" => "iretd",
        "movsw" => "movsd",
        "cmpsw" => "cmpsd",
        "stosw" => "stosd",
        "lodsw" => "lodsd",
        "scasw" => "scasd",
        "insw" => "insd",
        "outsw" => "outsd",
        _ => m,
    }
}

/// Upper-case hex with an `h` suffix, at least `width` digits, a leading 0 before a letter;
/// values below ten as a plain digit.
fn hex_w(v: u64, width: usize) -> String {
    if v < 10 {
        return v.to_string();
    }
    let s = format!("{v:0width$X}h");
    if s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        format!("0{s}")
    } else {
        s
    }
}

fn hex(v: u64) -> String {
    hex_w(v, 1)
}

fn size_keyword(bytes: u32) -> &'static str {
    match bytes {
        1 => "byte",
        2 => "word",
        4 => "dword",
        6 => "fword",
        8 => "qword",
        10 => "tword",
        _ => "",
    }
}

fn reg_name(size: u32, r: u8) -> &'static str {
    let r = (r & 7) as usize;
    match size {
        1 => REG8[r],
        2 => REG16[r],
        _ => REG32[r],
    }
}

/// The memory operand in brackets, with a segment override when it is not the default.
fn mem(insn: &Insn) -> String {
    mem_in(insn, true)
}

/// The memory operand; `with_seg` false for an address that is computed but not accessed (LEA).
fn mem_in(insn: &Insn, with_seg: bool) -> String {
    let mut s = String::from("[");
    if with_seg && insn.seg != NONE && insn.seg != insn.default_seg() {
        s.push_str(SEG[(insn.seg & 7) as usize]);
        s.push(':');
    }
    let regs = if insn.addr32() { &REG32 } else { &REG16 };
    let mut any = false;
    if insn.ea_base != NONE {
        s.push_str(regs[(insn.ea_base & 7) as usize]);
        any = true;
    }
    if insn.ea_index != NONE {
        if any {
            s.push('+');
        }
        s.push_str(regs[(insn.ea_index & 7) as usize]);
        if insn.ea_scale != 0 {
            let _ = write!(s, "*{}", 1u32 << (insn.ea_scale & 3));
        }
        any = true;
    }
    let disp = if insn.addr32() {
        insn.disp as i32 as i64
    } else {
        insn.disp as u16 as i16 as i64
    };
    if !any {
        let abs = if insn.addr32() {
            insn.disp as u64
        } else {
            insn.disp as u16 as u64
        };
        s.push_str(&hex(abs));
    } else if disp > 0 {
        s.push('+');
        s.push_str(&hex(disp as u64));
    } else if disp < 0 {
        s.push('-');
        s.push_str(&hex(disp.unsigned_abs()));
    }
    s.push(']');
    s
}

/// Operand size in bytes of a form that names a register or a ModR/M operand, if it has one.
fn form_size(insn: &Insn, o: Opd) -> Option<u32> {
    Some(match o {
        Opd::Eb | Opd::Gb | Opd::Zb | Opd::Al => 1,
        Opd::Ev | Opd::Gv | Opd::Zv | Opd::Ax => insn.osize(),
        Opd::Ew | Opd::Gw | Opd::Sw => 2,
        Opd::Cd | Opd::Dd | Opd::Rd => 4,
        _ => return None,
    })
}

/// Whether a register operand other than the ModR/M memory operand fixes its size.
fn size_fixed_by_register(insn: &Insn, ops: &[Opd], size: u32) -> bool {
    ops.iter().any(|&o| match o {
        // Moving a segment register to or from memory always moves a word.
        Opd::Sw => true,
        Opd::Gb | Opd::Gv | Opd::Gw | Opd::Zb | Opd::Zv | Opd::Al | Opd::Ax => {
            form_size(insn, o) == Some(size)
        }
        _ => false,
    })
}

/// The operands in the order they are written: the table's order, except two NASM habits.
fn written_operands(insn: &Insn, e: &Entry) -> &'static [Opd] {
    match e.operands {
        // XCHG is symmetric; the register is written first.
        [Opd::Eb, Opd::Gb] if e.mnemonic == "xchg" => &[Opd::Gb, Opd::Eb],
        [Opd::Ev, Opd::Gv] if e.mnemonic == "xchg" => &[Opd::Gv, Opd::Ev],
        // IMUL r,r,imm with the same register twice is written IMUL r,imm.
        [Opd::Gv, Opd::Ev, Opd::Iv] if insn.rm_is_reg() && insn.rm() == insn.reg() => {
            &[Opd::Gv, Opd::Iv]
        }
        [Opd::Gv, Opd::Ev, Opd::Ibs] if insn.rm_is_reg() && insn.rm() == insn.reg() => {
            &[Opd::Gv, Opd::Ibs]
        }
        ops => ops,
    }
}

fn insn_body(insn: &Insn, e: &Entry, ip: u32) -> Option<String> {
    let mut out = String::from(mnemonic(insn, e));
    let next = ip.wrapping_add(insn.len as u32);
    let mut first = true;
    for &o in written_operands(insn, e) {
        let text = match o {
            Opd::Eb | Opd::Ev | Opd::Ew => {
                let size = form_size(insn, o).unwrap_or(2);
                if insn.rm_is_reg() {
                    reg_name(size, insn.rm()).to_string()
                } else if size_fixed_by_register(insn, e.operands, size) {
                    mem(insn)
                } else {
                    format!("{} {}", size_keyword(size), mem(insn))
                }
            }
            Opd::M | Opd::Mp | Opd::Ma | Opd::Ms => {
                if insn.rm_is_reg() {
                    return None;
                }
                // LEA only computes the offset: a segment override has nothing to act on.
                mem_in(insn, e.mnemonic != "lea")
            }
            Opd::Gb | Opd::Gv | Opd::Gw => {
                reg_name(form_size(insn, o).unwrap_or(2), insn.reg()).to_string()
            }
            Opd::Zb | Opd::Zv => {
                reg_name(form_size(insn, o).unwrap_or(2), insn.op as u8).to_string()
            }
            Opd::Al => "al".to_string(),
            Opd::Ax => reg_name(insn.osize(), 0).to_string(),
            Opd::Cl => "cl".to_string(),
            Opd::Dx => "dx".to_string(),
            Opd::Sw => {
                let r = insn.reg();
                if r > 5 {
                    return None;
                }
                SEG[r as usize].to_string()
            }
            Opd::Es => "es".to_string(),
            Opd::Cs => "cs".to_string(),
            Opd::Ss => "ss".to_string(),
            Opd::Ds => "ds".to_string(),
            Opd::Fs => "fs".to_string(),
            Opd::Gs => "gs".to_string(),
            Opd::Cd => format!("cr{}", insn.reg()),
            Opd::Dd => format!("dr{}", insn.reg()),
            Opd::Rd => REG32[insn.rm() as usize].to_string(),
            Opd::One => "1".to_string(),
            Opd::Ib => {
                // ENTER's second immediate (the nesting level) lives in imm2.
                let v = if first_imm_taken(e.operands, o) {
                    insn.imm2
                } else {
                    insn.imm
                };
                hex((v & 0xFF) as u64)
            }
            Opd::Iw => hex((insn.imm & 0xFFFF) as u64),
            Opd::Ibs | Opd::Iv => {
                let v = if insn.op32() {
                    insn.imm
                } else {
                    insn.imm & 0xFFFF
                };
                hex(v as u64)
            }
            Opd::Jb | Opd::Jv => {
                let t = next.wrapping_add(insn.imm);
                let t = if insn.op32() {
                    hex_w(t as u64, 8)
                } else {
                    hex_w((t & 0xFFFF) as u64, 4)
                };
                // Conditional and unconditional jumps say `short` for the 8-bit form.
                if o == Opd::Jb && e.mnemonic.starts_with('j') && !e.mnemonic.ends_with("cxz") {
                    format!("short {t}")
                } else {
                    t
                }
            }
            Opd::Ap => {
                let off = if insn.op32() {
                    hex_w(insn.imm as u64, 8)
                } else {
                    hex_w((insn.imm & 0xFFFF) as u64, 4)
                };
                format!("{}:{}", hex_w((insn.imm2 & 0xFFFF) as u64, 4), off)
            }
            Opd::Ob | Opd::Ov => mem(insn),
            // String operands are implied by the mnemonic (movsb, stosw, ...).
            Opd::Xb | Opd::Xv | Opd::Yb | Opd::Yv => continue,
            Opd::Fm => return None,
        };
        out.push(if first { ' ' } else { ',' });
        out.push_str(&text);
        first = false;
    }
    Some(out)
}

/// Whether an immediate of another form comes before `o` in the operand list (so `o` is the
/// second immediate, stored in `imm2`).
fn first_imm_taken(ops: &[Opd], o: Opd) -> bool {
    let is_imm = |x: &Opd| {
        matches!(
            x,
            Opd::Ib | Opd::Ibs | Opd::Iw | Opd::Iv | Opd::Jb | Opd::Jv
        )
    };
    match ops.iter().position(|&x| x == o) {
        Some(p) => ops[..p].iter().any(is_imm),
        None => false,
    }
}

/// How an x87 register form names its operands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fr {
    /// No operand.
    N,
    /// `st(i)` alone (the other operand, st0, is implied).
    I,
    /// `st(i),st0`.
    I0,
    /// The accumulator (FNSTSW AX).
    Ax,
}

/// Names of the x87 register forms (ESC with mod = 3) by ESC opcode and ModR/M byte. The memory
/// forms come from [`table::fpu_mem_mnemonic`]; these would join them there when the FPU lands.
fn fpu_reg_form(esc: u8, modrm: u8) -> Option<(&'static str, Fr)> {
    use Fr::{Ax, I, I0, N};
    const ARITH: [&str; 8] = [
        "fadd", "fmul", "fcom", "fcomp", "fsub", "fsubr", "fdiv", "fdivr",
    ];
    // DC and DE name the destination st(i): the reversed pairs swap (Intel's spelling).
    const ARITH_R: [&str; 8] = [
        "fadd", "fmul", "fcom", "fcomp", "fsubr", "fsub", "fdivr", "fdiv",
    ];
    const ARITH_P: [&str; 8] = [
        "faddp", "fmulp", "fcomp", "(bad)", "fsubrp", "fsubp", "fdivrp", "fdivp",
    ];
    const D9_E0: [&str; 32] = [
        "fchs", "fabs", "(bad)", "(bad)", "ftst", "fxam", "(bad)", "(bad)", "fld1", "fldl2t",
        "fldl2e", "fldpi", "fldlg2", "fldln2", "fldz", "(bad)", "f2xm1", "fyl2x", "fptan",
        "fpatan", "fxtract", "fprem1", "fdecstp", "fincstp", "fprem", "fyl2xp1", "fsqrt",
        "fsincos", "frndint", "fscale", "fsin", "fcos",
    ];
    const FCMOV: [&str; 4] = ["fcmovb", "fcmove", "fcmovbe", "fcmovu"];
    const FCMOVN: [&str; 4] = ["fcmovnb", "fcmovne", "fcmovnbe", "fcmovnu"];
    let reg = ((modrm >> 3) & 7) as usize;
    let form = match (esc, reg) {
        (0xD8, _) => (ARITH[reg], I),
        (0xD9, 0) => ("fld", I),
        (0xD9, 1) => ("fxch", I),
        (0xD9, 2) if modrm == 0xD0 => ("fnop", N),
        (0xD9, 3) => ("fstp", I),
        (0xD9, _) if modrm >= 0xE0 => (D9_E0[(modrm - 0xE0) as usize], N),
        (0xDA, 0..=3) => (FCMOV[reg], I),
        (0xDA, 5) if modrm == 0xE9 => ("fucompp", N),
        (0xDB, 0..=3) => (FCMOVN[reg], I),
        (0xDB, 4) => match modrm {
            0xE0 => ("fneni", N),
            0xE1 => ("fndisi", N),
            0xE2 => ("fnclex", N),
            0xE3 => ("fninit", N),
            0xE4 => ("fnsetpm", N),
            _ => return None,
        },
        (0xDB, 5) => ("fucomi", I),
        (0xDB, 6) => ("fcomi", I),
        (0xDC, 2 | 3) => (ARITH[reg], I),
        (0xDC, _) => (ARITH_R[reg], I0),
        (0xDD, 0) => ("ffree", I),
        (0xDD, 1) => ("fxch", I),
        (0xDD, 2) => ("fst", I),
        (0xDD, 3) => ("fstp", I),
        (0xDD, 4) => ("fucom", I),
        (0xDD, 5) => ("fucomp", I),
        (0xDE, 2) => ("fcomp", I),
        (0xDE, 3) if modrm == 0xD9 => ("fcompp", N),
        (0xDE, _) => (ARITH_P[reg], I0),
        (0xDF, 0) => ("ffreep", I),
        (0xDF, 1) => ("fxch", I),
        (0xDF, 2 | 3) => ("fstp", I),
        (0xDF, 4) if modrm == 0xE0 => ("fnstsw", Ax),
        (0xDF, 5) => ("fucomip", I),
        (0xDF, 6) => ("fcomip", I),
        _ => return None,
    };
    if form.0 == "(bad)" {
        None
    } else {
        Some(form)
    }
}

fn fpu_body(insn: &Insn) -> Option<String> {
    let esc = insn.op as u8;
    if !insn.rm_is_reg() {
        let (name, size) = table::fpu_mem_mnemonic(esc, insn.reg());
        if name == "(bad)" {
            return None;
        }
        return Some(if size.is_empty() {
            format!("{name} {}", mem(insn))
        } else {
            format!("{name} {size} {}", mem(insn))
        });
    }
    let (name, form) = fpu_reg_form(esc, insn.modrm)?;
    let i = insn.rm();
    Some(match form {
        Fr::N => name.to_string(),
        Fr::Ax => format!("{name} ax"),
        // st1 is the default operand of the compares and FXCH: NASM leaves it out.
        Fr::I if i == 1 && matches!(name, "fcom" | "fcomp" | "fxch" | "fucom" | "fucomp") => {
            name.to_string()
        }
        Fr::I => format!("{name} st{i}"),
        Fr::I0 => format!("{name} st{i},st0"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dis(model: Model, big: bool, bytes: &[u8]) -> (String, usize) {
        match disassemble(model, big, bytes, 0) {
            Ok(r) => r,
            Err(e) => panic!("{bytes:02X?}: {e}"),
        }
    }

    fn d386(big: bool, bytes: &[u8]) -> String {
        let (s, len) = dis(Model::PentiumPro, big, bytes);
        assert_eq!(len, bytes.len(), "{s}");
        s
    }

    #[test]
    fn sixteen_bit_forms() {
        let d = |b: &[u8]| dis(Model::I286, false, b).0;
        assert_eq!(
            d(&[0x80, 0x87, 0x4E, 0x12, 0xB3]),
            "add byte [bx+124Eh],0B3h"
        );
        assert_eq!(d(&[0x3E, 0x00, 0x90, 0x51, 0xE5]), "add [bx+si-1AAFh],dl");
        assert_eq!(d(&[0x3E, 0x13, 0x6B, 0x91]), "adc bp,[ds:bp+di-6Fh]");
        assert_eq!(d(&[0x70, 0x87]), "jo short 0FF89h");
        assert_eq!(d(&[0x74, 0x03]), "je short 5");
        assert_eq!(
            d(&[0xF0, 0x9A, 0x10, 0x94, 0x4A, 0x93]),
            "lock call 934Ah:9410h"
        );
        assert_eq!(d(&[0xFF, 0x1D]), "call far [di]");
        assert_eq!(d(&[0xFF, 0xDD]), "(bad)");
        assert_eq!(d(&[0x36, 0x26, 0xD7]), "es xlatb");
        assert_eq!(d(&[0xF3, 0xA6]), "repe cmpsb");
        assert_eq!(d(&[0x2E, 0xF3, 0xAA]), "rep stosb");
        assert_eq!(d(&[0xD8, 0x7D, 0x22]), "fdivr dword [di+22h]");
        assert_eq!(d(&[0xD8, 0xD9]), "fcomp");
        assert_eq!(d(&[0x0F, 0x01, 0x16, 0x34, 0x12]), "lgdt [1234h]");
        assert_eq!(d(&[0x0F, 0x00, 0xC8]), "str ax");
        // Not on a 286.
        assert_eq!(d(&[0xF1]), "(bad)");
        assert_eq!(dis(Model::I8086, false, &[0x0F]).0, "pop cs");
        assert_eq!(dis(Model::I8086, false, &[0x60]).0, "(bad)");
    }

    #[test]
    fn thirty_two_bit_forms() {
        // SIB with scale, base and disp8.
        assert_eq!(
            d386(true, &[0x8B, 0x44, 0x8B, 0x10]),
            "mov eax,[ebx+ecx*4+10h]"
        );
        // SIB without base, disp32, with a segment override and no register to size it.
        assert_eq!(
            d386(
                true,
                &[0x64, 0xC7, 0x04, 0x8D, 0x00, 0x10, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12]
            ),
            "mov dword [fs:ecx*4+1000h],12345678h"
        );
        // ESP base defaults to SS: a DS override shows.
        assert_eq!(d386(true, &[0x3E, 0x8B, 0x04, 0x24]), "mov eax,[ds:esp]");
        assert_eq!(d386(true, &[0x8B, 0x45, 0xFC]), "mov eax,[ebp-4]");
        // moffs32.
        assert_eq!(
            d386(true, &[0xA1, 0x78, 0x56, 0x34, 0x12]),
            "mov eax,[12345678h]"
        );
        assert_eq!(
            d386(true, &[0x26, 0xA2, 0xEF, 0xBE, 0xAD, 0xDE]),
            "mov [es:0DEADBEEFh],al"
        );
        // 16-bit code with 66h and 67h.
        assert_eq!(
            d386(false, &[0x66, 0x67, 0x8B, 0x04, 0x24]),
            "mov eax,[esp]"
        );
        assert_eq!(d386(false, &[0x66, 0x40]), "inc eax");
        assert_eq!(d386(false, &[0x66, 0x98]), "cwde");
        assert_eq!(d386(false, &[0x66, 0xA5]), "movsd");
        assert_eq!(d386(true, &[0xF3, 0x66, 0xAB]), "rep stosw");
        assert_eq!(d386(true, &[0xE3, 0x10]), "jecxz 00000012h");
        assert_eq!(d386(true, &[0x67, 0xE3, 0x00]), "jcxz 3");
        // Far pointers: 66h makes the offset 32 bits.
        assert_eq!(
            d386(false, &[0x66, 0xEA, 0x78, 0x56, 0x34, 0x12, 0x08, 0x00]),
            "jmp 8:12345678h"
        );
        assert_eq!(
            d386(true, &[0x9A, 0x00, 0x10, 0x00, 0x00, 0x10, 0x00]),
            "call 0010h:00001000h"
        );
        assert_eq!(
            d386(true, &[0x66, 0xEA, 0x34, 0x12, 0x08, 0x00]),
            "jmp 8:1234h"
        );
        assert_eq!(d386(true, &[0x66, 0xFF, 0x2B]), "jmp far [ebx]");
        // Relative branches wrap at the operand size.
        assert_eq!(d386(true, &[0xE8, 0xFB, 0xFF, 0xFF, 0xFF]), "call 0");
        assert_eq!(
            d386(true, &[0xE9, 0xF0, 0xFF, 0xFF, 0xFF]),
            "jmp 0FFFFFFF5h"
        );
        // Two-byte opcodes.
        assert_eq!(
            d386(true, &[0x0F, 0x84, 0x10, 0x00, 0x00, 0x00]),
            "je 00000016h"
        );
        assert_eq!(d386(true, &[0x0F, 0xB6, 0x03]), "movzx eax,byte [ebx]");
        assert_eq!(d386(true, &[0x0F, 0xBF, 0xC1]), "movsx eax,cx");
        assert_eq!(d386(true, &[0x0F, 0x20, 0xC0]), "mov eax,cr0");
        assert_eq!(d386(true, &[0x0F, 0x23, 0xF8]), "mov dr7,eax");
        assert_eq!(d386(true, &[0x0F, 0xA4, 0xD8, 0x04]), "shld eax,ebx,4");
        assert_eq!(d386(true, &[0x0F, 0xAD, 0x13]), "shrd [ebx],edx,cl");
        assert_eq!(d386(true, &[0x0F, 0xBA, 0x2E, 0x1F]), "bts dword [esi],1Fh");
        assert_eq!(d386(true, &[0x0F, 0x94, 0xC1]), "sete cl");
        assert_eq!(d386(true, &[0x0F, 0xA1]), "pop fs");
        assert_eq!(d386(true, &[0x0F, 0xC9]), "bswap ecx");
        assert_eq!(d386(true, &[0x0F, 0xC7, 0x0E]), "cmpxchg8b [esi]");
        assert_eq!(d386(true, &[0x0F, 0xB2, 0x06]), "lss eax,[esi]");
        assert_eq!(d386(true, &[0x0F, 0x01, 0x38]), "invlpg [eax]");
        assert_eq!(d386(true, &[0x0F, 0x02, 0x07]), "lar eax,word [edi]");
        assert_eq!(d386(true, &[0x8C, 0xD8]), "mov eax,ds");
        assert_eq!(d386(true, &[0xC8, 0x10, 0x00, 0x01]), "enter 10h,1");
        assert_eq!(d386(true, &[0x6A, 0xFF]), "push 0FFFFFFFFh");
        assert_eq!(d386(true, &[0xDD, 0xD9]), "fstp st1");
        assert_eq!(d386(true, &[0xDE, 0xC1]), "faddp st1,st0");
        assert_eq!(d386(true, &[0xDF, 0xE0]), "fnstsw ax");
        assert_eq!(d386(true, &[0xDB, 0x2D, 0, 0, 0, 0]), "fld tword [0]");
        // Not on this model.
        assert_eq!(dis(Model::I386, true, &[0x0F, 0xC9]).0, "(bad)");
        assert_eq!(dis(Model::I386, true, &[0x0F, 0x40, 0xC1]).0, "(bad)");
    }

    #[test]
    fn errors() {
        assert_eq!(
            disassemble(Model::I286, false, &[0x81, 0x06], 0),
            Err(DisasmError::Truncated)
        );
        assert_eq!(
            disassemble(Model::I286, false, &[0x26; 12], 0),
            Err(DisasmError::TooLong)
        );
    }

    /// Random bytes: never panics, on every model and both code sizes.
    #[test]
    fn fuzz_no_panic() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut rnd = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut buf = [0u8; 16];
        for n in 0..200_000u32 {
            for b in buf.iter_mut() {
                *b = rnd() as u8;
            }
            // Bias towards prefixes and two-byte opcodes now and then.
            if n % 4 == 0 {
                buf[0] = [0x0F, 0x66, 0x67, 0xF3, 0x26, 0xD9, 0xDF, 0xF0][(n / 4 % 8) as usize];
            }
            let model = Model::ALL[(n % 7) as usize];
            let big = n % 3 == 0;
            let take = (rnd() % 17) as usize;
            if let Ok((s, len)) = disassemble(model, big, &buf[..take], rnd() as u32) {
                assert!(!s.is_empty() && len >= 1 && len <= take);
            }
        }
    }
}

#[cfg(test)]
mod iced_tests {
    use super::*;
    use iced_x86::{Decoder, DecoderOptions};

    /// Where iced-x86 names the same instruction differently (ours, iced's).
    const KNOWN: [(&str, &str); 4] = [
        // 0F 05 is LOADALL on the 286 and SYSCALL on today's CPUs.
        ("loadall", "syscall"),
        // D9 D8+i, the undocumented alias of FSTP ST(i).
        ("fstp", "fstpnce"),
        // F3 90: PAUSE since the Pentium 4, REP NOP before.
        ("nop", "pause"),
        // 0F 1F /1-/7: hint NOPs, reserved for future use.
        ("nop", "reservednop"),
    ];

    /// Random instructions on a Pentium Pro, 16- and 32-bit code, biased towards 0F xx, the
    /// size prefixes and the x87 escapes: wherever we decode a valid instruction, iced-x86 must
    /// agree on its length and its mnemonic.
    #[test]
    fn agrees_with_iced() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut rnd = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        const FIRST: [u8; 10] = [0x66, 0x67, 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF];
        const PREFIXES: [&str; 10] = [
            "lock", "rep", "repe", "repne", "es", "cs", "ss", "ds", "fs", "gs",
        ];
        let mut diffs: Vec<String> = Vec::new();
        let mut checked = 0u32;
        let mut buf = [0u8; 16];
        for n in 0..400_000u32 {
            for b in buf.iter_mut() {
                *b = rnd() as u8;
            }
            match n % 4 {
                0 => buf[0] = 0x0F,
                1 => buf[0] = FIRST[(n / 4 % 10) as usize],
                _ => {}
            }
            let big = n % 2 == 0;
            let Ok((ours, len)) = disassemble(Model::PentiumPro, big, &buf, 0) else {
                continue;
            };
            if ours == "(bad)" {
                continue;
            }
            checked += 1;
            let bits = if big { 32 } else { 16 };
            let mut dec = Decoder::with_ip(bits, &buf, 0, DecoderOptions::NO_INVALID_CHECK);
            let ins = dec.decode();
            let word = ours
                .split(' ')
                .find(|w| !PREFIXES.contains(w))
                .unwrap_or("");
            let theirs = format!("{:?}", ins.mnemonic()).to_ascii_lowercase();
            let named = word == theirs || KNOWN.contains(&(word, theirs.as_str()));
            if ins.is_invalid() || ins.len() != len || !named {
                diffs.push(format!(
                    "{:02X?} {bits}-bit: ours `{ours}` ({len} bytes), iced `{theirs}` ({} bytes)",
                    &buf[..len.max(ins.len())],
                    ins.len()
                ));
            }
        }
        for d in diffs.iter().take(20) {
            println!("{d}");
        }
        println!("{checked} valid instructions checked against iced-x86");
        assert!(checked > 300_000, "only {checked} valid instructions");
        assert_eq!(diffs.len(), 0, "differences from iced-x86");
    }
}
