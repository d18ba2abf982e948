//! The floppy disk controller: an Intel 82077AA in PC/AT mode (ports 3F0h-3F5h and 3F7h,
//! IRQ6, DMA channel 2) with two drives.
//!
//! Registers: DOR (3F2h: drive select, controller reset, DMA/IRQ gate, motors), TDR (3F3h), MSR
//! (3F4h read) and DSR (3F4h write: data rate, software reset), the data FIFO (3F5h), DIR (3F7h
//! read: disk change) and CCR (3F7h write: data rate).
//!
//! A command goes through the classic phases: the host writes its bytes while MSR says RQM with
//! DIO clear; the execution phase takes emulated time (head load and one revolution's worth of
//! sectors, or the step pulses of a seek) and moves the data through DMA channel 2 (or, in
//! non-DMA mode, through the FIFO byte by byte); the result phase offers ST0-ST3 and the sector
//! address. The controller raises IRQ6 at the end of execution, when a seek or recalibrate
//! completes, and after a reset (one "polling" interrupt standing for all four drives, sensed
//! with four SENSE INTERRUPT STATUS commands). The DOR's DMA gate bit gates both IRQ and DMA, as
//! on the AT.
//!
//! The media are [`DiskImage`]s: the controller finds sectors by the cylinder under the head
//! (double stepping for 40-track media in an 80-track drive), the head, and the selected data
//! rate, and sets ST1/ST2 the way the chip does when an ID or sector is missing, the disk is
//! write protected, or DMA does not keep up.

use super::dma::Dma;
use super::{Ctx, Device, IrqLines, Nanos};
use crate::disk::{DiskImage, FloppyFormat, SECTOR_SIZE};
use crate::memory::Memory;

/// The controller's interrupt line and DMA channel.
pub const FDC_IRQ: u8 = 6;
pub const FDC_DMA: usize = 2;

// Main status register.
const RQM: u8 = 0x80;
const DIO: u8 = 0x40;
const NDMA: u8 = 0x20;
const CB: u8 = 0x10;

// ST0.
const IC_ABNORMAL: u8 = 0x40;
const IC_INVALID: u8 = 0x80;
const IC_POLL: u8 = 0xC0;
const ST0_SE: u8 = 0x20;
const ST0_EC: u8 = 0x10;
// ST1.
const ST1_EN: u8 = 0x80;
const ST1_OR: u8 = 0x10;
const ST1_ND: u8 = 0x04;
const ST1_NW: u8 = 0x02;
const ST1_MA: u8 = 0x01;
// ST2.
const ST2_CM: u8 = 0x40;
const ST2_WC: u8 = 0x10;
const ST2_BC: u8 = 0x02;
// ST3.
const ST3_WP: u8 = 0x40;
const ST3_RDY: u8 = 0x20;
const ST3_T0: u8 = 0x10;
const ST3_TS: u8 = 0x08;

/// From a command's last byte to the start of its data (head load, finding the sector).
const CMD_NS: Nanos = 100_000;
/// Per sector moved (much faster than a real drive's ~11 ms, so guests load quickly, but
/// never zero, so an interrupt cannot arrive before the command's OUT has retired).
const SECTOR_NS: Nanos = 40_000;
/// Per step pulse, plus head settle time, for seeks.
const STEP_NS: Nanos = 20_000;
const SETTLE_NS: Nanos = 50_000;
/// From the end of a reset to the polling interrupt.
const RESET_NS: Nanos = 20_000;

/// A floppy drive on the controller's cable.
#[derive(Debug, Clone, Default)]
pub struct FloppyDrive {
    /// CMOS drive type: 0 none, 1 360K, 2 1.2M, 3 720K, 4 1.44M, 5 2.88M.
    pub drive_type: u8,
    pub image: Option<DiskImage>,
    /// The disk change line (DIR bit 7): set when the disk is removed (and at power-on), cleared
    /// by a step pulse with a disk in the drive.
    pub changed: bool,
    /// Physical head position.
    track: u8,
    /// Sector passing under the head, for READ ID.
    rotation: u32,
}

/// Whether a drive of CMOS type `drive_type` can read media of format `f`.
pub fn drive_accepts(drive_type: u8, f: &FloppyFormat) -> bool {
    match drive_type {
        1 => f.five_inch && f.geometry.cylinders <= 42 && f.rate_kbps == 250,
        2 => f.five_inch,
        3 => !f.five_inch && f.rate_kbps == 250,
        4 => !f.five_inch && f.rate_kbps <= 500,
        5 => !f.five_inch,
        _ => false,
    }
}

impl FloppyDrive {
    pub fn installed(&self) -> bool {
        self.drive_type != 0
    }

    /// Tracks the head can reach.
    fn max_track(&self) -> u8 {
        if self.drive_type == 1 {
            41
        } else {
            83
        }
    }

    /// The media cylinder under the head: 40-track media in an 80-track drive is read on every
    /// other track (the driver double-steps).
    fn media_cylinder(&self) -> Option<u32> {
        let f = self.image.as_ref()?.floppy_format()?;
        let t = self.track as u32;
        if self.drive_type != 1 && f.geometry.cylinders <= 42 {
            t.is_multiple_of(2).then_some(t / 2)
        } else {
            Some(t)
        }
    }

    /// Step the head `steps` tracks in or out; a step with a disk in clears the change line.
    fn step(&mut self, target: u8, from: u8) {
        let steps = target.abs_diff(from);
        if steps == 0 || !self.installed() {
            return;
        }
        self.track = if target > from {
            self.track.saturating_add(steps).min(self.max_track())
        } else {
            self.track.saturating_sub(steps)
        };
        if self.image.is_some() {
            self.changed = false;
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Held in reset (DOR bit 2 clear).
    Reset,
    /// Waiting for a command's first byte.
    Idle,
    /// Receiving command bytes.
    Command,
    /// Executing; the work happens at `exec_due`.
    Execution,
    /// Non-DMA execution: the host reads (or writes) the data through the FIFO.
    PioRead,
    PioWrite,
    /// The host reads the result bytes.
    Result,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Read,
    ReadDeleted,
    ReadTrack,
    Write,
    Verify,
    Format,
    ReadId,
}

/// A data command's parameters and its position as it moves through the sectors.
#[derive(Debug, Clone, Copy)]
struct Xfer {
    op: Op,
    drive: usize,
    /// The physical head (HDS bit).
    head: u8,
    c: u8,
    h: u8,
    r: u8,
    n: u8,
    eot: u8,
    mt: bool,
    mfm: bool,
    sk: bool,
    /// VERIFY with EC: sectors to verify. FORMAT: sectors per track, fill byte.
    count: u8,
    fill: u8,
}

/// How an execution phase ended.
#[derive(Debug, Clone, Copy, Default)]
struct Outcome {
    st0: u8,
    st1: u8,
    st2: u8,
    sectors: u32,
}

/// Where execution-phase data goes to or comes from.
trait Channel {
    /// Offer bytes to the host: (bytes taken, terminal count).
    fn put(&mut self, data: &[u8]) -> (usize, bool);
    /// Take bytes from the host into `buf`: (bytes given, terminal count).
    fn get(&mut self, buf: &mut [u8]) -> (usize, bool);
}

struct DmaChannel<'a> {
    dma: &'a mut Dma,
    mem: &'a mut Memory,
}

impl Channel for DmaChannel<'_> {
    fn put(&mut self, data: &[u8]) -> (usize, bool) {
        self.dma.to_memory(FDC_DMA, data, self.mem)
    }
    fn get(&mut self, buf: &mut [u8]) -> (usize, bool) {
        self.dma.from_memory(FDC_DMA, buf, self.mem)
    }
}

/// No DMA controller answering: every transfer overruns.
struct NoChannel;

impl Channel for NoChannel {
    fn put(&mut self, _data: &[u8]) -> (usize, bool) {
        (0, false)
    }
    fn get(&mut self, _buf: &mut [u8]) -> (usize, bool) {
        (0, false)
    }
}

/// The FIFO in non-DMA mode: reads collect everything up to the end of the track; writes were
/// collected before the execution ran.
struct BufChannel {
    data: Vec<u8>,
    pos: usize,
}

impl Channel for BufChannel {
    fn put(&mut self, data: &[u8]) -> (usize, bool) {
        self.data.extend_from_slice(data);
        (data.len(), false)
    }
    fn get(&mut self, buf: &mut [u8]) -> (usize, bool) {
        let n = buf.len().min(self.data.len().saturating_sub(self.pos));
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        (n, false)
    }
}

pub struct Fdc {
    pub drives: [FloppyDrive; 2],
    dor: u8,
    /// Data rate select (0 = 500, 1 = 300, 2 = 250, 3 = 1000 kbit/s).
    rate: u8,
    precomp: u8,
    tdr: u8,
    phase: Phase,
    cmd: [u8; 9],
    cmd_len: usize,
    cmd_need: usize,
    res: [u8; 10],
    res_len: usize,
    res_pos: usize,
    /// The result phase came with an interrupt, which reading its first byte clears.
    res_int: bool,
    /// Present cylinder number per drive select.
    pcn: [u8; 4],
    /// ST0 of drives with an interrupt to sense (seek end, reset polling).
    sense: [Option<u8>; 4],
    int_pending: bool,
    /// The interrupt was (re)asserted since the line was last driven: make an edge.
    int_edge: bool,
    specify: [u8; 2],
    /// CONFIGURE: bit 6 EIS (implied seek), bit 5 EFIFO (FIFO off), bit 4 POLL (polling off),
    /// bits 3-0 FIFO threshold.
    config: u8,
    pretrk: u8,
    lock: bool,
    /// PERPENDICULAR MODE drive bits D3-D0 and GAP/WGATE.
    perp_drives: u8,
    perp_gw: u8,
    last_eot: u8,
    exec: Option<Xfer>,
    exec_due: Option<Nanos>,
    /// The result is ready (the data has moved); the interrupt comes at `exec_due`.
    exec_done: Option<[u8; 7]>,
    seek_due: [Option<Nanos>; 4],
    /// ST0 each running seek or recalibrate will report.
    seek_st0: [u8; 4],
    reset_due: Option<Nanos>,
    /// Non-DMA execution data and position; for writes, bytes still expected.
    pio: Vec<u8>,
    pio_pos: usize,
    pio_need: usize,
    pio_result: [u8; 7],
}

impl Default for Fdc {
    fn default() -> Self {
        Fdc::new()
    }
}

impl Fdc {
    pub fn new() -> Fdc {
        let mut f = Fdc {
            drives: [
                FloppyDrive {
                    drive_type: 4,
                    ..FloppyDrive::default()
                },
                FloppyDrive::default(),
            ],
            dor: 0,
            rate: 2,
            precomp: 0,
            tdr: 0,
            phase: Phase::Reset,
            cmd: [0; 9],
            cmd_len: 0,
            cmd_need: 0,
            res: [0; 10],
            res_len: 0,
            res_pos: 0,
            res_int: false,
            pcn: [0; 4],
            sense: [None; 4],
            int_pending: false,
            int_edge: false,
            specify: [0; 2],
            config: 0x20,
            pretrk: 0,
            lock: false,
            perp_drives: 0,
            perp_gw: 0,
            last_eot: 0,
            exec: None,
            exec_due: None,
            exec_done: None,
            seek_due: [None; 4],
            seek_st0: [0; 4],
            reset_due: None,
            pio: Vec::new(),
            pio_pos: 0,
            pio_need: 0,
            pio_result: [0; 7],
        };
        f.reset();
        f
    }

    /// Put a disk in drive `d` (0 or 1). A drive that cannot read that media (or is not
    /// installed) becomes the drive type that can: the user chose the disk, the drive follows.
    pub fn insert(&mut self, d: usize, image: DiskImage) {
        let Some(drive) = self.drives.get_mut(d) else {
            return;
        };
        if let Some(f) = image.floppy_format() {
            if !drive_accepts(drive.drive_type, f) {
                drive.drive_type = f.drive_type;
                drive.track = drive.track.min(drive.max_track());
            }
        }
        drive.image = Some(image);
        drive.changed = true;
    }

    /// Take the disk out of drive `d`.
    pub fn eject(&mut self, d: usize) -> Option<DiskImage> {
        let drive = self.drives.get_mut(d)?;
        drive.changed = true;
        drive.image.take()
    }

    /// The state a BIOS leaves after POST: out of reset with DMA and interrupts enabled, motors
    /// off, the reset interrupts sensed, SPECIFY done, 500 kbit/s selected.
    pub fn firmware_init(&mut self) {
        self.enter_reset();
        self.dor = 0x0C;
        self.phase = Phase::Idle;
        self.reset_due = None;
        self.specify = [0xDF, 0x02];
        self.rate = 0;
    }

    /// The firmware accessed drive `d` at media cylinder `c` (INT 13h works on the images
    /// directly): the head moved there, and with a disk in, that step cleared the change line.
    pub fn firmware_seek(&mut self, d: usize, c: u8) {
        let Some(drive) = self.drives.get_mut(d) else {
            return;
        };
        let double = drive
            .image
            .as_ref()
            .and_then(|i| i.floppy_format())
            .is_some_and(|f| drive.drive_type != 1 && f.geometry.cylinders <= 42);
        let t = if double { c.saturating_mul(2) } else { c };
        drive.track = t.min(drive.max_track());
        self.pcn[d] = t;
        if drive.image.is_some() {
            drive.changed = false;
        }
    }

    /// The data rate the DSR/CCR select, in kbit/s.
    pub fn rate_kbps(&self) -> u32 {
        [500, 300, 250, 1000][self.rate as usize & 3]
    }

    fn msr(&self) -> u8 {
        let busy = self
            .seek_due
            .iter()
            .enumerate()
            .fold(0, |m, (i, s)| m | (s.is_some() as u8) << i);
        let ndma = if self.specify[1] & 1 != 0 { NDMA } else { 0 };
        busy | match self.phase {
            Phase::Reset => 0,
            Phase::Idle => RQM,
            Phase::Command => RQM | CB,
            Phase::Execution => CB | ndma,
            Phase::PioRead => RQM | DIO | NDMA | CB,
            Phase::PioWrite => RQM | NDMA | CB,
            Phase::Result => RQM | DIO | CB,
        }
    }

    fn raise(&mut self) {
        self.int_pending = true;
        self.int_edge = true;
    }

    /// Drive IRQ6: the interrupt output gated by the DOR's DMA/IRQ enable bit.
    fn update_irq(&mut self, irq: &mut IrqLines) {
        let on = self.int_pending && self.dor & 0x08 != 0;
        if on && self.int_edge {
            irq.lower(FDC_IRQ);
        }
        if on || !self.int_pending {
            self.int_edge = false;
        }
        irq.set(FDC_IRQ, on);
    }

    fn enter_reset(&mut self) {
        self.phase = Phase::Reset;
        self.cmd_len = 0;
        self.res_len = 0;
        self.res_pos = 0;
        self.sense = [None; 4];
        self.int_pending = false;
        self.exec = None;
        self.exec_due = None;
        self.exec_done = None;
        self.seek_due = [None; 4];
        self.reset_due = None;
        self.pio.clear();
        self.pcn = [0; 4];
        if !self.lock {
            self.config = 0x20;
            self.pretrk = 0;
        }
        self.perp_gw = 0;
    }

    fn leave_reset(&mut self, now: Nanos) {
        self.phase = Phase::Idle;
        self.reset_due = Some(now + RESET_NS);
    }

    fn write_dor(&mut self, v: u8, ctx: &mut Ctx) {
        let was_reset = self.dor & 0x04 == 0;
        self.dor = v;
        if v & 0x04 == 0 {
            if !was_reset {
                self.enter_reset();
            }
        } else if was_reset {
            self.leave_reset(ctx.now);
            ctx.sys.stop_cpu = true;
        }
    }

    fn result(&mut self, bytes: &[u8], interrupt: bool) {
        let n = bytes.len().min(self.res.len());
        self.res[..n].copy_from_slice(&bytes[..n]);
        self.res_len = n;
        self.res_pos = 0;
        self.res_int = interrupt;
        self.phase = Phase::Result;
        if interrupt {
            self.raise();
        }
    }

    /// Total length of the command starting with `b`, or None if the 82077AA does not know it.
    fn command_length(b: u8) -> Option<usize> {
        Some(match b {
            0x03 => 3,
            0x04 | 0x07 | 0x12 => 2,
            0x08 | 0x0E | 0x10 | 0x14 | 0x94 => 1,
            0x0F | 0x8F | 0xCF => 3,
            0x13 => 4,
            _ => match b & 0x1F {
                0x05 | 0x09 if b & 0x20 == 0 => 9,
                0x06 | 0x0C | 0x16 => 9,
                0x02 if b & 0x80 == 0 => 9,
                0x0A if b & 0xBF == 0x0A => 2,
                0x0D if b & 0xBF == 0x0D => 6,
                _ => return None,
            },
        })
    }

    fn data_write(&mut self, v: u8, ctx: &mut Ctx) {
        match self.phase {
            Phase::Idle => {
                let Some(need) = Fdc::command_length(v) else {
                    self.result(&[IC_INVALID], false);
                    return;
                };
                self.cmd[0] = v;
                self.cmd_len = 1;
                self.cmd_need = need;
                self.phase = Phase::Command;
                if need == 1 {
                    self.execute(ctx);
                }
            }
            Phase::Command => {
                if self.cmd_len < self.cmd.len() {
                    self.cmd[self.cmd_len] = v;
                    self.cmd_len += 1;
                }
                if self.cmd_len >= self.cmd_need {
                    self.execute(ctx);
                }
            }
            Phase::PioWrite => {
                self.int_pending = false;
                self.pio.push(v);
                if self.pio.len() >= self.pio_need {
                    // All the data is in: do the write now, as the chip would have sector by
                    // sector.
                    if let Some(x) = self.exec.take() {
                        let mut ch = BufChannel {
                            data: std::mem::take(&mut self.pio),
                            pos: 0,
                        };
                        let (res, _) = self.transfer(x, &mut ch);
                        self.result(&res, true);
                    }
                }
            }
            _ => {}
        }
    }

    fn data_read(&mut self) -> u8 {
        match self.phase {
            Phase::Result => {
                let v = self.res.get(self.res_pos).copied().unwrap_or(0);
                if self.res_pos == 0 && self.res_int {
                    self.int_pending = false;
                }
                self.res_pos += 1;
                if self.res_pos >= self.res_len {
                    self.phase = Phase::Idle;
                }
                v
            }
            Phase::PioRead => {
                self.int_pending = false;
                let v = self.pio.get(self.pio_pos).copied().unwrap_or(0);
                self.pio_pos += 1;
                if self.pio_pos >= self.pio.len() {
                    self.pio.clear();
                    let r = self.pio_result;
                    self.result(&r, true);
                }
                v
            }
            _ => 0,
        }
    }

    /// A command's bytes are all in: run it, or start its execution phase.
    fn execute(&mut self, ctx: &mut Ctx) {
        let c = self.cmd;
        self.phase = Phase::Idle;
        match c[0] {
            0x03 => self.specify = [c[1], c[2]],
            0x04 => {
                let d = (c[1] & 3) as usize;
                let head = (c[1] >> 2) & 1;
                let mut st3 = ST3_RDY | head << 2 | d as u8;
                match self.drives.get(d).filter(|dr| dr.installed()) {
                    Some(dr) => {
                        if dr.image.as_ref().is_none_or(|i| !i.is_writable()) {
                            st3 |= ST3_WP;
                        }
                        if dr.track == 0 {
                            st3 |= ST3_T0;
                        }
                        st3 |= ST3_TS;
                    }
                    None => st3 |= ST3_WP,
                }
                self.result(&[st3], false);
            }
            0x07 => {
                let d = (c[1] & 3) as usize;
                let st0 = match self.drives.get_mut(d).filter(|dr| dr.installed()) {
                    Some(dr) => {
                        // Up to 79 step pulses outward, until the track 0 sensor answers.
                        let steps = dr.track.min(79);
                        let from = dr.track;
                        dr.step(from - steps, from);
                        if dr.track == 0 {
                            ST0_SE | d as u8
                        } else {
                            IC_ABNORMAL | ST0_SE | ST0_EC | d as u8
                        }
                    }
                    None => IC_ABNORMAL | ST0_SE | ST0_EC | d as u8,
                };
                let steps = self.pcn[d].min(79) as Nanos;
                self.pcn[d] = 0;
                self.start_seek(d, st0, steps, ctx);
            }
            0x08 => {
                let found = (0..4).find_map(|d| self.sense[d].take().map(|st0| (d, st0)));
                match found {
                    Some((d, st0)) => {
                        self.int_pending = self.sense.iter().any(Option::is_some);
                        let pcn = self.pcn[d];
                        self.result(&[st0, pcn], false);
                    }
                    None => self.result(&[IC_INVALID], false),
                }
            }
            0x0E => {
                let p = self.pcn;
                let r = [
                    p[0],
                    p[1],
                    p[2],
                    p[3],
                    self.specify[0],
                    self.specify[1],
                    self.last_eot,
                    (self.lock as u8) << 7 | self.perp_drives << 2 | self.perp_gw,
                    self.config,
                    self.pretrk,
                ];
                self.result(&r, false);
            }
            0x0F | 0x8F | 0xCF => {
                let d = (c[1] & 3) as usize;
                let head = (c[1] >> 2) & 1;
                let from = self.pcn[d];
                let target = match c[0] {
                    0x0F => c[2],
                    0xCF => from.saturating_add(c[2]),
                    _ => from.saturating_sub(c[2]),
                };
                if let Some(dr) = self.drives.get_mut(d) {
                    dr.step(target, from);
                }
                self.pcn[d] = target;
                let st0 = ST0_SE | head << 2 | d as u8;
                self.start_seek(d, st0, target.abs_diff(from) as Nanos, ctx);
            }
            0x10 => self.result(&[0x90], false),
            0x12 => {
                if c[1] & 0x80 != 0 {
                    self.perp_drives = (c[1] >> 2) & 0x0F;
                }
                self.perp_gw = c[1] & 3;
            }
            0x13 => {
                self.config = c[2];
                self.pretrk = c[3];
            }
            0x14 | 0x94 => {
                self.lock = c[0] & 0x80 != 0;
                self.result(&[(self.lock as u8) << 4], false);
            }
            _ => self.start_data_command(ctx),
        }
    }

    fn start_seek(&mut self, d: usize, st0: u8, steps: Nanos, ctx: &mut Ctx) {
        self.sense[d] = None;
        self.seek_st0[d] = st0;
        self.seek_due[d] = Some(ctx.now + SETTLE_NS + steps * STEP_NS);
        ctx.sys.stop_cpu = true;
    }

    /// READ/WRITE/VERIFY/FORMAT/READ ID: decode, do the implied seek, schedule the execution.
    fn start_data_command(&mut self, ctx: &mut Ctx) {
        let c = self.cmd;
        let op = match c[0] & 0x1F {
            0x02 => Op::ReadTrack,
            0x05 | 0x09 => Op::Write,
            0x06 => Op::Read,
            0x0C => Op::ReadDeleted,
            0x16 => Op::Verify,
            0x0D => Op::Format,
            _ => Op::ReadId,
        };
        let drive = (c[1] & 3) as usize;
        let head = (c[1] >> 2) & 1;
        let mut x = Xfer {
            op,
            drive,
            head,
            c: c[2],
            h: c[3],
            r: c[4],
            n: c[5],
            eot: c[6],
            mt: c[0] & 0x80 != 0,
            mfm: c[0] & 0x40 != 0,
            sk: c[0] & 0x20 != 0,
            count: 0,
            fill: 0,
        };
        match op {
            Op::Format => {
                x.n = c[2];
                x.count = c[3];
                x.fill = c[5];
                x.c = self.pcn[drive];
                x.h = head;
                x.r = 0;
            }
            Op::ReadId => {}
            _ => {
                self.last_eot = x.eot;
                if op == Op::Verify && c[1] & 0x80 != 0 {
                    x.count = c[8];
                }
                // Implied seek (CONFIGURE EIS).
                if self.config & 0x40 != 0 && self.pcn[drive] != x.c {
                    let from = self.pcn[drive];
                    if let Some(dr) = self.drives.get_mut(drive) {
                        dr.step(x.c, from);
                    }
                    self.pcn[drive] = x.c;
                }
            }
        }
        self.exec = Some(x);
        self.exec_done = None;
        self.phase = Phase::Execution;
        self.exec_due = Some(ctx.now + CMD_NS);
        ctx.sys.stop_cpu = true;
    }

    /// Find the sector the transfer is at: its linear number on the image, or the ST1/ST2 bits
    /// for why the controller cannot find it.
    fn locate(&self, x: &Xfer, check_id: bool) -> Result<u64, (u8, u8)> {
        let drive = self.drives.get(x.drive).ok_or((ST1_MA, 0))?;
        let img = drive.image.as_ref().ok_or((ST1_MA, 0))?;
        let f = img.floppy_format().ok_or((ST1_MA, 0))?;
        let g = img.geometry();
        let rate_ok = match f.rate_kbps {
            250 => self.rate == 2 || self.rate == 1,
            300 => self.rate == 1,
            500 => self.rate == 0,
            _ => self.rate == 3,
        };
        let cyl = drive.media_cylinder().ok_or((ST1_MA, 0))?;
        if !drive.installed()
            || !rate_ok
            || !x.mfm
            || x.head as u32 >= g.heads
            || cyl >= g.cylinders
        {
            return Err((ST1_MA, 0));
        }
        if check_id {
            if x.c as u32 != cyl {
                let st2 = if x.c == 0xFF { ST2_BC } else { ST2_WC };
                return Err((ST1_ND, st2));
            }
            if x.h != x.head || x.n != 2 || x.r == 0 || x.r as u32 > g.sectors {
                return Err((ST1_ND, 0));
            }
        }
        let r = if check_id { x.r as u32 } else { 1 };
        g.chs_to_lba(cyl, x.head as u32, r).ok_or((ST1_ND, 0))
    }

    /// Advance to the next sector; false when the end of the track (or, multi-track, of the
    /// cylinder) has been passed. The C/H/R left are what the result phase reports.
    fn advance(x: &mut Xfer) -> bool {
        if x.r < x.eot {
            x.r = x.r.wrapping_add(1);
            return true;
        }
        x.r = 1;
        if x.mt {
            x.h ^= 1;
            if x.head == 0 {
                x.head = 1;
                return true;
            }
            x.head = 0;
        }
        x.c = x.c.wrapping_add(1);
        false
    }

    /// Run the execution phase of a data command against `ch`. Returns the seven result bytes
    /// and the number of sectors that passed under the head.
    fn transfer(&mut self, mut x: Xfer, ch: &mut dyn Channel) -> ([u8; 7], u32) {
        let mut out = Outcome::default();
        let d = x.drive;
        let writes = matches!(x.op, Op::Write | Op::Format);
        let protected = self
            .drives
            .get(d)
            .and_then(|dr| dr.image.as_ref())
            .is_some_and(|i| !i.is_writable());
        if x.op == Op::ReadTrack {
            if x.r != 1 {
                out.st1 |= ST1_ND;
            }
            x.r = 1;
            x.mt = false;
        }
        if x.op == Op::ReadId {
            match self.locate(&x, false) {
                Ok(_) => {
                    let cyl = self.drives[d].media_cylinder().unwrap_or(0) as u8;
                    let spt = self.drives[d]
                        .image
                        .as_ref()
                        .map_or(1, |i| i.geometry().sectors.max(1));
                    let dr = &mut self.drives[d];
                    dr.rotation = dr.rotation.wrapping_add(1);
                    x.c = cyl;
                    x.h = x.head;
                    x.r = (dr.rotation % spt) as u8 + 1;
                    x.n = 2;
                    out.sectors = 1;
                }
                Err((st1, st2)) => {
                    out.st0 = IC_ABNORMAL;
                    out.st1 = st1;
                    out.st2 = st2;
                }
            }
        } else if writes && protected {
            out.st0 = IC_ABNORMAL;
            out.st1 = ST1_NW;
        } else if x.op == Op::Format {
            self.format(&mut x, ch, &mut out);
        } else {
            self.sectors(&mut x, ch, &mut out);
        }
        let st0 = out.st0 | x.head << 2 | d as u8;
        ([st0, out.st1, out.st2, x.c, x.h, x.r, x.n], out.sectors)
    }

    /// READ DATA, READ DELETED DATA, READ TRACK, WRITE DATA, VERIFY: sector after sector until
    /// terminal count, the end of the track, or an error.
    fn sectors(&mut self, x: &mut Xfer, ch: &mut dyn Channel, out: &mut Outcome) {
        let d = x.drive;
        let mut buf = [0u8; SECTOR_SIZE];
        let mut verified = 0u8;
        loop {
            let lba = match self.locate(x, true) {
                Ok(l) => l,
                Err((ST1_ND, 0)) if x.op == Op::ReadTrack => {
                    // READ TRACK reads on past sectors whose ID does not match.
                    out.st1 |= ST1_ND;
                    if !Fdc::advance(x) {
                        out.st0 = IC_ABNORMAL;
                        out.st1 |= ST1_EN;
                        return;
                    }
                    continue;
                }
                Err((st1, st2)) => {
                    out.st0 = IC_ABNORMAL;
                    out.st1 |= st1;
                    out.st2 |= st2;
                    return;
                }
            };
            let Some(img) = self.drives.get_mut(d).and_then(|dr| dr.image.as_mut()) else {
                out.st0 = IC_ABNORMAL;
                out.st1 |= ST1_MA;
                return;
            };
            let mut tc = false;
            match x.op {
                Op::Write => {
                    let (n, t) = ch.get(&mut buf);
                    if n == 0 && !t {
                        out.st0 = IC_ABNORMAL;
                        out.st1 |= ST1_OR;
                        return;
                    }
                    // A terminal count inside the sector: the rest is written as zeros.
                    buf[n..].fill(0);
                    if img.write(lba, &buf).is_err() {
                        out.st0 = IC_ABNORMAL;
                        out.st1 |= ST1_NW;
                        return;
                    }
                    tc = t;
                }
                Op::Verify => {
                    verified = verified.wrapping_add(1);
                }
                Op::ReadDeleted => {
                    // Every sector on an image has a normal data mark.
                    out.st2 |= ST2_CM;
                    if !x.sk {
                        let data = img.read(lba, 1).unwrap_or(&[]);
                        let (n, t) = ch.put(data);
                        if n == 0 && !t {
                            out.st0 = IC_ABNORMAL;
                            out.st1 |= ST1_OR;
                            return;
                        }
                        out.sectors += 1;
                        Fdc::advance(x);
                        return;
                    }
                }
                _ => {
                    let data = img.read(lba, 1).unwrap_or(&[]);
                    let (n, t) = ch.put(data);
                    if n == 0 && !t {
                        out.st0 = IC_ABNORMAL;
                        out.st1 |= ST1_OR;
                        return;
                    }
                    tc = t;
                }
            }
            out.sectors += 1;
            let more = Fdc::advance(x);
            if tc || (x.op == Op::Verify && x.count != 0 && verified >= x.count) {
                return;
            }
            if !more {
                // Verify ends cleanly at EOT; transfers without terminal count overrun it.
                if x.op != Op::Verify {
                    out.st0 = IC_ABNORMAL;
                    out.st1 |= ST1_EN;
                }
                return;
            }
        }
    }

    /// FORMAT TRACK: four ID bytes per sector from the host; each sector the image can hold
    /// (512 bytes, numbered within the track) is filled with the fill byte.
    fn format(&mut self, x: &mut Xfer, ch: &mut dyn Channel, out: &mut Outcome) {
        let d = x.drive;
        if let Err((st1, st2)) = self.locate(x, false) {
            out.st0 = IC_ABNORMAL;
            out.st1 = st1;
            out.st2 = st2;
            return;
        }
        let cyl = self.drives[d].media_cylinder().unwrap_or(0);
        for _ in 0..x.count {
            let mut id = [0u8; 4];
            let (n, tc) = ch.get(&mut id);
            if n < 4 {
                if !tc {
                    out.st0 = IC_ABNORMAL;
                    out.st1 |= ST1_OR;
                }
                return;
            }
            [x.c, x.h, x.r, x.n] = id;
            if let Some(img) = self.drives[d].image.as_mut() {
                let g = img.geometry();
                if id[3] == 2 {
                    if let Some(lba) = g.chs_to_lba(cyl, x.head as u32, id[2] as u32) {
                        let _ = img.fill(lba, 1, x.fill);
                    }
                }
            }
            out.sectors += 1;
            if tc {
                return;
            }
        }
    }

    /// The execution phase's work, at its deadline.
    fn run_execution(&mut self, ctx: &mut Ctx, dma: Option<&mut Dma>) {
        self.exec_due = None;
        if let Some(res) = self.exec_done.take() {
            self.exec = None;
            self.result(&res, true);
            return;
        }
        let Some(x) = self.exec else {
            return;
        };
        let non_dma = self.specify[1] & 1 != 0;
        if non_dma && !matches!(x.op, Op::Verify | Op::ReadId) {
            if matches!(x.op, Op::Write | Op::Format) {
                // Collect the host's bytes first: all sectors to the end of the track.
                let per = if x.op == Op::Format { 4 } else { SECTOR_SIZE };
                let count = if x.op == Op::Format {
                    x.count as usize
                } else {
                    let first = (x.eot as usize + 1).saturating_sub(x.r as usize);
                    first
                        + if x.mt && x.head == 0 {
                            x.eot as usize
                        } else {
                            0
                        }
                };
                self.pio.clear();
                self.pio_need = (count * per).max(1);
                self.phase = Phase::PioWrite;
                self.raise();
                return;
            }
            let mut ch = BufChannel {
                data: Vec::new(),
                pos: 0,
            };
            let (res, _) = self.transfer(x, &mut ch);
            self.exec = None;
            if ch.data.is_empty() {
                self.result(&res, true);
            } else {
                self.pio = ch.data;
                self.pio_pos = 0;
                self.pio_result = res;
                self.phase = Phase::PioRead;
                self.raise();
            }
            return;
        }
        // DMA mode; the DOR gate must be open and the channel programmed.
        let gate = self.dor & 0x08 != 0;
        let (res, sectors) = match dma {
            Some(dma) if gate => {
                let mut ch = DmaChannel {
                    dma,
                    mem: &mut *ctx.mem,
                };
                self.transfer(x, &mut ch)
            }
            _ => self.transfer(x, &mut NoChannel),
        };
        self.exec_done = Some(res);
        self.exec_due = Some(ctx.now + SECTOR_NS * sectors.max(1) as Nanos);
    }

    /// Timed work: seeks ending, the reset interrupt, the execution phase. The DMA controller
    /// is lent for the execution's data (see `Board::run_fdc`).
    pub fn run_with_dma(&mut self, ctx: &mut Ctx, dma: Option<&mut Dma>) {
        let now = ctx.now;
        if self.reset_due.is_some_and(|t| t <= now) {
            self.reset_due = None;
            if self.config & 0x10 == 0 {
                for d in 0..4 {
                    self.sense[d] = Some(IC_POLL | d as u8);
                }
                self.raise();
            }
        }
        for d in 0..4 {
            if self.seek_due[d].is_some_and(|t| t <= now) {
                self.seek_due[d] = None;
                self.sense[d] = Some(self.seek_st0[d]);
                self.raise();
            }
        }
        if self.exec_due.is_some_and(|t| t <= now) {
            self.run_execution(ctx, dma);
        }
        self.update_irq(ctx.irq);
    }
}

impl Device for Fdc {
    fn name(&self) -> &'static str {
        "fdc"
    }

    fn io_read(&mut self, port: u16, _size: u8, ctx: &mut Ctx) -> u32 {
        let v = match port & 7 {
            2 => self.dor,
            3 => self.tdr & 3,
            4 => self.msr(),
            5 => self.data_read(),
            7 => {
                let d = (self.dor & 3) as usize;
                match self.drives.get(d) {
                    Some(dr) if dr.installed() => (dr.changed as u8) << 7,
                    _ => 0x80,
                }
            }
            _ => 0xFF,
        };
        self.update_irq(ctx.irq);
        v as u32
    }

    fn io_write(&mut self, port: u16, _size: u8, value: u32, ctx: &mut Ctx) {
        let v = value as u8;
        match port & 7 {
            2 => self.write_dor(v, ctx),
            3 => self.tdr = v & 3,
            4 => {
                self.rate = v & 3;
                self.precomp = (v >> 2) & 7;
                if v & 0x80 != 0 {
                    self.enter_reset();
                    self.leave_reset(ctx.now);
                    ctx.sys.stop_cpu = true;
                }
            }
            5 if self.phase != Phase::Reset => self.data_write(v, ctx),
            7 => self.rate = v & 3,
            _ => {}
        }
        self.update_irq(ctx.irq);
    }

    fn reset(&mut self) {
        self.enter_reset();
        self.dor = 0;
        self.rate = 2;
        self.precomp = 0;
        self.tdr = 0;
        self.specify = [0; 2];
        self.lock = false;
        self.config = 0x20;
        self.pretrk = 0;
        self.perp_drives = 0;
        self.last_eot = 0;
        for dr in &mut self.drives {
            dr.changed = true;
        }
    }

    fn deadline(&self) -> Option<Nanos> {
        [self.exec_due, self.reset_due]
            .into_iter()
            .chain(self.seek_due)
            .flatten()
            .min()
    }

    /// Timed work without DMA (the board normally calls [`Fdc::run_with_dma`]).
    fn run(&mut self, ctx: &mut Ctx) {
        self.run_with_dma(ctx, None);
    }
}
