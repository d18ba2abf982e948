//! The primary ATA (IDE) channel: ports 1F0h-1F7h and 3F6h, IRQ14, a master and a slave hard
//! disk, PIO transfers.
//!
//! The command block registers (features, sector count, sector number / LBA 0-7, cylinder low
//! and high / LBA 8-23, device/head) are latched by both devices, as on the cable; the selected
//! device answers reads and executes commands. A command sets BSY and completes at a deadline
//! of emulated time; data moves through the 16-bit data port a sector (or a READ/WRITE MULTIPLE
//! block) at a time, DRQ showing when the host may move it, and IRQ14 fires where ATA says:
//! when a block is ready to be read, after each block written, and when a non-data command
//! ends. nIEN in the device control register masks the line; SRST resets both devices and leaves
//! the diagnostic signature.
//!
//! Addressing is CHS (through the translation set by INITIALIZE DEVICE PARAMETERS) or LBA28.
//!
//! The same type is the secondary channel (170h-177h, 376h, IRQ15, [`Ata::secondary`]), where
//! the master may be an ATAPI CD-ROM drive ([`AtaDrive::atapi`]): it leaves the packet
//! signature (14h/EBh in the cylinder registers) after a reset, answers IDENTIFY PACKET DEVICE
//! (IDENTIFY DEVICE aborts), and runs PACKET commands: DRQ for the 12-byte command packet at
//! once (accelerated DRQ, no interrupt), then data blocks of at most the byte count limit the
//! host put in the cylinder registers, each announced by an interrupt with the interrupt reason
//! (I/O, C/D) in the sector count register, then a completion interrupt. A failed command sets
//! ERR with the sense key in the error register's high nibble; `atapi.rs` runs the commands.

use super::atapi::{Atapi, Reply, Sense};
use super::{Ctx, Device, IrqLines, Nanos};
use crate::cdrom::CD_SECTOR_SIZE;
use crate::disk::{DiskImage, Geometry, SECTOR_SIZE};

pub const ATA_IRQ: u8 = 14;
pub const ATA2_IRQ: u8 = 15;

// Status register.
const BSY: u8 = 0x80;
const DRDY: u8 = 0x40;
const DSC: u8 = 0x10;
const DRQ: u8 = 0x08;
const ERR: u8 = 0x01;
// Error register.
const ABRT: u8 = 0x04;
const IDNF: u8 = 0x10;
const UNC: u8 = 0x40;

/// Largest READ/WRITE MULTIPLE block.
const MAX_MULTIPLE: u8 = 16;

/// From the command to its completion (or its first block).
const CMD_NS: Nanos = 20_000;
/// Per sector moved to or from the media.
const SECTOR_NS: Nanos = 5_000;
/// From the end of a software reset to ready.
const RESET_NS: Nanos = 50_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Xfer {
    None,
    /// Sectors to read: next LBA, sectors left (including the block in the buffer), block size.
    Read {
        lba: u64,
        left: u32,
        block: u32,
    },
    /// Sectors to write: LBA of the buffer's block, sectors left, block size.
    Write {
        lba: u64,
        left: u32,
        block: u32,
    },
    /// IDENTIFY DEVICE data in the buffer.
    Identify,
    /// ATAPI: the host writes the 12-byte command packet.
    Packet,
    /// ATAPI: a block of the command's data in the buffer for the host.
    PacketIn,
}

/// What happens at the channel's deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    None,
    /// Execute the command (the device was BSY until now).
    Command(u8),
    /// Fill the buffer with the next block to read.
    ReadBlock,
    /// Commit the block written.
    WriteBlock,
    /// Software reset finished.
    Reset,
    /// ATAPI: run the command packet received.
    Packet,
    /// ATAPI: the next data block, or the completion when all data was moved.
    PacketBlock,
}

/// One device on the channel.
#[derive(Debug, Clone)]
pub struct AtaDrive {
    pub image: Option<DiskImage>,
    /// An ATAPI CD-ROM drive in this position (instead of a hard disk).
    pub atapi: Option<Atapi>,
    /// ATAPI: what the current command sends, how much was sent, and the byte count limit.
    reply: Reply,
    reply_pos: u64,
    limit: u32,
    /// The CHS translation in use (INITIALIZE DEVICE PARAMETERS; the default geometry at first).
    translation: Geometry,
    /// Sectors per READ/WRITE MULTIPLE block (0 = multiple mode off).
    multiple: u8,
    status: u8,
    error: u8,
    intrq: bool,
    buf: Vec<u8>,
    pos: usize,
    xfer: Xfer,
}

impl AtaDrive {
    fn new() -> AtaDrive {
        AtaDrive {
            image: None,
            atapi: None,
            reply: Reply::None,
            reply_pos: 0,
            limit: 0,
            translation: Geometry::new(0, 0, 0),
            multiple: 0,
            status: DRDY | DSC,
            error: 1,
            intrq: false,
            buf: Vec::new(),
            pos: 0,
            xfer: Xfer::None,
        }
    }

    /// A device answers at this position (a hard disk, or a CD-ROM drive with or without a
    /// disc).
    pub fn present(&self) -> bool {
        self.image.is_some() || self.atapi.is_some()
    }

    /// A hard disk is attached here.
    pub fn is_hard_disk(&self) -> bool {
        self.image.is_some()
    }

    fn total(&self) -> u64 {
        self.image.as_ref().map_or(0, DiskImage::sectors)
    }

    /// Power-on state for the disk now in it.
    fn power_on(&mut self) {
        self.translation = self
            .image
            .as_ref()
            .map_or(Geometry::new(0, 0, 0), DiskImage::geometry);
        self.multiple = 0;
        self.status = DRDY | DSC;
        self.error = 1;
        self.intrq = false;
        self.buf.clear();
        self.pos = 0;
        self.xfer = Xfer::None;
        self.reply = Reply::None;
        self.reply_pos = 0;
        if let Some(a) = self.atapi.as_mut() {
            a.reset();
        }
    }

    /// The 256 words of IDENTIFY PACKET DEVICE.
    fn identify_packet(&self, index: usize) -> Vec<u8> {
        let mut w = [0u16; 256];
        let put_str = |w: &mut [u16; 256], first: usize, words: usize, s: &str| {
            let mut b: Vec<u8> = s.bytes().take(words * 2).collect();
            b.resize(words * 2, b' ');
            for i in 0..words {
                w[first + i] = (b[2 * i] as u16) << 8 | b[2 * i + 1] as u16;
            }
        };
        // ATAPI, CD-ROM, removable, accelerated DRQ (50 us), 12-byte packets.
        w[0] = 0x8000 | 0x0500 | 0x0080 | 0x0040;
        put_str(&mut w, 10, 10, &format!("AULA86-CD{index}"));
        put_str(&mut w, 23, 4, "1.0");
        put_str(&mut w, 27, 20, "AULA86 CD-ROM");
        w[49] = 0x0200 | 0x0800; // LBA, IORDY supported (no DMA)
        w[51] = 0x0200;
        w[53] = 0x0002; // words 64-70 valid
        w[64] = 0x0003; // PIO modes 3 and 4
        w[65] = 120;
        w[66] = 120;
        w[67] = 120;
        w[68] = 120;
        w[71] = 30; // typical time to release the bus after PACKET, ns
        w[72] = 30;
        w[80] = 0x001E; // ATA/ATAPI-1 to 4
        w[82] = 0x0010 | 0x4000; // PACKET feature set
        w[83] = 0x4000;
        w[84] = 0x4000;
        w[85] = 0x0010;
        w[87] = 0x4000;
        w.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    /// The 256 words of IDENTIFY DEVICE.
    fn identify(&self, index: usize) -> Vec<u8> {
        let mut w = [0u16; 256];
        let total = self.total();
        let g = self
            .image
            .as_ref()
            .map_or(Geometry::new(0, 0, 0), DiskImage::geometry);
        let t = self.translation;
        let put_str = |w: &mut [u16; 256], first: usize, words: usize, s: &str| {
            let mut b: Vec<u8> = s.bytes().take(words * 2).collect();
            b.resize(words * 2, b' ');
            for i in 0..words {
                w[first + i] = (b[2 * i] as u16) << 8 | b[2 * i + 1] as u16;
            }
        };
        w[0] = 0x0040; // fixed disk
        w[1] = g.cylinders as u16;
        w[3] = g.heads as u16;
        w[4] = (512 * g.sectors).min(0xFFFF) as u16;
        w[5] = 512;
        w[6] = g.sectors as u16;
        put_str(
            &mut w,
            10,
            10,
            &format!("AULA86-HD{index}-{:08X}", total as u32),
        );
        w[20] = 3; // dual-ported buffer with read cache
        w[21] = 512; // 256 KiB buffer
        w[22] = 4; // ECC bytes on READ/WRITE LONG
        put_str(&mut w, 23, 4, "1.0");
        put_str(&mut w, 27, 20, "AULA86 HARDDISK");
        w[47] = 0x8000 | MAX_MULTIPLE as u16;
        w[48] = 1; // doubleword I/O
        w[49] = 0x0200 | 0x0800; // LBA, IORDY supported
        w[50] = 0x4000;
        w[51] = 0x0200; // PIO mode 2 timing
        w[53] = 0x0003; // words 54-58 and 64-70 valid
        w[54] = t.cylinders as u16;
        w[55] = t.heads as u16;
        w[56] = t.sectors as u16;
        let cur = t.total().min(0xFFFF_FFFF) as u32;
        w[57] = cur as u16;
        w[58] = (cur >> 16) as u16;
        if self.multiple != 0 {
            w[59] = 0x0100 | self.multiple as u16;
        }
        let lba = total.min(0x0FFF_FFFF) as u32;
        w[60] = lba as u16;
        w[61] = (lba >> 16) as u16;
        w[64] = 0x0003; // PIO modes 3 and 4
        w[65] = 120;
        w[66] = 120;
        w[67] = 120;
        w[68] = 120;
        w[80] = 0x001E; // ATA-1 to ATA-4
        w[82] = 0x0020; // write cache
        w[83] = 0x4000 | 0x1000; // FLUSH CACHE
        w[84] = 0x4000;
        w[85] = 0x0020;
        w[86] = 0x1000;
        w[87] = 0x4000;
        let mut bytes: Vec<u8> = w.iter().flat_map(|v| v.to_le_bytes()).collect();
        // Word 255: signature A5h and a checksum making all 512 bytes sum to zero.
        bytes[510] = 0xA5;
        let sum = bytes[..511].iter().fold(0u8, |a, &b| a.wrapping_add(b));
        bytes[511] = sum.wrapping_neg();
        bytes
    }
}

pub struct Ata {
    pub drives: [AtaDrive; 2],
    /// Command block base port (1F0h or 170h), control port (3F6h or 376h), interrupt line.
    base: u16,
    ctl: u16,
    irq: u8,
    features: u8,
    count: u8,
    sector: u8,
    cyl_lo: u8,
    cyl_hi: u8,
    /// Device/head register: bit 6 LBA, bit 4 device, bits 3-0 head / LBA 27-24.
    dev_head: u8,
    /// Device control: bit 1 nIEN, bit 2 SRST.
    control: u8,
    pending: Pending,
    /// Device the pending work belongs to.
    pending_dev: usize,
    due: Option<Nanos>,
}

impl Default for Ata {
    fn default() -> Self {
        Ata::new()
    }
}

impl Ata {
    /// The primary channel: 1F0h-1F7h, 3F6h, IRQ14.
    pub fn new() -> Ata {
        Ata::channel(0x1F0, 0x3F6, ATA_IRQ)
    }

    /// The secondary channel: 170h-177h, 376h, IRQ15.
    pub fn secondary() -> Ata {
        Ata::channel(0x170, 0x376, ATA2_IRQ)
    }

    fn channel(base: u16, ctl: u16, irq: u8) -> Ata {
        let mut a = Ata {
            drives: [AtaDrive::new(), AtaDrive::new()],
            base,
            ctl,
            irq,
            features: 0,
            count: 0,
            sector: 0,
            cyl_lo: 0,
            cyl_hi: 0,
            dev_head: 0,
            control: 0,
            pending: Pending::None,
            pending_dev: 0,
            due: None,
        };
        a.reset();
        a
    }

    /// Connect a disk as master (0) or slave (1), in its power-on state.
    pub fn attach(&mut self, index: usize, image: DiskImage) {
        if let Some(d) = self.drives.get_mut(index) {
            d.image = Some(image);
            d.power_on();
        }
    }

    /// Connect an ATAPI CD-ROM drive (empty) as master (0) or slave (1), unless one is there.
    pub fn attach_atapi(&mut self, index: usize) {
        if let Some(d) = self.drives.get_mut(index) {
            if d.atapi.is_none() {
                d.image = None;
                d.atapi = Some(Atapi::new());
                d.power_on();
                if index == 0 {
                    self.signature();
                }
            }
        }
    }

    pub fn detach(&mut self, index: usize) -> Option<DiskImage> {
        let d = self.drives.get_mut(index)?;
        let img = d.image.take();
        d.power_on();
        img
    }

    fn sel(&self) -> usize {
        (self.dev_head >> 4 & 1) as usize
    }

    fn any_present(&self) -> bool {
        self.drives.iter().any(AtaDrive::present)
    }

    fn signature(&mut self) {
        self.count = 1;
        self.sector = 1;
        self.cyl_lo = 0;
        self.cyl_hi = 0;
        self.dev_head = 0;
        if self.drives[0].atapi.is_some() {
            self.packet_signature();
        }
    }

    /// The packet device signature in the command block registers.
    fn packet_signature(&mut self) {
        self.count = 1;
        self.sector = 1;
        self.cyl_lo = 0x14;
        self.cyl_hi = 0xEB;
    }

    fn update_irq(&mut self, irq: &mut IrqLines) {
        let d = &self.drives[self.sel()];
        irq.set(self.irq, d.intrq && self.control & 0x02 == 0 && d.present());
    }

    /// The sector the command block registers address, if it exists.
    fn address(&self, d: usize) -> Option<u64> {
        let drive = &self.drives[d];
        let lba = if self.dev_head & 0x40 != 0 {
            (self.dev_head as u64 & 0x0F) << 24
                | (self.cyl_hi as u64) << 16
                | (self.cyl_lo as u64) << 8
                | self.sector as u64
        } else {
            let c = (self.cyl_hi as u32) << 8 | self.cyl_lo as u32;
            let h = (self.dev_head & 0x0F) as u32;
            drive.translation.chs_to_lba(c, h, self.sector as u32)?
        };
        (lba < drive.total()).then_some(lba)
    }

    /// Write `lba` back into the command block registers (as CHS or LBA, as addressed).
    fn set_address(&mut self, d: usize, lba: u64) {
        if self.dev_head & 0x40 != 0 {
            self.sector = lba as u8;
            self.cyl_lo = (lba >> 8) as u8;
            self.cyl_hi = (lba >> 16) as u8;
            self.dev_head = (self.dev_head & 0xF0) | ((lba >> 24) as u8 & 0x0F);
        } else {
            let t = self.drives[d].translation;
            let spt = t.sectors.max(1) as u64;
            let heads = t.heads.max(1) as u64;
            let c = lba / (spt * heads);
            let h = (lba / spt) % heads;
            let s = lba % spt + 1;
            self.sector = s as u8;
            self.cyl_lo = c as u8;
            self.cyl_hi = (c >> 8) as u8;
            self.dev_head = (self.dev_head & 0xF0) | (h as u8 & 0x0F);
        }
    }

    fn schedule(&mut self, d: usize, what: Pending, at: Nanos, ctx: &mut Ctx) {
        self.pending = what;
        self.pending_dev = d;
        self.due = Some(at);
        ctx.sys.stop_cpu = true;
    }

    /// The command ends: status ready, maybe with an error, and an interrupt.
    fn finish(&mut self, d: usize, error: u8) {
        let dr = &mut self.drives[d];
        dr.error = error;
        dr.status = DRDY | DSC | if error != 0 { ERR } else { 0 };
        dr.xfer = Xfer::None;
        dr.buf.clear();
        dr.pos = 0;
        dr.intrq = true;
    }

    fn sector_count(&self) -> u32 {
        if self.count == 0 {
            256
        } else {
            self.count as u32
        }
    }

    /// The host wrote the command register.
    fn command(&mut self, cmd: u8, ctx: &mut Ctx) {
        let d = self.sel();
        if cmd == 0x90 {
            // EXECUTE DEVICE DIAGNOSTIC runs on both devices, whichever is selected.
            for dr in &mut self.drives {
                dr.status = BSY;
                dr.intrq = false;
            }
            self.schedule(0, Pending::Command(cmd), ctx.now + CMD_NS, ctx);
            return;
        }
        let dr = &mut self.drives[d];
        if !dr.present() || dr.status & BSY != 0 {
            return;
        }
        dr.intrq = false;
        dr.error = 0;
        dr.xfer = Xfer::None;
        dr.buf.clear();
        dr.pos = 0;
        if dr.atapi.is_some() {
            return self.packet_device_command(d, cmd, ctx);
        }
        match cmd {
            // WRITE SECTORS / WRITE MULTIPLE: DRQ at once for the first block, no interrupt.
            0x30 | 0x31 | 0xC5 => {
                let block = if cmd == 0xC5 {
                    if dr.multiple == 0 {
                        dr.status = BSY;
                        self.schedule(d, Pending::Command(cmd), ctx.now + CMD_NS, ctx);
                        return;
                    }
                    dr.multiple as u32
                } else {
                    1
                };
                let left = self.sector_count();
                match self.address(d) {
                    Some(lba) => {
                        let n = block.min(left) as usize;
                        let dr = &mut self.drives[d];
                        dr.xfer = Xfer::Write { lba, left, block };
                        dr.buf = vec![0; n * SECTOR_SIZE];
                        dr.status = DRDY | DSC | DRQ;
                    }
                    None => {
                        self.drives[d].status = BSY;
                        self.schedule(d, Pending::Command(cmd), ctx.now + CMD_NS, ctx);
                    }
                }
            }
            _ => {
                dr.status = BSY;
                self.schedule(d, Pending::Command(cmd), ctx.now + CMD_NS, ctx);
            }
        }
    }

    /// A command written to an ATAPI device.
    fn packet_device_command(&mut self, d: usize, cmd: u8, ctx: &mut Ctx) {
        let dr = &mut self.drives[d];
        match cmd {
            // PACKET: DRQ at once for the command packet (PIO only: DMA aborts).
            0xA0 if self.features & 1 == 0 => {
                let limit = (self.cyl_hi as u32) << 8 | self.cyl_lo as u32;
                dr.limit = match limit & !1 {
                    0 => 0xFFFE,
                    l => l,
                };
                dr.reply = Reply::None;
                dr.reply_pos = 0;
                dr.buf = vec![0; 12];
                dr.pos = 0;
                dr.xfer = Xfer::Packet;
                dr.status = DRDY | DSC | DRQ;
                self.count = 0x01; // C/D: command
            }
            // DEVICE RESET: the signature, no interrupt.
            0x08 => {
                dr.status = DRDY | DSC;
                dr.error = 1;
                if let Some(a) = dr.atapi.as_mut() {
                    a.reset();
                }
                self.packet_signature();
            }
            _ => {
                dr.status = BSY;
                self.schedule(d, Pending::Command(cmd), ctx.now + CMD_NS, ctx);
            }
        }
    }

    /// An ATA command's work on an ATAPI device.
    fn packet_device_execute(&mut self, d: usize, cmd: u8) {
        match cmd {
            0xA1 => {
                let data = self.drives[d].identify_packet(d);
                let dr = &mut self.drives[d];
                dr.buf = data;
                dr.pos = 0;
                dr.xfer = Xfer::Identify;
                dr.status = DRDY | DSC | DRQ;
                dr.intrq = true;
            }
            0xEF => {
                let ok = match self.features {
                    0x02 | 0x82 | 0x55 | 0xAA | 0x66 | 0xCC => true,
                    0x03 => matches!(self.count, 0x00 | 0x01 | 0x08..=0x0C),
                    _ => false,
                };
                self.finish(d, if ok { 0 } else { ABRT })
            }
            0xE7 | 0xE0..=0xE3 | 0xE6 => self.finish(d, 0),
            0xE5 => {
                self.count = 0xFF;
                self.finish(d, 0)
            }
            // IDENTIFY DEVICE, the read commands and anything else a disk would do: abort,
            // leaving the packet signature for drivers that look for it.
            _ => {
                self.packet_signature();
                self.finish(d, ABRT)
            }
        }
    }

    /// The command packet has arrived: run it.
    fn packet(&mut self, d: usize) {
        let mut cdb = [0u8; 12];
        let dr = &mut self.drives[d];
        for (c, b) in cdb.iter_mut().zip(dr.buf.iter()) {
            *c = *b;
        }
        dr.buf.clear();
        dr.pos = 0;
        let r = match dr.atapi.as_mut() {
            Some(a) => a.execute(&cdb),
            None => Err(super::atapi::INVALID_OPCODE),
        };
        match r {
            Ok(Reply::None) => self.packet_done(d, None),
            Ok(Reply::Data(v)) if v.is_empty() => self.packet_done(d, None),
            Ok(reply) => {
                let dr = &mut self.drives[d];
                dr.reply = reply;
                dr.reply_pos = 0;
                self.packet_block(d);
            }
            Err(sense) => self.packet_done(d, Some(sense)),
        }
    }

    /// Total bytes of the current ATAPI reply.
    fn reply_len(&self, d: usize) -> u64 {
        match &self.drives[d].reply {
            Reply::None => 0,
            Reply::Data(v) => v.len() as u64,
            Reply::Read { blocks, .. } => blocks * CD_SECTOR_SIZE as u64,
        }
    }

    /// Put the next block of the reply in the buffer: DRQ, the byte count, an interrupt.
    fn packet_block(&mut self, d: usize) {
        let total = self.reply_len(d);
        let dr = &mut self.drives[d];
        let left = total.saturating_sub(dr.reply_pos);
        if left == 0 {
            return self.packet_done(d, None);
        }
        let limit = dr.limit as u64;
        let n = if left <= limit {
            left
        } else if limit >= CD_SECTOR_SIZE as u64 {
            limit - limit % CD_SECTOR_SIZE as u64
        } else {
            limit
        };
        let at = dr.reply_pos;
        dr.buf = match (&dr.reply, dr.atapi.as_ref()) {
            (Reply::Data(v), _) => v[at as usize..(at + n) as usize].to_vec(),
            (Reply::Read { lba, .. }, Some(a)) => a.read_data(*lba, at, n as usize),
            _ => vec![0; n as usize],
        };
        dr.reply_pos += n;
        dr.pos = 0;
        dr.xfer = Xfer::PacketIn;
        dr.status = DRDY | DSC | DRQ;
        dr.intrq = true;
        self.cyl_lo = n as u8;
        self.cyl_hi = (n >> 8) as u8;
        self.count = 0x02; // I/O: to the host
    }

    /// The packet command ends: good status, or CHECK CONDITION with the sense key.
    fn packet_done(&mut self, d: usize, sense: Option<Sense>) {
        let error = sense.map_or(0, |s| s.0 << 4 | ABRT);
        self.finish(d, error);
        let dr = &mut self.drives[d];
        dr.reply = Reply::None;
        dr.reply_pos = 0;
        self.count = 0x03; // I/O and C/D: status
    }

    /// A command's work, when its BSY time is over.
    fn execute(&mut self, d: usize, cmd: u8) {
        if cmd != 0x90 && self.drives[d].atapi.is_some() {
            return self.packet_device_execute(d, cmd);
        }
        match cmd {
            0x20 | 0x21 | 0xC4 => {
                let block = if cmd == 0xC4 {
                    self.drives[d].multiple as u32
                } else {
                    1
                };
                if block == 0 {
                    return self.finish(d, ABRT);
                }
                match self.address(d) {
                    Some(lba) => {
                        self.drives[d].xfer = Xfer::Read {
                            lba,
                            left: self.sector_count(),
                            block,
                        };
                        self.read_block(d);
                    }
                    None => self.finish(d, IDNF),
                }
            }
            // WRITE with a bad address or WRITE MULTIPLE without multiple mode.
            0x30 | 0x31 => self.finish(d, IDNF),
            0xC5 => {
                let e = if self.drives[d].multiple == 0 {
                    ABRT
                } else {
                    IDNF
                };
                self.finish(d, e)
            }
            0x40 | 0x41 => match self.address(d) {
                Some(lba) => {
                    let last = lba + self.sector_count() as u64 - 1;
                    if last < self.drives[d].total() {
                        self.set_address(d, last);
                        self.count = 0;
                        self.finish(d, 0);
                    } else {
                        self.set_address(d, self.drives[d].total());
                        self.finish(d, IDNF);
                    }
                }
                None => self.finish(d, IDNF),
            },
            0x10..=0x1F => {
                if self.dev_head & 0x40 == 0 {
                    self.cyl_lo = 0;
                    self.cyl_hi = 0;
                }
                self.finish(d, 0)
            }
            0x70..=0x7F => match self.address(d) {
                Some(_) => self.finish(d, 0),
                None => self.finish(d, IDNF),
            },
            0x90 => {
                self.signature();
                for dr in &mut self.drives {
                    dr.status = DRDY | DSC;
                    dr.error = 1;
                    dr.xfer = Xfer::None;
                }
                self.drives[0].intrq = true;
            }
            0x91 => {
                let spt = self.count as u32;
                let heads = (self.dev_head & 0x0F) as u32 + 1;
                if spt == 0 {
                    return self.finish(d, ABRT);
                }
                let total = self.drives[d].total();
                let cyl = (total / (heads as u64 * spt as u64)).min(65535) as u32;
                self.drives[d].translation = Geometry::new(cyl, heads, spt);
                self.finish(d, 0);
            }
            0xC6 => {
                let n = self.count;
                if n == 0 || (n.is_power_of_two() && n <= MAX_MULTIPLE) {
                    self.drives[d].multiple = n;
                    self.finish(d, 0);
                } else {
                    self.finish(d, ABRT);
                }
            }
            0xEC => {
                let data = self.drives[d].identify(d);
                let dr = &mut self.drives[d];
                dr.buf = data;
                dr.pos = 0;
                dr.xfer = Xfer::Identify;
                dr.status = DRDY | DSC | DRQ;
                dr.intrq = true;
            }
            0xEF => {
                let ok = match self.features {
                    0x02 | 0x82 | 0x55 | 0xAA | 0x66 | 0xCC => true,
                    // Set transfer mode: PIO default or PIO flow-control modes 0-4.
                    0x03 => matches!(self.count, 0x00 | 0x01 | 0x08..=0x0C),
                    _ => false,
                };
                self.finish(d, if ok { 0 } else { ABRT })
            }
            // FLUSH CACHE, the power management commands (ATA and their ATA-1 opcodes).
            0xE7 | 0xE0..=0xE3 | 0xE6 | 0x94..=0x97 | 0x99 => self.finish(d, 0),
            // CHECK POWER MODE: active.
            0xE5 | 0x98 => {
                self.count = 0xFF;
                self.finish(d, 0)
            }
            _ => self.finish(d, ABRT),
        }
    }

    /// Load the next block of a read into the buffer: DRQ and an interrupt, or an error.
    fn read_block(&mut self, d: usize) {
        let Xfer::Read { lba, left, block } = self.drives[d].xfer else {
            return;
        };
        let n = block.min(left);
        let data = self.drives[d]
            .image
            .as_ref()
            .and_then(|img| img.read(lba, n as u64).ok())
            .map(<[u8]>::to_vec);
        match data {
            Some(data) => {
                self.set_address(d, lba + n as u64 - 1);
                self.count = (left - n) as u8;
                let dr = &mut self.drives[d];
                dr.buf = data;
                dr.pos = 0;
                dr.status = DRDY | DSC | DRQ;
                dr.intrq = true;
            }
            None => {
                let total = self.drives[d].total();
                self.set_address(d, lba.max(total.min(lba)));
                self.count = left as u8;
                self.finish(d, IDNF);
            }
        }
    }

    /// The host has filled the write buffer: commit it.
    fn write_block(&mut self, d: usize) {
        let Xfer::Write { lba, left, block } = self.drives[d].xfer else {
            return;
        };
        let n = block.min(left);
        let dr = &mut self.drives[d];
        let buf = std::mem::take(&mut dr.buf);
        let r = match dr.image.as_mut() {
            Some(img) => img.write(lba, &buf),
            None => Err(crate::disk::IoError::OutOfRange),
        };
        match r {
            Ok(()) => {
                self.set_address(d, lba + n as u64 - 1);
                let left = left - n;
                self.count = left as u8;
                if left == 0 {
                    self.finish(d, 0);
                } else {
                    let next = block.min(left) as usize;
                    let dr = &mut self.drives[d];
                    dr.xfer = Xfer::Write {
                        lba: lba + n as u64,
                        left,
                        block,
                    };
                    dr.buf = vec![0; next * SECTOR_SIZE];
                    dr.pos = 0;
                    dr.status = DRDY | DSC | DRQ;
                    dr.intrq = true;
                }
            }
            Err(crate::disk::IoError::WriteProtected) => {
                self.set_address(d, lba);
                self.finish(d, UNC);
            }
            Err(crate::disk::IoError::OutOfRange) => {
                self.set_address(d, lba);
                self.finish(d, IDNF);
            }
        }
    }

    /// The host moved `size` bytes through the data port; read or write them.
    fn data_in(&mut self, size: u8, ctx: &mut Ctx) -> u32 {
        let d = self.sel();
        let dr = &mut self.drives[d];
        if dr.status & DRQ == 0
            || !matches!(dr.xfer, Xfer::Read { .. } | Xfer::Identify | Xfer::PacketIn)
        {
            return 0xFFFF_FFFF >> (32 - 8 * size as u32);
        }
        let mut v = 0u32;
        for i in 0..size as usize {
            v |= (dr.buf.get(dr.pos).copied().unwrap_or(0) as u32) << (8 * i);
            dr.pos += 1;
        }
        if dr.pos >= dr.buf.len() {
            dr.buf.clear();
            dr.pos = 0;
            match dr.xfer {
                Xfer::Read { lba, left, block } => {
                    let n = block.min(left);
                    if left > n {
                        dr.xfer = Xfer::Read {
                            lba: lba + n as u64,
                            left: left - n,
                            block,
                        };
                        dr.status = BSY;
                        let at = ctx.now + SECTOR_NS * block.min(left - n) as Nanos;
                        self.schedule(d, Pending::ReadBlock, at, ctx);
                    } else {
                        dr.xfer = Xfer::None;
                        dr.status = DRDY | DSC;
                    }
                }
                Xfer::PacketIn => {
                    // The next block, or the completion, after the device's busy time.
                    dr.xfer = Xfer::None;
                    dr.status = BSY;
                    self.schedule(d, Pending::PacketBlock, ctx.now + SECTOR_NS, ctx);
                }
                _ => {
                    dr.xfer = Xfer::None;
                    dr.status = DRDY | DSC;
                }
            }
        }
        v
    }

    fn data_out(&mut self, size: u8, value: u32, ctx: &mut Ctx) {
        let d = self.sel();
        let dr = &mut self.drives[d];
        if dr.status & DRQ == 0 || !matches!(dr.xfer, Xfer::Write { .. } | Xfer::Packet) {
            return;
        }
        if dr.xfer == Xfer::Packet {
            for i in 0..size as usize {
                if let Some(b) = dr.buf.get_mut(dr.pos) {
                    *b = (value >> (8 * i)) as u8;
                }
                dr.pos += 1;
            }
            if dr.pos >= 12 {
                dr.xfer = Xfer::None;
                dr.status = BSY;
                self.schedule(d, Pending::Packet, ctx.now + CMD_NS, ctx);
            }
            return;
        }
        for i in 0..size as usize {
            if let Some(b) = dr.buf.get_mut(dr.pos) {
                *b = (value >> (8 * i)) as u8;
            }
            dr.pos += 1;
        }
        if dr.pos >= dr.buf.len() {
            let sectors = (dr.buf.len() / SECTOR_SIZE) as Nanos;
            dr.status = BSY;
            self.schedule(d, Pending::WriteBlock, ctx.now + SECTOR_NS * sectors, ctx);
        }
    }

    fn write_control(&mut self, v: u8, ctx: &mut Ctx) {
        let was = self.control & 0x04 != 0;
        self.control = v;
        let srst = v & 0x04 != 0;
        if srst && !was {
            for dr in &mut self.drives {
                dr.status = BSY;
                dr.intrq = false;
                dr.xfer = Xfer::None;
                dr.buf.clear();
                dr.pos = 0;
            }
            self.pending = Pending::None;
            self.due = None;
        } else if !srst && was {
            self.schedule(0, Pending::Reset, ctx.now + RESET_NS, ctx);
        }
    }
}

impl Device for Ata {
    fn name(&self) -> &'static str {
        if self.base == 0x1F0 {
            "ata"
        } else {
            "ata2"
        }
    }

    fn io_read(&mut self, port: u16, size: u8, ctx: &mut Ctx) -> u32 {
        if !self.any_present() {
            return 0xFFFF_FFFF >> (32 - 8 * size.clamp(1, 4) as u32);
        }
        let d = self.sel();
        let present = self.drives[d].present();
        let reg = if port == self.ctl {
            8
        } else {
            port.wrapping_sub(self.base)
        };
        // An absent slave beside a present master reads as zeros (the master answers for it),
        // so that drivers do not take the shared registers for a device.
        if d == 1 && !present && (1..=7).contains(&reg) {
            self.update_irq(ctx.irq);
            return 0;
        }
        let v = match reg {
            0 => self.data_in(size.clamp(1, 4), ctx),
            1 => self.drives[d].error as u32,
            2 => self.count as u32,
            3 => self.sector as u32,
            4 => self.cyl_lo as u32,
            5 => self.cyl_hi as u32,
            6 => (self.dev_head | 0xA0) as u32,
            7 => {
                if present {
                    self.drives[d].intrq = false;
                    self.drives[d].status as u32
                } else {
                    0
                }
            }
            8 => {
                if present {
                    self.drives[d].status as u32
                } else {
                    0
                }
            }
            _ => 0xFF,
        };
        self.update_irq(ctx.irq);
        v
    }

    fn io_write(&mut self, port: u16, size: u8, value: u32, ctx: &mut Ctx) {
        let v = value as u8;
        if port == self.ctl {
            self.write_control(v, ctx);
            self.update_irq(ctx.irq);
            return;
        }
        // Registers cannot be written while the selected device is busy.
        let busy = self.drives[self.sel()].status & BSY != 0 && self.drives[self.sel()].present();
        match port.wrapping_sub(self.base) {
            0 => self.data_out(size.clamp(1, 4), value, ctx),
            _ if busy || self.control & 0x04 != 0 => {}
            1 => self.features = v,
            2 => self.count = v,
            3 => self.sector = v,
            4 => self.cyl_lo = v,
            5 => self.cyl_hi = v,
            6 => self.dev_head = v & 0x5F,
            7 => self.command(v, ctx),
            _ => {}
        }
        self.update_irq(ctx.irq);
    }

    fn reset(&mut self) {
        for d in &mut self.drives {
            d.power_on();
        }
        self.features = 0;
        self.signature();
        self.control = 0;
        self.pending = Pending::None;
        self.due = None;
    }

    fn deadline(&self) -> Option<Nanos> {
        self.due
    }

    fn run(&mut self, ctx: &mut Ctx) {
        if self.due.is_none_or(|t| t > ctx.now) {
            return;
        }
        self.due = None;
        let d = self.pending_dev;
        match std::mem::replace(&mut self.pending, Pending::None) {
            Pending::None => {}
            Pending::Command(cmd) => self.execute(d, cmd),
            Pending::ReadBlock => self.read_block(d),
            Pending::WriteBlock => self.write_block(d),
            Pending::Packet => self.packet(d),
            Pending::PacketBlock => self.packet_block(d),
            Pending::Reset => {
                self.signature();
                for dr in &mut self.drives {
                    dr.status = DRDY | DSC;
                    dr.error = 1;
                }
            }
        }
        self.update_irq(ctx.irq);
    }
}
