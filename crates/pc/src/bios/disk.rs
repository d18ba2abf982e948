//! INT 13h, the disk BIOS, over the floppy and ATA controllers. (Being written: until it lands
//! there are no drives and every call answers "not supported".)

use super::{Flow, Pc};

#[derive(Debug, Clone, Default)]
pub struct DiskState {}

/// Put the disk BIOS's tables (diskette parameters, fixed disk parameters) into the ROM image.
pub fn install_rom(_image: &mut [u8]) {}

/// Power-on: detect drives, fill the BDA and CMOS drive fields.
pub fn post_init(_pc: &mut Pc) {}

/// The boot sector of BIOS drive `drive` (00h = A:, 80h = C:), if it has a bootable disk.
pub fn boot_sector(_pc: &mut Pc, _drive: u8) -> Result<Vec<u8>, String> {
    Err("no drives".into())
}

pub fn int13(pc: &mut Pc) -> Flow {
    super::unsupported(pc)
}

/// IRQ6: the floppy controller finished a command.
pub fn irq6(pc: &mut Pc) -> Flow {
    let f = pc.board.mem.read8(0x43E);
    pc.board.mem.write8(0x43E, f | 0x80);
    Flow::Done
}

/// IRQ14: the hard disk controller finished a command.
pub fn irq14(pc: &mut Pc) -> Flow {
    pc.board.mem.write8(0x48E, 0xFF);
    Flow::Done
}
