//! Helpers shared by the machine-level tests.

use pc::disk::DiskImage;
use pc::{Config, Pc};

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
