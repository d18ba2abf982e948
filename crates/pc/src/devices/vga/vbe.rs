//! The Bochs VBE extension ("DISPI"): an index port (1CEh) and a data port (1CFh) that set a
//! linear video mode of any size at 8, 15, 16, 24 or 32 bits a pixel, seen through a 64 KiB
//! bank at A0000h and through the linear frame buffer at [`LFB_BASE`].

use super::VRAM_SIZE;

/// Physical address of the linear frame buffer.
pub const LFB_BASE: u32 = 0xE000_0000;
/// Size of the address range the linear frame buffer decodes.
pub const LFB_SIZE: u32 = 16 << 20;
/// The newest interface version this adapter speaks.
pub const DISPI_ID5: u16 = 0xB0C5;

/// The DISPI registers (written to the index port).
pub mod index {
    pub const ID: u16 = 0;
    pub const XRES: u16 = 1;
    pub const YRES: u16 = 2;
    pub const BPP: u16 = 3;
    pub const ENABLE: u16 = 4;
    pub const BANK: u16 = 5;
    pub const VIRT_WIDTH: u16 = 6;
    pub const VIRT_HEIGHT: u16 = 7;
    pub const X_OFFSET: u16 = 8;
    pub const Y_OFFSET: u16 = 9;
    pub const VIDEO_MEMORY_64K: u16 = 0xA;
}

/// Bits of the enable register.
pub mod flags {
    pub const ENABLED: u16 = 0x01;
    pub const GETCAPS: u16 = 0x02;
    pub const DAC_8BIT: u16 = 0x20;
    pub const LFB_ENABLED: u16 = 0x40;
    pub const NOCLEAR: u16 = 0x80;
}

use flags::*;
use index::*;

pub const MAX_XRES: u16 = 2560;
pub const MAX_YRES: u16 = 1600;
pub const MAX_BPP: u16 = 32;

#[derive(Debug, Clone, Default)]
pub struct Dispi {
    pub index: u16,
    pub id: u16,
    pub xres: u16,
    pub yres: u16,
    pub bpp: u16,
    pub enable: u16,
    pub bank: u16,
    pub virt_width: u16,
    pub virt_height: u16,
    pub x_offset: u16,
    pub y_offset: u16,
}

/// Bytes a pixel takes at `bpp` bits.
pub fn bytes_per_pixel(bpp: u16) -> u32 {
    (bpp as u32).div_ceil(8)
}

impl Dispi {
    #[inline]
    pub fn enabled(&self) -> bool {
        self.enable & ENABLED != 0
    }

    pub fn dac_8bit(&self) -> bool {
        self.enable & DAC_8BIT != 0
    }

    /// Bytes from one line to the next in video memory.
    pub fn line_bytes(&self) -> u32 {
        self.virt_width as u32 * bytes_per_pixel(self.bpp)
    }

    /// Offset in video memory of the first visible pixel.
    pub fn start_offset(&self) -> u32 {
        self.y_offset as u32 * self.line_bytes() + self.x_offset as u32 * bytes_per_pixel(self.bpp)
    }

    /// The video memory byte a CPU address in the A0000h bank window reaches.
    #[inline]
    pub fn bank_offset(&self, addr: u32) -> Option<usize> {
        let a = addr.wrapping_sub(0xA0000);
        if a >= 0x10000 {
            return None;
        }
        let i = ((self.bank as usize) << 16) + a as usize;
        (i < VRAM_SIZE).then_some(i)
    }

    fn valid_bpp(bpp: u16) -> bool {
        matches!(bpp, 8 | 15 | 16 | 24 | 32)
    }

    pub fn read(&mut self, port: u16, size: u8) -> u32 {
        let v = if port == 0x1CE {
            self.index
        } else {
            self.read_reg(self.index)
        };
        match size {
            1 => v as u32 & 0xFF,
            _ => v as u32,
        }
    }

    fn read_reg(&self, index: u16) -> u16 {
        let caps = self.enable & GETCAPS != 0;
        match index {
            ID => {
                if self.id == 0 {
                    DISPI_ID5
                } else {
                    self.id
                }
            }
            XRES if caps => MAX_XRES,
            YRES if caps => MAX_YRES,
            BPP if caps => MAX_BPP,
            XRES => self.xres,
            YRES => self.yres,
            BPP => self.bpp,
            ENABLE => self.enable,
            BANK => self.bank,
            VIRT_WIDTH => self.virt_width,
            VIRT_HEIGHT => self.virt_height,
            X_OFFSET => self.x_offset,
            Y_OFFSET => self.y_offset,
            VIDEO_MEMORY_64K => (VRAM_SIZE >> 16) as u16,
            _ => 0,
        }
    }

    /// A port write. Returns the number of bytes of video memory to clear when a mode was just
    /// enabled without the no-clear bit.
    pub fn write(&mut self, port: u16, _size: u8, value: u32) -> Option<usize> {
        let v = value as u16;
        if port == 0x1CE {
            self.index = v;
            return None;
        }
        match self.index {
            ID if (0xB0C0..=DISPI_ID5).contains(&v) => self.id = v,
            XRES if !self.enabled() => self.xres = v.min(MAX_XRES),
            YRES if !self.enabled() => self.yres = v.min(MAX_YRES),
            BPP if !self.enabled() => {
                self.bpp = if v == 0 { 8 } else { v };
            }
            ENABLE => return self.set_enable(v),
            BANK if ((v as usize) << 16) < VRAM_SIZE => self.bank = v,
            VIRT_WIDTH if self.bpp != 0 => {
                let bpp = bytes_per_pixel(self.bpp);
                let w = (v as u32).max(self.xres as u32);
                if w * bpp * self.yres as u32 <= VRAM_SIZE as u32 {
                    self.virt_width = w as u16;
                    self.virt_height = (VRAM_SIZE as u32 / (w * bpp).max(1)).min(0xFFFF) as u16;
                }
            }
            VIRT_HEIGHT => {
                let max = VRAM_SIZE as u32 / self.line_bytes().max(1);
                self.virt_height = (v as u32).clamp(self.yres as u32, max.max(1)) as u16;
            }
            X_OFFSET => self.x_offset = v,
            Y_OFFSET => self.y_offset = v,
            _ => {}
        }
        None
    }

    fn set_enable(&mut self, v: u16) -> Option<usize> {
        let was = self.enabled();
        if v & ENABLED != 0 && !was {
            let ok = self.xres > 0
                && self.yres > 0
                && Dispi::valid_bpp(self.bpp)
                && self.xres as u32 * self.yres as u32 * bytes_per_pixel(self.bpp)
                    <= VRAM_SIZE as u32;
            if !ok {
                // An impossible mode is refused; the adapter stays in VGA mode.
                self.enable = v & (GETCAPS | DAC_8BIT);
                return None;
            }
            self.enable = v;
            self.virt_width = self.xres;
            self.virt_height = (VRAM_SIZE as u32 / self.line_bytes().max(1)).min(0xFFFF) as u16;
            self.x_offset = 0;
            self.y_offset = 0;
            self.bank = 0;
            if v & NOCLEAR == 0 {
                return Some((self.line_bytes() * self.yres as u32) as usize);
            }
            return None;
        }
        self.enable = v;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(d: &mut Dispi, index: u16, v: u16) -> Option<usize> {
        d.write(0x1CE, 2, index as u32);
        d.write(0x1CF, 2, v as u32)
    }

    fn get(d: &mut Dispi, index: u16) -> u16 {
        d.write(0x1CE, 2, index as u32);
        d.read(0x1CF, 2) as u16
    }

    #[test]
    fn id_caps_and_enable() {
        let mut d = Dispi::default();
        assert_eq!(get(&mut d, ID), DISPI_ID5);
        set(&mut d, ENABLE, GETCAPS);
        assert_eq!(get(&mut d, XRES), MAX_XRES);
        assert_eq!(get(&mut d, BPP), 32);
        set(&mut d, ENABLE, 0);
        set(&mut d, XRES, 800);
        set(&mut d, YRES, 600);
        set(&mut d, BPP, 32);
        assert_eq!(
            set(&mut d, ENABLE, ENABLED | LFB_ENABLED),
            Some(800 * 600 * 4)
        );
        assert!(d.enabled());
        assert_eq!(d.virt_width, 800);
        // Resolution changes are ignored while enabled.
        set(&mut d, XRES, 640);
        assert_eq!(d.xres, 800);
        set(&mut d, VIRT_WIDTH, 1024);
        set(&mut d, Y_OFFSET, 10);
        assert_eq!(d.start_offset(), 10 * 1024 * 4);
        assert_eq!(get(&mut d, VIDEO_MEMORY_64K), 256);
    }

    #[test]
    fn bad_modes_are_refused_and_banks_map_the_window() {
        let mut d = Dispi::default();
        set(&mut d, XRES, 640);
        set(&mut d, YRES, 480);
        set(&mut d, BPP, 12);
        assert_eq!(set(&mut d, ENABLE, ENABLED), None);
        assert!(!d.enabled());
        set(&mut d, BPP, 8);
        assert_eq!(set(&mut d, ENABLE, ENABLED | NOCLEAR), None);
        assert!(d.enabled());
        set(&mut d, BANK, 3);
        assert_eq!(d.bank_offset(0xA1234), Some(0x31234));
        assert_eq!(d.bank_offset(0xB0000), None);
    }
}
