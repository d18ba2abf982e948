//! CD-ROM images: an ISO 9660 file of 2048-byte sectors, and the El Torito boot catalog on it.
//!
//! [`CdImage`] is what the ATAPI drive (`devices/atapi.rs`) reads and what the BIOS boots from
//! (`bios/disk.rs`, `bios/post.rs`). It is read-only. [`CdImage::boot_entry`] parses the El
//! Torito boot record volume descriptor (sector 17), the validation entry of the boot catalog
//! (header ID 01h, key bytes 55h AAh, words summing to zero) and its initial/default entry.

use std::fmt;

/// Bytes per CD-ROM sector (mode 1 user data).
pub const CD_SECTOR_SIZE: usize = 2048;

/// The smallest image that can hold an ISO 9660 volume: the 16 system-area sectors and the
/// primary volume descriptor (sector 16).
pub const MIN_CD_SECTORS: u64 = 17;

/// Why a file cannot be used as a CD-ROM image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CdError {
    Empty,
    /// Not a whole number of 2048-byte sectors.
    NotWholeSectors {
        len: usize,
    },
    /// Too small to hold the ISO 9660 volume descriptors.
    TooSmall {
        len: usize,
    },
    /// No "CD001" volume descriptor at sector 16.
    NotIso9660,
}

impl fmt::Display for CdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CdError::Empty => f.write_str("the file is empty: there is no CD image in it"),
            CdError::NotWholeSectors { len } => write!(
                f,
                "{len} bytes is not a whole number of 2048-byte CD sectors ({} bytes past the \
                 last whole sector): the ISO image looks truncated, or is not an ISO image",
                len % CD_SECTOR_SIZE
            ),
            CdError::TooSmall { len } => write!(
                f,
                "{len} bytes is too small for a CD image: an ISO 9660 volume needs at least \
                 {} bytes (16 system sectors and a volume descriptor)",
                MIN_CD_SECTORS as usize * CD_SECTOR_SIZE
            ),
            CdError::NotIso9660 => f.write_str(
                "there is no ISO 9660 volume descriptor (CD001) at sector 16: this is not an \
                 ISO CD image",
            ),
        }
    }
}

impl std::error::Error for CdError {}

/// Boot media type of an El Torito entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BootMedia {
    /// No emulation: the loaded image talks to the CD through INT 13h with 2048-byte sectors.
    NoEmulation,
    /// A floppy image of 1.2M, 1.44M or 2.88M that becomes drive 00h.
    Floppy { sectors: u64 },
    /// A hard disk image that becomes drive 80h (not supported by the BIOS).
    HardDisk,
}

/// The El Torito initial/default entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BootEntry {
    pub media: BootMedia,
    /// Segment to load at (0 means the traditional 07C0h).
    pub load_segment: u16,
    /// Virtual (512-byte) sectors to load for no emulation.
    pub sector_count: u16,
    /// First 2048-byte sector of the image.
    pub lba: u32,
    /// The system type byte (the partition type for hard disk emulation).
    pub system_type: u8,
}

/// Why an image does not boot by El Torito.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BootError {
    NoBootRecord,
    BadCatalog(&'static str),
    NotBootable,
}

impl fmt::Display for BootError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BootError::NoBootRecord => {
                f.write_str("the CD has no El Torito boot record (sector 17): it is not bootable")
            }
            BootError::BadCatalog(why) => write!(f, "the CD's El Torito boot catalog {why}"),
            BootError::NotBootable => {
                f.write_str("the CD's El Torito initial entry is not marked bootable")
            }
        }
    }
}

/// A CD-ROM image.
#[derive(Debug, Clone)]
pub struct CdImage {
    data: Vec<u8>,
}

impl CdImage {
    /// A CD image from the bytes of an .iso file.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<CdImage, CdError> {
        let len = bytes.len();
        if len == 0 {
            return Err(CdError::Empty);
        }
        if !len.is_multiple_of(CD_SECTOR_SIZE) {
            return Err(CdError::NotWholeSectors { len });
        }
        if (len / CD_SECTOR_SIZE) < MIN_CD_SECTORS as usize {
            return Err(CdError::TooSmall { len });
        }
        if &bytes[16 * CD_SECTOR_SIZE + 1..16 * CD_SECTOR_SIZE + 6] != b"CD001" {
            return Err(CdError::NotIso9660);
        }
        Ok(CdImage { data: bytes })
    }

    /// Number of 2048-byte sectors.
    pub fn sectors(&self) -> u64 {
        (self.data.len() / CD_SECTOR_SIZE) as u64
    }

    pub fn bytes(&self) -> &[u8] {
        &self.data
    }

    /// `count` sectors from `lba`, if all are on the disc.
    pub fn read(&self, lba: u64, count: u64) -> Option<&[u8]> {
        let end = lba.checked_add(count)?;
        if end > self.sectors() {
            return None;
        }
        Some(&self.data[lba as usize * CD_SECTOR_SIZE..end as usize * CD_SECTOR_SIZE])
    }

    /// `len` bytes from byte offset `at`, if all are on the disc.
    pub fn read_bytes(&self, at: u64, len: usize) -> Option<&[u8]> {
        let end = at.checked_add(len as u64)?;
        // (Converted with a check: `as` would cut an offset past 4 GiB to a 32-bit usize in wasm.)
        self.data
            .get(usize::try_from(at).ok()?..usize::try_from(end).ok()?)
    }

    /// The El Torito initial/default entry.
    pub fn boot_entry(&self) -> Result<BootEntry, BootError> {
        let br = self.read(17, 1).ok_or(BootError::NoBootRecord)?;
        if br[0] != 0 || &br[1..6] != b"CD001" || &br[7..30] != b"EL TORITO SPECIFICATION" {
            return Err(BootError::NoBootRecord);
        }
        let cat = u32::from_le_bytes([br[0x47], br[0x48], br[0x49], br[0x4A]]) as u64;
        let c = self
            .read(cat, 1)
            .ok_or(BootError::BadCatalog("is past the end of the disc"))?;
        if c[0] != 1 {
            return Err(BootError::BadCatalog("has no validation entry"));
        }
        if c[0x1E] != 0x55 || c[0x1F] != 0xAA {
            return Err(BootError::BadCatalog("lacks the 55h AAh key bytes"));
        }
        let sum = c[..32].chunks_exact(2).fold(0u16, |a, w| {
            a.wrapping_add(u16::from_le_bytes([w[0], w[1]]))
        });
        if sum != 0 {
            return Err(BootError::BadCatalog("has a bad checksum"));
        }
        let e = &c[32..64];
        if e[0] != 0x88 {
            return Err(BootError::NotBootable);
        }
        let media = match e[1] & 0x0F {
            0 => BootMedia::NoEmulation,
            1 => BootMedia::Floppy { sectors: 2400 },
            2 => BootMedia::Floppy { sectors: 2880 },
            3 => BootMedia::Floppy { sectors: 5760 },
            4 => BootMedia::HardDisk,
            _ => return Err(BootError::BadCatalog("names an unknown boot media type")),
        };
        Ok(BootEntry {
            media,
            load_segment: u16::from_le_bytes([e[2], e[3]]),
            system_type: e[4],
            sector_count: u16::from_le_bytes([e[6], e[7]]),
            lba: u32::from_le_bytes([e[8], e[9], e[10], e[11]]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_checked() {
        assert_eq!(CdImage::from_bytes(vec![]).unwrap_err(), CdError::Empty);
        assert!(matches!(
            CdImage::from_bytes(vec![0; 2048 * 20 + 5]),
            Err(CdError::NotWholeSectors { .. })
        ));
        assert!(matches!(
            CdImage::from_bytes(vec![0; 2048 * 16]),
            Err(CdError::TooSmall { .. })
        ));
        assert_eq!(
            CdImage::from_bytes(vec![0; 2048 * 20]).unwrap_err(),
            CdError::NotIso9660
        );
        let msg = CdError::NotWholeSectors { len: 2049 }.to_string();
        assert!(msg.contains("2048"), "{msg}");
    }
}
