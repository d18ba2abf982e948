//! Helpers shared by the machine-level tests.
// (Each test file that includes this module uses only some of it.)
#![allow(dead_code)]

use pc::disk::DiskImage;
use pc::{Config, Pc};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository's `tests/guests` folder.
pub fn guests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/guests")
}

/// `tests/guests/NAME.asm` assembled with nasm.
pub fn assemble(name: &str) -> Vec<u8> {
    assemble_in(&guests_dir(), name)
}

/// `DIR/NAME.asm` assembled with nasm in `dir` (so that its `%include`s are found there).
pub fn assemble_in(dir: &Path, name: &str) -> Vec<u8> {
    // A file of its own for each call: tests running at once may assemble the same guest.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let file = name.replace('/', "-");
    let out = std::env::temp_dir().join(format!("aula86-{file}-{}-{n}.bin", std::process::id()));
    let status = Command::new("nasm")
        .current_dir(dir)
        .arg("-f")
        .arg("bin")
        .arg("-o")
        .arg(&out)
        .arg(format!("{name}.asm"))
        .status()
        .expect("nasm must be installed (scripts/test installs it)");
    assert!(
        status.success(),
        "nasm failed on {name}.asm in {}",
        dir.display()
    );
    let bytes = std::fs::read(&out).expect("nasm output");
    let _ = std::fs::remove_file(&out);
    bytes
}

/// A machine built from `config` with a 1.44 MB floppy in A: whose boot sector is `code`
/// (signed 55AAh), ready to boot it.
pub fn boot_sector_machine(code: &[u8], config: Config) -> Pc {
    let mut floppy = vec![0u8; 1_474_560];
    floppy[..code.len()].copy_from_slice(code);
    floppy[510] = 0x55;
    floppy[511] = 0xAA;
    let mut pc = Pc::with_config(config).expect("machine");
    pc.insert_floppy(0, DiskImage::from_bytes(floppy, None).expect("image"))
        .expect("insert");
    pc
}

/// xorshift64*: deterministic, so a failure can be replayed from its seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}
