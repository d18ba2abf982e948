//! Disk images: the bytes of a floppy disk or a hard disk, their geometry, and the checks that
//! turn a file the user picked into something a drive can hold, or into a clear reason why not.
//!
//! An image is raw: sector after sector, 512 bytes each, in cylinder-head-sector order. Writes
//! from the guest change the bytes in memory and set the "modified" flag; the host decides
//! whether and where to save them ([`DiskImage::file_bytes`]).
//!
//! Floppy geometry comes from the image size (the standard formats in [`FLOPPY_FORMATS`]), or
//! from the boot sector's BIOS parameter block when that describes the same size differently.
//! Hard disk geometry is computed from the size, guided by the partition table's CHS fields when
//! there is one, so that the BIOS translation matches what partitioning software wrote.

use std::fmt;

/// Bytes per sector on every disk the machine knows.
pub const SECTOR_SIZE: usize = 512;

/// The largest hard disk: 2^28 sectors, what LBA28 addresses (128 GiB).
pub const MAX_HARD_DISK_SECTORS: u64 = 1 << 28;

/// Floppy disk or hard disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiskKind {
    Floppy,
    HardDisk,
}

impl fmt::Display for DiskKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DiskKind::Floppy => "floppy disk",
            DiskKind::HardDisk => "hard disk",
        })
    }
}

/// Cylinders, heads and sectors per track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Geometry {
    pub cylinders: u32,
    pub heads: u32,
    pub sectors: u32,
}

impl Geometry {
    pub const fn new(cylinders: u32, heads: u32, sectors: u32) -> Geometry {
        Geometry {
            cylinders,
            heads,
            sectors,
        }
    }

    /// Sectors the geometry addresses.
    pub fn total(&self) -> u64 {
        self.cylinders as u64 * self.heads as u64 * self.sectors as u64
    }

    /// The linear sector number of cylinder `c`, head `h`, sector `s` (1-based), if the
    /// address is inside the geometry.
    pub fn chs_to_lba(&self, c: u32, h: u32, s: u32) -> Option<u64> {
        if c >= self.cylinders || h >= self.heads || s == 0 || s > self.sectors {
            return None;
        }
        Some((c as u64 * self.heads as u64 + h as u64) * self.sectors as u64 + s as u64 - 1)
    }
}

/// A standard floppy format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FloppyFormat {
    /// Short name as users know it ("1.44M").
    pub name: &'static str,
    pub geometry: Geometry,
    /// Data rate in kbit/s at which the controller reads the media (250, 300, 500, 1000).
    pub rate_kbps: u32,
    /// 5.25-inch media (else 3.5-inch).
    pub five_inch: bool,
    /// CMOS drive type that naturally holds it (1 = 360K, 2 = 1.2M, 3 = 720K, 4 = 1.44M,
    /// 5 = 2.88M).
    pub drive_type: u8,
    /// Read/write gap length and format gap length (for the diskette parameter table).
    pub gap: u8,
    pub format_gap: u8,
    /// The FAT media descriptor byte DOS uses for it.
    pub media: u8,
}

const fn fmt(
    name: &'static str,
    (c, h, s): (u32, u32, u32),
    rate_kbps: u32,
    five_inch: bool,
    drive_type: u8,
    gaps: (u8, u8),
    media: u8,
) -> FloppyFormat {
    FloppyFormat {
        name,
        geometry: Geometry::new(c, h, s),
        rate_kbps,
        five_inch,
        drive_type,
        gap: gaps.0,
        format_gap: gaps.1,
        media,
    }
}

/// The floppy formats the machine reads, by size.
pub const FLOPPY_FORMATS: [FloppyFormat; 10] = [
    fmt("160K", (40, 1, 8), 250, true, 1, (0x2A, 0x50), 0xFE),
    fmt("180K", (40, 1, 9), 250, true, 1, (0x2A, 0x50), 0xFC),
    fmt("320K", (40, 2, 8), 250, true, 1, (0x2A, 0x50), 0xFF),
    fmt("360K", (40, 2, 9), 250, true, 1, (0x2A, 0x50), 0xFD),
    fmt("720K", (80, 2, 9), 250, false, 3, (0x2A, 0x50), 0xF9),
    fmt("1.2M", (80, 2, 15), 500, true, 2, (0x1B, 0x54), 0xF9),
    fmt("1.44M", (80, 2, 18), 500, false, 4, (0x1B, 0x6C), 0xF0),
    fmt(
        "1.68M (DMF)",
        (80, 2, 21),
        500,
        false,
        4,
        (0x0C, 0x1C),
        0xF0,
    ),
    fmt("1.72M", (82, 2, 21), 500, false, 4, (0x0C, 0x1C), 0xF0),
    fmt("2.88M", (80, 2, 36), 1000, false, 5, (0x1B, 0x53), 0xF0),
];

impl FloppyFormat {
    /// The standard format of exactly `len` bytes.
    pub fn by_size(len: usize) -> Option<&'static FloppyFormat> {
        FLOPPY_FORMATS
            .iter()
            .find(|f| f.geometry.total() as usize * SECTOR_SIZE == len)
    }

    /// The standard format with this geometry.
    pub fn by_geometry(g: Geometry) -> Option<&'static FloppyFormat> {
        FLOPPY_FORMATS.iter().find(|f| f.geometry == g)
    }

    /// The format named like "1.44M", "1440", "720K" (for hosts creating blank disks).
    pub fn by_name(name: &str) -> Option<&'static FloppyFormat> {
        let n = name.trim().to_ascii_uppercase();
        FLOPPY_FORMATS.iter().find(|f| {
            let kib = f.geometry.total() / 2;
            f.name.starts_with(&n) || n == kib.to_string() || n == format!("{kib}K")
        })
    }

    /// A non-standard floppy geometry (from a BPB): rate and gaps by sectors per track.
    fn custom(g: Geometry) -> FloppyFormat {
        let (rate, drive_type, gaps) = match g.sectors {
            0..=10 if g.cylinders <= 42 => (250, 1, (0x2A, 0x50)),
            0..=10 => (250, 3, (0x2A, 0x50)),
            11..=15 => (500, 2, (0x1B, 0x54)),
            16..=23 => (500, 4, (0x1B, 0x6C)),
            _ => (1000, 5, (0x1B, 0x53)),
        };
        FloppyFormat {
            name: "custom",
            geometry: g,
            rate_kbps: rate,
            five_inch: drive_type <= 2,
            drive_type,
            gap: gaps.0,
            format_gap: gaps.1,
            media: 0xF0,
        }
    }
}

/// Why a file cannot be used as a disk image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiskError {
    /// The file has no bytes.
    Empty,
    /// Asked for a floppy, but the size is no floppy format.
    NotFloppySize { len: usize },
    /// A hard disk image must be whole sectors.
    Truncated { len: usize },
    /// More than the machine can address.
    TooLarge { len: u64, max: u64 },
    /// Recognizably something other than a raw disk image.
    NotADisk {
        what: &'static str,
        advice: &'static str,
    },
    /// No such drive slot.
    NoSuchDrive { kind: DiskKind, index: u8 },
    /// The image is of the other kind than the drive.
    WrongKind { drive: DiskKind, image: DiskKind },
}

fn floppy_sizes() -> String {
    let names: Vec<&str> = FLOPPY_FORMATS.iter().map(|f| f.name).collect();
    names.join(", ")
}

impl fmt::Display for DiskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiskError::Empty => f.write_str("the file is empty: there is no disk image in it"),
            DiskError::NotFloppySize { len } => write!(
                f,
                "{len} bytes is not the size of any floppy disk ({}); if it is a hard disk \
                 image, attach it as a hard disk instead",
                floppy_sizes()
            ),
            DiskError::Truncated { len } => write!(
                f,
                "{len} bytes is not a whole number of 512-byte sectors: the hard disk image \
                 looks truncated ({} bytes past the last whole sector)",
                len % SECTOR_SIZE
            ),
            DiskError::TooLarge { len, max } => write!(
                f,
                "the image is {} MiB, more than the {} MiB a disk on this machine can have",
                len >> 20,
                max >> 20
            ),
            DiskError::NotADisk { what, advice } => {
                write!(f, "this is {what}, not a raw disk image: {advice}")
            }
            DiskError::NoSuchDrive { kind, index } => {
                write!(f, "there is no {kind} drive {index} (drives are 0 and 1)")
            }
            DiskError::WrongKind { drive, image } => {
                write!(f, "a {image} image cannot go in a {drive} drive")
            }
        }
    }
}

impl std::error::Error for DiskError {}

/// Why a sector access failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoError {
    /// Past the end of the disk.
    OutOfRange,
    /// The image is read-only (a write-protected floppy).
    WriteProtected,
}

/// A disk image in a drive.
#[derive(Debug, Clone)]
pub struct DiskImage {
    data: Vec<u8>,
    kind: DiskKind,
    /// Floppy: the media geometry. Hard disk: the drive's default (ATA) geometry.
    geometry: Geometry,
    /// The geometry INT 13h uses (a hard disk's BIOS translation; the same for floppies).
    bios_geometry: Geometry,
    floppy: Option<FloppyFormat>,
    writable: bool,
    modified: bool,
    /// Bytes that were after the disk data in the file (a fixed VHD footer), kept for saving.
    trailer: Vec<u8>,
    notes: Vec<String>,
}

/// Container and archive formats recognizable at the start of a file.
const MAGICS: &[(&[u8], &str, &str)] = &[
    (
        b"PK\x03\x04",
        "a ZIP archive",
        "extract the disk image from it first",
    ),
    (b"\x1F\x8B", "a gzip-compressed file", "decompress it first"),
    (
        b"7z\xBC\xAF\x27\x1C",
        "a 7-Zip archive",
        "extract the disk image from it first",
    ),
    (
        b"Rar!\x1A\x07",
        "a RAR archive",
        "extract the disk image from it first",
    ),
    (
        b"\xFD7zXZ\x00",
        "an xz-compressed file",
        "decompress it first",
    ),
    (
        b"QFI\xFB",
        "a QEMU qcow image",
        "convert it to raw first (qemu-img convert -O raw)",
    ),
    (
        b"KDMV",
        "a VMware VMDK image",
        "convert it to raw first (qemu-img convert -O raw)",
    ),
    (
        b"# Disk DescriptorFile",
        "a VMware VMDK descriptor",
        "convert the disk to raw first (qemu-img convert -O raw)",
    ),
    (
        b"<<< ",
        "a VirtualBox VDI image",
        "convert it to raw first (VBoxManage clonemedium --format RAW)",
    ),
    (
        b"conectix",
        "a dynamic Virtual PC (VHD) image",
        "convert it to a raw or fixed-size image first",
    ),
    (
        b"vhdxfile",
        "a Hyper-V VHDX image",
        "convert it to raw first (qemu-img convert -O raw)",
    ),
    (
        b"IMD ",
        "an ImageDisk (.IMD) floppy image",
        "convert it to a raw .img first",
    ),
    (
        b"HXCPICFE",
        "an HFE flux image",
        "convert it to a raw .img first",
    ),
    (
        b"\x7FELF",
        "an ELF program",
        "a disk image is needed; this file could be put on one",
    ),
];

/// Whether the sector looks like a DOS BIOS parameter block, and its geometry and total
/// sector count if so.
fn bpb(sector: &[u8]) -> Option<(Geometry, u64)> {
    if sector.len() < 512 {
        return None;
    }
    let jump = sector[0] == 0xE9 || sector[0] == 0xEB;
    let w = |o: usize| u16::from_le_bytes([sector[o], sector[o + 1]]) as u64;
    let bytes_per_sector = w(11);
    let per_cluster = sector[13];
    let reserved = w(14);
    let fats = sector[16];
    let spt = w(24);
    let heads = w(26);
    let mut total = w(19);
    if total == 0 {
        total = u32::from_le_bytes([sector[32], sector[33], sector[34], sector[35]]) as u64;
    }
    let ok = jump
        && bytes_per_sector == 512
        && per_cluster.is_power_of_two()
        && reserved >= 1
        && (1..=2).contains(&fats)
        && (1..=63).contains(&spt)
        && (1..=255).contains(&heads)
        && total > 0
        && sector[21] >= 0xF0;
    if !ok {
        return None;
    }
    let cyls = total / (spt * heads);
    Some((Geometry::new(cyls as u32, heads as u32, spt as u32), total))
}

/// Heads and sectors per track suggested by an MBR partition table (the CHS fields of a
/// partition whose end address agrees with its LBA fields, else any plausible end address).
fn mbr_geometry(sector0: &[u8]) -> Option<(u32, u32)> {
    if sector0.len() < 512 || sector0[510] != 0x55 || sector0[511] != 0xAA {
        return None;
    }
    let mut guess = None;
    for i in 0..4 {
        let e = &sector0[446 + i * 16..462 + i * 16];
        if e[4] == 0 || (e[0] != 0 && e[0] != 0x80) {
            continue;
        }
        let end_h = e[5] as u32;
        let end_s = (e[6] & 0x3F) as u32;
        let end_c = e[7] as u32 | ((e[6] as u32 & 0xC0) << 2);
        if end_s == 0 {
            continue;
        }
        let heads = end_h + 1;
        let start = u32::from_le_bytes([e[8], e[9], e[10], e[11]]) as u64;
        let count = u32::from_le_bytes([e[12], e[13], e[14], e[15]]) as u64;
        if count == 0 {
            continue;
        }
        let end_lba = start + count - 1;
        let chs = (end_c as u64 * heads as u64 + end_h as u64) * end_s as u64 + end_s as u64 - 1;
        if end_c < 1023 && chs == end_lba {
            return Some((heads, end_s));
        }
        if guess.is_none() {
            guess = Some((heads, end_s));
        }
    }
    guess
}

impl DiskImage {
    /// Make a disk image from the bytes of a file. `kind` says which drive it is meant for;
    /// `None` decides from the contents (floppy sizes are floppies, anything else a hard disk).
    pub fn from_bytes(mut bytes: Vec<u8>, kind: Option<DiskKind>) -> Result<DiskImage, DiskError> {
        if bytes.is_empty() {
            return Err(DiskError::Empty);
        }
        let mut notes = Vec::new();
        let mut trailer = Vec::new();
        // A fixed-size VHD is a raw image with a 512-byte footer: keep the footer aside.
        let n = bytes.len();
        if n >= 1024 && n.is_multiple_of(SECTOR_SIZE) && &bytes[n - 512..n - 504] == b"conectix" {
            let disk_type = u32::from_be_bytes([
                bytes[n - 512 + 0x3C],
                bytes[n - 512 + 0x3D],
                bytes[n - 512 + 0x3E],
                bytes[n - 512 + 0x3F],
            ]);
            if disk_type == 2 {
                trailer = bytes.split_off(n - 512);
                notes.push("fixed-size VHD: its footer is kept aside".to_string());
            }
        }
        for (magic, what, advice) in MAGICS {
            if bytes.starts_with(magic) {
                return Err(DiskError::NotADisk { what, advice });
            }
        }
        let has_mbr = bytes.len() >= 512 && bytes[510] == 0x55 && bytes[511] == 0xAA;
        if bytes.len() > 0x8006 && &bytes[0x8001..0x8006] == b"CD001" && !has_mbr {
            return Err(DiskError::NotADisk {
                what: "a CD-ROM (ISO 9660) image",
                advice: "put it in the CD-ROM drive",
            });
        }
        if bytes.len() > 0x44
            && bytes[0x40..0x44] == [0x7F, 0x10, 0xDA, 0xBE]
            && bytes.starts_with(b"<")
        {
            return Err(DiskError::NotADisk {
                what: "a VirtualBox VDI image",
                advice: "convert it to raw first (VBoxManage clonemedium --format RAW)",
            });
        }
        let kind = kind.unwrap_or_else(|| {
            if FloppyFormat::by_size(bytes.len()).is_some() {
                DiskKind::Floppy
            } else {
                DiskKind::HardDisk
            }
        });
        match kind {
            DiskKind::Floppy => DiskImage::floppy_from(bytes, notes, trailer),
            DiskKind::HardDisk => DiskImage::hard_disk_from(bytes, notes, trailer),
        }
    }

    fn floppy_from(
        mut bytes: Vec<u8>,
        mut notes: Vec<String>,
        trailer: Vec<u8>,
    ) -> Result<DiskImage, DiskError> {
        let len = bytes.len();
        let by_size = FloppyFormat::by_size(len).copied();
        let from_bpb = bpb(&bytes[..len.min(512)]);
        let format = match (by_size, from_bpb) {
            (Some(f), Some((g, total)))
                if g != f.geometry && total.checked_mul(512) == Some(len as u64) =>
            {
                // The BPB describes the same number of sectors in another shape: trust it.
                let g = Geometry::new(g.cylinders, g.heads, g.sectors);
                if (1..=2).contains(&g.heads) && (8..=40).contains(&g.sectors) && g.total() == total
                {
                    notes.push(format!(
                        "geometry {}/{}/{} from the boot sector",
                        g.cylinders, g.heads, g.sectors
                    ));
                    FloppyFormat::by_geometry(g)
                        .copied()
                        .unwrap_or_else(|| FloppyFormat::custom(g))
                } else {
                    f
                }
            }
            (Some(f), _) => f,
            (None, Some((g, total))) => {
                // A shortened image (tools sometimes drop trailing empty sectors): its BPB
                // names a standard format at least as large; pad it with zeros.
                match FloppyFormat::by_geometry(g) {
                    Some(f)
                        if len.is_multiple_of(SECTOR_SIZE)
                            && total == f.geometry.total()
                            && len < total as usize * SECTOR_SIZE =>
                    {
                        notes.push(format!("short {} image padded from {len} bytes", f.name));
                        bytes.resize(total as usize * SECTOR_SIZE, 0);
                        *f
                    }
                    _ => return Err(DiskError::NotFloppySize { len }),
                }
            }
            (None, None) => return Err(DiskError::NotFloppySize { len }),
        };
        Ok(DiskImage {
            data: bytes,
            kind: DiskKind::Floppy,
            geometry: format.geometry,
            bios_geometry: format.geometry,
            floppy: Some(format),
            writable: true,
            modified: false,
            trailer,
            notes,
        })
    }

    fn hard_disk_from(
        bytes: Vec<u8>,
        mut notes: Vec<String>,
        trailer: Vec<u8>,
    ) -> Result<DiskImage, DiskError> {
        let len = bytes.len();
        let max = MAX_HARD_DISK_SECTORS * SECTOR_SIZE as u64;
        if len as u64 > max {
            return Err(DiskError::TooLarge {
                len: len as u64,
                max,
            });
        }
        if !len.is_multiple_of(SECTOR_SIZE) {
            return Err(DiskError::Truncated { len });
        }
        let total = (len / SECTOR_SIZE) as u64;
        let guide = mbr_geometry(&bytes).or_else(|| {
            bpb(&bytes[..512])
                .filter(|(g, _)| g.heads >= 1 && g.sectors >= 1)
                .map(|(g, _)| (g.heads, g.sectors))
        });
        let (geometry, bios_geometry) = hard_disk_geometry(total, guide);
        if let Some((h, s)) = guide {
            notes.push(format!(
                "BIOS geometry guided by the boot sector: {h} heads, {s} sectors"
            ));
        }
        Ok(DiskImage {
            data: bytes,
            kind: DiskKind::HardDisk,
            geometry,
            bios_geometry,
            floppy: None,
            writable: true,
            modified: false,
            trailer,
            notes,
        })
    }

    /// A blank (all zero) floppy of a standard format.
    pub fn blank_floppy(format: &FloppyFormat) -> DiskImage {
        let data = vec![0u8; format.geometry.total() as usize * SECTOR_SIZE];
        DiskImage {
            data,
            kind: DiskKind::Floppy,
            geometry: format.geometry,
            bios_geometry: format.geometry,
            floppy: Some(*format),
            writable: true,
            modified: false,
            trailer: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// A blank hard disk of `sectors` sectors.
    pub fn blank_hard_disk(sectors: u64) -> Result<DiskImage, DiskError> {
        if sectors == 0 {
            return Err(DiskError::Empty);
        }
        if sectors > MAX_HARD_DISK_SECTORS {
            return Err(DiskError::TooLarge {
                len: sectors * SECTOR_SIZE as u64,
                max: MAX_HARD_DISK_SECTORS * SECTOR_SIZE as u64,
            });
        }
        DiskImage::hard_disk_from(
            vec![0u8; sectors as usize * SECTOR_SIZE],
            Vec::new(),
            Vec::new(),
        )
    }

    pub fn kind(&self) -> DiskKind {
        self.kind
    }

    /// Floppy: the media geometry. Hard disk: the drive's default geometry (what ATA IDENTIFY
    /// reports, at most 16383/16/63).
    pub fn geometry(&self) -> Geometry {
        self.geometry
    }

    /// The geometry INT 13h presents (for a hard disk, the BIOS translation: at most
    /// 1024/255/63).
    pub fn bios_geometry(&self) -> Geometry {
        self.bios_geometry
    }

    /// The floppy format, for a floppy.
    pub fn floppy_format(&self) -> Option<&FloppyFormat> {
        self.floppy.as_ref()
    }

    /// Number of sectors.
    pub fn sectors(&self) -> u64 {
        (self.data.len() / SECTOR_SIZE) as u64
    }

    /// The disk's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.data
    }

    /// The size of [`file_bytes`](Self::file_bytes), without copying them.
    pub fn file_len(&self) -> usize {
        self.data.len() + self.trailer.len()
    }

    /// Bytes the file had after the disk's data (a fixed VHD's footer), kept for saving.
    pub fn trailer(&self) -> &[u8] {
        &self.trailer
    }

    /// The bytes to save as a file (the disk, plus any footer the file had).
    pub fn file_bytes(&self) -> Vec<u8> {
        let mut v = self.data.clone();
        v.extend_from_slice(&self.trailer);
        v
    }

    /// What detection decided that the user may want to know (padding, geometry source).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    pub fn is_writable(&self) -> bool {
        self.writable
    }

    /// Write-protect (false) or allow writes (true).
    pub fn set_writable(&mut self, writable: bool) {
        self.writable = writable;
    }

    /// Whether the guest wrote to the disk since it was loaded (or [`DiskImage::clear_modified`]).
    pub fn is_modified(&self) -> bool {
        self.modified
    }

    pub fn clear_modified(&mut self) {
        self.modified = false;
    }

    /// The bytes of `count` sectors from `lba`, if they are all on the disk.
    pub fn read(&self, lba: u64, count: u64) -> Result<&[u8], IoError> {
        let end = lba.checked_add(count).ok_or(IoError::OutOfRange)?;
        if end > self.sectors() {
            return Err(IoError::OutOfRange);
        }
        Ok(&self.data[lba as usize * SECTOR_SIZE..end as usize * SECTOR_SIZE])
    }

    /// Write whole sectors at `lba` (`data.len()` a multiple of 512; a partial last sector is
    /// written as far as it goes).
    pub fn write(&mut self, lba: u64, data: &[u8]) -> Result<(), IoError> {
        if !self.writable {
            return Err(IoError::WriteProtected);
        }
        let start = (lba as usize)
            .checked_mul(SECTOR_SIZE)
            .ok_or(IoError::OutOfRange)?;
        let end = start.checked_add(data.len()).ok_or(IoError::OutOfRange)?;
        if lba > self.sectors() || end > self.data.len() {
            return Err(IoError::OutOfRange);
        }
        self.data[start..end].copy_from_slice(data);
        self.modified = true;
        Ok(())
    }

    /// Fill `count` sectors from `lba` with `byte` (formatting).
    pub fn fill(&mut self, lba: u64, count: u64, byte: u8) -> Result<(), IoError> {
        if !self.writable {
            return Err(IoError::WriteProtected);
        }
        let end = lba.checked_add(count).ok_or(IoError::OutOfRange)?;
        if end > self.sectors() {
            return Err(IoError::OutOfRange);
        }
        self.data[lba as usize * SECTOR_SIZE..end as usize * SECTOR_SIZE].fill(byte);
        self.modified = true;
        Ok(())
    }

    /// Whether the first sector could be booted: not blank (all one byte value, as an
    /// unformatted or freshly zeroed disk is).
    pub fn boot_sector_plausible(&self) -> bool {
        let s = &self.data[..SECTOR_SIZE.min(self.data.len())];
        s.iter().any(|&b| b != s[0])
    }
}

/// The default (ATA) geometry and the BIOS (INT 13h) geometry of a hard disk of `total`
/// sectors, guided by (heads, sectors per track) from its partition table.
pub fn hard_disk_geometry(total: u64, guide: Option<(u32, u32)>) -> (Geometry, Geometry) {
    let fit = |heads: u32, spt: u32, max_cyl: u64| {
        let cyl = (total / (heads as u64 * spt as u64)).clamp(1, max_cyl) as u32;
        Geometry::new(cyl, heads, spt)
    };
    let guide = guide.filter(|&(h, s)| (1..=255).contains(&h) && (1..=63).contains(&s));
    let ata = match guide {
        Some((h, s)) if h <= 16 && total >= h as u64 * s as u64 => fit(h, s, 16383),
        _ if total >= 16 * 63 => fit(16, 63, 16383),
        _ => {
            // Smaller than one cylinder of 16 heads: one head, as many sectors as fit.
            let spt = total.clamp(1, 63) as u32;
            let heads = (total / spt as u64).clamp(1, 16) as u32;
            fit(heads, spt, 16383)
        }
    };
    let bios = match guide {
        Some((h, s)) if total >= h as u64 * s as u64 => fit(h, s, 1024),
        _ if total <= 1024 * ata.heads as u64 * ata.sectors as u64 => {
            Geometry::new(ata.cylinders.min(1024), ata.heads, ata.sectors)
        }
        _ => {
            // LBA-assisted translation: the fewest heads that bring cylinders within 1024.
            let heads = [16u32, 32, 64, 128, 255]
                .into_iter()
                .find(|&h| total / (h as u64 * 63) <= 1024)
                .unwrap_or(255);
            fit(heads, 63, 1024)
        }
    };
    (ata, bios)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boot_sector_with_bpb(spt: u16, heads: u16, total: u16, media: u8) -> Vec<u8> {
        let mut s = vec![0u8; 512];
        s[0] = 0xEB;
        s[1] = 0x3C;
        s[2] = 0x90;
        s[11..13].copy_from_slice(&512u16.to_le_bytes());
        s[13] = 1;
        s[14..16].copy_from_slice(&1u16.to_le_bytes());
        s[16] = 2;
        s[19..21].copy_from_slice(&total.to_le_bytes());
        s[21] = media;
        s[24..26].copy_from_slice(&spt.to_le_bytes());
        s[26..28].copy_from_slice(&heads.to_le_bytes());
        s[510] = 0x55;
        s[511] = 0xAA;
        s
    }

    #[test]
    fn every_standard_floppy_size_is_detected() {
        for f in FLOPPY_FORMATS {
            let n = f.geometry.total() as usize * 512;
            let img = DiskImage::from_bytes(vec![0; n], None).expect(f.name);
            assert_eq!(img.kind(), DiskKind::Floppy, "{}", f.name);
            assert_eq!(img.geometry(), f.geometry, "{}", f.name);
            let img = DiskImage::from_bytes(vec![0; n], Some(DiskKind::Floppy)).expect(f.name);
            assert_eq!(img.floppy_format().map(|f| f.name), Some(f.name));
        }
        assert_eq!(
            FloppyFormat::by_size(1_474_560).map(|f| f.geometry),
            Some(Geometry::new(80, 2, 18))
        );
        assert_eq!(
            FloppyFormat::by_name("1.44M").map(|f| f.drive_type),
            Some(4)
        );
        assert_eq!(FloppyFormat::by_name("360").map(|f| f.drive_type), Some(1));
    }

    #[test]
    fn empty_file_is_refused() {
        assert_eq!(
            DiskImage::from_bytes(vec![], None).err(),
            Some(DiskError::Empty)
        );
        let e = DiskImage::from_bytes(vec![], Some(DiskKind::HardDisk)).unwrap_err();
        assert!(e.to_string().contains("empty"), "{e}");
    }

    #[test]
    fn floppy_of_odd_size_says_so_and_suggests_a_hard_disk() {
        let e = DiskImage::from_bytes(vec![0; 1_000_000], Some(DiskKind::Floppy)).unwrap_err();
        assert_eq!(e, DiskError::NotFloppySize { len: 1_000_000 });
        let msg = e.to_string();
        assert!(msg.contains("1.44M") && msg.contains("hard disk"), "{msg}");
        // Without a hint an odd size that is whole sectors is a hard disk.
        let img = DiskImage::from_bytes(vec![0; 1_000_448], None).unwrap();
        assert_eq!(img.kind(), DiskKind::HardDisk);
    }

    #[test]
    fn truncated_hard_disk_is_refused() {
        let e = DiskImage::from_bytes(vec![1; 10 * 512 + 100], None).unwrap_err();
        assert_eq!(e, DiskError::Truncated { len: 5220 });
        assert!(e.to_string().contains("truncated"), "{e}");
        let e = DiskImage::from_bytes(vec![1; 300], Some(DiskKind::HardDisk)).unwrap_err();
        assert_eq!(e, DiskError::Truncated { len: 300 });
    }

    #[test]
    fn archives_and_other_containers_are_not_disks() {
        let mut zip = vec![0u8; 1_474_560];
        zip[..4].copy_from_slice(b"PK\x03\x04");
        let e = DiskImage::from_bytes(zip, None).unwrap_err();
        assert!(matches!(e, DiskError::NotADisk { what, .. } if what.contains("ZIP")));
        assert!(e.to_string().contains("extract"), "{e}");
        let mut gz = vec![0u8; 4096];
        gz[..2].copy_from_slice(b"\x1F\x8B");
        assert!(matches!(
            DiskImage::from_bytes(gz, Some(DiskKind::HardDisk)),
            Err(DiskError::NotADisk { .. })
        ));
        let mut qcow = vec![0u8; 4096];
        qcow[..4].copy_from_slice(b"QFI\xFB");
        assert!(DiskImage::from_bytes(qcow, None)
            .unwrap_err()
            .to_string()
            .contains("qemu-img"));
    }

    #[test]
    fn iso_is_a_cd_unless_it_is_hybrid() {
        let mut iso = vec![0u8; 0x10000];
        iso[0x8001..0x8006].copy_from_slice(b"CD001");
        let e = DiskImage::from_bytes(iso.clone(), None).unwrap_err();
        assert!(e.to_string().contains("CD-ROM"), "{e}");
        iso[510] = 0x55;
        iso[511] = 0xAA;
        let img = DiskImage::from_bytes(iso, None).unwrap();
        assert_eq!(img.kind(), DiskKind::HardDisk);
    }

    #[test]
    fn too_large_is_refused() {
        // Checked before the bytes are looked at, so a small buffer can stand for the size
        // through the geometry helper; the error itself is exercised with blank_hard_disk.
        let e = DiskImage::blank_hard_disk(MAX_HARD_DISK_SECTORS + 1).unwrap_err();
        assert!(matches!(e, DiskError::TooLarge { .. }));
        assert!(e.to_string().contains("MiB"), "{e}");
    }

    #[test]
    fn fixed_vhd_footer_is_kept_aside_and_dynamic_vhd_refused() {
        let mut v = vec![0u8; 20 * 512];
        let f = v.len();
        v.extend_from_slice(&[0u8; 512]);
        v[f..f + 8].copy_from_slice(b"conectix");
        v[f + 0x3F] = 2;
        let img = DiskImage::from_bytes(v.clone(), None).unwrap();
        assert_eq!(img.sectors(), 20);
        assert_eq!(img.file_bytes(), v);
        assert_eq!(img.file_len(), v.len());
        let mut d = vec![0u8; 4096];
        d[..8].copy_from_slice(b"conectix");
        assert!(DiskImage::from_bytes(d, None).is_err());
    }

    #[test]
    fn bpb_geometry_wins_when_it_disagrees_and_short_images_are_padded() {
        // 720 KiB of sectors laid out as 80 cylinders, 1 head, 18 sectors.
        let mut d = vec![0u8; 737_280];
        d[..512].copy_from_slice(&boot_sector_with_bpb(18, 1, 1440, 0xF0));
        let img = DiskImage::from_bytes(d, None).unwrap();
        assert_eq!(img.geometry(), Geometry::new(80, 1, 18));
        // A 1.44M image cut short after its data.
        let mut d = vec![0u8; 300 * 512];
        d[..512].copy_from_slice(&boot_sector_with_bpb(18, 2, 2880, 0xF0));
        let img = DiskImage::from_bytes(d, Some(DiskKind::Floppy)).unwrap();
        assert_eq!(img.sectors(), 2880);
        assert!(!img.is_modified());
        assert!(!img.notes().is_empty());
    }

    #[test]
    fn hard_disk_geometry_from_size_and_partition_table() {
        // 10 MiB, no partition table: 16 heads, 63 sectors.
        let img = DiskImage::from_bytes(vec![0; 10 << 20], None).unwrap();
        assert_eq!(img.geometry(), Geometry::new(20, 16, 63));
        assert_eq!(img.bios_geometry(), img.geometry());
        // An old 306/4/17 disk partitioned with that geometry.
        let total = 306 * 4 * 17u32;
        let mut d = vec![0u8; total as usize * 512];
        d[510] = 0x55;
        d[511] = 0xAA;
        let e = &mut d[446..462];
        e[0] = 0x80;
        e[1] = 1;
        e[2] = 1;
        e[4] = 0x01;
        e[5] = 3;
        e[6] = 17 | ((305 >> 8) << 6) as u8;
        e[7] = (305 & 0xFF) as u8;
        e[8..12].copy_from_slice(&17u32.to_le_bytes());
        e[12..16].copy_from_slice(&(total - 17).to_le_bytes());
        let img = DiskImage::from_bytes(d, None).unwrap();
        assert_eq!(img.geometry(), Geometry::new(306, 4, 17));
        assert_eq!(img.bios_geometry(), Geometry::new(306, 4, 17));
        // 2 GiB: ATA 4161/16/63, BIOS LBA-assisted with 128 heads.
        let (ata, bios) = hard_disk_geometry(1 << 22, None);
        assert_eq!(ata, Geometry::new(4161, 16, 63));
        assert_eq!(bios, Geometry::new(520, 128, 63));
        // Tiny disks still get at least one cylinder.
        let (ata, _) = hard_disk_geometry(10, None);
        assert_eq!(ata, Geometry::new(1, 1, 10));
    }

    #[test]
    fn reads_writes_and_write_protect() {
        let mut img = DiskImage::blank_floppy(&FLOPPY_FORMATS[6]);
        assert!(!img.is_modified());
        img.write(5, &[7u8; 512]).unwrap();
        assert!(img.is_modified());
        assert_eq!(img.read(5, 1).unwrap()[0], 7);
        assert_eq!(img.read(2880, 1), Err(IoError::OutOfRange));
        assert_eq!(img.read(u64::MAX, 2), Err(IoError::OutOfRange));
        img.set_writable(false);
        assert_eq!(img.write(0, &[0; 512]), Err(IoError::WriteProtected));
        assert_eq!(img.fill(0, 1, 0xF6), Err(IoError::WriteProtected));
        assert!(!img.boot_sector_plausible());
    }
}
