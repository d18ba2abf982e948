//! Cross-checks the decoder and the disassembler against every test of every 80286 vector file:
//!
//! (a) our decoder's length equals the vector's instruction length (`bytes` minus the final F4);
//! (b) our disassembly equals the vector's `name` (a NASM-style disassembly made upstream);
//! (c) iced-x86, decoding the same bytes as 16-bit code, agrees on the length and the mnemonic.
//!
//! Every exception to these rules is written out below with its reason, and counted, so that the
//! test fails if the exceptions grow or shrink.

use cpu::decode::{self, Insn, F_INVALID};
use cpu::{disasm, Model, Res};
use iced_x86::{Decoder, DecoderOptions, Mnemonic};
use std::path::PathBuf;

fn vector_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/vectors/80286-real"
    ))
}

/// Names that no 286 disassembler can reproduce: upstream decoded these C5 bytes (LDS with a
/// register operand, #UD on a 286) as VEX-encoded AVX instructions of today's CPUs. We print
/// `(bad)`, which is what the 286 did with them (all thirteen raise #6).
const VEX_NAMES: &[(&str, u32)] = &[
    ("C5", 29),
    ("C5", 53),
    ("C5", 88),
    ("C5", 90),
    ("C5", 114),
    ("C5", 116),
    ("C5", 119),
    ("C5", 140),
    ("C5", 168),
    ("C5", 193),
    ("C5", 264),
    ("C5", 275),
    ("C5", 295),
];

/// Upstream writes a DS prefix (3E) in front of an indirect near CALL/JMP as `notrack`, the
/// CET hint of 2017-era CPUs. On a 286 it is a plain segment override, so we drop the word from
/// the expected name before comparing (the rest of the name is unchanged).
const NOTRACK: &str = "notrack ";

// iced-x86 names every instruction of these vectors as we do (`salc`, `sal`, `int3`, `xlatb`,
// `jb`/`jae`/...): no naming differences need listing. (The wider random cross-check in
// `cpu::disasm`'s unit tests lists the four it meets outside the 286 set.)

/// Decode the bytes as a 286 would. The 286 raises #GP for instructions longer than 10 bytes;
/// upstream still names them, so those are decoded again with the 386's 15-byte limit (the
/// vectors hold no 0F or 64h-67h bytes in opcode position, so a 386 reads them the same way).
fn decode_286(bytes: &[u8]) -> (Option<Insn>, bool) {
    let fetch = |i: u32| -> Res<u8> { Ok(bytes.get(i as usize).copied().unwrap_or(0)) };
    match decode::decode(Model::I286, false, fetch) {
        Ok(insn) => (Some(insn), false),
        Err(_) => (decode::decode(Model::I386, false, fetch).ok(), true),
    }
}

/// The mnemonic of a disassembly: the first word after any prefixes.
fn first_word(text: &str) -> &str {
    const PREFIXES: [&str; 11] = [
        "lock", "rep", "repe", "repne", "es", "cs", "ss", "ds", "fs", "gs", "notrack",
    ];
    text.split(' ')
        .find(|w| !PREFIXES.contains(w))
        .unwrap_or("")
}

fn iced_name(m: Mnemonic) -> String {
    format!("{m:?}").to_ascii_lowercase()
}

#[test]
fn disassembly_matches_every_vector_name() {
    let dir = vector_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".json.gz"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 325, "vector files in {}", dir.display());

    let mut total = 0u32;
    let mut name_ok = 0u32;
    let mut len_checked = 0u32;
    let mut bad_names = 0u32;
    let mut vex_seen = 0u32;
    let mut notrack_seen = 0u32;
    let mut too_long = 0u32;
    let mut iced_checked = 0u32;
    let mut iced_vex = 0u32;
    let mut invalid_late = 0u32;
    let mut mismatches: Vec<String> = Vec::new();
    let mut iced_mismatches: Vec<String> = Vec::new();

    for path in &files {
        let base = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .trim_end_matches(".json.gz")
            .to_string();
        let gz = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let tests = conformance::parse_gz(&gz).unwrap_or_else(|e| panic!("{base}: {e}"));
        for t in &tests {
            total += 1;
            let where_ = format!("{base} #{} {:02X?}", t.idx, t.bytes);
            assert_eq!(t.bytes.last(), Some(&0xF4), "{where_}: no final HLT");
            let bytes = &t.bytes[..t.bytes.len() - 1];
            let vex = VEX_NAMES.contains(&(base.as_str(), t.idx));
            let mut want = t.name.clone();
            if let Some(rest) = want.strip_prefix(NOTRACK) {
                want = rest.to_string();
                notrack_seen += 1;
            }
            if vex {
                vex_seen += 1;
                want = "(bad)".to_string();
            }
            let bad = want == "(bad)";
            if bad {
                bad_names += 1;
            }

            let (insn, long) = decode_286(bytes);
            let Some(insn) = insn else {
                mismatches.push(format!("{where_}: does not decode"));
                continue;
            };
            if long {
                too_long += 1;
                if bytes.len() <= 10 {
                    mismatches.push(format!("{where_}: #GP for a short instruction"));
                }
            }
            // (a) The length, where it is defined: the bytes after an invalid opcode are
            // arbitrary (upstream took VEX/EVEX/XOP lengths for them), the CPU raises #UD at
            // the first byte whatever follows.
            if !bad {
                len_checked += 1;
                if insn.len as usize != bytes.len() {
                    mismatches.push(format!(
                        "{where_}: length {} want {}",
                        insn.len,
                        bytes.len()
                    ));
                }
            } else if insn.flags & F_INVALID == 0 {
                // Invalid for a reason the decoder leaves to execution (LEA with a register,
                // MOV with segment register 6): the disassembler must still say so.
                invalid_late += 1;
            }
            // (b) The text.
            let got = disasm::format(&insn, 0);
            if got == want {
                name_ok += 1;
            } else {
                mismatches.push(format!("{where_}: got `{got}` want `{want}`"));
            }
            // (c) iced-x86.
            let mut dec = Decoder::with_ip(16, bytes, 0, DecoderOptions::NO_INVALID_CHECK);
            let ins = dec.decode();
            if bad {
                if !ins.is_invalid() {
                    // A modern CPU reads 62h, C4h, C5h and 8Fh with a register ModR/M as the
                    // EVEX, VEX and XOP escapes.
                    let op = bytes
                        .iter()
                        .copied()
                        .find(|b| ![0x26, 0x2E, 0x36, 0x3E, 0xF0, 0xF2, 0xF3].contains(b));
                    if matches!(op, Some(0x62 | 0xC4 | 0xC5 | 0x8F)) {
                        iced_vex += 1;
                    } else {
                        iced_mismatches
                            .push(format!("{where_}: iced `{:?}`, (bad) for us", ins.code()));
                    }
                }
                continue;
            }
            iced_checked += 1;
            if ins.is_invalid() {
                iced_mismatches.push(format!("{where_}: iced says invalid, we say `{got}`"));
                continue;
            }
            if ins.len() != insn.len as usize {
                iced_mismatches.push(format!(
                    "{where_}: iced length {} ours {}",
                    ins.len(),
                    insn.len
                ));
            }
            let ours = first_word(&got);
            let theirs = iced_name(ins.mnemonic());
            if ours != theirs {
                iced_mismatches.push(format!("{where_}: mnemonic `{ours}` iced `{theirs}`"));
            }
        }
    }

    println!(
        "{total} vector tests: {name_ok} names match; {len_checked} lengths checked; \
         {iced_checked} checked against iced-x86; {bad_names} (bad) ({vex_seen} of them named \
         as VEX by upstream, {iced_vex} VEX/EVEX/XOP for iced); {notrack_seen} notrack; \
         {too_long} over 10 bytes"
    );
    for m in mismatches.iter().take(20) {
        println!("MISMATCH {m}");
    }
    for m in iced_mismatches.iter().take(20) {
        println!("ICED {m}");
    }
    assert_eq!(mismatches.len(), 0, "disassembly/length mismatches");
    assert_eq!(iced_mismatches.len(), 0, "iced-x86 mismatches");
    assert_eq!(total, 97_500);
    assert_eq!(name_ok, total);
    // The exceptions, counted: if any of these moves, look at why.
    assert_eq!(bad_names, 447, "tests named (bad), VEX names included");
    assert_eq!(vex_seen, VEX_NAMES.len() as u32, "VEX_NAMES entries found");
    assert_eq!(
        iced_vex, 13,
        "(bad) tests that iced-x86 reads as VEX/EVEX/XOP"
    );
    assert_eq!(
        invalid_late, 413,
        "(bad) only by operand checks in the disassembler"
    );
    assert_eq!(notrack_seen, 22, "names with notrack");
    assert_eq!(too_long, 11, "instructions over the 286's 10 bytes");
    assert_eq!(len_checked, total - bad_names);
    assert_eq!(iced_checked, total - bad_names);
}
