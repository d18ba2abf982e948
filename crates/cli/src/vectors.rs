//! `aula86 vectors`: the batch protocol of `shared/vectors/PROTOCOL.md`.

use conformance::{dump_file, parse_index, parse_revocations, run_file, Runner};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub const USAGE: &str = "\
aula86 vectors [--dump] [--verbose] <file.json.gz | directory>
    run hardware CPU test vectors by the batch protocol of shared/vectors/PROTOCOL.md:
    a summary line per file, its first five failures (--verbose: all of them) and a
    total, exit status 1 on any failure; --dump prints each test's result instead";

pub fn main(args: &[String]) -> Result<ExitCode, String> {
    let mut dump = false;
    let mut verbose = false;
    let mut target = None;
    for a in args {
        match a.as_str() {
            "--dump" => dump = true,
            "--verbose" | "-v" => verbose = true,
            s if s.starts_with('-') => {
                return Err(format!("vectors: unknown option '{s}'\n{USAGE}"))
            }
            s => target = Some(PathBuf::from(s)),
        }
    }
    let target = target.ok_or("vectors: give a .json.gz file or a directory")?;
    let files = list_files(&target)?;
    let dir = if target.is_dir() {
        target.clone()
    } else {
        target.parent().unwrap_or(Path::new(".")).to_path_buf()
    };
    let masks = read_masks(&dir);
    let revoked = read_revocations(&dir);
    let mut runner = Runner::new();
    let (mut total_pass, mut total_fail) = (0u64, 0u64);
    let mut bad_input = false;
    for f in &files {
        let base = base_name(f);
        let bytes = match std::fs::read(f) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{}: {e}", f.display());
                bad_input = true;
                continue;
            }
        };
        if dump {
            match dump_file(&mut runner, &bytes, &revoked) {
                Ok(lines) => lines.iter().for_each(|l| println!("{l}")),
                Err(e) => {
                    eprintln!("{}: {e}", f.display());
                    bad_input = true;
                }
            }
            continue;
        }
        let mask = masks.get(&base).copied().unwrap_or(0xFFFF);
        match run_file(&mut runner, &base, &bytes, mask, &revoked) {
            Ok(rep) => {
                let shown = if verbose {
                    rep.failures.len()
                } else {
                    rep.failures.len().min(5)
                };
                for line in &rep.failures[..shown] {
                    println!("  FAIL {base} {line}");
                }
                println!("{}", rep.summary());
                total_pass += rep.passed as u64;
                total_fail += rep.failed as u64;
            }
            Err(e) => {
                eprintln!("{}: {e}", f.display());
                bad_input = true;
            }
        }
    }
    if !dump {
        println!("{total_pass} passed, {total_fail} failed");
    }
    Ok(if total_fail == 0 && !bad_input {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn base_name(p: &Path) -> String {
    let n = p
        .file_name()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    n.trim_end_matches(".gz")
        .trim_end_matches(".json")
        .to_string()
}

fn list_files(target: &Path) -> Result<Vec<PathBuf>, String> {
    if target.is_dir() {
        let rd = std::fs::read_dir(target).map_err(|e| format!("{}: {e}", target.display()))?;
        let mut v: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.to_string_lossy().ends_with(".json.gz"))
            .collect();
        v.sort();
        if v.is_empty() {
            return Err(format!(
                "{}: no .json.gz vector files here",
                target.display()
            ));
        }
        Ok(v)
    } else if target.exists() {
        Ok(vec![target.to_path_buf()])
    } else {
        Err(format!("{}: no such file or directory", target.display()))
    }
}

fn read_masks(dir: &Path) -> HashMap<String, u16> {
    let p = dir.join("index.json");
    match std::fs::read_to_string(&p) {
        Ok(s) => parse_index(&s).unwrap_or_else(|e| {
            eprintln!("{}: {e}; comparing all FLAGS bits", p.display());
            HashMap::new()
        }),
        Err(_) => {
            eprintln!("{}: missing; comparing all FLAGS bits", p.display());
            HashMap::new()
        }
    }
}

fn read_revocations(dir: &Path) -> HashSet<String> {
    std::fs::read_to_string(dir.join("revocation_list.txt"))
        .map(|s| parse_revocations(&s))
        .unwrap_or_default()
}
