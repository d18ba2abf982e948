//! The ATAPI CD-ROM drive's command set: the SCSI/MMC packet commands a BIOS and Linux send,
//! answered from a [`CdImage`]. The ATA side (the PACKET protocol, DRQ phases, byte counts and
//! interrupts) is in `ata.rs`; this file only turns a 12-byte command packet into data to send
//! to the host or into sense data (key, additional sense code and qualifier).
//!
//! Media state: a disc inserted by the host raises a unit attention (06h/28h "not ready to
//! ready change, medium may have changed") that the next command (except INQUIRY, REQUEST
//! SENSE and GET EVENT STATUS NOTIFICATION) reports; with no disc, media-access commands fail
//! with 02h/3Ah "medium not present". The guest may lock the tray (PREVENT ALLOW MEDIUM
//! REMOVAL) and open or close it (START STOP UNIT with LoEj).

use crate::cdrom::{CdImage, CD_SECTOR_SIZE};

/// Sense key, additional sense code, additional sense code qualifier.
pub type Sense = (u8, u8, u8);

pub const NO_SENSE: Sense = (0, 0, 0);
pub const NO_MEDIUM: Sense = (0x02, 0x3A, 0x00);
pub const NO_MEDIUM_TRAY_OPEN: Sense = (0x02, 0x3A, 0x02);
pub const MEDIUM_CHANGED: Sense = (0x06, 0x28, 0x00);
pub const INVALID_OPCODE: Sense = (0x05, 0x20, 0x00);
pub const LBA_OUT_OF_RANGE: Sense = (0x05, 0x21, 0x00);
pub const INVALID_FIELD: Sense = (0x05, 0x24, 0x00);
pub const SAVING_NOT_SUPPORTED: Sense = (0x05, 0x39, 0x00);
pub const REMOVAL_PREVENTED: Sense = (0x05, 0x53, 0x02);

/// What a command sends to the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// Nothing: the command completes at once.
    None,
    /// These bytes (already cut to the allocation length).
    Data(Vec<u8>),
    /// `blocks` sectors of the disc from `lba`.
    Read { lba: u64, blocks: u64 },
}

/// Media event for GET EVENT STATUS NOTIFICATION.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MediaEvent {
    None,
    NewMedia,
    Removal,
}

/// An ATAPI CD-ROM drive and the disc in it.
#[derive(Debug, Clone)]
pub struct Atapi {
    pub medium: Option<CdImage>,
    tray_open: bool,
    locked: bool,
    sense: Sense,
    unit_attention: bool,
    event: MediaEvent,
}

impl Default for Atapi {
    fn default() -> Self {
        Atapi::new()
    }
}

fn be16(b: &[u8]) -> u64 {
    u16::from_be_bytes([b[0], b[1]]) as u64
}

fn be32(b: &[u8]) -> u64 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as u64
}

/// LBA as minutes, seconds, frames (with the 2-second lead-in), as READ TOC's MSF form.
fn msf(lba: u64) -> [u8; 4] {
    let f = lba + 150;
    [
        0,
        (f / (60 * 75)).min(255) as u8,
        (f / 75 % 60) as u8,
        (f % 75) as u8,
    ]
}

fn addr(lba: u64, as_msf: bool) -> [u8; 4] {
    if as_msf {
        msf(lba)
    } else {
        (lba as u32).to_be_bytes()
    }
}

fn cut(mut v: Vec<u8>, alloc: u64) -> Reply {
    v.truncate(alloc as usize);
    Reply::Data(v)
}

fn put_str(v: &mut Vec<u8>, s: &str, n: usize) {
    let mut b: Vec<u8> = s.bytes().take(n).collect();
    b.resize(n, b' ');
    v.extend_from_slice(&b);
}

impl Atapi {
    pub fn new() -> Atapi {
        Atapi {
            medium: None,
            tray_open: false,
            locked: false,
            sense: NO_SENSE,
            unit_attention: false,
            event: MediaEvent::None,
        }
    }

    /// The host puts a disc in (replacing any), closing the tray.
    pub fn insert(&mut self, image: CdImage) -> Option<CdImage> {
        let old = self.medium.replace(image);
        self.tray_open = false;
        self.unit_attention = true;
        self.event = MediaEvent::NewMedia;
        old
    }

    /// The host takes the disc out (even if the guest locked the tray, as a paperclip would).
    pub fn eject(&mut self) -> Option<CdImage> {
        let old = self.medium.take();
        if old.is_some() {
            self.unit_attention = true;
            self.event = MediaEvent::Removal;
        }
        self.locked = false;
        old
    }

    /// Power-on or hardware reset: unlocked, and a disc present is reported as changed.
    pub fn reset(&mut self) {
        self.locked = false;
        self.sense = NO_SENSE;
        self.unit_attention = self.medium.is_some();
    }

    /// A readable disc is in the closed tray.
    pub fn ready(&self) -> bool {
        self.medium.is_some() && !self.tray_open
    }

    fn capacity(&self) -> u64 {
        self.medium.as_ref().map_or(0, CdImage::sectors)
    }

    fn not_ready(&self) -> Sense {
        if self.tray_open {
            NO_MEDIUM_TRAY_OPEN
        } else {
            NO_MEDIUM
        }
    }

    /// Bytes of the disc for a READ reply: `len` bytes from `offset` bytes into the transfer
    /// that starts at sector `lba`.
    pub fn read_data(&self, lba: u64, offset: u64, len: usize) -> Vec<u8> {
        let at = lba * CD_SECTOR_SIZE as u64 + offset;
        self.medium
            .as_ref()
            .and_then(|m| m.read_bytes(at, len))
            .map_or_else(|| vec![0; len], <[u8]>::to_vec)
    }

    /// Execute a command packet. On error the sense data is kept for REQUEST SENSE and
    /// returned.
    pub fn execute(&mut self, cdb: &[u8; 12]) -> Result<Reply, Sense> {
        let op = cdb[0];
        // INQUIRY, REQUEST SENSE and GET EVENT STATUS NOTIFICATION do not report a unit
        // attention; every other command does, once.
        if self.unit_attention && !matches!(op, 0x12 | 0x03 | 0x4A) {
            self.unit_attention = false;
            self.sense = MEDIUM_CHANGED;
            return Err(MEDIUM_CHANGED);
        }
        let r = self.run(cdb);
        match r {
            Ok(_) => {
                if op != 0x03 {
                    self.sense = NO_SENSE;
                }
            }
            Err(s) => self.sense = s,
        }
        r
    }

    fn need_medium(&self) -> Result<(), Sense> {
        if self.ready() {
            Ok(())
        } else {
            Err(self.not_ready())
        }
    }

    fn run(&mut self, cdb: &[u8; 12]) -> Result<Reply, Sense> {
        match cdb[0] {
            // TEST UNIT READY
            0x00 => self.need_medium().map(|_| Reply::None),
            // REQUEST SENSE
            0x03 => {
                let mut s = std::mem::take(&mut self.sense);
                if s == NO_SENSE && self.unit_attention {
                    self.unit_attention = false;
                    s = MEDIUM_CHANGED;
                } else if s == NO_SENSE && !self.ready() {
                    s = self.not_ready();
                }
                let mut v = vec![0u8; 18];
                v[0] = 0x70;
                v[2] = s.0;
                v[7] = 10;
                v[12] = s.1;
                v[13] = s.2;
                Ok(cut(v, cdb[4] as u64))
            }
            // INQUIRY
            0x12 => {
                if cdb[1] & 1 != 0 {
                    return Err(INVALID_FIELD);
                }
                let mut v = vec![0x05, 0x80, 0x00, 0x21, 31, 0, 0, 0];
                put_str(&mut v, "AULA86", 8);
                put_str(&mut v, "CD-ROM", 16);
                put_str(&mut v, "1.0", 4);
                Ok(cut(v, be16(&cdb[3..5])))
            }
            // START STOP UNIT
            0x1B => {
                let (loej, start) = (cdb[4] & 2 != 0, cdb[4] & 1 != 0);
                if loej {
                    if start {
                        if self.tray_open {
                            self.tray_open = false;
                            if self.medium.is_some() {
                                self.event = MediaEvent::NewMedia;
                            }
                        }
                    } else {
                        if self.locked {
                            return Err(REMOVAL_PREVENTED);
                        }
                        if !self.tray_open && self.medium.is_some() {
                            self.event = MediaEvent::Removal;
                        }
                        self.tray_open = true;
                    }
                }
                Ok(Reply::None)
            }
            // PREVENT ALLOW MEDIUM REMOVAL
            0x1E => {
                self.locked = cdb[4] & 1 != 0;
                Ok(Reply::None)
            }
            // READ CAPACITY
            0x25 => {
                self.need_medium()?;
                let last = self.capacity().saturating_sub(1) as u32;
                let mut v = last.to_be_bytes().to_vec();
                v.extend_from_slice(&(CD_SECTOR_SIZE as u32).to_be_bytes());
                Ok(Reply::Data(v))
            }
            // READ(10), READ(12)
            0x28 | 0xA8 => {
                self.need_medium()?;
                let lba = be32(&cdb[2..6]);
                let blocks = if cdb[0] == 0x28 {
                    be16(&cdb[7..9])
                } else {
                    be32(&cdb[6..10])
                };
                if lba + blocks > self.capacity() {
                    return Err(LBA_OUT_OF_RANGE);
                }
                if blocks == 0 {
                    return Ok(Reply::None);
                }
                Ok(Reply::Read { lba, blocks })
            }
            // SEEK(10)
            0x2B => {
                self.need_medium()?;
                if be32(&cdb[2..6]) >= self.capacity() {
                    return Err(LBA_OUT_OF_RANGE);
                }
                Ok(Reply::None)
            }
            // SYNCHRONIZE CACHE, SET CD SPEED: nothing to do.
            0x35 | 0xBB => Ok(Reply::None),
            // READ TOC/PMA/ATIP
            0x43 => self.read_toc(cdb),
            // GET CONFIGURATION
            0x46 => Ok(self.get_configuration(cdb)),
            // GET EVENT STATUS NOTIFICATION
            0x4A => self.event_status(cdb),
            // READ DISC INFORMATION
            0x51 => {
                self.need_medium()?;
                let mut v = vec![0u8; 34];
                v[1] = 32;
                v[2] = 0x0E; // last session complete, disc complete
                v[3] = 1; // first track
                v[4] = 1; // sessions
                v[5] = 1; // first track in last session
                v[6] = 1; // last track in last session
                v[7] = 0x20; // unrestricted use
                v[8] = 0x00; // CD-DA or CD-ROM
                v[16..24].fill(0xFF); // no lead-in / lead-out start times
                Ok(cut(v, be16(&cdb[7..9])))
            }
            // MODE SENSE(6), MODE SENSE(10)
            0x1A | 0x5A => self.mode_sense(cdb),
            _ => Err(INVALID_OPCODE),
        }
    }

    fn read_toc(&self, cdb: &[u8; 12]) -> Result<Reply, Sense> {
        self.need_medium()?;
        let as_msf = cdb[1] & 2 != 0;
        let mut format = cdb[2] & 0x0F;
        if format == 0 {
            format = cdb[9] >> 6;
        }
        let track = cdb[6];
        let alloc = be16(&cdb[7..9]);
        let end = self.capacity();
        let mut v = vec![0u8, 0, 1, 1];
        match format {
            0 => {
                if track > 1 && track != 0xAA {
                    return Err(INVALID_FIELD);
                }
                if track <= 1 {
                    v.extend_from_slice(&[0, 0x14, 1, 0]);
                    v.extend_from_slice(&addr(0, as_msf));
                }
                v.extend_from_slice(&[0, 0x14, 0xAA, 0]);
                v.extend_from_slice(&addr(end, as_msf));
            }
            1 => {
                v.extend_from_slice(&[0, 0x14, 1, 0]);
                v.extend_from_slice(&addr(0, as_msf));
            }
            2 => {
                // Raw TOC of session 1: points A0h (first track), A1h (last), A2h (lead-out)
                // and track 1.
                let lo = msf(end);
                for (point, p) in [
                    (0xA0u8, [1u8, 0, 0]),
                    (0xA1, [1, 0, 0]),
                    (0xA2, [lo[1], lo[2], lo[3]]),
                    (1, [0, 2, 0]),
                ] {
                    v.extend_from_slice(&[1, 0x14, 0, point, 0, 0, 0, 0, p[0], p[1], p[2]]);
                }
            }
            _ => return Err(INVALID_FIELD),
        }
        let len = (v.len() - 2) as u16;
        v[0..2].copy_from_slice(&len.to_be_bytes());
        Ok(cut(v, alloc))
    }

    fn get_configuration(&self, cdb: &[u8; 12]) -> Reply {
        let rt = cdb[1] & 3;
        let start = be16(&cdb[2..4]) as u16;
        let alloc = be16(&cdb[7..9]);
        let present = self.ready();
        let current = |on: bool| if on { 0x01u8 } else { 0 };
        // (feature code, version/persistent/current byte, additional data)
        let features: Vec<(u16, u8, Vec<u8>)> = vec![
            (0x0000, 0x03, vec![0x00, 0x08, current(present), 0]),
            (0x0001, 0x0B, vec![0, 0, 0, 2, 0, 0, 0, 0]),
            (0x0002, 0x07, vec![0, 0, 0, 0]),
            (
                0x0003,
                0x0B,
                vec![0x29 | if self.locked { 4 } else { 0 }, 0, 0, 0],
            ),
            (0x0010, current(present), vec![0, 0, 0x08, 0x00, 0, 1, 0, 0]),
            (0x001E, current(present), vec![0, 0, 0, 0]),
        ];
        let mut v = vec![0u8; 8];
        if present {
            v[6..8].copy_from_slice(&0x0008u16.to_be_bytes());
        }
        for (code, flags, data) in features {
            let wanted = match rt {
                2 => code == start,
                1 => code >= start && flags & 1 != 0,
                _ => code >= start,
            };
            if wanted {
                v.extend_from_slice(&code.to_be_bytes());
                v.push(flags);
                v.push(data.len() as u8);
                v.extend_from_slice(&data);
            }
        }
        let len = (v.len() - 4) as u32;
        v[0..4].copy_from_slice(&len.to_be_bytes());
        cut(v, alloc)
    }

    fn event_status(&mut self, cdb: &[u8; 12]) -> Result<Reply, Sense> {
        if cdb[1] & 1 == 0 {
            // Only polled operation.
            return Err(INVALID_FIELD);
        }
        let alloc = be16(&cdb[7..9]);
        let mut v = vec![0, 0, 0, 0x10];
        if cdb[4] & 0x10 != 0 {
            let code = match std::mem::replace(&mut self.event, MediaEvent::None) {
                MediaEvent::None => 0,
                MediaEvent::NewMedia => 2,
                MediaEvent::Removal => 3,
            };
            let status = u8::from(self.tray_open) | if self.ready() { 2 } else { 0 };
            v[2] = 0x04;
            v.extend_from_slice(&[code, status, 0, 0]);
        } else {
            v[2] = 0x80; // no event available
        }
        let len = (v.len() - 2) as u16;
        v[0..2].copy_from_slice(&len.to_be_bytes());
        Ok(cut(v, alloc))
    }

    fn mode_sense(&self, cdb: &[u8; 12]) -> Result<Reply, Sense> {
        let ten = cdb[0] == 0x5A;
        let page = cdb[2] & 0x3F;
        if cdb[2] >> 6 == 3 {
            return Err(SAVING_NOT_SUPPORTED);
        }
        let changeable = cdb[2] >> 6 == 1;
        let alloc = if ten { be16(&cdb[7..9]) } else { cdb[4] as u64 };
        let error_recovery = vec![0x01, 0x0A, 0, 5, 0, 0, 0, 0, 5, 0, 0, 0];
        let device = vec![0x0D, 0x06, 0, 0, 0, 0x3C, 0, 0x4B];
        let mut caps = vec![0u8; 20];
        caps[0] = 0x2A;
        caps[1] = 0x12;
        caps[4] = 0x71; // audio play, mode 2 form 1 and 2, multi-session
        caps[6] = 0x29 | if self.locked { 2 } else { 0 }; // lock, eject, tray loader
        caps[8..10].copy_from_slice(&706u16.to_be_bytes()); // 4x
        caps[10..12].copy_from_slice(&256u16.to_be_bytes());
        caps[12..14].copy_from_slice(&512u16.to_be_bytes());
        caps[14..16].copy_from_slice(&706u16.to_be_bytes());
        let mut pages = Vec::new();
        match page {
            0x01 => pages.push(error_recovery),
            0x0D => pages.push(device),
            0x2A => pages.push(caps),
            0x3F => {
                pages.push(error_recovery);
                pages.push(device);
                pages.push(caps);
            }
            _ => return Err(INVALID_FIELD),
        }
        if changeable {
            for p in &mut pages {
                p[2..].fill(0);
            }
        }
        let medium_type = if self.ready() {
            0x01
        } else if self.tray_open {
            0x71
        } else {
            0x70
        };
        let mut v = if ten {
            vec![0, 0, medium_type, 0, 0, 0, 0, 0]
        } else {
            vec![0, medium_type, 0, 0]
        };
        for p in pages {
            v.extend_from_slice(&p);
        }
        if ten {
            let len = (v.len() - 2) as u16;
            v[0..2].copy_from_slice(&len.to_be_bytes());
        } else {
            v[0] = (v.len() - 1) as u8;
        }
        Ok(cut(v, alloc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(sectors: usize) -> CdImage {
        let mut v = vec![0u8; sectors * CD_SECTOR_SIZE];
        v[16 * 2048 + 1..16 * 2048 + 6].copy_from_slice(b"CD001");
        v[20 * 2048] = 0x42;
        CdImage::from_bytes(v).unwrap()
    }

    fn cdb(bytes: &[u8]) -> [u8; 12] {
        let mut c = [0u8; 12];
        c[..bytes.len()].copy_from_slice(bytes);
        c
    }

    #[test]
    fn media_states_and_sense() {
        let mut a = Atapi::new();
        assert_eq!(a.execute(&cdb(&[0x00])), Err(NO_MEDIUM));
        let Ok(Reply::Data(s)) = a.execute(&cdb(&[0x03, 0, 0, 0, 18])) else {
            panic!()
        };
        assert_eq!((s[2], s[12], s[13]), (2, 0x3A, 0));
        a.insert(iso(40));
        assert_eq!(a.execute(&cdb(&[0x00])), Err(MEDIUM_CHANGED));
        assert_eq!(a.execute(&cdb(&[0x00])), Ok(Reply::None));
        let Ok(Reply::Data(c)) = a.execute(&cdb(&[0x25])) else {
            panic!()
        };
        assert_eq!(c, vec![0, 0, 0, 39, 0, 0, 8, 0]);
        assert_eq!(
            a.execute(&cdb(&[0x28, 0, 0, 0, 0, 20, 0, 0, 2])),
            Ok(Reply::Read { lba: 20, blocks: 2 })
        );
        assert_eq!(a.read_data(20, 0, 1), vec![0x42]);
        assert_eq!(
            a.execute(&cdb(&[0x28, 0, 0, 0, 0, 39, 0, 0, 2])),
            Err(LBA_OUT_OF_RANGE)
        );
        assert_eq!(a.execute(&cdb(&[0xFF])), Err(INVALID_OPCODE));
        // Locked: the guest cannot eject.
        a.execute(&cdb(&[0x1E, 0, 0, 0, 1])).unwrap();
        assert_eq!(a.execute(&cdb(&[0x1B, 0, 0, 0, 2])), Err(REMOVAL_PREVENTED));
        a.execute(&cdb(&[0x1E, 0, 0, 0, 0])).unwrap();
        a.execute(&cdb(&[0x1B, 0, 0, 0, 2])).unwrap();
        assert_eq!(a.execute(&cdb(&[0x00])), Err(NO_MEDIUM_TRAY_OPEN));
    }

    #[test]
    fn toc_mode_pages_and_configuration() {
        let mut a = Atapi::new();
        a.insert(iso(40));
        a.reset();
        let _ = a.execute(&cdb(&[0x00]));
        let Ok(Reply::Data(t)) = a.execute(&cdb(&[0x43, 0, 0, 0, 0, 0, 0, 0, 100])) else {
            panic!()
        };
        assert_eq!(t.len(), 20);
        assert_eq!(&t[..4], &[0, 18, 1, 1]);
        assert_eq!(&t[12..20], &[0, 0x14, 0xAA, 0, 0, 0, 0, 40]);
        let Ok(Reply::Data(t)) = a.execute(&cdb(&[0x43, 2, 1, 0, 0, 0, 0, 0, 12])) else {
            panic!()
        };
        assert_eq!(t, vec![0, 10, 1, 1, 0, 0x14, 1, 0, 0, 0, 2, 0]);
        let Ok(Reply::Data(m)) = a.execute(&cdb(&[0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 64])) else {
            panic!()
        };
        assert_eq!(m.len(), 28);
        assert_eq!(m[8], 0x2A);
        assert_eq!(
            a.execute(&cdb(&[0x5A, 0, 0x05, 0, 0, 0, 0, 0, 64])),
            Err(INVALID_FIELD)
        );
        let Ok(Reply::Data(g)) = a.execute(&cdb(&[0x46, 0, 0, 0, 0, 0, 0, 0, 255])) else {
            panic!()
        };
        assert_eq!(&g[6..8], &[0, 8]);
        assert_eq!(be32(&g[0..4]) as usize, g.len() - 4);
    }
}
