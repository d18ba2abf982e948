//! INT 10h, the video BIOS, over the VGA device. (Being written: until it lands every call
//! answers "not supported".)

use super::{Flow, Pc};

#[derive(Debug, Clone, Default)]
pub struct VideoState {}

/// Put the video BIOS's tables (fonts, parameter tables) into the ROM image.
pub fn install_rom(_image: &mut [u8]) {}

/// Power-on initialization of the display (mode 3).
pub fn post_init(_pc: &mut Pc) {}

pub fn int10(pc: &mut Pc) -> Flow {
    super::unsupported(pc)
}

/// Show a firmware message on the screen (boot failures).
pub fn print_message(_pc: &mut Pc, _msg: &str) {}
